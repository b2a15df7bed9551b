// ClientSession: lifetime, client I/O and the main message loop.
// Layer: proxy (I/O edge).
#include "proxy/session/client_session.hpp"

#include "proxy/backend/backend_pool.hpp"
#include "proxy/cancel_registry.hpp"
#include "proxy/io/with_timeout.hpp"
#include "proxy/log.hpp"
#include "proxy/wire/messages.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/error.hpp>
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
                                         asio::ip::tcp::socket socket)
{
    // Cancellation (server stop) must reach the awaited socket operation and then let the
    // session say goodbye, instead of throwing out of every later co_await.
    co_await asio::this_coro::throw_if_cancelled(false);
    ClientSession session(std::move(services), std::move(socket));
    co_await session.run();
}

ClientSession::BackendLink::BackendLink(uint32_t max_message)
    : in(16 * 1024), scanner(max_message, 16u * 1024 * 1024)
{
}

ClientSession::BackendLink::~BackendLink() = default;

ClientSession::ClientSession(std::shared_ptr<const SessionServices> services,
                             asio::ip::tcp::socket socket)
    : services_(std::move(services)), cin_(8 * 1024)
{
    boost::system::error_code ec;
    auto ep = socket.remote_endpoint(ec);
    peer_ = ec ? std::string("?") : ep.address().to_string() + ":" + std::to_string(ep.port());
    socket.set_option(asio::ip::tcp::no_delay(true), ec);
    client_ = std::make_unique<Stream>(std::move(socket));
    snapshot_ = services_->snapshot();
    if (snapshot_) {
        limits_ = snapshot_->limits;
    }
    services_->stats->active.fetch_add(1);
    services_->stats->accepted.fetch_add(1);
    counted_ = true;
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
}

asio::awaitable<void> ClientSession::run()
{
    if (!snapshot_) {
        co_await send_fatal(make_error("57P03", "the database system is starting up"));
        co_await close_all();
        co_return;
    }
    // Startup, TLS handshake and authentication together must finish within auth_timeout.
    auto logged_in =
        co_await with_timeout(login(), std::chrono::milliseconds(limits_.auth_timeout_ms));
    if (!logged_in) {
        log_info("authentication timed out", {{"peer", peer_}, {"user", startup_.user}});
        co_await send_fatal(make_error("57014", "canceling authentication due to timeout"));
    } else if (*logged_in) {
        log_debug("session ready", {{"peer", peer_}, {"user", startup_.user}});
        co_await serve();
    }
    co_await close_all();
}

asio::awaitable<bool> ClientSession::login()
{
    // with_timeout runs this as a new coroutine thread: after the deadline cancels it, its awaits
    // must report aborted operations as values, as in the session itself, not throw.
    co_await asio::this_coro::throw_if_cancelled(false);
    // One step at a time: GCC 12 evaluates every co_await of `a && b` even when `a` is false,
    // which would run later login steps after a refusal.
    if (!co_await startup()) {
        co_return false;
    }
    if (!co_await authenticate()) {
        co_return false;
    }
    co_return co_await send_welcome();
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
    }
}

asio::awaitable<bool> ClientSession::flush_client()
{
    if (client_out_.empty()) {
        co_return true;
    }
    auto [ec, n] = co_await client_->write_all(client_out_);
    services_->stats->bytes_to_clients.fetch_add(n, std::memory_order_relaxed);
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
        return 'I';
    }
    auto it = links_.find(txn_backend_);
    return it == links_.end() ? 'I' : it->second->status;
}

void ClientSession::refresh_identity(const config::Snapshot& snap)
{
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
        Result<wire::RawMessage> msg = make_error(kConnectionLost, "");
        if (limits_.idle_timeout_ms > 0) {
            auto timed = co_await with_timeout(read_client_message(),
                                               std::chrono::milliseconds(limits_.idle_timeout_ms));
            if (!timed) {
                log_info("idle timeout", {{"peer", peer_}, {"user", startup_.user}});
                co_await send_fatal(
                    make_error("57P05", "terminating connection due to idle-session timeout"));
                co_return;
            }
            msg = std::move(*timed);
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
