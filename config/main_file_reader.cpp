// The main config file's sections: listen, admin, audit, secrets, backends, users, policies...
// Layer: config (yaml-cpp).
#include "config/main_file_reader.hpp"

#include "config/identifier.hpp"
#include "config/map_reader.hpp"
#include "config/mask_spec_reader.hpp"
#include "config/principal_parser.hpp"

#include <limits>
#include <set>

namespace meshgate::config {

namespace {

constexpr int64_t kIntMax = std::numeric_limits<int>::max();
constexpr std::size_t kMinHashKeyBytes = 16;

void read_listen(YamlReader& r, const YamlValue& v, const LoadContext& ctx, Listen& out)
{
    MapReader m(r, v, "listen", {"host", "port", "tls", "max_client_connections"});
    if (const auto h = m.value("host")) {
        if (auto s = r.non_empty_string(*h, "listen.host")) {
            out.host = *s;
        }
    }
    m.read_int("port", out.port, 0, 65535);  // 0: any free port (tests)
    m.read_int("max_client_connections", out.max_client_connections, 1, 1000000);
    if (const auto t = m.value("tls")) {
        MapReader tm(r, *t, "listen.tls", {"cert_file", "key_file", "client_ca_file", "require"});
        if (!tm.is_map()) {
            return;
        }
        ListenTls tls;
        const auto cert = tm.required_string("cert_file");
        const auto key = tm.required_string("key_file");
        if (const auto ca = tm.value("client_ca_file")) {
            if (auto s = r.non_empty_string(*ca, "listen.tls.client_ca_file")) {
                tls.client_ca_file = resolve_path(ctx.config_dir, *s);
            }
        }
        tm.read_bool("require", tls.require);
        if (cert && key) {
            tls.cert_file = resolve_path(ctx.config_dir, *cert);
            tls.key_file = resolve_path(ctx.config_dir, *key);
            out.tls = tls;
        }
    }
}

void read_admin(YamlReader& r, const YamlValue& v, Admin& out)
{
    MapReader m(r, v, "admin", {"host", "port", "enabled", "health_check_interval_ms"});
    if (const auto h = m.value("host")) {
        if (auto s = r.non_empty_string(*h, "admin.host")) {
            out.host = *s;
        }
    }
    m.read_int("port", out.port, 0, 65535);
    m.read_bool("enabled", out.enabled);
    m.read_int("health_check_interval_ms", out.health_check_interval_ms, 100, 3600 * 1000);
}

void read_audit(YamlReader& r, const YamlValue& v, const LoadContext& ctx, Audit& out)
{
    MapReader m(r, v, "audit", {"path", "log_literals"});
    if (const auto p = m.value("path")) {
        if (auto s = r.non_empty_string(*p, "audit.path")) {
            out.path = *s == "-" ? *s : resolve_path(ctx.config_dir, *s);
        }
    }
    m.read_bool("log_literals", out.log_literals);
}

void read_secrets(YamlReader& r, const YamlValue& v, const LoadContext& ctx, Snapshot& snap,
                  MainFileInfo& info)
{
    MapReader m(r, v, "secrets", {"hash_key", "hash_key_env", "hash_key_file"});
    bool found = false;
    YAML::Mark where;
    const auto key = read_secret(r, m, "hash_key", ctx, &found, &where);
    info.hash_key_given = found;
    if (!key) {
        return;
    }
    if (key->size() < kMinHashKeyBytes) {
        // Never print the key; its length is enough to act on.
        r.error(where, "secrets.hash_key: the hash key is " + std::to_string(key->size()) +
                           " bytes; at least " + std::to_string(kMinHashKeyBytes) +
                           " are required");
        return;
    }
    snap.hash_key = *key;
}

void read_backend(YamlReader& r, const MapReader::Entry& e, const LoadContext& ctx, Backend& b)
{
    const std::string path = "backends." + e.key;
    MapReader m(r, e.value, path,
                {"host", "port", "database", "user", "password", "password_env", "password_file",
                 "tls", "ca_file", "pool_size", "connect_timeout_ms"});
    if (!m.is_map()) {
        return;
    }
    b.name = e.key;
    if (const auto h = m.value("host")) {
        if (auto s = r.non_empty_string(*h, m.path_of("host"))) {
            b.host = *s;
        }
    }
    m.read_int("port", b.port, 1, 65535);
    if (auto s = m.required_string("database")) {
        b.database = *s;
    }
    if (auto s = m.required_string("user")) {
        b.user = *s;
    }
    bool found = false;
    YAML::Mark where;
    if (auto pw = read_secret(r, m, "password", ctx, &found, &where)) {
        b.password = *pw;
    }
    if (const auto t = m.value("tls")) {
        if (const auto mode =
                r.choice(*t, m.path_of("tls"), {"disable", "prefer", "require", "verify-full"})) {
            b.tls = *mode == "disable"   ? TlsMode::Disable
                    : *mode == "prefer"  ? TlsMode::Prefer
                    : *mode == "require" ? TlsMode::Require
                                         : TlsMode::VerifyFull;
        }
    }
    if (const auto ca = m.value("ca_file")) {
        if (auto s = r.non_empty_string(*ca, m.path_of("ca_file"))) {
            b.ca_file = resolve_path(ctx.config_dir, *s);
        }
    }
    m.read_int("pool_size", b.pool_size, 1, 10000);
    m.read_int("connect_timeout_ms", b.connect_timeout_ms, 1, 600000);
}

void read_backends(YamlReader& r, const std::optional<YamlValue>& v, const LoadContext& ctx,
                   Snapshot& snap)
{
    if (!v) {
        r.error(YAML::Mark::null_mark(),
                "no backends configured (the \"backends\" section is required)");
        return;
    }
    MapReader m(r, *v, "backends");
    if (!m.is_map()) {
        return;
    }
    if (m.entries().empty() && v->node.size() == 0) {
        r.error(v->key_mark, "backends: at least one backend is required");
    }
    for (const auto& e : m.entries()) {
        if (!is_simple_name(e.key)) {
            r.error(e.key_mark, "backends: \"" + e.key +
                                    "\" is not a valid backend name (letters, digits, _ . -)");
            continue;
        }
        Backend b;
        read_backend(r, e, ctx, b);
        snap.backends.emplace(e.key, std::move(b));
    }
}

/// The `SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>` shape; auth parses it fully.
bool is_scram_verifier(std::string_view v)
{
    constexpr std::string_view prefix = "SCRAM-SHA-256$";
    if (!v.starts_with(prefix)) {
        return false;
    }
    v.remove_prefix(prefix.size());
    const auto dollar = v.find('$');
    if (dollar == std::string_view::npos) {
        return false;
    }
    const auto head = v.substr(0, dollar);
    const auto tail = v.substr(dollar + 1);
    auto is_b64 = [](std::string_view s) {
        if (s.empty()) {
            return false;
        }
        for (const char c : s) {
            const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                            (c >= '0' && c <= '9') || c == '+' || c == '/' || c == '=';
            if (!ok) {
                return false;
            }
        }
        return true;
    };
    const auto c1 = head.find(':');
    const auto c2 = tail.find(':');
    if (c1 == std::string_view::npos || c2 == std::string_view::npos) {
        return false;
    }
    const auto iterations = head.substr(0, c1);
    if (iterations.empty() || iterations.size() > 9 || iterations.front() == '0') {
        return false;
    }
    for (const char c : iterations) {
        if (c < '0' || c > '9') {
            return false;
        }
    }
    return is_b64(head.substr(c1 + 1)) && is_b64(tail.substr(0, c2)) && is_b64(tail.substr(c2 + 1));
}

bool is_plain_name(std::string_view s)
{
    if (s.empty() || s.front() == ' ' || s.back() == ' ') {
        return false;
    }
    for (const char c : s) {
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
            return false;
        }
    }
    return true;
}

void read_attributes(YamlReader& r, const YamlValue& v, const std::string& path, User& u)
{
    MapReader m(r, v, path);
    for (const auto& e : m.entries()) {
        const std::string p = path + "." + e.key;
        if (!is_attribute_key(e.key)) {
            r.error(e.key_mark, path + ": \"" + e.key +
                                    "\" is not a valid attribute name ([A-Za-z_][A-Za-z0-9_]*)");
            continue;
        }
        if (e.key == "name" || e.key == "groups") {
            // @user.name and @user.groups are the user's name and groups; an attribute of the
            // same name would be ambiguous in row filters.
            r.error(e.key_mark, path + ": \"" + e.key + "\" is reserved (@user." + e.key + ")");
            continue;
        }
        if (e.value.node.IsScalar()) {
            u.attributes[e.key] = e.value.node.Scalar();
        } else if (e.value.node.IsSequence()) {
            if (auto l = r.string_list(e.value, p)) {
                u.attributes[e.key] = std::move(*l);
            }
        } else {
            r.error(e.value, p + ": expected a scalar or a list of scalars, got " +
                                 std::string(kind_name(e.value.node)));
        }
    }
}

void read_user(YamlReader& r, const MapReader::Entry& e, MainFileInfo& info, User& u)
{
    const std::string path = "users." + e.key;
    MapReader m(r, e.value, path,
                {"password", "groups", "attributes", "search_path", "max_connections"});
    if (!m.is_map()) {
        return;
    }
    u.name = e.key;
    if (const auto pw = m.value("password")) {
        if (auto s = r.string(*pw, m.path_of("password"))) {
            if (is_scram_verifier(*s)) {
                u.password_verifier = *s;
            } else {
                // Never echo it: it may be a plaintext password put here by mistake.
                r.error(*pw, m.path_of("password") +
                                 ": not a SCRAM-SHA-256 verifier (expected "
                                 "SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>, as "
                                 "printed by `meshgate passwd`)");
            }
        }
    }
    if (const auto g = m.value("groups")) {
        if (const auto items = r.sequence(*g, m.path_of("groups"))) {
            for (std::size_t i = 0; i < items->size(); ++i) {
                const auto p = m.path_of("groups") + "[" + std::to_string(i) + "]";
                auto s = r.string((*items)[i], p);
                if (s && !is_plain_name(*s)) {
                    r.error((*items)[i], p + ": group name must be non-empty, without control "
                                             "characters or surrounding spaces");
                } else if (s) {
                    u.groups.push_back(std::move(*s));
                }
            }
        }
    }
    if (const auto a = m.value("attributes")) {
        read_attributes(r, *a, m.path_of("attributes"), u);
    }
    if (const auto sp = m.value("search_path")) {
        if (const auto items = r.sequence(*sp, m.path_of("search_path"))) {
            for (std::size_t i = 0; i < items->size(); ++i) {
                const auto p = m.path_of("search_path") + "[" + std::to_string(i) + "]";
                if (auto s = r.non_empty_string((*items)[i], p)) {
                    info.search_path_entries.push_back({*s, r.at((*items)[i])});
                    u.search_path.push_back(std::move(*s));
                }
            }
        }
    }
    m.read_int("max_connections", u.max_connections, 0, 1000000);
}

void read_users(YamlReader& r, const YamlValue& v, MainFileInfo& info, Snapshot& snap)
{
    MapReader m(r, v, "users");
    for (const auto& e : m.entries()) {
        if (!is_plain_name(e.key) || e.key.size() > 63) {
            r.error(e.key_mark, "users: \"" + e.key +
                                    "\" is not a valid user name (1-63 bytes, no control "
                                    "characters or surrounding spaces)");
            continue;
        }
        User u;
        read_user(r, e, info, u);
        snap.users.emplace(e.key, std::move(u));
    }
}

void read_allowed_functions(YamlReader& r, const YamlValue& v, Snapshot& snap)
{
    const auto items = r.sequence(v, "allowed_functions");
    if (!items) {
        return;
    }
    for (std::size_t i = 0; i < items->size(); ++i) {
        const auto p = "allowed_functions[" + std::to_string(i) + "]";
        const auto s = r.string((*items)[i], p);
        if (!s) {
            continue;
        }
        const auto dot = s->find('.');
        const bool ok = dot != std::string::npos && is_sql_identifier(s->substr(0, dot)) &&
                        is_sql_identifier(s->substr(dot + 1));
        if (!ok) {
            r.error((*items)[i], p + ": \"" + *s +
                                     "\" must be schema.function in lower case (e.g. "
                                     "util.normalize_phone)");
            continue;
        }
        snap.allowed_functions.push_back(*s);
    }
}

void read_policies(YamlReader& r, const YamlValue& v, Snapshot& snap)
{
    const auto items = r.sequence(v, "policies");
    if (!items) {
        return;
    }
    std::set<std::string> names;
    for (std::size_t i = 0; i < items->size(); ++i) {
        const YamlValue& item = (*items)[i];
        const std::string path = "policies[" + std::to_string(i) + "]";
        MapReader m(r, item, path, {"name", "description", "mask", "except"});
        if (!m.is_map()) {
            continue;
        }
        MaskPolicy policy;
        policy.global = true;
        policy.origin = r.at(item);
        bool ok = true;
        if (auto name = m.required_string("name")) {
            if (!is_simple_name(*name)) {
                r.error(*m.value("name"),
                        m.path_of("name") + ": \"" + *name +
                            "\" is not a valid policy name (letters, digits, _ . -)");
                ok = false;
            } else if (!names.insert(*name).second) {
                r.error(*m.value("name"),
                        m.path_of("name") + ": policy \"" + *name + "\" is defined twice");
                ok = false;
            }
            policy.name = *name;
        } else {
            ok = false;
        }
        m.read_string("description", policy.description);
        if (const auto mask = m.required("mask")) {
            MapReader mm(r, *mask, m.path_of("mask"), {"tags", "with"});
            if (const auto tags = mm.required("tags")) {
                if (auto t = read_tags(r, *tags, mm.path_of("tags"))) {
                    if (t->empty()) {
                        r.error(*tags, mm.path_of("tags") + ": must name at least one tag");
                        ok = false;
                    }
                    policy.tags = std::move(*t);
                } else {
                    ok = false;
                }
            } else {
                ok = false;
            }
            // `with: null` (or an empty `with:`) is the null mask, so presence is what counts.
            if (const auto with = mm.required_key("with")) {
                if (auto spec = read_mask_spec(r, *with, mm.path_of("with"))) {
                    policy.with = *spec;
                } else {
                    ok = false;
                }
            } else {
                ok = false;
            }
        } else {
            ok = false;
        }
        if (const auto ex = m.value("except")) {
            if (auto p = read_principals(r, *ex, m.path_of("except"))) {
                policy.except = std::move(*p);
            } else {
                ok = false;
            }
        }
        if (ok) {
            snap.global_masks.push_back(std::move(policy));
        }
    }
}

void read_limits(YamlReader& r, const YamlValue& v, Limits& out)
{
    MapReader m(r, v, "limits",
                {"max_startup_packet", "max_message", "max_backend_message", "auth_timeout_ms",
                 "idle_timeout_ms", "statement_timeout_ms", "drain_timeout_ms"});
    constexpr int64_t kGiB = 1024LL * 1024 * 1024;
    m.read_int("max_startup_packet", out.max_startup_packet, 64, 1024 * 1024);
    m.read_int("max_message", out.max_message, 1024, kGiB);
    m.read_int("max_backend_message", out.max_backend_message, 1024, kGiB);
    m.read_int("auth_timeout_ms", out.auth_timeout_ms, 1, 3600 * 1000);
    m.read_int("idle_timeout_ms", out.idle_timeout_ms, 0, kIntMax);
    m.read_int("statement_timeout_ms", out.statement_timeout_ms, 0, kIntMax);
    m.read_int("drain_timeout_ms", out.drain_timeout_ms, 0, 24 * 3600 * 1000);
}

void read_jwt(YamlReader& r, const YamlValue& v, const LoadContext& ctx, Snapshot& snap)
{
    MapReader m(r, v, "jwt", {"jwks_file", "issuer", "audience", "user_claim", "groups_claim"});
    if (!m.is_map()) {
        return;
    }
    Jwt jwt;
    const auto jwks = m.required_string("jwks_file");
    // Issuer and audience are required: a token minted for another service must not log in.
    const auto issuer = m.required_string("issuer");
    const auto audience = m.required_string("audience");
    if (const auto c = m.value("user_claim")) {
        if (auto s = r.non_empty_string(*c, m.path_of("user_claim"))) {
            jwt.user_claim = *s;
        }
    }
    if (const auto c = m.value("groups_claim")) {
        if (auto s = r.non_empty_string(*c, m.path_of("groups_claim"))) {
            jwt.groups_claim = *s;
        }
    }
    if (!jwks || !issuer || !audience) {
        return;
    }
    jwt.jwks_file = resolve_path(ctx.config_dir, *jwks);
    jwt.issuer = *issuer;
    jwt.audience = *audience;
    snap.jwt = jwt;
}

}  // namespace

MainFileInfo read_main_file(YamlReader& r, const YamlValue& root, const LoadContext& ctx,
                            Snapshot& snap)
{
    MainFileInfo info;
    MapReader m(
        r, root, "",
        {"listen", "admin", "audit", "secrets", "backends", "catalog_backend", "federation_backend",
         "pool_mode", "users", "domains_dir", "allowed_functions", "policies", "limits", "jwt",
         "log_format", "log_level", "watch"});
    if (!m.is_map()) {
        return info;
    }
    if (const auto v = m.value("listen")) {
        read_listen(r, *v, ctx, snap.listen);
    }
    if (const auto v = m.value("admin")) {
        read_admin(r, *v, snap.admin);
    }
    if (const auto v = m.value("audit")) {
        read_audit(r, *v, ctx, snap.audit);
    }
    if (const auto v = m.value("secrets")) {
        read_secrets(r, *v, ctx, snap, info);
    }
    read_backends(r, m.get("backends"), ctx, snap);

    if (const auto v = m.value("catalog_backend")) {
        if (auto s = r.non_empty_string(*v, "catalog_backend")) {
            if (snap.backends.count(*s) == 0) {
                r.error(*v, "catalog_backend: \"" + *s + "\" is not a configured backend");
            }
            snap.catalog_backend = *s;
        }
    } else if (snap.backends.size() == 1) {
        snap.catalog_backend = snap.backends.begin()->first;
    } else if (snap.backends.size() > 1) {
        r.error(YAML::Mark::null_mark(),
                "catalog_backend is required when more than one backend is configured");
    }
    if (const auto v = m.value("federation_backend")) {
        if (auto s = r.non_empty_string(*v, "federation_backend")) {
            if (snap.backends.count(*s) == 0) {
                r.error(*v, "federation_backend: \"" + *s + "\" is not a configured backend");
            }
            snap.federation_backend = *s;
        }
    }
    if (const auto v = m.value("pool_mode")) {
        if (const auto mode = r.choice(*v, "pool_mode", {"session", "transaction"})) {
            snap.pool_mode = *mode == "session" ? PoolMode::Session : PoolMode::Transaction;
        }
    }
    if (const auto v = m.value("users")) {
        read_users(r, *v, info, snap);
    }
    if (const auto v = m.value("domains_dir")) {
        if (auto s = r.non_empty_string(*v, "domains_dir")) {
            info.domains_dir = resolve_path(ctx.config_dir, *s);
            snap.domains_dir = *info.domains_dir;
        }
    }
    if (const auto v = m.value("allowed_functions")) {
        read_allowed_functions(r, *v, snap);
    }
    if (const auto v = m.value("policies")) {
        read_policies(r, *v, snap);
    }
    if (const auto v = m.value("limits")) {
        read_limits(r, *v, snap.limits);
    }
    if (const auto v = m.value("log_format")) {
        if (const auto f = r.choice(*v, "log_format", {"text", "json"})) {
            snap.log_format = *f == "json" ? LogFormat::Json : LogFormat::Text;
        }
    }
    if (const auto v = m.value("log_level")) {
        if (const auto l = r.choice(*v, "log_level", {"debug", "info", "warn", "error"})) {
            snap.log_level = *l;
        }
    }
    m.read_bool("watch", snap.watch);
    if (const auto v = m.value("jwt")) {
        read_jwt(r, *v, ctx, snap);
        if (!snap.listen.tls) {
            // Tokens arrive as the password; over plaintext they could be replayed by anyone
            // on the path.
            r.error(v->key_mark, "jwt: requires listen.tls (tokens are sent as the password)");
        }
    }
    return info;
}

}  // namespace meshgate::config
