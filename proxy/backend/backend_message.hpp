// Reading whole backend messages from a Stream, with the length checked before allocating.
// Layer: proxy (I/O edge).
#pragma once

#include "common/error.hpp"
#include "proxy/io/stream.hpp"

#include <boost/asio/awaitable.hpp>

#include <cstdint>
#include <string>
#include <string_view>

namespace meshgate::proxy {

/// One tagged message from a backend, owned: tag and the body after the int32 length.
struct BackendMessage {
    char tag = 0;
    std::string body;
};

/// Reads exactly `size` bytes (never more, so nothing meant for a later reader is consumed).
/// Errors: 08006 naming `peer` when the stream fails or ends early.
boost::asio::awaitable<Result<void>> read_exact(Stream& stream, char* data, std::size_t size,
                                                std::string_view peer);

/// Reads one whole tagged message: a 5-byte header, then exactly the body. A length below 4 or
/// above `max_len` is refused (08P01 / 54000) before any body byte is read or allocated; the
/// body buffer then grows only as bytes actually arrive. `peer` names the backend in errors.
boost::asio::awaitable<Result<BackendMessage>> read_backend_message(Stream& stream,
                                                                    uint32_t max_len,
                                                                    std::string_view peer);

}  // namespace meshgate::proxy
