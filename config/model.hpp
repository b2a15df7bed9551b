// The immutable configuration snapshot: listen, backends, users, domains, products, policies.
// Layer: config (pure data; built by config/load.cpp from YAML, read by policy/ and proxy/).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace meshgate::config {

/// Where a config value came from, for error messages and `explain` ("domains/sales.yaml:12:7").
struct SourceLocation {
    std::string file;
    int line = 0;    // 1-based; 0 = unknown
    int column = 0;  // 1-based
    std::string to_string() const;
};

/// `user:NAME`, `group:NAME`, `attr:KEY=VALUE`, `everyone`.
struct Principal {
    enum class Kind { User, Group, Attr, Everyone };
    Kind kind = Kind::Everyone;
    std::string name;   // user or group name, or attribute key
    std::string value;  // attribute value (Attr only)
    std::string to_string() const;
};

/// How a masked column is replaced; evaluated by the backend.
struct MaskSpec {
    enum class Kind { Null, Constant, Hash, Regex, Partial, Round, Truncate };
    Kind kind = Kind::Null;
    std::string constant;        // Constant: the literal text
    bool constant_is_null = false;
    int keep_first = 0;          // Partial
    int keep_last = 0;           // Partial
    std::string fill = "*";      // Partial
    std::string pattern;         // Regex
    std::string replace;         // Regex
    std::string round_step;      // Round: numeric literal text, validated at load
    std::string truncate_unit;   // Truncate: year | month | day | hour
    /// Strength for strongest-mask-wins: null > constant > hash > regex > partial > round/truncate.
    int strength() const;
    std::string describe() const;  // "hash", "partial(keep_last=4)", ...
};

/// A mask policy: on one column of a product (domain file) or on every column carrying any of
/// `tags` (global policy).
struct MaskPolicy {
    std::string name;
    std::string column;              // domain mask: the column; empty for a tag mask
    std::vector<std::string> tags;   // global mask: columns tagged with any of these
    MaskSpec with;
    std::vector<Principal> except;
    SourceLocation origin;           // the file that defined it
    bool global = false;
    std::string description;         // optional, for explain and mesh.policies
};

/// A row filter. `where` is kept exactly as written; the policy layer parses it and checks that
/// it references only the product's columns and allowed functions (SPEC §4).
struct RowFilter {
    std::string name;
    std::string where;
    std::vector<Principal> except;
    SourceLocation origin;
    SourceLocation where_origin;     // the `where:` value: errors in the expression point here
    std::string description;         // optional, for explain and mesh.policies
};

struct Access {
    std::vector<Principal> allow;
    std::vector<Principal> deny;
};

struct ColumnDecl {
    std::string name;
    std::string description;
    std::vector<std::string> tags;
};

/// A physical column as learned from the backend (name, type as `format_type` prints it).
struct Column {
    std::string name;
    std::string type;  // e.g. "text", "numeric(10,2)", "timestamp with time zone"
};

struct Product {
    std::string domain;
    std::string name;               // product name; address is domain + "." + name
    std::string source_schema;      // physical relation on the backend
    std::string source_relation;
    std::string description;
    bool expose_declared = false;   // expose: declared
    std::vector<ColumnDecl> columns;             // declared columns, in file order
    std::optional<Access> access;                // none: readable by nobody
    std::vector<std::string> purposes;           // empty: no purpose needed
    std::vector<RowFilter> row_filters;
    std::vector<MaskPolicy> masks;               // domain-file masks
    std::vector<std::string> tags;               // product-level tags
    /// Physical columns in the source's order, learned from the backend. Empty until learned;
    /// the policy engine refuses (fail closed) a product whose columns are unknown.
    std::vector<Column> physical_columns;
    /// Set by column learning when statements on this product must be refused although the
    /// configuration is valid: its source is missing, unreadable or unreachable, or no longer
    /// matches the declared columns, masks and row filters ("its source public.customers on
    /// backend sales_pg has no column phone (masked by hide-phone)"). Empty = usable. Reported
    /// by `meshgate check --live`, on /readyz and to clients (policy::unavailable_error).
    std::string unavailable;
    SourceLocation origin;

    std::string address() const { return domain + "." + name; }
    const ColumnDecl* declared(const std::string& column) const;
};

struct Domain {
    std::string name;
    std::string description;
    std::vector<Principal> owners;
    std::string backend;
    std::map<std::string, Product> products;
    SourceLocation origin;
};

enum class TlsMode { Disable, Prefer, Require, VerifyFull };

/// The mode as the config (and libpq's sslmode) spells it: disable, prefer, require, verify-full.
const char* tls_mode_name(TlsMode m);

struct Backend {
    std::string name;
    std::string host = "127.0.0.1";
    uint16_t port = 5432;
    std::string database;
    std::string user;
    std::string password;        // resolved from password_env / password_file / inline
    TlsMode tls = TlsMode::Prefer;
    std::string ca_file;         // for verify-full; empty = system store
    int pool_size = 20;
    int connect_timeout_ms = 5000;
};

/// An attribute value: a scalar or a list (`purposes: [fraud, marketing]`).
using AttributeValue = std::variant<std::string, std::vector<std::string>>;

struct User {
    std::string name;
    std::string password_verifier;   // "SCRAM-SHA-256$<iter>:<salt>$<StoredKey>:<ServerKey>"
    std::vector<std::string> groups;
    std::map<std::string, AttributeValue> attributes;
    std::vector<std::string> search_path;
    int max_connections = 0;         // 0 = no per-user limit
};

struct ListenTls {
    std::string cert_file;
    std::string key_file;
    std::string client_ca_file;
    bool require = false;
};

struct Listen {
    std::string host = "127.0.0.1";
    uint16_t port = 6432;
    std::optional<ListenTls> tls;
    int max_client_connections = 10000;
};

struct Admin {
    std::string host = "127.0.0.1";
    uint16_t port = 9187;
    bool enabled = true;
    /// `admin.health_check_interval_ms`: how often each backend is probed (a fresh login, then
    /// closed) for /readyz and the backend up/down log lines. Default 5 s; 100 .. 1 h.
    int health_check_interval_ms = 5000;
};

struct Audit {
    std::string path = "-";
    bool log_literals = false;
};

/// `limits:` (SPEC §9). Every key is optional; the defaults are safe for a production gate.
///   max_startup_packet    bytes of the StartupMessage (default 10000): larger -> 08P01, closed
///   max_message           bytes of one client message (default 64 MiB): a larger length field
///                         closes the session with 08P01 before anything is allocated
///   max_backend_message   bytes of one backend message (default 1 GiB)
///   auth_timeout_ms       startup + TLS + authentication (default 30 s): 57014, closed
///   idle_timeout_ms       between statements, outside a transaction too (default 0 = none):
///                         57P05, closed
///   statement_timeout_ms  one statement (default 0 = none): cancelled on the backend, 57014
///   drain_timeout_ms      SIGTERM: how long statements in flight may run before the remaining
///                         sessions get 57P01 (default 30 s; 0 = at once)
/// `listen.max_client_connections` (default 10000) and `users.<u>.max_connections` (default 0 =
/// none) refuse further logins with 53300; `backends.<b>.connect_timeout_ms` (default 5 s)
/// bounds a backend login and ends in 08001.
/// SQLSTATEs the client sees: startup packet too large 08P01; message too large 54000 (FATAL);
/// authentication timeout 57014 (FATAL); idle timeout 57P05 (FATAL); statement timeout 57014
/// (the backend statement is cancelled, the session stays); too many clients / sessions of the
/// user 53300; backend unreachable in time 08001; SIGTERM drain 57P01 (FATAL, idle sessions at
/// once, busy ones after their statement or at drain_timeout_ms); audit log not writable 58030
/// (the statement is refused, the session stays); a user removed from the configuration by a
/// reload: FATAL 28000 "user ... is no longer configured" at the session's next statement.
struct Limits {
    uint32_t max_startup_packet = 10000;          // bytes
    uint32_t max_message = 64u * 1024 * 1024;      // bytes, client messages
    uint32_t max_backend_message = 1024u * 1024 * 1024;
    int auth_timeout_ms = 30000;
    int idle_timeout_ms = 0;                       // 0 = none
    int statement_timeout_ms = 0;                  // 0 = none
    int drain_timeout_ms = 30000;                  // SIGTERM drain deadline
};

/// The daemon's own log on stderr (`log_format`, `log_level`).
enum class LogFormat { Text, Json };

enum class PoolMode { Session, Transaction };

/// `jwt:` (SPEC §5): bearer tokens sent as the password over TLS. Requires `listen.tls`.
struct Jwt {
    std::string jwks_file;                 // resolved against the config file's directory
    std::string issuer;
    std::string audience;
    std::string user_claim = "sub";
    std::string groups_claim = "groups";
};

struct Snapshot {
    uint64_t generation = 0;
    std::string config_file;
    Listen listen;
    Admin admin;
    Audit audit;
    Limits limits;
    std::string hash_key;                          // key of the keyed-hash mask (secret)
    std::map<std::string, Backend> backends;
    std::string catalog_backend;
    std::optional<std::string> federation_backend;
    /// Set by the federation sync (proxy/backend/federation_sync) when the federation backend
    /// could not be brought in step: why. Statements spanning backends are then refused with it.
    std::string federation_unavailable;
    PoolMode pool_mode = PoolMode::Session;
    std::map<std::string, User> users;
    std::map<std::string, Domain> domains;
    std::vector<std::string> allowed_functions;    // "schema.function"
    std::vector<MaskPolicy> global_masks;
    std::optional<Jwt> jwt;                        // none: JWT login disabled
    std::string domains_dir;                       // resolved; empty when not configured
    LogFormat log_format = LogFormat::Text;        // `log_format: text | json`
    std::string log_level;                         // `log_level:`; empty = default (info)
    /// `watch: true`: the config file and the domain files are polled (every second) and a
    /// change reloads like SIGHUP.
    bool watch = false;

    const Product* find_product(const std::string& domain, const std::string& product) const;
    Product* find_product_mut(const std::string& domain, const std::string& product);
};

using SnapshotPtr = std::shared_ptr<const Snapshot>;

}  // namespace meshgate::config
