// Precompiled header for the proxy layer: the expensive Boost.Asio/OpenSSL includes.
// Layer: proxy (I/O edge only).
#pragma once

#include <boost/asio.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/ssl.hpp>
