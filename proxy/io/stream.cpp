// Stream: plain TCP or TLS over TCP behind one read/write/close interface.
// Layer: proxy (I/O edge).
#include "proxy/io/stream.hpp"

#include "common/error.hpp"
#include "proxy/io/with_timeout.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <chrono>

namespace meshgate::proxy {
namespace asio = boost::asio;
using boost::system::error_code;

namespace {

// A peer that never answers our close_notify must not hold a session open: after this the
// socket is closed without waiting for its close_notify.
constexpr std::chrono::milliseconds kTlsShutdownGrace{1000};

}  // namespace

Stream::Stream(Tcp socket) : s_(std::move(socket)) {}

Stream::Stream(std::unique_ptr<Tls> tls) : s_(std::move(tls))
{
    MESHGATE_ASSERT(std::get<std::unique_ptr<Tls>>(s_) != nullptr);
}

asio::awaitable<std::tuple<error_code, std::size_t>> Stream::read_some(char* data,
                                                                       std::size_t size)
{
    if (auto* tls = std::get_if<std::unique_ptr<Tls>>(&s_)) {
        co_return co_await (*tls)->async_read_some(asio::buffer(data, size),
                                                   asio::as_tuple(asio::use_awaitable));
    }
    co_return co_await std::get<Tcp>(s_).async_read_some(asio::buffer(data, size),
                                                         asio::as_tuple(asio::use_awaitable));
}

asio::awaitable<std::tuple<error_code, std::size_t>> Stream::write_all(std::string_view bytes)
{
    if (auto* tls = std::get_if<std::unique_ptr<Tls>>(&s_)) {
        co_return co_await asio::async_write(**tls, asio::buffer(bytes.data(), bytes.size()),
                                             asio::as_tuple(asio::use_awaitable));
    }
    co_return co_await asio::async_write(std::get<Tcp>(s_),
                                         asio::buffer(bytes.data(), bytes.size()),
                                         asio::as_tuple(asio::use_awaitable));
}

asio::awaitable<void> Stream::close()
{
    if (auto* tls = std::get_if<std::unique_ptr<Tls>>(&s_)) {
        if ((*tls)->lowest_layer().is_open()) {
            // close_notify tells the peer the end is deliberate (not a truncation attack); the
            // peer's answer is awaited only briefly.
            co_await with_timeout((*tls)->async_shutdown(asio::as_tuple(asio::use_awaitable)),
                                  kTlsShutdownGrace);
        }
    }
    close_now();
}

void Stream::close_now()
{
    error_code ignored;
    Tcp& sock = tcp();
    if (sock.is_open()) {
        sock.shutdown(Tcp::shutdown_both, ignored);
        sock.close(ignored);
    }
}

bool Stream::is_tls() const
{
    return std::holds_alternative<std::unique_ptr<Tls>>(s_);
}

Stream::Tcp& Stream::tcp()
{
    if (auto* tls = std::get_if<std::unique_ptr<Tls>>(&s_)) {
        return (*tls)->next_layer();
    }
    return std::get<Tcp>(s_);
}

Stream::Tls* Stream::tls()
{
    if (auto* tls = std::get_if<std::unique_ptr<Tls>>(&s_)) {
        return tls->get();
    }
    return nullptr;
}

asio::any_io_executor Stream::get_executor()
{
    return tcp().get_executor();
}

}  // namespace meshgate::proxy
