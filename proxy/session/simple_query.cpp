// ClientSession simple query protocol: decide, answer local steps, forward the rest, relay.
// Layer: proxy (I/O edge; every decision comes from policy::decide).
#include "policy/decide.hpp"
#include "policy/error_scrub.hpp"
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

constexpr uint32_t kTextOid = 25;


// True for a query string with no statement in it (only whitespace and semicolons): PostgreSQL
// answers EmptyQueryResponse.
bool blank(std::string_view sql)
{
    return std::all_of(sql.begin(), sql.end(), [](char c) {
        return c == ';' || std::isspace(static_cast<unsigned char>(c));
    });
}

std::string join(const std::vector<std::string>& v)
{
    std::string out;
    for (const auto& s : v) {
        if (!out.empty()) {
            out += ", ";
        }
        out += s;
    }
    return out;
}

}  // namespace

void ClientSession::apply_set_local(const policy::SetLocal& set)
{
    if (set.name == "search_path") {
        if (set.value) {
            identity_.search_path = *set.value;
        } else if (startup_.search_path) {
            identity_.search_path = *startup_.search_path;
        } else if (snapshot_) {
            auto it = snapshot_->users.find(startup_.user);
            identity_.search_path =
                it != snapshot_->users.end() ? it->second.search_path : std::vector<std::string>{};
        }
    } else if (set.name == "meshgate.purpose") {
        if (set.value && !set.value->empty()) {
            identity_.purpose = join(*set.value);
        } else if (set.value) {
            identity_.purpose.reset();
        } else {
            identity_.purpose = startup_.purpose;
        }
    }
}

void ClientSession::write_local_step(const policy::Step& step, std::string& out,
                                     bool with_description)
{
    if (const auto* set = std::get_if<policy::SetLocal>(&step)) {
        apply_set_local(*set);
        wire::encode(wire::CommandComplete{set->command_tag.empty() ? "SET" : set->command_tag},
                     out);
    } else if (const auto* show = std::get_if<policy::ShowLocal>(&step)) {
        if (with_description) {
            wire::RowDescription desc;
            desc.fields.push_back(wire::RowDescription::Field{show->name, 0, 0, kTextOid, -1, -1, 0});
            wire::encode(desc, out);
        }
        wire::encode(wire::DataRow{{show->value}}, out);
        wire::encode(wire::CommandComplete{"SHOW"}, out);
    }
}

asio::awaitable<bool> ClientSession::function_call()
{
    if (discarding_) {
        co_return true;
    }
    wire::encode(wire::ErrorResponse::from(make_error(
                     "0A000", "the function call protocol message is not supported by meshgate")),
                 client_out_);
    wire::encode(wire::ReadyForQuery{transaction_status()}, client_out_);
    co_return co_await flush_client();
}

asio::awaitable<bool> ClientSession::simple_query(std::string sql)
{
    if (discarding_) {
        // After an error in an extended-protocol batch everything up to Sync is skipped,
        // simple Query messages included (as PostgreSQL does).
        co_return true;
    }
    batch_backend_.clear();
    snapshot_ = services_->snapshot();
    // A JWT session lives as long as `jwt:` does; a configured one as long as its user.
    if (external_identity_ ? !snapshot_->jwt : snapshot_->users.count(startup_.user) == 0) {
        co_await send_fatal(make_error("28000", "user \"" + startup_.user +
                                                    "\" is no longer configured"));
        co_return false;
    }
    refresh_identity(*snapshot_);

    auto local_error = [&](const Error& e) -> asio::awaitable<bool> {
        wire::encode(wire::ErrorResponse::from(e), client_out_);
        wire::encode(wire::ReadyForQuery{transaction_status()}, client_out_);
        co_await release_if_done();
        co_return co_await flush_client();
    };

    if (blank(sql)) {
        wire::encode(wire::EmptyQueryResponse{}, client_out_);
        wire::encode(wire::ReadyForQuery{transaction_status()}, client_out_);
        co_return co_await flush_client();
    }
    const auto started = std::chrono::steady_clock::now();
    // A place in the audit queue first: a statement that cannot be audited does not run.
    std::optional<AuditSlot> slot;
    if (services_->audit != nullptr) {
        slot = services_->audit->reserve();
        if (!slot) {
            co_return co_await local_error(services_->audit->unavailable_error());
        }
    }
    AuditSlot* audit_slot = slot ? &*slot : nullptr;
    const policy::Decision decision = co_await decide_statement_relearning(
        *services_, sql, identity_, snapshot_, policy::Protocol::Simple);
    if (decision.is_allow() && policy::needs_error_scrub(decision.allow())) {
        scrub_errors_ = true;  // backend errors may quote masked or filtered values from now on
    }
    auto failed = [&](const Error& e) {
        RelayResult r;
        r.error_sqlstate = e.sqlstate;
        r.error_message = e.message;
        finish_statement(audit_slot, sql, decision, &r, started);
    };
    if (decision.is_deny()) {
        finish_statement(audit_slot, sql, decision, nullptr, started);
        const auto& d = decision.deny();
        Error e = make_error(d.sqlstate, d.message, d.position);
        e.detail = d.detail;
        e.hint = d.hint;
        log_debug("statement denied", {{"user", startup_.user}, {"sqlstate", d.sqlstate},
                                       {"reason", d.message}});
        co_return co_await local_error(e);
    }
    const policy::Allow& allow = decision.allow();
    if (allow.steps.empty()) {
        wire::encode(wire::EmptyQueryResponse{}, client_out_);
        wire::encode(wire::ReadyForQuery{transaction_status()}, client_out_);
        co_return co_await flush_client();
    }
    if (const auto* f = allow.steps.size() == 1 ? std::get_if<policy::Forward>(&allow.steps[0])
                                                : nullptr;
        f != nullptr && !f->opens_transaction.empty() && txn_backend_.empty() &&
        pending_begin_.empty()) {
        // SPEC §3: a transaction stays on the backend it started on; it starts on the backend of
        // its first statement that needs one, not on the catalog backend (link_for sends it).
        pending_begin_ = f->sql;
        finish_statement(audit_slot, sql, decision, nullptr, started);
        wire::encode(wire::CommandComplete{f->opens_transaction}, client_out_);
        wire::encode(wire::ReadyForQuery{transaction_status()}, client_out_);
        co_return co_await flush_client();
    }
    const bool any_forward = std::any_of(allow.steps.begin(), allow.steps.end(), [](const auto& s) {
        return std::holds_alternative<policy::Forward>(s);
    });
    const bool all_forward = std::all_of(allow.steps.begin(), allow.steps.end(), [](const auto& s) {
        return std::holds_alternative<policy::Forward>(s);
    });

    BackendLink* link = nullptr;
    if (any_forward) {
        const std::string backend = backend_of(allow);
        if (auto routed = route(backend); !routed) {
            failed(routed.error());
            co_return co_await local_error(routed.error());
        }
        if (auto fresh = check_named_uses(allow); !fresh) {
            failed(fresh.error());
            co_return co_await local_error(fresh.error());
        }
        note_named_defines(allow, backend, identity_);
        batch_backend_.clear();
        auto l = co_await link_for(backend);
        if (!l) {
            failed(l.error());
            if (l.error().sqlstate == "08006") {
                co_await send_fatal(l.error());
                co_return false;
            }
            co_return co_await local_error(l.error());
        }
        link = *l;
        if (txpool_) {
            if (!allow.defines.empty()) {
                if (auto room = co_await make_room_for_prepare(*link, allow); !room) {
                    failed(room.error());
                    co_return co_await local_error(room.error());
                }
            }
            link->conn->carried().statements.erase("");  // a Query drops the unnamed statement
        }
    }

    if (all_forward) {
        std::string bytes;
        wire::encode(wire::Query{allow.rewritten()}, bytes);
        if (!co_await write_backend(*link, bytes)) {
            const RelayResult r = RelayResult::write_failure();
            finish_statement(audit_slot, sql, decision, &r, started);
            co_return co_await after_relay(*link, r);
        }
        ResponseQueue q;
        q.expect(Awaited::Query);
        RelayResult r = co_await relay(*link, q, true);
        if (txpool_) {
            // One CommandComplete per statement, in order.
            std::size_t i = 0;
            for (const auto& step : allow.steps) {
                if (i < r.commands.size()) {
                    r.commands[i++].first = std::get<policy::Forward>(step).sql;
                }
            }
        }
        finish_statement(audit_slot, sql, decision, &r, started);
        if (!co_await after_relay(*link, r)) {
            co_return false;
        }
        co_await release_if_done();
        co_return co_await flush_client();
    }

    // Mixed local and forwarded steps: run them in order, stop at the first error, and answer
    // one ReadyForQuery at the end.
    RelayResult all;
    for (const auto& step : allow.steps) {
        if (const auto* fwd = std::get_if<policy::Forward>(&step)) {
            std::string bytes;
            wire::encode(wire::Query{fwd->sql}, bytes);
            if (!co_await write_backend(*link, bytes)) {
                co_return co_await after_relay(*link, RelayResult::write_failure());
            }
            ResponseQueue q;
            q.expect(Awaited::Query);
            RelayResult r = co_await relay(*link, q, false);
            for (auto& c : r.commands) {
                c.first = fwd->sql;
            }
            if (r.rows) {
                all.rows = all.rows.value_or(0) + *r.rows;
            }
            if (all.error_sqlstate.empty()) {
                all.error_sqlstate = r.error_sqlstate;
                all.error_message = r.error_message;
                all.error_scrubbed = r.error_scrubbed;
                all.error_original = r.error_original;
            }
            all.backend_ok = r.backend_ok;
            all.problem = r.problem;
            if (!r.backend_ok || r.error_seen) {
                finish_statement(audit_slot, sql, decision, &all, started);
                audit_slot = nullptr;
            }
            if (!co_await after_relay(*link, r)) {
                co_return false;
            }
            if (r.error_seen) {
                break;
            }
        } else {
            write_local_step(step, client_out_, true);
        }
    }
    if (audit_slot != nullptr) {
        finish_statement(audit_slot, sql, decision, link != nullptr ? &all : nullptr, started);
    }
    co_await release_if_done();
    wire::encode(wire::ReadyForQuery{transaction_status()}, client_out_);
    co_return co_await flush_client();
}

}  // namespace meshgate::proxy
