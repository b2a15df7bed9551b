// ClientSession: lifetime, client I/O and the main message loop.
// Layer: proxy (I/O edge).
#include "proxy/session/client_session.hpp"

#include "auth/random.hpp"
#include "policy/audit/statement_event.hpp"
#include "proxy/audit/audit_writer.hpp"
#include "proxy/backend/backend_pool.hpp"
#include "proxy/metrics/metrics.hpp"
#include "proxy/cancel_registry.hpp"
#include "proxy/log.hpp"
#include "proxy/wire/messages.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>

namespace meshgate::proxy {
namespace asio = boost::asio;

namespace {

constexpr std::size_t kReadChunk = 16 * 1024;
// The client connection is gone: nothing more can be sent to it.
constexpr const char* kConnectionLost = "08006";

}  // namespace

asio::awaitable<void> run_client_session(std::shared_ptr<const SessionServices> services,
                                         asio::ip::tcp::socket socket,
                                         std::shared_ptr<SessionControl> control)
{
    // Cancellation (server stop) must reach the awaited socket operation and then let the
    // session say goodbye, instead of throwing out of every later co_await.
    co_await asio::this_coro::throw_if_cancelled(false);
    ClientSession session(std::move(services), std::move(socket), std::move(control));
    co_await session.run();
}

ClientSession::BackendLink::BackendLink(uint32_t max_message)
    : in(16 * 1024), scanner(max_message, 16u * 1024 * 1024)
{
}

ClientSession::BackendLink::~BackendLink() = default;

ClientSession::ClientSession(std::shared_ptr<const SessionServices> services,
                             asio::ip::tcp::socket socket, std::shared_ptr<SessionControl> control)
    : services_(std::move(services)),
      control_(control ? std::move(control) : std::make_shared<SessionControl>()),
      cin_(8 * 1024)
{
    boost::system::error_code ec;
    auto ep = socket.remote_endpoint(ec);
    peer_ = ec ? std::string("?") : ep.address().to_string() + ":" + std::to_string(ep.port());
    socket.set_option(asio::ip::tcp::no_delay(true), ec);
    client_ = std::make_unique<Stream>(std::move(socket));
    snapshot_ = services_->snapshot();
    if (snapshot_) {
        limits_ = snapshot_->limits;
        // Fixed for the session's life: a reload that changes pool_mode applies to new sessions
        // (a session's statements and settings are tracked for the mode it started in).
        txpool_ = snapshot_->pool_mode == config::PoolMode::Transaction;
    }
    services_->stats->active.fetch_add(1);
    services_->stats->accepted.fetch_add(1);
    counted_ = true;
    started_ = std::chrono::steady_clock::now();
    static constexpr char kHex[] = "0123456789abcdef";
    for (unsigned char c : auth::random_bytes(8)) {
        session_id_.push_back(kHex[c >> 4]);
        session_id_.push_back(kHex[c & 15]);
    }
    if (services_->metrics != nullptr) {
        services_->metrics->client_connected();
    }
}

ClientSession::~ClientSession()
{
    release_links();
    if (registered_) {
        services_->cancel->unregister(cancel_pid_);
    }
    if (counted_) {
        services_->stats->active.fetch_sub(1);
    }
    if (user_counted_) {
        services_->user_connections->release(startup_.user);
    }
    if (services_->metrics != nullptr) {
        services_->metrics->client_disconnected();
    }
    if (connect_audited_) {
        audit::AuditEvent e = event(audit::EventKind::Disconnect);
        e.duration_ms = std::chrono::duration<double, std::milli>(
                            std::chrono::steady_clock::now() - started_)
                            .count();
        submit_event(std::move(e));
    }
}

audit::AuditEvent ClientSession::event(audit::EventKind kind) const
{
    audit::AuditEvent e;
    e.kind = kind;
    e.session = session_id_;
    e.user = startup_.user;
    e.client = peer_;
    e.application_name = startup_.application_name;
    return e;
}

void ClientSession::submit_event(audit::AuditEvent e)
{
    if (services_->audit != nullptr) {
        // Connection events are best effort; statements are refused up front (reserve()) when
        // the log cannot take them.
        services_->audit->submit(std::move(e));
    }
}

std::string ClientSession::named_key(const policy::NamedObject& o)
{
    return (o.kind == policy::NamedObject::Kind::Statement ? "s:" : "c:") + o.name;
}

std::string ClientSession::backend_of(const policy::Allow& allow) const
{
    if (allow.catalog_only) {
        for (const auto& u : allow.uses) {
            const auto it = named_backends_.find(named_key(u));
            if (!u.name.empty() && it != named_backends_.end()) {
                return it->second.backend;
            }
        }
        if (!txn_backend_.empty()) {
            return txn_backend_;  // COMMIT, SELECT 1, SET inside a transaction: where it runs
        }
    }
    return allow.backend.empty() ? snapshot_->catalog_backend : allow.backend;
}

Result<void> ClientSession::check_named_uses(const policy::Allow& allow) const
{
    for (const auto& u : allow.uses) {
        if (!u.reads || u.name.empty()) {
            continue;
        }
        const auto it = named_backends_.find(named_key(u));
        if (it == named_backends_.end()) {
            continue;  // not created through meshgate's SQL path: the backend says 26000/34000
        }
        const NamedOrigin& o = it->second;
        if (o.who && o.generation == snapshot_->generation && *o.who == identity_) {
            continue;
        }
        const bool statement = u.kind == policy::NamedObject::Kind::Statement;
        Error e = make_error("0A000", std::string(statement ? "prepared statement" : "cursor") +
                                          " \"" + u.name +
                                          "\" was created under another policy context");
        e.detail = "The configuration, or this session's purpose or search_path, changed since it "
                   "was created, so the policies that apply to its query may differ.";
        e.hint = statement ? "DEALLOCATE it and PREPARE it again."
                           : "CLOSE it and DECLARE it again.";
        return e;
    }
    return {};
}

void ClientSession::note_named_defines(const policy::Allow& allow, const std::string& backend,
                                       const policy::Identity& before)
{
    if (allow.defines.empty()) {
        return;
    }
    // A SET of meshgate.purpose / search_path in the same message makes the context of each
    // definition ambiguous: record none, so the objects can only be closed.
    const bool sets_identity = std::any_of(allow.steps.begin(), allow.steps.end(), [](const auto& s) {
        return std::holds_alternative<policy::SetLocal>(s);
    });
    for (const auto& d : allow.defines) {
        NamedOrigin o{backend, snapshot_->generation, std::nullopt};
        if (!sets_identity) {
            o.who = before;
        }
        named_backends_[named_key(d)] = std::move(o);
    }
}

void ClientSession::finish_statement(AuditSlot* slot, const std::string& sql,
                                     const policy::Decision& decision, const RelayResult* relay,
                                     std::chrono::steady_clock::time_point started)
{
    const double ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started)
            .count();
    audit::AuditEvent e = event(audit::EventKind::Statement);
    e.purpose = identity_.purpose.value_or("");
    const bool literals = snapshot_ && snapshot_->audit.log_literals;
    if (slot != nullptr) {
        audit::set_statement_text(e, sql, literals);  // normalized unless log_literals
    }
    audit::apply_decision(e, decision, snapshot_ ? snapshot_->hash_key : std::string());
    if (!literals) {
        e.rewritten.clear();  // holds the client's literals too
    }
    if (relay != nullptr) {
        e.rows = relay->rows;
        if (!relay->error_sqlstate.empty() || !relay->backend_ok) {
            e.decision = audit::StatementDecision::Error;
            e.sqlstate = relay->error_sqlstate.empty() ? "08006" : relay->error_sqlstate;
            e.reason = relay->error_message.empty() ? relay->problem : relay->error_message;
            if (relay->error_scrubbed) {
                e.reason = "withheld from the client: " + relay->error_original;
            }
            if (relay->error_sqlstate.empty() && !relay->backend_ok && control_->terminated.load()) {
                e.sqlstate = "57P01";
                e.reason = "terminated by meshgate's shutdown (SIGINT, or the SIGTERM drain "
                           "deadline passed)";
            }
        }
    }
    e.duration_ms = ms;
    if (services_->metrics != nullptr) {
        std::vector<std::string> domains;
        for (const auto& p : e.products) {
            std::string d = p.substr(0, p.find('.'));
            if (std::find(domains.begin(), domains.end(), d) == domains.end()) {
                domains.push_back(std::move(d));
            }
        }
        if (domains.empty()) {
            domains.emplace_back();
        }
        for (const auto& d : domains) {
            services_->metrics->record_statement(d, e.decision);
        }
        for (const auto& p : e.policies) {
            services_->metrics->policy_applied(p);
        }
        if (!e.backend.empty()) {
            services_->metrics->observe_statement_duration(e.backend, ms / 1000.0);
        }
    }
    if (slot != nullptr) {
        slot->commit(std::move(e));
    }
}

void ClientSession::finish_answer(const RelayResult& outcome)
{
    MESHGATE_ASSERT(!answers_due_.empty());
    PendingAnswer p = std::move(answers_due_.front());
    answers_due_.pop_front();
    if (p.origin && p.origin->decision) {
        finish_statement(p.slot ? &*p.slot : nullptr, p.origin->query, *p.origin->decision,
                         &outcome, p.started);
    }
}

asio::awaitable<void> ClientSession::run()
{
    if (!snapshot_) {
        co_await send_fatal(make_error("57P03", "the database system is starting up"));
        co_await close_all();
        co_return;
    }
    // Startup, TLS handshake and authentication together must finish within auth_timeout. The
    // deadline aborts the pending socket operation; the login steps then end as on EOF.
    // (A timer rather than with_timeout: GCC 12 miscompiled this member coroutine when it ran
    // through the `||` operator: a corrupted `this`.)
    asio::steady_timer timer(co_await asio::this_coro::executor);
    login_deadline_ = arm_deadline(timer, limits_.auth_timeout_ms);
    const bool logged_in = co_await login();
    login_deadline_->done = true;
    timer.cancel();
    if (login_deadline_->fired) {
        log_info("authentication timed out", {{"peer", peer_}, {"user", startup_.user}});
        co_await send_fatal(make_error("57014", "canceling authentication due to timeout"));
    } else if (logged_in) {
        log_debug("session ready", {{"peer", peer_}, {"user", startup_.user}});
        co_await serve();
    }
    co_await close_all();
}

std::shared_ptr<ClientSession::SocketDeadline> ClientSession::arm_deadline(
    asio::steady_timer& timer, int ms)
{
    auto d = std::make_shared<SocketDeadline>();
    d->socket = &client_->tcp();
    timer.expires_after(std::chrono::milliseconds(ms));
    // Runs on the session's strand (the timer uses the coroutine's executor).
    timer.async_wait([d](const boost::system::error_code& ec) {
        if (ec || d->done) {
            return;
        }
        d->fired = true;
        boost::system::error_code ignored;
        d->socket->cancel(ignored);
    });
    return d;
}

asio::awaitable<bool> ClientSession::login()
{
    // One step at a time: GCC 12 evaluates every co_await of `a && b` even when `a` is false,
    // which would run later login steps after a refusal.
    const bool started = co_await startup();
    if (!started || login_deadline_->fired) {
        co_return false;
    }
    const bool authenticated = co_await authenticate();
    if (!authenticated || login_deadline_->fired) {
        co_return false;
    }
    const bool welcomed = co_await send_welcome();
    co_return welcomed;
}

asio::awaitable<void> ClientSession::close_all()
{
    release_links();
    co_await client_->close();
}

asio::awaitable<Result<wire::RawMessage>> ClientSession::read_client_message()
{
    if (replay_last_) {
        replay_last_ = false;
        co_return last_;
    }
    if (pending_consume_ > 0) {
        cin_.consume(pending_consume_);
        pending_consume_ = 0;
        if (cin_.empty()) {
            cin_.shrink();
        }
    }
    while (true) {
        auto decoded = wire::decode_message(cin_.view(), limits_.max_message);
        if (auto* frame = std::get_if<wire::Frame<wire::RawMessage>>(&decoded)) {
            pending_consume_ = frame->consumed;
            last_ = frame->message;
            co_return frame->message;
        }
        if (auto* bad = std::get_if<wire::Malformed>(&decoded)) {
            co_return make_error(bad->sqlstate, bad->text);
        }
        const std::size_t at_least = std::get<wire::NeedMore>(decoded).at_least;
        std::size_t room = 0;
        char* p = cin_.prepare(std::max(at_least - cin_.size(), kReadChunk), room);
        auto [ec, n] = co_await client_->read_some(p, room);
        if (ec) {
            std::string why = ec == asio::error::eof ? "client closed the connection" : ec.message();
            co_return make_error(kConnectionLost, std::move(why));
        }
        cin_.commit(n);
        services_->stats->bytes_from_clients.fetch_add(n, std::memory_order_relaxed);
        if (services_->metrics != nullptr) {
            services_->metrics->add_bytes(ByteDirection::FromClient, n);
        }
    }
}

asio::awaitable<bool> ClientSession::flush_client()
{
    if (client_out_.empty()) {
        co_return true;
    }
    auto [ec, n] = co_await client_->write_all(client_out_);
    services_->stats->bytes_to_clients.fetch_add(n, std::memory_order_relaxed);
    if (services_->metrics != nullptr) {
        services_->metrics->add_bytes(ByteDirection::ToClient, n);
    }
    client_out_.clear();
    if (client_out_.capacity() > 1024 * 1024) {
        client_out_.shrink_to_fit();
    }
    co_return !ec;
}

asio::awaitable<void> ClientSession::send_fatal(const Error& e)
{
    wire::encode(wire::ErrorResponse::from(e, "FATAL"), client_out_);
    co_await flush_client();
}

char ClientSession::transaction_status() const
{
    if (txn_backend_.empty()) {
        return pending_begin_.empty() ? 'I' : 'T';
    }
    auto it = links_.find(txn_backend_);
    return it == links_.end() ? 'I' : it->second->status;
}

void ClientSession::refresh_identity(const config::Snapshot& snap)
{
    if (external_identity_) {
        return;  // a JWT login: groups and attributes are the token's (jwt_login.cpp)
    }
    if (identity_generation_ == snap.generation && !identity_.user.empty()) {
        return;
    }
    auto it = snap.users.find(startup_.user);
    if (it == snap.users.end()) {
        return;  // the caller checks that the user still exists
    }
    // Groups and attributes follow the configuration; session settings stay as the client set.
    auto search_path = identity_.search_path;
    auto purpose = identity_.purpose;
    const bool first = identity_.user.empty();
    identity_ = policy::Identity::of(it->second);
    if (!first) {
        identity_.search_path = std::move(search_path);
        identity_.purpose = std::move(purpose);
    } else {
        if (startup_.search_path) {
            identity_.search_path = *startup_.search_path;
        }
        identity_.purpose = startup_.purpose;
    }
    identity_generation_ = snap.generation;
}

asio::awaitable<void> ClientSession::serve()
{
    while (true) {
        if (!co_await flush_client()) {
            co_return;
        }
        // Between statements: a draining server ends the session here (the server ends idle
        // sessions itself by cancelling their read; busy ones come back here when done).
        control_->busy = false;
        if (control_->draining.load()) {
            co_await send_fatal(
                make_error("57P01", "terminating connection due to administrator command"));
            co_return;
        }
        Result<wire::RawMessage> msg = make_error(kConnectionLost, "");
        if (limits_.idle_timeout_ms > 0) {
            asio::steady_timer timer(co_await asio::this_coro::executor);
            auto idle = arm_deadline(timer, limits_.idle_timeout_ms);
            msg = co_await read_client_message();
            idle->done = true;
            timer.cancel();
            if (idle->fired) {
                log_info("idle timeout", {{"peer", peer_}, {"user", startup_.user}});
                co_await send_fatal(
                    make_error("57P05", "terminating connection due to idle-session timeout"));
                co_return;
            }
        } else {
            msg = co_await read_client_message();
        }
        if (!msg) {
            if (msg.error().sqlstate == kConnectionLost) {
                auto cs = co_await asio::this_coro::cancellation_state;
                if (cs.cancelled() != asio::cancellation_type::none) {
                    co_await send_fatal(make_error(
                        "57P01", "terminating connection due to administrator command"));
                }
                co_return;
            }
            co_await send_fatal(msg.error());
            co_return;
        }
        const wire::RawMessage m = *msg;
        control_->busy = true;
        switch (m.tag) {
        case 'Q': {
            auto q = wire::decode_query(m.body);
            if (!q) {
                co_await send_fatal(q.error());
                co_return;
            }
            if (!co_await simple_query(std::move(q->sql))) {
                co_return;
            }
            break;
        }
        case 'P':
        case 'B':
        case 'D':
        case 'E':
        case 'C':
        case 'S':
        case 'H':
            if (!co_await extended(m)) {
                co_return;
            }
            break;
        case 'F':
            if (!co_await function_call()) {
                co_return;
            }
            break;
        case 'X':
            co_return;
        case 'd':
        case 'c':
        case 'f':
            // CopyData/CopyDone/CopyFail outside COPY IN are ignored, as PostgreSQL does.
            break;
        default:
            co_await send_fatal(make_error(
                "08P01", std::string("invalid frontend message type ") +
                             std::to_string(static_cast<unsigned char>(m.tag))));
            co_return;
        }
    }
}

}  // namespace meshgate::proxy
