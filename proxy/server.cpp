// proxy::Server: listening, spawning sessions on strands, stopping them.
// Layer: proxy (I/O edge).
#include "proxy/server.hpp"

#include "auth/digest.hpp"
#include "auth/random.hpp"
#include "proxy/backend/backend_pool.hpp"
#include "proxy/backend/column_learner.hpp"
#include "proxy/log.hpp"
#include "proxy/session/client_session.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <exception>

namespace meshgate::proxy {
namespace asio = boost::asio;
using asio::ip::tcp;

Server::Server(asio::io_context& ctx, config::SnapshotPtr snapshot)
    : ctx_(ctx), snapshot_(std::move(snapshot))
{
    MESHGATE_ASSERT(snapshot_ != nullptr);
}

Server::~Server() = default;

config::SnapshotPtr Server::snapshot() const
{
    std::lock_guard lock(snapshot_mutex_);
    return snapshot_;
}

void Server::set_snapshot(config::SnapshotPtr snapshot)
{
    MESHGATE_ASSERT(snapshot != nullptr);
    std::lock_guard lock(snapshot_mutex_);
    snapshot_ = std::move(snapshot);
}

bool Server::replace_snapshot_if(const config::SnapshotPtr& expected, config::SnapshotPtr next)
{
    MESHGATE_ASSERT(next != nullptr);
    std::lock_guard lock(snapshot_mutex_);
    if (snapshot_ != expected) {
        return false;
    }
    snapshot_ = std::move(next);
    return true;
}

std::shared_ptr<BackendPool> Server::pool(const std::string& backend) const
{
    std::lock_guard lock(pools_mutex_);
    auto it = pools_.find(backend);
    return it == pools_.end() ? nullptr : it->second;
}

namespace {

bool same_backend(const config::Backend& a, const config::Backend& b)
{
    return a.host == b.host && a.port == b.port && a.database == b.database && a.user == b.user &&
           a.password == b.password && a.tls == b.tls && a.ca_file == b.ca_file &&
           a.pool_size == b.pool_size && a.connect_timeout_ms == b.connect_timeout_ms;
}

}  // namespace

void Server::update_backends(const config::Snapshot& snap)
{
    std::lock_guard lock(pools_mutex_);
    for (auto it = pools_.begin(); it != pools_.end();) {
        it = snap.backends.count(it->first) == 0 ? pools_.erase(it) : std::next(it);
    }
    for (const auto& [name, backend] : snap.backends) {
        auto it = pools_.find(name);
        if (it == pools_.end() || !same_backend(it->second->backend(), backend)) {
            pools_[name] = std::make_shared<BackendPool>(backend);
        }
    }
}

std::vector<std::pair<std::string, std::shared_ptr<BackendPool>>> Server::pools() const
{
    std::lock_guard lock(pools_mutex_);
    return {pools_.begin(), pools_.end()};
}

std::size_t Server::live_sessions() const
{
    std::lock_guard lock(sessions_mutex_);
    return sessions_.size();
}

Result<void> Server::open()
{
    const auto snap = snapshot();
    if (snap->listen.tls) {
        auto tls = make_server_tls(*snap->listen.tls);
        if (!tls) {
            return tls.error();
        }
        tls_ = std::make_unique<ServerTls>(std::move(*tls));
    }
    {
        std::lock_guard lock(pools_mutex_);
        for (const auto& [name, backend] : snap->backends) {
            pools_[name] = std::make_shared<BackendPool>(backend);
        }
    }

    auto services = std::make_shared<SessionServices>();
    services->snapshot = [this] { return snapshot(); };
    services->pool = [this](const std::string& name) { return pool(name); };
    services->tls = tls_.get();
    services->cancel = &cancel_;
    services->stats = &stats_;
    services->user_connections = &user_connections_;
    services->metrics = metrics_;
    services->audit = audit_;
    services->rewrite_cache = std::make_shared<policy::RewriteCache>();
    relearner_ = std::make_shared<ColumnRelearner>(
        [this] { return snapshot(); },
        [this](const config::SnapshotPtr& expected, config::SnapshotPtr next) {
            return replace_snapshot_if(expected, std::move(next));
        });
    services->relearn = [relearner = relearner_](policy::Deny deny, config::SnapshotPtr snap) {
        return relearner->retry(std::move(deny), std::move(snap));
    };
    // Unknown users get a mock SCRAM exchange whose salt derives from this seed. From the
    // deployment's hash key (domain-separated) every replica and restart answers an unknown user
    // the same, so salts cannot tell users that exist from users that do not; without a key a
    // per-process random seed keeps them unpredictable.
    services->scram_mock_seed =
        snap->hash_key.empty()
            ? auth::random_bytes(32)
            : auth::hmac_sha256(snap->hash_key, "meshgate SCRAM mock salt seed v1");
    services_ = std::move(services);

    boost::system::error_code ec;
    const auto address = asio::ip::make_address(snap->listen.host, ec);
    if (ec) {
        return make_error("08001", "invalid listen.host \"" + snap->listen.host + "\": " +
                                       ec.message());
    }
    const tcp::endpoint ep(address, snap->listen.port);
    auto acceptor = std::make_unique<tcp::acceptor>(ctx_);
    acceptor->open(ep.protocol(), ec);
    if (!ec) {
        acceptor->set_option(tcp::acceptor::reuse_address(true), ec);
    }
    if (!ec) {
        acceptor->bind(ep, ec);
    }
    if (!ec) {
        acceptor->listen(asio::socket_base::max_listen_connections, ec);
    }
    if (ec) {
        return make_error("08001", "could not listen on " + snap->listen.host + ":" +
                                       std::to_string(snap->listen.port) + ": " + ec.message());
    }
    port_ = acceptor->local_endpoint().port();
    acceptor_ = std::move(acceptor);
    return {};
}

asio::awaitable<void> Server::learn_server_parameters()
{
    const auto snap = snapshot();
    auto catalog = pool(snap->catalog_backend);
    if (!catalog) {
        co_return;
    }
    auto conn = co_await catalog->acquire();
    if (!conn) {
        log_warn("cannot reach the catalog backend; reporting default server parameters",
                 {{"backend", snap->catalog_backend}, {"error", conn.error().message}});
        co_return;
    }
    std::vector<std::pair<std::string, std::string>> params;
    for (const auto& [name, value] : (*conn)->parameters()) {
        // Per-session values are the session's own, not the service account's.
        if (name == "application_name" || name == "is_superuser" ||
            name == "session_authorization" || name == "client_encoding") {
            continue;
        }
        params.emplace_back(name, value);
    }
    catalog->release(std::move(*conn), true);
    auto services = std::make_shared<SessionServices>(*services_);
    services->server_parameters = std::move(params);
    services_ = std::move(services);
}

asio::awaitable<void> Server::serve()
{
    MESHGATE_ASSERT(acceptor_ != nullptr);
    co_await learn_server_parameters();
    const auto snap = snapshot();
    log_info("listening", {{"host", snap->listen.host}, {"port", static_cast<int>(port_)},
                           {"tls", tls_ != nullptr}});
    while (!stopping_.load() && !draining_.load()) {
        auto [ec, socket] =
            co_await acceptor_->async_accept(asio::make_strand(ctx_), asio::as_tuple(asio::use_awaitable));
        if (ec) {
            if (stopping_.load() || draining_.load() || ec == asio::error::operation_aborted) {
                break;
            }
            // EMFILE and the like: log and keep accepting (after a moment, so as not to spin).
            log_warn("accept failed", {{"error", ec.message()}});
            asio::steady_timer pause(ctx_, std::chrono::milliseconds(100));
            co_await pause.async_wait(asio::as_tuple(asio::use_awaitable));
            continue;
        }
        if (stopping_.load() || draining_.load()) {
            break;  // the socket closes here: no new session while stopping
        }
        spawn_session(std::move(socket));
    }
}

void Server::spawn_session(tcp::socket socket)
{
    auto strand = socket.get_executor();
    auto signal = std::make_shared<asio::cancellation_signal>();
    auto control = std::make_shared<SessionControl>();
    uint64_t id = 0;
    {
        std::lock_guard lock(sessions_mutex_);
        if (stopping_.load()) {
            return;  // stop() already walked the sessions: no new one (the socket closes here)
        }
        id = next_session_++;
        // drain() sets draining_ before it walks the sessions under this mutex: a session added
        // after its walk learns here that it is draining.
        control->draining.store(draining_.load());
        sessions_.emplace(id, LiveSession{strand, signal, control});
    }
    auto done = [this, id, signal](std::exception_ptr e) {
        if (e) {
            // A bug, not peer input: log it, count it; only this session ends.
            stats_.failed.fetch_add(1);
            try {
                std::rethrow_exception(e);
            } catch (const std::exception& ex) {
                log_error("session ended by an exception", {{"session", id}, {"what", ex.what()}});
            } catch (...) {
                log_error("session ended by an unknown exception", {{"session", id}});
            }
        }
        std::lock_guard lock(sessions_mutex_);
        sessions_.erase(id);
    };
    asio::co_spawn(strand, run_client_session(services_, std::move(socket), control),
                   asio::bind_cancellation_slot(signal->slot(), std::move(done)));
}

void Server::close_acceptor()
{
    if (acceptor_) {
        asio::post(acceptor_->get_executor(), [this] {
            boost::system::error_code ignored;
            acceptor_->close(ignored);
        });
    }
}

void Server::drain()
{
    if (stopping_.load() || draining_.exchange(true)) {
        return;
    }
    // The accept loop checks draining_ too: a connection accepted before the acceptor closed
    // is closed at once (the client sees the connection refused or reset, not a session).
    close_acceptor();
    std::lock_guard lock(sessions_mutex_);
    for (auto& [id, s] : sessions_) {
        s.control->draining.store(true);
        // On the session's strand, `busy` is stable: an idle session is ended now (its read is
        // cancelled, it answers 57P01); a busy one ends itself when its statement is done.
        asio::post(s.strand, [sig = s.cancel, ctl = s.control] {
            if (!ctl->busy) {
                sig->emit(asio::cancellation_type::terminal);
            }
        });
    }
}

void Server::stop()
{
    if (stopping_.exchange(true)) {
        return;
    }
    if (!draining_.load()) {
        close_acceptor();
    }
    std::lock_guard lock(sessions_mutex_);
    for (auto& [id, s] : sessions_) {
        // The signal belongs to the session's strand: emit it there.
        s.control->terminated.store(true);
        asio::post(s.strand, [sig = s.cancel] { sig->emit(asio::cancellation_type::terminal); });
    }
}

}  // namespace meshgate::proxy
