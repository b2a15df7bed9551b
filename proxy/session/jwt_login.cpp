// ClientSession: JWT bearer tokens sent as the password over TLS (SPEC §5, `jwt:`), the choice
// between certificate, JWT and SCRAM logins, and the JWKS cache. Layer: proxy (I/O edge).
#include "proxy/session/jwt_login.hpp"

#include "auth/jwt.hpp"
#include "proxy/log.hpp"
#include "proxy/metrics/metrics.hpp"
#include "proxy/session/client_session.hpp"
#include "proxy/wire/messages.hpp"

#include <chrono>
#include <fstream>
#include <iterator>
#include <mutex>

namespace meshgate::proxy {
namespace asio = boost::asio;

namespace {

struct JwksCache {
    std::mutex mutex;
    std::string path;
    uint64_t generation = 0;
    std::shared_ptr<const auth::JwkSet> keys;
};

JwksCache& jwks_cache()
{
    static JwksCache cache;
    return cache;
}

Result<std::string> read_small_file(const std::string& path, std::size_t limit)
{
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        return make_error("58030", "cannot read JWKS file \"" + path + "\"");
    }
    std::string text;
    text.resize(limit + 1);
    in.read(text.data(), static_cast<std::streamsize>(text.size()));
    if (in.bad()) {
        return make_error("58030", "cannot read JWKS file \"" + path + "\"");
    }
    text.resize(static_cast<std::size_t>(in.gcount()));
    if (text.size() > limit) {
        return make_error("58030", "JWKS file \"" + path + "\" is larger than " +
                                       std::to_string(limit) + " bytes");
    }
    return Result<std::string>(boost::system::in_place_value, std::move(text));
}

// The one answer for every failed login, whatever the reason (no hint which it was).
Error login_refused(const std::string& user)
{
    return make_error("28P01", "password authentication failed for user \"" + user + "\"");
}

}  // namespace

Result<std::shared_ptr<const auth::JwkSet>> load_jwks(const config::Snapshot& snap)
{
    if (!snap.jwt) {
        return make_error("F0000", "no jwt section is configured");
    }
    auto& cache = jwks_cache();
    std::lock_guard lock(cache.mutex);
    if (cache.keys && cache.path == snap.jwt->jwks_file && cache.generation == snap.generation) {
        return cache.keys;
    }
    auto text = read_small_file(snap.jwt->jwks_file, auth::kMaxJwksBytes);
    if (!text) {
        return text.error();
    }
    auto keys = auth::JwkSet::parse(*text);
    if (!keys) {
        Error e = keys.error();
        e.message = "JWKS file \"" + snap.jwt->jwks_file + "\": " + e.message;
        return e;
    }
    cache.path = snap.jwt->jwks_file;
    cache.generation = snap.generation;
    cache.keys = std::make_shared<const auth::JwkSet>(std::move(*keys));
    return cache.keys;
}

asio::awaitable<ClientSession::AltLogin> ClientSession::alternative_login()
{
    const AltLogin cert = co_await cert_login();
    if (cert != AltLogin::NotApplicable) {
        co_return cert;
    }
    if (!snapshot_->jwt || !client_->is_tls()) {
        // Tokens are bearer secrets: never asked for in the clear (the config requires TLS
        // with jwt:, and `require: false` may still let plaintext sessions in).
        co_return AltLogin::NotApplicable;
    }
    // A user with a SCRAM verifier keeps SCRAM; everyone else may present a token.
    const auto it = snapshot_->users.find(startup_.user);
    if (it != snapshot_->users.end() && !it->second.password_verifier.empty()) {
        co_return AltLogin::NotApplicable;
    }
    const bool ok = co_await jwt_login();
    co_return ok ? AltLogin::Ok : AltLogin::Failed;
}

asio::awaitable<bool> ClientSession::jwt_login()
{
    const char* method = "jwt";
    wire::encode(wire::AuthenticationCleartextPassword{}, client_out_);
    if (!co_await flush_client()) {
        co_return false;
    }
    auto msg = co_await read_client_message();
    if (!msg) {
        if (msg.error().sqlstate == "08006") {
            co_return false;  // e.g. psql closes to prompt for a password
        }
        Error e = msg.error();
        co_return co_await login_failed(method, e, e.message);
    }
    if (msg->tag != 'p') {
        Error e = make_error("08P01", "expected a password message");
        co_return co_await login_failed(method, e, e.message);
    }
    auto password = wire::decode_password_message(msg->body);
    if (!password) {
        Error e = password.error();
        co_return co_await login_failed(method, e, e.message);
    }
    auto keys = load_jwks(*snapshot_);
    if (!keys) {
        log_error("JWT login impossible: the JWKS cannot be loaded",
                  {{"error", keys.error().message}});
        co_return co_await login_failed(method, login_refused(startup_.user),
                                        "jwks: " + keys.error().message);
    }
    const auto& cfg = *snapshot_->jwt;
    auth::JwtSettings settings;
    settings.issuer = cfg.issuer;
    settings.audience = cfg.audience;
    settings.user_claim = cfg.user_claim;
    settings.groups_claim = cfg.groups_claim;
    const std::int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                                 std::chrono::system_clock::now().time_since_epoch())
                                 .count();
    auto id = auth::verify_jwt(password->password, **keys, settings, now);
    // The token is a secret from here on: drop our copy before anything else can log it.
    password->password.assign(password->password.size(), '\0');
    if (!id) {
        std::string reason = "jwt " + id.error().detail + ": " + id.error().message;
        co_return co_await login_failed(method, login_refused(startup_.user), std::move(reason));
    }
    // The startup user must be the one the token names: the session, the audit trail and
    // session_authorization all speak of one user.
    if (id->user != startup_.user) {
        co_return co_await login_failed(method, login_refused(startup_.user),
                                        "jwt: the token names another user");
    }
    // The token is the identity: its groups and attributes, not the configuration's.
    identity_ = policy::Identity{};
    identity_.user = id->user;
    identity_.groups = std::move(id->groups);
    for (auto& [name, value] : id->attributes) {
        identity_.attributes[name] = std::move(value);
    }
    const auto it = snapshot_->users.find(startup_.user);
    if (startup_.search_path) {
        identity_.search_path = *startup_.search_path;
    } else if (it != snapshot_->users.end()) {
        identity_.search_path = it->second.search_path;
    }
    identity_.purpose = startup_.purpose;
    identity_generation_ = snapshot_->generation;
    external_identity_ = true;
    const int max_user = it != snapshot_->users.end() ? it->second.max_connections : 0;
    const bool ok = co_await login_succeeded(method, max_user);
    co_return ok;
}

asio::awaitable<bool> ClientSession::login_failed(const char* method, Error to_client,
                                                  std::string reason)
{
    services_->stats->auth_failed.fetch_add(1);
    if (services_->metrics != nullptr) {
        services_->metrics->record_auth(method, false);
    }
    audit::AuditEvent ev = event(audit::EventKind::Auth);
    ev.auth_method = method;
    ev.auth_ok = false;
    ev.reason = reason;
    submit_event(std::move(ev));
    log_info("authentication failed", {{"peer", peer_},
                                       {"user", startup_.user},
                                       {"method", method},
                                       {"sqlstate", to_client.sqlstate},
                                       {"reason", reason}});
    co_await send_fatal(to_client);
    co_return false;
}

asio::awaitable<bool> ClientSession::login_succeeded(const char* method, int max_connections)
{
    // Per-user session limit, checked after authentication as for SCRAM.
    if (!services_->user_connections->try_acquire(startup_.user, max_connections)) {
        Error e = make_error("53300", "too many connections for role \"" + startup_.user + "\"");
        co_await send_fatal(e);
        co_return false;
    }
    user_counted_ = true;
    wire::encode(wire::AuthenticationOk{}, client_out_);
    services_->stats->auth_ok.fetch_add(1);
    if (services_->metrics != nullptr) {
        services_->metrics->record_auth(method, true);
    }
    audit::AuditEvent ev = event(audit::EventKind::Auth);
    ev.auth_method = method;
    ev.auth_ok = true;
    submit_event(std::move(ev));
    log_info(
        "authenticated",
        {{"peer", peer_}, {"user", startup_.user}, {"method", method}, {"tls", client_->is_tls()}});
    co_return true;
}

}  // namespace meshgate::proxy
