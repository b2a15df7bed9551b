// ClientSession extended query protocol: a batch of Parse/Bind/Describe/Execute/Close up to
// Sync or Flush, decided per Parse, forwarded in one write, answered in PostgreSQL's order.
// Layer: proxy (I/O edge; every decision comes from policy::decide).
#include "policy/decide.hpp"
#include "policy/error_scrub.hpp"
#include "policy/oid_guard.hpp"
#include "policy/quote.hpp"
#include "proxy/audit/audit_writer.hpp"
#include "proxy/backend/backend_connection.hpp"
#include "proxy/log.hpp"
#include "proxy/session/client_session.hpp"
#include "proxy/wire/messages.hpp"

#include <algorithm>
#include <chrono>
#include <cctype>

namespace meshgate::proxy {
namespace asio = boost::asio;

namespace {

// Bytes of client messages gathered before meshgate forwards them with its own Flush, so a
// client that pipelines a long batch without Sync cannot make meshgate buffer without bound.
constexpr std::size_t kMaxBatchBytes = 256 * 1024;
// Parses and Executes forwarded before meshgate reads their answers (each may hold an audit
// slot, a place in the audit log's order that other sessions' events wait behind).
constexpr std::size_t kMaxPendingAnswers = 512;

std::function<void(std::string&)> error_writer(Error e)
{
    return [e = std::move(e)](std::string& out) {
        wire::encode(wire::ErrorResponse::from(e), out);
    };
}

std::string quoted_name(const char* what, const std::string& name)
{
    return name.empty() ? std::string("unnamed ") + what
                        : std::string(what) + " \"" + name + "\"";
}

bool blank(std::string_view sql)
{
    return std::all_of(sql.begin(), sql.end(), [](char c) {
        return c == ';' || std::isspace(static_cast<unsigned char>(c));
    });
}

}  // namespace

Result<void> ClientSession::route(const std::string& backend)
{
    if (auto r = routable(backend); !r) {
        return r;
    }
    batch_backend_ = backend;
    return {};
}

Result<void> ClientSession::routable(const std::string& backend) const
{
    if (!txn_backend_.empty() && txn_backend_ != backend) {
        Error e = make_error("0A000", "statement runs on backend \"" + backend +
                                          "\" but the open transaction runs on backend \"" +
                                          txn_backend_ + "\"");
        e.detail = "A transaction stays on the backend it started on (the backend of its first "
                   "statement after BEGIN); the transaction is still open and usable.";
        e.hint = "COMMIT or ROLLBACK the transaction first, or run this statement outside it.";
        return e;
    }
    if (!batch_backend_.empty() && batch_backend_ != backend) {
        Error e = make_error("0A000", "statement runs on backend \"" + backend +
                                          "\" but earlier messages of this batch run on backend \"" +
                                          batch_backend_ + "\"");
        e.hint = "Send Sync between statements that use different backends.";
        return e;
    }
    return {};
}

Result<void> ClientSession::recheck_prepared(const std::string& name, Prepared& p)
{
    if (!p.origin ||
        (p.origin->generation == snapshot_->generation && p.origin->who == identity_)) {
        return {};
    }
    const auto started = std::chrono::steady_clock::now();
    std::optional<AuditSlot> slot;
    if (services_->audit != nullptr) {
        slot = services_->audit->reserve();
        if (!slot) {
            return services_->audit->unavailable_error();
        }
    }
    const policy::Decision d = decide_statement(*services_, p.origin->query, identity_, *snapshot_,
                                                policy::Protocol::Extended);
    const std::string why = quoted_name("prepared statement", name) +
                            " was decided again: the configuration or this session's purpose or "
                            "search_path changed since it was prepared";
    if (d.is_deny()) {
        finish_statement(slot ? &*slot : nullptr, p.origin->query, d, nullptr, started);
        const auto& deny = d.deny();
        Error e = make_error(deny.sqlstate, deny.message);
        e.detail = deny.detail.empty() ? why : deny.detail + " (" + why + ")";
        e.hint = deny.hint;
        return e;
    }
    const auto& allow = d.allow();
    const auto* fwd = allow.steps.size() == 1 ? std::get_if<policy::Forward>(&allow.steps.front())
                                              : nullptr;
    const std::string backend = allow.backend.empty() ? snapshot_->catalog_backend : allow.backend;
    if (fwd == nullptr || fwd->sql != p.origin->sent || backend != p.backend) {
        policy::Deny changed;
        changed.sqlstate = "0A000";
        changed.message = quoted_name("prepared statement", name) +
                          " must be prepared again: the policies that apply to it changed";
        changed.products = allow.products;
        finish_statement(slot ? &*slot : nullptr, p.origin->query, policy::Decision(changed),
                         nullptr, started);
        // PostgreSQL's own words and routine for a prepared statement whose plan changed shape:
        // pgjdbc (autocommit), Rails, asyncpg and postgres.js then prepare it again on their own,
        // and that Parse is decided under the new policies.
        Error e = make_error("0A000", "cached plan must not change result type");
        e.detail = changed.message + " (" + why + ")";
        e.hint = "Close the statement and Parse it again.";
        e.routine = "RevalidateCachedQuery";
        return e;
    }
    if (auto fresh = check_named_uses(allow); !fresh) {
        return fresh;
    }
    if (policy::needs_error_scrub(allow)) {
        scrub_errors_ = true;
    }
    // Same rewrite: the backend's statement stays valid; remember the new context.
    p.origin = std::make_shared<const PreparedOrigin>(
        PreparedOrigin{p.origin->query, p.origin->sent, snapshot_->generation, identity_,
                       std::make_shared<const policy::Decision>(d)});
    return {};
}

asio::awaitable<bool> ClientSession::extended(wire::RawMessage first)
{
    snapshot_ = services_->snapshot();
    // A JWT session lives as long as `jwt:` does; a configured one as long as its user.
    if (external_identity_ ? !snapshot_->jwt : snapshot_->users.count(startup_.user) == 0) {
        co_await send_fatal(make_error("28000", "user \"" + startup_.user +
                                                    "\" is no longer configured"));
        co_return false;
    }
    refresh_identity(*snapshot_);

    ResponseQueue q;
    std::string to_backend;
    bool end = false;
    co_await extended_message(first, q, to_backend, end);
    while (!end) {
        if (to_backend.size() >= kMaxBatchBytes || answers_due_.size() >= kMaxPendingAnswers) {
            wire::encode(wire::Flush{}, to_backend);
            break;
        }
        auto msg = co_await read_client_message();
        if (!msg) {
            if (msg.error().sqlstate != "08006") {
                co_await send_fatal(msg.error());
            }
            co_return false;
        }
        switch (msg->tag) {
        case 'P':
        case 'B':
        case 'D':
        case 'E':
        case 'C':
        case 'S':
        case 'H':
            co_await extended_message(*msg, q, to_backend, end);
            break;
        case 'd':
        case 'c':
        case 'f':
            break;
        default:
            // Query, FunctionCall, Terminate, ...: answer what is queued first (as if the
            // client had sent Flush), then the main loop handles this message.
            replay_last_ = true;
            if (!to_backend.empty()) {
                wire::encode(wire::Flush{}, to_backend);
            }
            end = true;
            break;
        }
    }

    BackendLink* link = nullptr;
    if (!batch_backend_.empty()) {
        auto it = links_.find(batch_backend_);
        if (it != links_.end() && it->second->conn) {
            link = it->second.get();
        }
    }
    if (!to_backend.empty()) {
        MESHGATE_ASSERT(link != nullptr);
        if (!co_await write_backend(*link, to_backend)) {
            const RelayResult failed = RelayResult::write_failure();
            while (!answers_due_.empty()) {
                finish_answer(failed);
            }
            co_return co_await after_relay(*link, failed);
        }
    }
    if (q.awaiting_backend() || (link != nullptr && !q.empty())) {
        MESHGATE_ASSERT(link != nullptr);
        const RelayResult r = co_await relay(*link, q, true);
        // Parses and Executes left unanswered ran, or may have: audited as failed, with the
        // lost backend's reason or the client's departure.
        if (!answers_due_.empty()) {
            RelayResult unanswered = r;
            unanswered.rows.reset();  // r's count is the whole batch's
            if (r.backend_ok) {
                unanswered.error_sqlstate = "08006";
                unanswered.error_message = "the client connection was lost before the answer";
            }
            while (!answers_due_.empty()) {
                finish_answer(unanswered);
            }
        }
        if (!co_await after_relay(*link, r)) {
            co_return false;
        }
        if (r.failed_before_sync) {
            discarding_ = true;
        }
    } else {
        q.emit_local(client_out_);
    }
    if (batch_synced_) {
        batch_synced_ = false;
        batch_backend_.clear();
    }
    co_await release_if_done();
    co_return co_await flush_client();
}

asio::awaitable<void> ClientSession::extended_message(const wire::RawMessage& m, ResponseQueue& q,
                                                      std::string& to_backend, bool& end)
{
    // Copies the client's frame as it is (Bind, Describe, Execute, Close carry nothing meshgate
    // changes).
    auto forward_raw = [&](const wire::RawMessage& raw) {
        wire::append_frame(raw.tag, raw.body, to_backend);
    };
    // A local error ends the batch at once: PostgreSQL flushes an ErrorResponse as soon as it
    // is raised, so the answers before it and the error itself go out now, and the messages
    // after it are skipped until Sync.
    auto fail = [&](Error e) {
        q.local(Awaited::Parse, error_writer(std::move(e)));
        discarding_ = true;
        if (!to_backend.empty()) {
            wire::encode(wire::Flush{}, to_backend);
        }
        end = true;
    };
    // Routes one message to `backend`: on success the link exists and the message may be
    // forwarded; on failure a local error takes its place.
    auto routed = [&](const std::string& backend) -> asio::awaitable<bool> {
        const bool checked = batch_backend_ == backend;
        if (auto r = route(backend); !r) {
            fail(r.error());
            co_return false;
        }
        // The link was checked (and the session's settings replayed) by an earlier message of
        // this batch: no need to look again for every Bind and Execute.
        if (checked) {
            auto it = links_.find(backend);
            if (it != links_.end() && it->second->conn && !it->second->broken) {
                co_return true;
            }
        }
        auto link = co_await link_for(backend);
        if (!link) {
            fail(link.error());
            co_return false;
        }
        co_return true;
    };

    // Sends a Parse of `p` under its backend name on its backend's link. The connection counts
    // the statement as its own at once (a Bind later in the same batch needs no second Parse);
    // should the backend refuse it, relay() forgets it again (BackendLink::unconfirmed).
    auto send_parse = [&](const Prepared& p, bool hidden) {
        BackendLink* link = links_.at(p.backend).get();
        link->conn->carried().statements[p.backend_name] = p.key;
        link->unconfirmed.push_back(p.backend_name);
        wire::encode(wire::Parse{p.backend_name, p.origin->sent, p.param_types}, to_backend);
        auto done = [link, name = p.backend_name] {
            auto& u = link->unconfirmed;
            if (auto i = std::find(u.begin(), u.end(), name); i != u.end()) {
                u.erase(i);
            }
        };
        if (hidden) {
            q.hidden(Awaited::Parse, std::move(done));
        } else {
            q.expect(Awaited::Parse, {}, std::move(done));
        }
    };
    // Transaction pool mode: the connection now serving the batch may lack the statement (it
    // was prepared on another one) or hold another text under its name: prepare it first, and
    // hide the backend's ParseComplete from the client.
    auto ensure_prepared = [&](const Prepared& p) {
        auto it = links_.find(p.backend);
        if (it == links_.end() || !it->second->conn || !p.origin) {
            return;
        }
        auto& carried = it->second->conn->carried();
        auto have = carried.statements.find(p.backend_name);
        if (have != carried.statements.end() && have->second == p.key) {
            return;
        }
        send_parse(p, true);
    };

    if (discarding_ && m.tag != 'S') {
        co_return;
    }
    switch (m.tag) {
    case 'P': {
        auto parse = wire::decode_parse(m.body);
        if (!parse) {
            fail(parse.error());
            co_return;
        }
        if (!parse->name.empty()) {
            auto existing = statements_.find(parse->name);
            // Transaction pool mode: the backend statement is shared, so meshgate says it.
            if (existing != statements_.end() && (existing->second.backend.empty() || txpool_)) {
                fail(make_error("42P05", "prepared statement \"" + parse->name +
                                             "\" already exists"));
                co_return;
            }
        }
        // A parameter declared regclass / regtype / ... would make the backend look the bound
        // text up by name on the service account's catalog (an existence oracle).
        for (const uint32_t type : parse->param_types) {
            if (policy::is_name_lookup_type_oid(type)) {
                fail(make_error("0A000", "parameters of type OID " + std::to_string(type) +
                                             " (a reg* name-lookup type) are not supported "
                                             "through meshgate; declare the parameter as text or "
                                             "oid, or leave its type unspecified"));
                co_return;
            }
        }
        if (blank(parse->query)) {
            statements_[parse->name] = Prepared{"", std::nullopt, true};
            q.local(Awaited::Parse, [](std::string& out) { wire::encode(wire::ParseComplete{}, out); });
            co_return;
        }
        // Each Parse is decided and audited once (its executions reuse the decision).
        const auto started = std::chrono::steady_clock::now();
        std::optional<AuditSlot> slot;
        if (services_->audit != nullptr) {
            slot = services_->audit->reserve();
            if (!slot) {
                fail(services_->audit->unavailable_error());
                co_return;
            }
        }
        const policy::Decision decision = co_await decide_statement_relearning(
            *services_, parse->query, identity_, snapshot_, policy::Protocol::Extended);
        if (decision.is_allow() && policy::needs_error_scrub(decision.allow())) {
            scrub_errors_ = true;  // backend errors may quote masked or filtered values
        }
        const auto* forwarded =
            decision.is_allow() && decision.allow().steps.size() == 1
                ? std::get_if<policy::Forward>(&decision.allow().steps.front())
                : nullptr;
        if (forwarded == nullptr || !forwarded->opens_transaction.empty()) {
            // Refused, or answered by meshgate: this is the statement's one audit event. A
            // forwarded statement is audited at each Execute instead (its rows, its duration).
            finish_statement(slot ? &*slot : nullptr, parse->query, decision, nullptr, started);
        }
        if (decision.is_deny()) {
            const auto& d = decision.deny();
            Error e = make_error(d.sqlstate, d.message, d.position);
            e.detail = d.detail;
            e.hint = d.hint;
            fail(std::move(e));
            co_return;
        }
        const auto& allow = decision.allow();
        if (allow.steps.size() != 1) {
            fail(make_error("42601", "cannot insert multiple commands into a prepared statement"));
            co_return;
        }
        if (const auto* fwd = std::get_if<policy::Forward>(&allow.steps.front());
            fwd != nullptr && !fwd->opens_transaction.empty()) {
            // Where it runs is known only when it is executed (its Execute below).
            Prepared begin;
            begin.begin = *fwd;
            begin.begin_backend = backend_of(allow);
            statements_[parse->name] = std::move(begin);
            q.local(Awaited::Parse, [](std::string& out) { wire::encode(wire::ParseComplete{}, out); });
        } else if (fwd != nullptr) {
            const std::string backend = backend_of(allow);
            // Refused before it reaches the backend (a stale name, another backend): audited
            // as an error of this statement.
            auto refuse = [&](const Error& e) {
                RelayResult r;
                r.error_sqlstate = e.sqlstate;
                r.error_message = e.message;
                finish_statement(slot ? &*slot : nullptr, parse->query, decision, &r, started);
                fail(e);
            };
            if (auto fresh = check_named_uses(allow); !fresh) {
                refuse(fresh.error());
                co_return;
            }
            if (auto r = routable(backend); !r) {
                refuse(r.error());
                co_return;
            }
            if (!co_await routed(backend)) {
                co_return;
            }
            note_named_defines(allow, backend, identity_);
            Prepared prepared{backend, std::nullopt, false,
                              std::make_shared<const PreparedOrigin>(PreparedOrigin{
                                  parse->query, fwd->sql, snapshot_->generation, identity_,
                                  std::make_shared<const policy::Decision>(decision)})};
            if (txpool_) {
                for (const auto& d : allow.defines) {
                    if (d.kind == policy::NamedObject::Kind::Statement && !d.name.empty()) {
                        prepared.sql_defines.push_back(d.name);
                    }
                }
                prepared.backend_name = parse->name.empty()
                                            ? std::string()
                                            : txpool::backend_statement_name(fwd->sql,
                                                                             parse->param_types);
                prepared.key = txpool::statement_key(fwd->sql, parse->param_types);
                prepared.param_types = parse->param_types;
                auto& carried = links_.at(backend)->conn->carried();
                auto have = carried.statements.find(prepared.backend_name);
                if (!parse->name.empty() && have != carried.statements.end() &&
                    have->second == prepared.key) {
                    // Already on this connection (this or another client prepared it).
                    q.local(Awaited::Parse,
                            [](std::string& out) { wire::encode(wire::ParseComplete{}, out); });
                } else {
                    send_parse(prepared, false);
                    answers_due_.push_back(
                        PendingAnswer{Awaited::Parse, std::move(slot), prepared.origin, started});
                }
            } else {
                wire::Parse rewritten{parse->name, fwd->sql, parse->param_types};
                wire::encode(rewritten, to_backend);
                q.expect(Awaited::Parse);
                answers_due_.push_back(
                    PendingAnswer{Awaited::Parse, std::move(slot), prepared.origin, started});
            }
            statements_[parse->name] = std::move(prepared);
        } else {
            statements_[parse->name] = Prepared{"", allow.steps.front(), false};
            q.local(Awaited::Parse, [](std::string& out) { wire::encode(wire::ParseComplete{}, out); });
        }
        co_return;
    }
    case 'B': {
        auto bind = wire::decode_bind(m.body);
        if (!bind) {
            fail(bind.error());
            co_return;
        }
        auto it = statements_.find(bind->statement);
        if (it == statements_.end()) {
            fail(make_error("26000", quoted_name("prepared statement", bind->statement) +
                                         " does not exist"));
            co_return;
        }
        if (auto r = recheck_prepared(bind->statement, it->second); !r) {
            fail(r.error());
            co_return;
        }
        const Prepared target = it->second;
        if (!target.backend.empty()) {
            if (!co_await routed(target.backend)) {
                co_return;
            }
            if (txpool_) {
                ensure_prepared(target);
                wire::Bind renamed = std::move(*bind);
                renamed.statement = target.backend_name;
                wire::encode(renamed, to_backend);
            } else {
                forward_raw(m);
            }
            q.expect(Awaited::Bind);
        } else {
            q.local(Awaited::Bind, [](std::string& out) { wire::encode(wire::BindComplete{}, out); });
        }
        portals_[bind->portal] = target;
        co_return;
    }
    case 'D': {
        auto describe = wire::decode_describe(m.body);
        if (!describe) {
            fail(describe.error());
            co_return;
        }
        auto& table = describe->kind == 'S' ? statements_ : portals_;
        auto it = table.find(describe->name);
        if (it == table.end()) {
            fail(make_error(describe->kind == 'S' ? "26000" : "34000",
                            quoted_name(describe->kind == 'S' ? "prepared statement" : "portal",
                                        describe->name) +
                                " does not exist"));
            co_return;
        }
        const Prepared target = it->second;
        if (!target.backend.empty()) {
            if (!co_await routed(target.backend)) {
                co_return;
            }
            if (txpool_ && describe->kind == 'S') {
                ensure_prepared(target);
                wire::encode(wire::Describe{'S', target.backend_name}, to_backend);
            } else {
                forward_raw(m);
            }
            q.expect(Awaited::Describe);
            co_return;
        }
        const bool statement = describe->kind == 'S';
        q.local(Awaited::Describe, [target, statement](std::string& out) {
            if (statement) {
                wire::encode(wire::ParameterDescription{}, out);
            }
            const auto* show =
                target.local ? std::get_if<policy::ShowLocal>(&*target.local) : nullptr;
            if (show != nullptr) {
                wire::RowDescription desc;
                desc.fields.push_back(wire::RowDescription::Field{show->name, 0, 0, 25, -1, -1, 0});
                wire::encode(desc, out);
            } else {
                wire::encode(wire::NoData{}, out);
            }
        });
        co_return;
    }
    case 'E': {
        auto execute = wire::decode_execute(m.body);
        if (!execute) {
            fail(execute.error());
            co_return;
        }
        auto it = portals_.find(execute->portal);
        if (it == portals_.end()) {
            fail(make_error("34000", quoted_name("portal", execute->portal) + " does not exist"));
            co_return;
        }
        const Prepared target = it->second;
        if (!target.backend.empty()) {
            if (!co_await routed(target.backend)) {
                co_return;
            }
            if (txpool_ && !target.sql_defines.empty()) {
                // `PREPARE name AS ...` through the extended protocol: the name must be new to
                // the session, and another client's statement of that name on this connection
                // is dropped first (meshgate's own DEALLOCATE, answered to nobody).
                auto& carried = links_.at(target.backend)->conn->carried();
                for (const auto& name : target.sql_defines) {
                    if (sql_prepared_.count(name) != 0) {
                        fail(make_error("42P05", "prepared statement \"" + name +
                                                     "\" already exists"));
                        co_return;
                    }
                    if (carried.sql_statements.count(name) == 0) {
                        continue;
                    }
                    auto quoted = policy::quote_identifier(name);
                    if (!quoted) {
                        fail(quoted.error());
                        co_return;
                    }
                    carried.sql_statements.erase(name);
                    Prepared dealloc;
                    dealloc.backend = target.backend;
                    dealloc.origin = std::make_shared<const PreparedOrigin>(
                        PreparedOrigin{"", "DEALLOCATE " + *quoted, 0, identity_, nullptr});
                    dealloc.key = txpool::statement_key(dealloc.origin->sent, {});
                    dealloc.backend_name = txpool::backend_statement_name(dealloc.origin->sent, {});
                    ensure_prepared(dealloc);
                    const std::string portal = "mg_room";
                    wire::encode(wire::Bind{portal, dealloc.backend_name, {}, {}, {}}, to_backend);
                    q.hidden(Awaited::Bind);
                    wire::encode(wire::Execute{portal, 0}, to_backend);
                    q.hidden(Awaited::Execute);
                    wire::encode(wire::Close{'P', portal}, to_backend);
                    q.hidden(Awaited::Close);
                }
            }
            PendingAnswer pending;
            pending.what = Awaited::Execute;
            pending.origin = target.origin;
            pending.started = std::chrono::steady_clock::now();
            if (services_->audit != nullptr && target.origin && target.origin->decision) {
                // Each execution is audited in the order it was sent (SPEC §6).
                pending.slot = services_->audit->reserve();
                if (!pending.slot) {
                    fail(services_->audit->unavailable_error());
                    co_return;
                }
            }
            forward_raw(m);
            q.expect(Awaited::Execute,
                     txpool_ && target.origin ? target.origin->sent : std::string());
            answers_due_.push_back(std::move(pending));
            co_return;
        }
        if (target.begin) {
            const std::string tag = target.begin->opens_transaction;
            if (txn_backend_.empty() && pending_begin_.empty() && batch_backend_.empty()) {
                // Deferred: link_for sends it on the backend of the first statement that needs
                // one (later in this batch or in a later one); until then the session is in a
                // transaction block as far as the client can tell.
                pending_begin_ = target.begin->sql;
                q.local(Awaited::Execute,
                        [tag](std::string& out) { wire::encode(wire::CommandComplete{tag}, out); });
                co_return;
            }
            // The batch already runs on a backend, or a transaction is open (PostgreSQL warns
            // about a second BEGIN): it runs there, in its place in the batch, as meshgate's
            // own unnamed statement (the client's unnamed statement is this BEGIN anyway).
            const std::string backend = !txn_backend_.empty()     ? txn_backend_
                                        : !batch_backend_.empty() ? batch_backend_
                                                                  : target.begin_backend;
            if (!co_await routed(backend)) {
                co_return;
            }
            links_.at(backend)->conn->carried().statements.erase("");
            wire::encode(wire::Parse{"", target.begin->sql, {}}, to_backend);
            q.hidden(Awaited::Parse);
            wire::encode(wire::Bind{"", "", {}, {}, {}}, to_backend);
            q.hidden(Awaited::Bind);
            wire::encode(wire::Execute{"", 0}, to_backend);
            q.expect(Awaited::Execute);
            answers_due_.push_back(PendingAnswer{});  // audited at its Parse
            co_return;
        }
        q.local(Awaited::Execute, [this, target](std::string& out) {
            if (target.empty_query || !target.local) {
                wire::encode(wire::EmptyQueryResponse{}, out);
            } else {
                write_local_step(*target.local, out, false);
            }
        });
        co_return;
    }
    case 'C': {
        auto close = wire::decode_close(m.body);
        if (!close) {
            fail(close.error());
            co_return;
        }
        auto& table = close->kind == 'S' ? statements_ : portals_;
        auto it = table.find(close->name);
        if (txpool_ && close->kind == 'S' && it != table.end() && !it->second.backend.empty()) {
            // The backend statement stays on the connection for whoever prepares the same text.
            table.erase(it);
            q.local(Awaited::Close,
                    [](std::string& out) { wire::encode(wire::CloseComplete{}, out); });
            co_return;
        }
        if (it != table.end() && !it->second.backend.empty()) {
            const std::string backend = it->second.backend;
            if (!co_await routed(backend)) {
                co_return;
            }
            forward_raw(m);
            q.expect(Awaited::Close);
            table.erase(close->name);
            co_return;
        }
        // Closing something that does not exist is not an error (PostgreSQL answers
        // CloseComplete too).
        if (it != table.end()) {
            table.erase(it);
        }
        q.local(Awaited::Close, [](std::string& out) { wire::encode(wire::CloseComplete{}, out); });
        co_return;
    }
    case 'S': {
        discarding_ = false;
        end = true;
        BackendLink* link = nullptr;
        if (!batch_backend_.empty()) {
            auto it = links_.find(batch_backend_);
            if (it != links_.end() && it->second->conn && !it->second->broken) {
                link = it->second.get();
            }
        }
        if (link != nullptr) {
            wire::encode(wire::Sync{}, to_backend);
            q.expect(Awaited::Sync);
        } else {
            q.local(Awaited::Sync, [this](std::string& out) {
                wire::encode(wire::ReadyForQuery{transaction_status()}, out);
            });
        }
        // The next Sync cycle may use another backend (unless a transaction pins it).
        batch_synced_ = true;
        co_return;
    }
    case 'H':
        if (!to_backend.empty()) {
            wire::encode(wire::Flush{}, to_backend);
        }
        end = true;
        co_return;
    default:
        co_return;
    }
}

}  // namespace meshgate::proxy
