// send_cancel_request(): a CancelRequest on its own short-lived connection.
// Layer: proxy (I/O edge).
#include "proxy/io/cancel_request.hpp"

#include "proxy/io/with_timeout.hpp"
#include "proxy/wire/codec.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

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
    // 16 bytes into a fresh socket's empty send buffer: this write completes at once.
    auto [ec, n] = co_await asio::async_write(sock, asio::buffer(bytes),
                                              asio::as_tuple(asio::use_awaitable));
    boost::system::error_code ignored;
    sock.shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
    sock.close(ignored);
    co_return !ec;
}

}  // namespace meshgate::proxy
