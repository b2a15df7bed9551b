// BackendPool: bounded per-backend pool with RAII slots, bounded waiting and asynchronous
// DISCARD ALL on release. Layer: proxy (I/O edge).
#include "proxy/backend/backend_pool.hpp"

#include "proxy/io/with_timeout.hpp"
#include "proxy/log.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/experimental/concurrent_channel.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <deque>
#include <exception>
#include <mutex>

namespace meshgate::proxy {
namespace asio = boost::asio;
using boost::system::error_code;

namespace {

// A queued acquire(). Everything but `signal` is guarded by the pool mutex.
struct Waiter {
    explicit Waiter(asio::any_io_executor ex) : signal(std::move(ex), 1) {}

    // Buffered (capacity 1), so the pool's try_send never blocks and never needs the waiter's
    // executor; the waiter's async_receive completes on its own executor.
    asio::experimental::concurrent_channel<void(error_code)> signal;
    bool granted = false;
    std::unique_ptr<BackendConnection> conn;  // granted with null conn: a free slot to fill
    std::optional<Error> error;               // granted with an error: the pool closed
};

struct PoolState {
    PoolState(config::Backend b, uint32_t max) : backend(std::move(b)), max_message(max) {}

    const config::Backend backend;
    const uint32_t max_message;

    mutable std::mutex mu;
    std::vector<std::unique_ptr<BackendConnection>> idle;  // LIFO: warm connections first
    int slots = 0;       // connections existing or being made, each owning a slot
    int resetting = 0;
    int connecting = 0;
    std::deque<std::shared_ptr<Waiter>> waiters;
    bool closed = false;

    int capacity() const { return std::max(1, backend.pool_size); }

    // Called with `mu` held when one slot became free: hands it to the first waiter, if any.
    void free_slot_locked()
    {
        --slots;
        if (!closed && !waiters.empty() && slots < capacity()) {
            auto w = std::move(waiters.front());
            waiters.pop_front();
            ++slots;
            w->granted = true;
            w->signal.try_send(error_code{});
        }
    }

    // Called with `mu` held: a reset connection goes to the first waiter or back to idle.
    void give_back_locked(std::unique_ptr<BackendConnection> conn)
    {
        if (!waiters.empty()) {
            auto w = std::move(waiters.front());
            waiters.pop_front();
            w->granted = true;
            w->conn = std::move(conn);
            w->signal.try_send(error_code{});
            return;
        }
        idle.push_back(std::move(conn));
    }
};

// Owned by a pooled BackendConnection (as its pool_slot_); its destruction frees the slot,
// wherever and however the connection dies.
struct Slot {
    explicit Slot(std::weak_ptr<PoolState> s) : state(std::move(s)) {}
    ~Slot()
    {
        if (auto s = state.lock()) {
            const std::lock_guard<std::mutex> lock(s->mu);
            s->free_slot_locked();
        }
    }
    Slot(const Slot&) = delete;
    Slot& operator=(const Slot&) = delete;

    std::weak_ptr<PoolState> state;
};

// Keeps a queued waiter from leaking if acquire() unwinds (cancellation throws at the next
// co_await) between queueing and collecting its grant: a grant it never collected is given back.
struct WaiterGuard {
    std::shared_ptr<PoolState> st;
    std::shared_ptr<Waiter> w;

    // Called with `mu` held by acquire() once it has looked at the grant itself.
    void collected() { w.reset(); }

    ~WaiterGuard()
    {
        if (!w) {
            return;
        }
        std::unique_ptr<BackendConnection> conn;
        bool slot = false;
        {
            const std::lock_guard<std::mutex> lock(st->mu);
            if (w->granted) {
                conn = std::move(w->conn);
                slot = !conn && !w->error;
            } else {
                st->waiters.erase(std::find(st->waiters.begin(), st->waiters.end(), w));
            }
        }
        if (slot) {
            Slot release_it(st);  // its destructor frees the reserved slot
        }
        // `conn` closes here, outside the lock, freeing its slot.
    }
};

Error pool_closed(const config::Backend& b)
{
    return make_error("08006", "connection pool of backend " + b.name + " is closed");
}

// Makes a new connection in a slot the caller already reserved; the caller's Slot object owns
// that reservation, so every exit path (including cancellation) frees it.
asio::awaitable<Result<std::unique_ptr<BackendConnection>>> connect_in_slot(
    std::shared_ptr<PoolState> st)
{
    auto ex = co_await asio::this_coro::executor;
    {
        const std::lock_guard<std::mutex> lock(st->mu);
        ++st->connecting;
    }
    struct ConnectingGuard {
        PoolState& s;
        ~ConnectingGuard()
        {
            const std::lock_guard<std::mutex> lock(s.mu);
            --s.connecting;
        }
    } guard{*st};
    auto r = co_await BackendConnection::connect(ex, st->backend, {}, st->max_message);
    if (!r) {
        log_warn("backend connection failed",
                 {{"backend", st->backend.name}, {"sqlstate", r.error().sqlstate},
                  {"error", r.error().message}});
        co_return r.error();
    }
    log_debug("backend connection opened", {{"backend", st->backend.name},
                                            {"tls", (*r)->stream().is_tls()}});
    co_return std::move(*r);
}

// Ends a connection politely (Terminate, close_notify) off the session's path.
asio::awaitable<void> close_connection(std::unique_ptr<BackendConnection> conn)
{
    co_await conn->terminate();
}

// DISCARD ALL, then back to the pool (or closed when that fails or the pool closed).
asio::awaitable<void> reset_connection(std::shared_ptr<PoolState> st,
                                       std::unique_ptr<BackendConnection> conn)
{
    const auto timeout = std::chrono::milliseconds(std::max(1, st->backend.connect_timeout_ms));
    auto r = co_await with_timeout(conn->simple_query("DISCARD ALL"), timeout);
    bool ok = r.has_value() && r->has_value() && conn->usable() &&
              conn->transaction_status() == 'I';
    conn->carried() = BackendConnection::Carried{};
    if (!ok) {
        log_warn("backend connection reset failed; closing it",
                 {{"backend", st->backend.name},
                  {"error", !r ? std::string("timed out")
                               : (r->has_value() ? std::string("not idle after reset")
                                                 : r->error().message)}});
    }
    std::unique_ptr<BackendConnection> to_close;
    {
        const std::lock_guard<std::mutex> lock(st->mu);
        --st->resetting;
        if (ok && !st->closed) {
            st->give_back_locked(std::move(conn));
        } else {
            to_close = std::move(conn);
        }
    }
    // Destroyed outside the lock: its Slot locks the pool mutex.
    if (to_close) {
        if (ok) {
            co_await close_connection(std::move(to_close));
        }
        to_close.reset();
    }
}

// Completion handler for the pool's own coroutines: never `detached` (STYLE §4).
struct LogFailure {
    std::string backend;
    void operator()(std::exception_ptr e) const
    {
        if (!e) {
            return;
        }
        try {
            std::rethrow_exception(e);
        } catch (const std::exception& ex) {
            log_error("backend pool task failed", {{"backend", backend}, {"error", ex.what()}});
        } catch (...) {
            log_error("backend pool task failed", {{"backend", backend}});
        }
    }
};

}  // namespace

struct BackendPool::Impl {
    std::shared_ptr<PoolState> st;
};

BackendPool::BackendPool(config::Backend backend, uint32_t max_message)
    : impl_(std::make_unique<Impl>())
{
    impl_->st = std::make_shared<PoolState>(std::move(backend), max_message);
}

BackendPool::~BackendPool()
{
    std::vector<std::unique_ptr<BackendConnection>> idle;
    std::deque<std::shared_ptr<Waiter>> waiters;
    {
        const std::lock_guard<std::mutex> lock(impl_->st->mu);
        impl_->st->closed = true;
        idle.swap(impl_->st->idle);
        waiters.swap(impl_->st->waiters);
        for (auto& w : waiters) {
            w->granted = true;
            w->error = pool_closed(impl_->st->backend);
            w->signal.try_send(error_code{});
        }
    }
    // idle connections close here, outside the lock.
}

const config::Backend& BackendPool::backend() const
{
    return impl_->st->backend;
}

BackendPool::Stats BackendPool::stats() const
{
    const auto& st = *impl_->st;
    const std::lock_guard<std::mutex> lock(st.mu);
    Stats s;
    s.idle = static_cast<int>(st.idle.size());
    s.resetting = st.resetting;
    s.connecting = st.connecting;
    s.waiting = static_cast<int>(st.waiters.size());
    s.active = std::max(0, st.slots - s.idle - s.resetting - s.connecting);
    return s;
}

void BackendPool::clear_idle()
{
    std::vector<std::unique_ptr<BackendConnection>> idle;
    {
        const std::lock_guard<std::mutex> lock(impl_->st->mu);
        idle.swap(impl_->st->idle);
    }
}

asio::awaitable<Result<std::unique_ptr<BackendConnection>>> BackendPool::acquire()
{
    auto st = impl_->st;
    auto ex = co_await asio::this_coro::executor;
    const auto wait_limit = std::chrono::milliseconds(std::max(1, st->backend.connect_timeout_ms));
    const auto deadline = std::chrono::steady_clock::now() + wait_limit;

    for (;;) {
        std::unique_ptr<BackendConnection> got;
        std::shared_ptr<Slot> slot;
        std::shared_ptr<Waiter> waiter;
        {
            const std::lock_guard<std::mutex> lock(st->mu);
            if (st->closed) {
                co_return pool_closed(st->backend);
            }
            if (!st->idle.empty()) {
                // Checked outside the lock: looks_alive() is a system call, and a thread
                // preempted while holding the pool mutex stalls every session of the pool
                // (transaction pool mode takes it twice per statement).
                got = std::move(st->idle.back());
                st->idle.pop_back();
            } else {
                if (st->slots < st->capacity()) {
                    ++st->slots;
                    slot = std::make_shared<Slot>(st);
                } else {
                    waiter = std::make_shared<Waiter>(ex);
                    st->waiters.push_back(waiter);
                }
            }
        }
        if (got) {
            if (got->looks_alive()) {
                co_return std::move(got);
            }
            log_info("discarding a dead idle backend connection", {{"backend", st->backend.name}});
            got.reset();  // frees its slot (outside the lock), possibly to a waiter
            continue;
        }
        if (slot) {
            auto r = co_await connect_in_slot(st);
            if (r) {
                (*r)->pool_slot_ = std::move(slot);
            }
            co_return r;
        }

        WaiterGuard guard{st, waiter};
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() > 0) {
            co_await with_timeout(
                waiter->signal.async_receive(asio::as_tuple(asio::use_awaitable)), left);
        }
        {
            const std::lock_guard<std::mutex> lock(st->mu);
            guard.collected();
            if (waiter->granted) {
                if (waiter->error) {
                    co_return *waiter->error;
                }
                got = std::move(waiter->conn);
                if (!got) {
                    // The slot was reserved for us in free_slot_locked.
                    slot = std::make_shared<Slot>(st);
                }
            } else {
                st->waiters.erase(std::find(st->waiters.begin(), st->waiters.end(), waiter));
            }
        }
        if (slot) {
            auto r = co_await connect_in_slot(st);
            if (r) {
                (*r)->pool_slot_ = std::move(slot);
            }
            co_return r;
        }
        if (got) {
            if (got->looks_alive()) {
                co_return std::move(got);
            }
            got.reset();
            continue;  // it died since its reset; try again within the deadline
        }
        co_return make_error("53300", "too many connections for backend " + st->backend.name +
                                          ": all " + std::to_string(st->capacity()) +
                                          " pooled connections stayed busy for " +
                                          std::to_string(wait_limit.count()) + " ms");
    }
}

void BackendPool::release(std::unique_ptr<BackendConnection> conn, bool idle, bool discard)
{
    if (!conn) {
        return;
    }
    auto st = impl_->st;
    // A connection from somewhere else (or from an older pool) is not ours to keep.
    const bool ours = conn->pool_slot_ && std::static_pointer_cast<Slot>(conn->pool_slot_)
                                                  ->state.lock() == st;
    auto ex = conn->stream().get_executor();
    if (!ours || !conn->usable()) {
        conn.reset();  // broken or foreign: close at once, frees the slot
        return;
    }
    bool closed = false;
    {
        const std::lock_guard<std::mutex> lock(st->mu);
        closed = st->closed;
        if (!closed && idle && !discard) {
            // Transaction pool mode: straight back, no round trip.
            st->give_back_locked(std::move(conn));
            return;
        }
        if (!closed && idle) {
            ++st->resetting;
        } else {
            closed = true;
        }
    }
    if (closed) {
        // Mid-transaction or the pool is closing: end it politely off the caller's path.
        asio::co_spawn(ex, close_connection(std::move(conn)), LogFailure{st->backend.name});
        return;
    }
    asio::co_spawn(ex, reset_connection(st, std::move(conn)), LogFailure{st->backend.name});
}

}  // namespace meshgate::proxy
