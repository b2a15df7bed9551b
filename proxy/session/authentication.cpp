// ClientSession authentication: SCRAM-SHA-256(-PLUS) against the configured verifiers, then
// the welcome (ParameterStatus, BackendKeyData, ReadyForQuery). Layer: proxy (I/O edge).
#include "auth/scram_server.hpp"
#include "auth/scram_verifier.hpp"
#include "proxy/cancel_registry.hpp"
#include "proxy/log.hpp"
#include "proxy/metrics/metrics.hpp"
#include "proxy/session/client_session.hpp"
#include "proxy/tls/server_tls.hpp"
#include "proxy/wire/messages.hpp"

#include <algorithm>

namespace meshgate::proxy {
namespace asio = boost::asio;

namespace {

// The one answer for an unknown user and a wrong password (no hint which it was).
Error auth_failed(const std::string& user)
{
    return make_error("28P01", "password authentication failed for user \"" + user + "\"");
}

}  // namespace

asio::awaitable<bool> ClientSession::authenticate()
{
    const AltLogin alt = co_await alternative_login();  // certificate or JWT (jwt_login.cpp)
    if (alt != AltLogin::NotApplicable) {
        co_return alt == AltLogin::Ok;
    }
    const auto& users = snapshot_->users;
    std::optional<auth::ScramVerifier> verifier;
    if (auto it = users.find(startup_.user); it != users.end()) {
        if (auto v = auth::ScramVerifier::parse(it->second.password_verifier)) {
            verifier = std::move(*v);
        }
    }
    // Channel binding is offered only when this connection is TLS and the certificate's
    // signature algorithm defines tls-server-end-point.
    const bool tls = client_->is_tls();
    const std::string binding =
        tls && services_->tls != nullptr ? services_->tls->channel_binding : std::string();
    auth::ScramServer scram(startup_.user, std::move(verifier), binding,
                            services_->scram_mock_seed);
    wire::encode(wire::AuthenticationSasl{auth::ScramServer::mechanisms(!binding.empty())},
                 client_out_);
    if (!co_await flush_client()) {
        co_return false;
    }

    const char* method = "scram-sha-256";
    auto audit_auth = [&](bool ok, const std::string& reason) {
        if (services_->metrics != nullptr) {
            services_->metrics->record_auth(method, ok);
        }
        audit::AuditEvent ev = event(audit::EventKind::Auth);
        ev.auth_method = method;
        ev.auth_ok = ok;
        ev.reason = reason;
        submit_event(std::move(ev));
    };
    auto fail = [&](const Error& e) -> asio::awaitable<bool> {
        services_->stats->auth_failed.fetch_add(1);
        audit_auth(false, e.message);
        log_info("authentication failed", {{"peer", peer_}, {"user", startup_.user},
                                           {"sqlstate", e.sqlstate}, {"reason", e.message}});
        co_await send_fatal(e);
        co_return false;
    };

    auto first = co_await read_client_message();
    if (!first) {
        if (first.error().sqlstate == "08006") {
            co_return false;  // e.g. psql closes to prompt for a password
        }
        co_return co_await fail(first.error());
    }
    if (first->tag != 'p') {
        co_return co_await fail(make_error(
            "08P01", "expected SASL response, got message type " +
                         std::to_string(static_cast<unsigned char>(first->tag))));
    }
    auto initial = wire::decode_sasl_initial_response(first->body);
    if (!initial) {
        co_return co_await fail(initial.error());
    }
    if (!initial->data) {
        co_return co_await fail(make_error("08P01", "SASL initial response without data"));
    }
    if (initial->mechanism == auth::ScramServer::kMechanismPlus) {
        method = "scram-sha-256-plus";
    }
    auto server_first = scram.client_first(initial->mechanism, *initial->data);
    if (!server_first) {
        co_return co_await fail(server_first.error());
    }
    wire::encode(wire::AuthenticationSaslContinue{std::move(*server_first)}, client_out_);
    if (!co_await flush_client()) {
        co_return false;
    }

    auto second = co_await read_client_message();
    if (!second) {
        if (second.error().sqlstate == "08006") {
            co_return false;
        }
        co_return co_await fail(second.error());
    }
    if (second->tag != 'p') {
        co_return co_await fail(make_error("08P01", "expected SASL response"));
    }
    auto response = wire::decode_sasl_response(second->body);
    if (!response) {
        co_return co_await fail(response.error());
    }
    auto server_final = scram.client_final(response->data);
    if (!server_final || !scram.succeeded()) {
        // Named first: GCC 12 mishandles temporaries of a conditional inside co_await.
        Error e = server_final ? auth_failed(startup_.user) : server_final.error();
        co_return co_await fail(e);
    }
    // The user may have disappeared by a reload since the lookup: fail closed.
    snapshot_ = services_->snapshot();
    if (snapshot_->users.count(startup_.user) == 0) {
        co_return co_await fail(auth_failed(startup_.user));
    }
    // Per-user session limit, checked after authentication (as PostgreSQL's connection limit)
    // so it tells nothing to someone without the password.
    const int max_user = snapshot_->users.at(startup_.user).max_connections;
    if (!services_->user_connections->try_acquire(startup_.user, max_user)) {
        Error e = make_error("53300", "too many connections for role \"" + startup_.user + "\"");
        co_await send_fatal(e);
        co_return false;
    }
    user_counted_ = true;
    wire::encode(wire::AuthenticationSaslFinal{std::move(*server_final)}, client_out_);
    wire::encode(wire::AuthenticationOk{}, client_out_);
    services_->stats->auth_ok.fetch_add(1);
    audit_auth(true, "");
    log_info("authenticated", {{"peer", peer_}, {"user", startup_.user},
                               {"method", scram.channel_binding_used() ? "scram-sha-256-plus"
                                                                       : "scram-sha-256"},
                               {"tls", client_->is_tls()}});
    co_return true;
}

asio::awaitable<bool> ClientSession::send_welcome()
{
    refresh_identity(*snapshot_);
    limits_ = snapshot_->limits;

    // Start from what the catalog backend reported, then put in the values this session has.
    std::vector<std::pair<std::string, std::string>> params = services_->server_parameters;
    auto put = [&](const std::string& name, const std::string& value) {
        auto it = std::find_if(params.begin(), params.end(),
                               [&](const auto& kv) { return kv.first == name; });
        if (it != params.end()) {
            it->second = value;
        } else {
            params.emplace_back(name, value);
        }
    };
    put("client_encoding", startup_.client_encoding);
    put("application_name", startup_.application_name);
    put("standard_conforming_strings", "on");
    put("is_superuser", "off");
    put("session_authorization", startup_.user);
    for (const char* name : {"DateStyle", "TimeZone", "IntervalStyle"}) {
        if (auto v = startup_.forwarded_value(name)) {
            put(name, *v);
        }
    }
    auto has = [&](const char* name) {
        return std::any_of(params.begin(), params.end(),
                           [&](const auto& kv) { return kv.first == name; });
    };
    // Defaults for a catalog backend that reported nothing (e.g. unreachable at startup).
    if (!has("server_version")) {
        put("server_version", "15.0");
    }
    if (!has("server_encoding")) {
        put("server_encoding", "UTF8");
    }
    if (!has("DateStyle")) {
        put("DateStyle", "ISO, MDY");
    }
    if (!has("integer_datetimes")) {
        put("integer_datetimes", "on");
    }
    if (!has("TimeZone")) {
        put("TimeZone", "UTC");
    }
    if (!has("IntervalStyle")) {
        put("IntervalStyle", "postgres");
    }
    for (const auto& [name, value] : params) {
        wire::encode(wire::ParameterStatus{name, value}, client_out_);
    }
    const CancelKey key = services_->cancel->register_session();
    cancel_pid_ = key.process_id;
    registered_ = true;
    wire::encode(wire::BackendKeyData{key.process_id, key.secret_key}, client_out_);
    wire::encode(wire::ReadyForQuery{'I'}, client_out_);
    co_return co_await flush_client();
}

}  // namespace meshgate::proxy
