// ClientSession backend side: acquiring connections (session pool mode), replaying the session's
// settings on them, and relaying backend messages to the client with backpressure.
// Layer: proxy (I/O edge).
#include "policy/error_scrub.hpp"
#include "policy/quote.hpp"
#include "policy/sql/parsed_message.hpp"
#include "proxy/backend/backend_connection.hpp"
#include "proxy/backend/backend_pool.hpp"
#include "proxy/cancel_registry.hpp"
#include "proxy/io/cancel_request.hpp"
#include "proxy/log.hpp"
#include "proxy/metrics/metrics.hpp"
#include "proxy/session/client_session.hpp"
#include "proxy/wire/messages.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <poll.h>

#include <algorithm>
#include <chrono>
#include <memory>

namespace meshgate::proxy {
namespace asio = boost::asio;

namespace {

constexpr std::size_t kReadChunk = 64 * 1024;
// Relayed bytes are written to the client once this much is pending, so a slow client stops
// meshgate from reading its backend further (TCP backpressure reaches the backend).
constexpr std::size_t kClientFlushThreshold = 64 * 1024;
// Transaction pool mode: prepared statements a connection may carry for all its clients before
// meshgate drops them all (DEALLOCATE ALL) at the next checkout.
constexpr std::size_t kMaxCarriedStatements = 512;

// The name a SQL-level PREPARE or DEALLOCATE statement names, or "" (none, or ALL).
std::string named_in(std::string_view sql)
{
    auto parsed = policy::sql::ParsedMessage::parse(sql);
    if (!parsed || parsed->size() != 1) {
        return {};
    }
    const auto cls = parsed->classify(0);
    if (const auto* q = std::get_if<policy::sql::QueryStatement>(&cls)) {
        return q->kind == policy::sql::QueryStatement::Kind::Prepare ? q->name : std::string();
    }
    if (const auto* p = std::get_if<policy::sql::PortalStatement>(&cls)) {
        return p->kind == "DEALLOCATE" ? p->name : std::string();
    }
    return {};
}

// A backend connection that has something to read (or hung up) while the session believes it
// idle was closed by the backend (a FATAL such as 57P01, or EOF): it must not carry the next
// statement.
bool readable_while_idle(BackendConnection& conn)
{
    auto& sock = conn.stream().tcp();
    if (!sock.is_open()) {
        return true;
    }
    pollfd p{};
    p.fd = sock.native_handle();
    p.events = POLLIN;
    const int r = ::poll(&p, 1, 0);
    return r != 0;  // readable, hang-up, error (r < 0: cannot tell, so do not trust it)
}

bool is_fatal(const wire::ErrorResponse& e)
{
    std::string sev = e.get('V');
    if (sev.empty()) {
        sev = e.get('S');
    }
    return sev == "FATAL" || sev == "PANIC";
}

// The statement timeout: when `timer` fires before the relay ends (and cancels it), the backend
// is asked to cancel the running statement; it then answers 57014 through the normal relay.
asio::awaitable<void> statement_deadline(std::shared_ptr<asio::steady_timer> timer,
                                         std::shared_ptr<bool> fired, CancelTarget target,
                                         std::string user)
{
    auto [ec] = co_await timer->async_wait(asio::as_tuple(asio::use_awaitable));
    if (ec) {
        co_return;
    }
    *fired = true;  // the 57014 that follows is meshgate's timeout, not the client's cancel
    log_info("statement timeout: cancelling on the backend", {{"user", user}});
    co_await send_cancel_request(std::move(target));
}

// Cancels the deadline timer however the relay ends.
struct DeadlineGuard {
    std::shared_ptr<asio::steady_timer> timer;
    std::shared_ptr<bool> fired = std::make_shared<bool>(false);
    ~DeadlineGuard()
    {
        if (timer) {
            timer->cancel();
        }
    }
};

}  // namespace

asio::awaitable<Result<ClientSession::BackendLink*>> ClientSession::link_for(
    const std::string& backend)
{
    auto link = co_await link_for_backend(backend);
    if (!link || pending_begin_.empty() || !txn_backend_.empty()) {
        co_return link;
    }
    // The BEGIN the client sent before (simple_query): the transaction starts here.
    const std::string begin = std::exchange(pending_begin_, std::string());
    auto r = co_await (*link)->conn->simple_query(begin);
    if (!r) {
        if (!(*link)->conn->usable()) {
            (*link)->broken = true;
        }
        co_return r.error();
    }
    (*link)->status = (*link)->conn->transaction_status();
    if ((*link)->status != 'I') {
        txn_backend_ = backend;
    }
    co_return link;
}

asio::awaitable<Result<ClientSession::BackendLink*>> ClientSession::link_for_backend(
    const std::string& backend)
{
    auto it = links_.find(backend);
    if (it != links_.end() && it->second->conn) {
        BackendLink& link = *it->second;
        if (!link.broken && !(link.status == 'I' && readable_while_idle(*link.conn))) {
            if (!link.settings_applied) {
                if (auto applied = co_await apply_settings(link); !applied) {
                    co_return applied.error();
                }
            }
            co_return &link;
        }
        if (txn_backend_ == backend) {
            co_return make_error("08006", "the connection to backend \"" + backend +
                                              "\" was lost inside a transaction");
        }
        // Idle and gone: drop it quietly and continue on a fresh connection.
        log_info("backend connection lost while idle; reconnecting",
                 {{"user", startup_.user}, {"backend", backend}});
        link.broken = true;
        link.pool->release(std::move(link.conn), false);
        links_.erase(it);
    }
    auto pool = services_->pool(backend);
    if (!pool) {
        co_return make_error("08001", "backend \"" + backend + "\" is not configured");
    }
    auto conn = co_await pool->acquire();
    if (!conn) {
        co_return conn.error();
    }
    auto link = std::make_unique<BackendLink>(limits_.max_backend_message);
    link->name = backend;
    link->pool = pool;
    link->conn = std::move(*conn);

    Result<void> applied;
    if (transaction_pooling()) {
        applied = co_await sync_carried(*link);
    } else {
        if (link->conn->carried().dirty()) {
            // Lent out in transaction pool mode before a reload switched to session mode.
            auto r = co_await link->conn->simple_query("DISCARD ALL");
            if (!r) {
                applied = r.error();
            }
            link->conn->carried() = BackendConnection::Carried{};
        }
        if (applied) {
            applied = co_await apply_settings(*link);
        }
    }
    if (!applied) {
        pool->release(std::move(link->conn), false);
        co_return applied.error();
    }
    BackendLink* raw = link.get();
    if (cancel_backend_ == backend) {
        cancel_backend_.clear();  // the cancel key must follow to the new connection
    }
    links_[backend] = std::move(link);
    co_return raw;
}

asio::awaitable<Result<void>> ClientSession::apply_settings(BackendLink& link)
{
    // Replay what the client asked for at startup, as the client would see it on PostgreSQL.
    std::string sql;
    for (const auto& [name, value] : startup_.forwarded) {
        if (!sql.empty()) {
            sql += "; ";
        }
        sql += set_statement(name, value);
    }
    for (const auto& [name, value] : link.conn->parameters()) {
        // meshgate's parser reads strings with standard_conforming_strings on; the backend
        // must read them the same way.
        if (name == "standard_conforming_strings" && value != "on") {
            if (!sql.empty()) {
                sql += "; ";
            }
            sql += "SET standard_conforming_strings = on";
        }
    }
    if (!sql.empty()) {
        auto r = co_await link.conn->simple_query(sql);
        if (!r) {
            co_return r.error();
        }
    }
    link.settings_applied = true;
    co_return Result<void>{};
}

void ClientSession::set_cancel_target(BackendLink& link)
{
    if (!registered_ || cancel_backend_ == link.name) {
        return;
    }
    const auto& b = link.conn->backend();
    services_->cancel->set_target(
        cancel_pid_, CancelTarget{b.host, b.port, link.conn->process_id(), link.conn->secret_key()});
    cancel_backend_ = link.name;
}

asio::awaitable<bool> ClientSession::write_backend(BackendLink& link, std::string_view bytes)
{
    set_cancel_target(link);
    auto [ec, n] = co_await link.conn->stream().write_all(bytes);
    if (services_->metrics != nullptr) {
        services_->metrics->add_bytes(ByteDirection::ToBackend, n);
    }
    if (ec) {
        link.broken = true;
        link.conn->mark_unusable();
        co_return false;
    }
    co_return true;
}

asio::awaitable<ClientSession::RelayResult> ClientSession::relay(BackendLink& link,
                                                                 ResponseQueue& q,
                                                                 bool forward_ready)
{
    RelayResult r;
    DeadlineGuard deadline;
    if (limits_.statement_timeout_ms > 0 && q.awaiting_backend()) {
        auto ex = co_await asio::this_coro::executor;
        deadline.timer = std::make_shared<asio::steady_timer>(
            ex, std::chrono::milliseconds(limits_.statement_timeout_ms));
        const auto& b = link.conn->backend();
        asio::co_spawn(ex,
                       statement_deadline(deadline.timer, deadline.fired,
                                          CancelTarget{b.host, b.port, link.conn->process_id(),
                                                       link.conn->secret_key()},
                                          startup_.user),
                       [](std::exception_ptr e) {
                           if (e) {
                               log_error("statement deadline task failed");
                           }
                       });
    }
    bool hiding = false;  // inside a pass-through message the client must not see
    auto lost = [&](std::string why) {
        link.broken = true;
        link.conn->mark_unusable();
        r.backend_ok = false;
        r.problem = std::move(why);
    };
    // Extended protocol (PendingAnswer): the answer that completes or fails the oldest
    // forwarded Parse or Execute settles its audit: an Execute's rows come from its
    // CommandComplete tag, or are the DataRows of a suspended or empty one; an error answering
    // a Bind belongs to the Execute after it (planning and parameter errors come at Bind).
    // Entries an earlier error made the backend skip never ran: no event.
    auto due = [&q] { return q.count_awaiting(Awaited::Parse) + q.count_awaiting(Awaited::Execute); };
    auto on_backend = [&](char tag, const RelayResult* error = nullptr, bool tag_counts = false,
                          std::optional<int64_t> tag_rows = std::nullopt) {
        if (answers_due_.empty()) {
            return q.on_backend(tag);
        }
        const bool answers_front =
            q.front_awaits(Awaited::Parse) || q.front_awaits(Awaited::Execute);
        const bool bind = q.front_awaits(Awaited::Bind);
        const std::size_t before = tag == 'E' ? due() : 0;  // only an error drops entries
        const auto outcome = q.on_backend(tag);
        if (outcome == ResponseQueue::Outcome::Completed && answers_front) {
            if (answers_due_.front().what == Awaited::Execute) {
                RelayResult one;
                one.rows = tag_counts ? tag_rows
                                      : std::optional<int64_t>(answers_due_.front().data_rows);
                finish_answer(one);
            } else {
                answers_due_.pop_front();  // ParseComplete: its executions are the events
            }
        } else if (outcome == ResponseQueue::Outcome::Failed) {
            std::size_t dropped = before - due();
            if (dropped > 0 && error != nullptr &&
                (answers_front || (bind && answers_due_.front().what == Awaited::Execute))) {
                finish_answer(*error);
                --dropped;
            }
            for (; dropped > 0 && !answers_due_.empty(); --dropped) {
                answers_due_.pop_front();
            }
        }
        return outcome;
    };
    while (true) {
        q.emit_local(client_out_);
        if (q.empty()) {
            break;
        }
        auto step = link.scanner.next(link.in.view());
        if (auto* more = std::get_if<wire::NeedMore>(&step)) {
            // Nothing complete to pass on: let the client have what is pending before waiting.
            if (!co_await flush_client()) {
                r.client_ok = false;
                break;
            }
            std::size_t room = 0;
            const std::size_t need = more->at_least > link.in.size() ? more->at_least - link.in.size() : 1;
            char* p = link.in.prepare(std::max(need, kReadChunk), room);
            auto [ec, n] = co_await link.conn->stream().read_some(p, room);
            if (ec) {
                std::string why =
                    ec == asio::error::eof ? "backend closed the connection" : ec.message();
                lost(std::move(why));
                break;
            }
            link.in.commit(n);
            if (services_->metrics != nullptr) {
                services_->metrics->add_bytes(ByteDirection::FromBackend, n);
            }
            continue;
        }
        if (auto* bad = std::get_if<wire::Malformed>(&step)) {
            lost("protocol violation: " + bad->text);
            break;
        }
        const BackendPiece piece = std::get<BackendPiece>(step);
        ResponseQueue::Outcome outcome = ResponseQueue::Outcome::Pass;
        bool forward = true;
        if (piece.whole) {
            switch (piece.tag) {
            case 'E': {
                auto e = wire::decode_error_response(piece.body);
                if (!e) {
                    lost("malformed ErrorResponse");
                    break;
                }
                r.error_seen = true;
                if (txpool_) {
                    // Parses the backend now skips (or refused) never made their statements.
                    for (const auto& name : link.unconfirmed) {
                        link.conn->carried().statements.erase(name);
                    }
                    link.unconfirmed.clear();
                }
                bool reworded = false;
                if (*deadline.fired && e->get('C') == "57014") {
                    // Say why, as PostgreSQL's own statement_timeout does.
                    for (auto& [code, value] : e->fields) {
                        if (code == 'M') {
                            value = "canceling statement due to statement timeout";
                        }
                    }
                    e->fields.emplace_back('D', "meshgate's limits.statement_timeout_ms (" +
                                                    std::to_string(limits_.statement_timeout_ms) +
                                                    " ms) passed; the statement was cancelled "
                                                    "on the backend.");
                    reworded = true;
                }
                auto scrub = policy::scrub_backend_message(e->fields, scrub_errors_);
                RelayResult failed;
                failed.error_sqlstate = e->get('C');
                failed.error_message = e->get('M');
                failed.error_scrubbed = scrub.scrubbed;
                if (scrub.scrubbed) {
                    failed.error_original = policy::describe_backend_message(e->fields);
                }
                if (r.error_sqlstate.empty()) {
                    r.error_sqlstate = failed.error_sqlstate;
                    r.error_message = failed.error_message;
                    r.error_scrubbed = failed.error_scrubbed;
                    r.error_original = failed.error_original;
                }
                if (scrub.scrubbed) {
                    forward = false;
                    wire::encode(wire::ErrorResponse{std::move(scrub.fields)}, client_out_);
                } else if (reworded) {
                    forward = false;
                    wire::encode(*e, client_out_);
                }
                if (is_fatal(*e)) {
                    link.broken = true;
                    link.conn->mark_unusable();
                    r.fatal_relayed = true;
                }
                outcome = on_backend('E', &failed);
                if (!q.has_sync()) {
                    r.failed_before_sync = true;
                }
                break;
            }
            case 'N': {
                auto n = wire::decode_notice_response(piece.body);
                if (!n) {
                    lost("malformed NoticeResponse");
                    break;
                }
                auto scrub = policy::scrub_backend_message(n->fields, scrub_errors_);
                if (scrub.scrubbed) {
                    forward = false;
                    // Its text may hold values: only the SQLSTATE is logged.
                    log_debug("backend notice withheld from the client",
                              {{"user", startup_.user}, {"sqlstate", n->get('C')}});
                    wire::encode(wire::NoticeResponse{std::move(scrub.fields)}, client_out_);
                }
                outcome = on_backend('N');
                break;
            }
            case 'Z': {
                auto z = wire::decode_ready_for_query(piece.body);
                if (!z) {
                    lost("malformed ReadyForQuery");
                    break;
                }
                link.status = z->status;
                outcome = on_backend('Z');
                forward = forward_ready;
                break;
            }
            case 'C': {
                std::string note;
                if (txpool_) {
                    note = q.front_note();
                }
                auto c = wire::decode_command_complete(piece.body);
                std::optional<int64_t> counted;
                if (c) {
                    // "SELECT 5", "FETCH 5", "COPY 5": the last word counts rows.
                    const auto sp = c->tag.rfind(' ');
                    const std::string last = sp == std::string::npos ? "" : c->tag.substr(sp + 1);
                    if (!last.empty() && last.size() < 19 &&
                        std::all_of(last.begin(), last.end(), [](char ch) { return ch >= '0' && ch <= '9'; })) {
                        counted = std::stoll(last);
                    }
                }
                outcome = on_backend('C', nullptr, true, counted);
                if (outcome == ResponseQueue::Outcome::Hidden) {
                    forward = false;  // meshgate's own statement (a DEALLOCATE making room)
                    break;
                }
                if (c && txpool_) {
                    r.commands.emplace_back(std::move(note), c->tag);
                }
                if (counted) {
                    r.rows = r.rows.value_or(0) + *counted;
                }
                if (c && c->tag == "DISCARD ALL") {
                    // The client reset the backend session: replay its settings before the
                    // next statement.
                    link.settings_applied = false;
                }
                break;
            }
            case 'G': {
                // COPY FROM STDIN is refused by policy; should one start anyway, abort it on
                // the backend: it answers with an ErrorResponse the client then sees.
                forward = false;
                std::string fail;
                wire::encode(wire::CopyFail{"COPY FROM STDIN is not allowed through meshgate"},
                             fail);
                if (!co_await write_backend(link, fail)) {
                    lost("write failed");
                }
                break;
            }
            case 'S':
            case 'H':
                outcome = on_backend(piece.tag);
                break;
            default:  // 'W', 'K', 'v', 'R': never legitimate after login
                lost(std::string("unexpected message '") + piece.tag + "' from backend");
                break;
            }
            if (!r.backend_ok) {
                break;
            }
        } else {
            if (piece.first) {
                // ParseComplete / BindComplete / CloseComplete of meshgate's own messages.
                hiding = q.front_hidden() &&
                         (piece.tag == '1' || piece.tag == '2' || piece.tag == '3');
                if (piece.tag == 'D' && !answers_due_.empty()) {
                    ++answers_due_.front().data_rows;
                }
            }
            if (hiding) {
                forward = false;  // answers meshgate's own message on this connection
            }
            if (piece.last) {
                outcome = on_backend(piece.tag);
                hiding = false;
            }
        }
        if (outcome == ResponseQueue::Outcome::Unexpected) {
            lost(std::string("backend sent '") + piece.tag + "' out of turn");
            break;
        }
        if (forward) {
            client_out_.append(piece.bytes);
        }
        link.in.consume(piece.bytes.size());
        if (client_out_.size() >= kClientFlushThreshold) {
            if (!co_await flush_client()) {
                r.client_ok = false;
                break;
            }
        }
    }
    if (link.in.empty()) {
        link.in.shrink();
    }
    co_return r;
}

asio::awaitable<bool> ClientSession::after_relay(BackendLink& link, const RelayResult& r)
{
    if (!r.client_ok) {
        co_return false;
    }
    if (!r.backend_ok || link.broken) {
        if (services_->metrics != nullptr) {
            services_->metrics->backend_error(link.name);
        }
        auto cs = co_await asio::this_coro::cancellation_state;
        if (cs.cancelled() != asio::cancellation_type::none) {
            // The server is stopping: the aborted read is not the backend's fault.
            co_await send_fatal(
                make_error("57P01", "terminating connection due to administrator command"));
        } else if (!r.fatal_relayed) {
            log_warn("backend connection lost", {{"user", startup_.user},
                                                 {"backend", link.name},
                                                 {"reason", r.problem}});
            co_await send_fatal(make_error("08006", "lost the connection to backend \"" +
                                                        link.name + "\""));
        } else {
            co_await flush_client();
        }
        co_return false;
    }
    if (link.status != 'I') {
        txn_backend_ = link.name;
    } else if (txn_backend_ == link.name) {
        txn_backend_.clear();
    }
    if (txpool_) {
        if (r.error_seen) {
            cycle_failed_ = true;
        }
        absorb_commands(link, r);
    }
    co_return true;
}

bool ClientSession::transaction_pooling() const
{
    return txpool_;
}

std::string ClientSession::desired_settings(const BackendLink& link) const
{
    std::string sql;
    for (const auto& [name, value] : startup_.forwarded) {
        txpool::append_statement(sql, set_statement(name, value));
    }
    for (const auto& [name, value] : link.conn->parameters()) {
        if (name == "standard_conforming_strings" && value != "on") {
            txpool::append_statement(sql, "SET standard_conforming_strings = on");
        }
    }
    if (const std::string client_sets = settings_.script(); !client_sets.empty()) {
        txpool::append_statement(sql, client_sets);
    }
    return sql;
}

asio::awaitable<Result<void>> ClientSession::sync_carried(BackendLink& link)
{
    auto& c = link.conn->carried();
    const std::string want = desired_settings(link);
    std::string script;
    if (c.statements.size() + c.sql_statements.size() > kMaxCarriedStatements) {
        txpool::append_statement(script, "DEALLOCATE ALL");
        c.statements.clear();
        c.sql_statements.clear();
    }
    if (!c.settings_known || c.settings != want) {
        if (!c.settings_known || !c.settings.empty()) {
            txpool::append_statement(script, "RESET ALL");
        }
        if (!want.empty()) {
            txpool::append_statement(script, want);
        }
    }
    std::vector<std::string> prepared;
    for (const auto& [name, sql] : sql_prepared_) {
        auto it = c.sql_statements.find(name);
        if (it != c.sql_statements.end() && it->second == sql) {
            continue;
        }
        if (it != c.sql_statements.end()) {
            auto quoted = policy::quote_identifier(name);
            if (!quoted) {
                co_return quoted.error();
            }
            txpool::append_statement(script, "DEALLOCATE " + *quoted);
            c.sql_statements.erase(it);
        }
        txpool::append_statement(script, sql);
        prepared.push_back(name);
    }
    if (!script.empty()) {
        c.statements.erase("");  // a simple Query drops the unnamed statement
        auto r = co_await link.conn->simple_query(script);
        if (!r) {
            link.conn->mark_unusable();
            Error e = r.error();
            e.message = "could not restore this session's settings and prepared statements on a "
                        "pooled connection of backend \"" + link.name + "\": " + e.message;
            if (!prepared.empty()) {
                // One of the session's SQL-level statements no longer prepares (its query
                // fails now): forget them all rather than fail every later statement.
                log_warn("transaction pooling: a session's prepared statements could not be "
                         "prepared again on another connection; they are dropped",
                         {{"user", startup_.user}, {"backend", link.name},
                          {"sqlstate", r.error().sqlstate}});
                sql_prepared_.clear();
                e.detail = "This session's SQL-level prepared statements were dropped; PREPARE "
                           "them again.";
            }
            co_return e;
        }
    }
    c.settings = want;
    c.settings_known = true;
    for (const auto& name : prepared) {
        c.sql_statements[name] = sql_prepared_[name];
    }
    link.settings_applied = true;
    co_return Result<void>{};
}

void ClientSession::absorb_commands(BackendLink& link, const RelayResult& r)
{
    auto& c = link.conn->carried();
    for (const auto& [sql, tag] : r.commands) {
        settings_.on_command(sql, tag);
        if (tag == "PREPARE") {
            const std::string name = named_in(sql);
            if (!name.empty()) {
                sql_prepared_[name] = sql;
                c.sql_statements[name] = sql;
            } else {
                link.settings_uncertain = true;  // cannot tell: start the next user afresh
            }
        } else if (tag == "DEALLOCATE") {
            const std::string name = named_in(sql);
            sql_prepared_.erase(name);
            c.sql_statements.erase(name);
        } else if (tag == "DEALLOCATE ALL" || tag == "DISCARD ALL") {
            sql_prepared_.clear();
            c.sql_statements.clear();
            c.statements.clear();
            if (tag == "DISCARD ALL") {
                // The client's protocol-level statements and portals are gone, as on PostgreSQL.
                for (auto it = statements_.begin(); it != statements_.end();) {
                    it = it->second.backend.empty() ? std::next(it) : statements_.erase(it);
                }
                portals_.clear();
                settings_.clear();
                cursor_declared_ = false;
            }
        } else if (tag == "DECLARE CURSOR") {
            cursor_declared_ = true;
        }
    }
    if (settings_.take_touched()) {
        link.settings_touched = true;
    }
    if (settings_.take_uncertain()) {
        link.settings_uncertain = true;
    }
}

asio::awaitable<Result<void>> ClientSession::make_room_for_prepare(BackendLink& link,
                                                                   const policy::Allow& allow)
{
    auto& c = link.conn->carried();
    std::string script;
    for (const auto& d : allow.defines) {
        if (d.kind != policy::NamedObject::Kind::Statement || d.name.empty()) {
            continue;
        }
        if (sql_prepared_.count(d.name) != 0) {
            co_return make_error("42P05", "prepared statement \"" + d.name + "\" already exists");
        }
        if (c.sql_statements.count(d.name) != 0) {
            auto quoted = policy::quote_identifier(d.name);
            if (!quoted) {
                co_return quoted.error();
            }
            txpool::append_statement(script, "DEALLOCATE " + *quoted);
            c.sql_statements.erase(d.name);
        }
    }
    if (!script.empty() && link.status != 'E') {
        c.statements.erase("");
        auto r = co_await link.conn->simple_query(script);
        if (!r) {
            link.broken = true;
            link.conn->mark_unusable();
            co_return r.error();
        }
    }
    co_return Result<void>{};
}

asio::awaitable<void> ClientSession::release_if_done()
{
    if (!txpool_ || !batch_backend_.empty() || discarding_) {
        co_return;  // not lending, or an extended-protocol Sync cycle is still open
    }
    const char status = transaction_status();
    settings_.end_cycle(cycle_failed_, status);
    cycle_failed_ = false;
    const bool uncertain = settings_.take_uncertain();
    for (auto& [name, link] : links_) {
        link->settings_uncertain = link->settings_uncertain || uncertain;
    }
    if (status != 'I') {
        co_return;  // the transaction block keeps its connection
    }
    if (cursor_declared_) {
        // A cursor WITH HOLD outlives its transaction on this connection: keep the connection
        // until it is closed (asked again after every statement until then).
        bool holdable = false;
        for (auto& [name, link] : links_) {
            if (!link->conn || link->broken) {
                continue;
            }
            auto r = co_await link->conn->simple_query(
                "SELECT 1 FROM pg_catalog.pg_cursors WHERE is_holdable LIMIT 1");
            link->conn->carried().statements.erase("");
            if (!r) {
                link->broken = true;
                link->conn->mark_unusable();
            } else if (!r->rows.empty()) {
                holdable = true;
            }
        }
        if (holdable) {
            co_return;
        }
        cursor_declared_ = false;
    }
    for (auto& [name, link] : links_) {
        if (!link->conn) {
            continue;
        }
        auto& c = link->conn->carried();
        if (link->settings_uncertain) {
            c.settings_known = false;
        } else if (link->settings_touched) {
            c.settings = desired_settings(*link);
            c.settings_known = true;
        }
        const bool idle = !link->broken && link->status == 'I' && !link->scanner.mid_message() &&
                          link->in.empty();
        link->pool->release(std::move(link->conn), idle, false);
    }
    links_.clear();
    if (registered_ && !cancel_backend_.empty()) {
        services_->cancel->set_target(cancel_pid_, std::nullopt);
        cancel_backend_.clear();
    }
    co_return;
}

void ClientSession::release_links()
{
    for (auto& [name, link] : links_) {
        if (link->conn) {
            const bool idle = !link->broken && link->status == 'I' &&
                              !link->scanner.mid_message() && link->in.empty();
            link->pool->release(std::move(link->conn), idle);
        }
    }
    links_.clear();
    if (registered_) {
        services_->cancel->set_target(cancel_pid_, std::nullopt);
        cancel_backend_.clear();
    }
}

}  // namespace meshgate::proxy
