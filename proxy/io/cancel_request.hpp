// send_cancel_request(): delivers a CancelRequest to a backend on a new connection.
// Layer: proxy (I/O edge).
#pragma once

#include "proxy/cancel_registry.hpp"

#include <boost/asio/awaitable.hpp>

namespace meshgate::proxy {

/// Connects to `target.host:port` (bounded by a 5 s deadline), sends CancelRequest with the
/// backend's process id and secret key, and closes. Best effort, as in PostgreSQL: the result
/// (false on resolve/connect/write failure) is only for logging.
boost::asio::awaitable<bool> send_cancel_request(CancelTarget target);

}  // namespace meshgate::proxy
