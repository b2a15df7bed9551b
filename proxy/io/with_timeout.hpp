// with_timeout(): the one deadline helper for awaitable operations (STYLE §5).
// Layer: proxy (I/O edge).
#pragma once

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <chrono>
#include <optional>
#include <type_traits>
#include <utility>
#include <variant>

namespace meshgate::proxy {

/// Runs `op` against a deadline of `timeout`. Returns the op's value, or nullopt when the
/// deadline passed first; the op is then cancelled through its cancellation slot (socket
/// operations complete with operation_aborted, which callers treat as an ordinary branch).
/// A timeout of zero or less means "no deadline".
///
/// Note: the `||` operator runs `op` as its own coroutine thread, with Asio's default
/// throw_if_cancelled(true): a coroutine passed here that awaits further coroutines after being
/// cancelled must call `co_await this_coro::throw_if_cancelled(false)` first.
template <class T>
boost::asio::awaitable<std::optional<T>> with_timeout(boost::asio::awaitable<T> op,
                                                      std::chrono::milliseconds timeout)
{
    static_assert(!std::is_void_v<T>, "use with_timeout_void for awaitable<void>");
    if (timeout.count() <= 0) {
        co_return co_await std::move(op);
    }
    using namespace boost::asio::experimental::awaitable_operators;
    boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor, timeout);
    auto r = co_await (std::move(op) ||
                       timer.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable)));
    if (r.index() == 0) {
        co_return std::get<0>(std::move(r));
    }
    co_return std::nullopt;
}

/// As with_timeout, for an operation without a value: true when it finished in time.
inline boost::asio::awaitable<bool> with_timeout_void(boost::asio::awaitable<void> op,
                                                      std::chrono::milliseconds timeout)
{
    if (timeout.count() <= 0) {
        co_await std::move(op);
        co_return true;
    }
    using namespace boost::asio::experimental::awaitable_operators;
    boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor, timeout);
    auto r = co_await (std::move(op) ||
                       timer.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable)));
    co_return r.index() == 0;
}

}  // namespace meshgate::proxy
