// send_cancel_request(): a CancelRequest on its own short-lived connection.
// Layer: proxy (I/O edge).
#include "proxy/io/cancel_request.hpp"

#include "proxy/io/stream.hpp"
#include "proxy/io/with_timeout.hpp"
#include "proxy/wire/codec.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <chrono>
#include <string>

namespace meshgate::proxy {
namespace asio = boost::asio;

namespace {

constexpr std::chrono::milliseconds kCancelTimeout{5000};

}  // namespace

asio::awaitable<bool> send_cancel_request(CancelTarget target)
{
    auto ex = co_await asio::this_coro::executor;
    asio::ip::tcp::resolver resolver(ex);
    auto resolved = co_await with_timeout(
        resolver.async_resolve(target.host, std::to_string(target.port),
                               asio::as_tuple(asio::use_awaitable)),
        kCancelTimeout);
    if (!resolved || std::get<0>(*resolved)) {
        co_return false;
    }
    asio::ip::tcp::socket sock(ex);
    auto connected = co_await with_timeout(
        asio::async_connect(sock, std::get<1>(*resolved), asio::as_tuple(asio::use_awaitable)),
        kCancelTimeout);
    if (!connected || std::get<0>(*connected)) {
        co_return false;
    }
    std::string bytes;
    wire::encode(wire::CancelRequest{target.process_id, target.secret_key}, bytes);
    Stream s(std::move(sock));
    auto written = co_await with_timeout(s.write_all(bytes), kCancelTimeout);
    s.close_now();
    co_return written && !std::get<0>(*written);
}

}  // namespace meshgate::proxy
