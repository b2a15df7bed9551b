// A byte stream that is either a plain TCP socket or TLS over one, for both client and backend
// sides. Layer: proxy (I/O edge).
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/system/error_code.hpp>

#include <cstddef>
#include <memory>
#include <string_view>
#include <variant>

struct x509_st;  // X509

namespace meshgate::proxy {

/// Reads and writes as `as_tuple` results: (error_code, bytes). EOF, reset and cancellation are
/// ordinary error codes, never exceptions.
class Stream {
public:
    using Tcp = boost::asio::ip::tcp::socket;
    using Tls = boost::asio::ssl::stream<Tcp>;

    explicit Stream(Tcp socket);
    explicit Stream(std::unique_ptr<Tls> tls);

    boost::asio::awaitable<std::tuple<boost::system::error_code, std::size_t>>
    read_some(char* data, std::size_t size);
    /// Writes all bytes (or fails).
    boost::asio::awaitable<std::tuple<boost::system::error_code, std::size_t>>
    write_all(std::string_view bytes);
    /// Graceful TLS shutdown if TLS, then close. Never throws.
    boost::asio::awaitable<void> close();
    void close_now();  // immediate, never throws

    bool is_tls() const;
    Tcp& tcp();       // the underlying socket (for remote_endpoint, options)
    Tls* tls();       // null when plain
    boost::asio::any_io_executor get_executor();

private:
    std::variant<Tcp, std::unique_ptr<Tls>> s_;
};

}  // namespace meshgate::proxy
