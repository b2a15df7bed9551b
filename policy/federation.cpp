// Federation names, plan and sync statements. Layer: policy (pure).
#include "policy/federation.hpp"

#include "policy/quote.hpp"
#include "policy/sha256.hpp"

#include <algorithm>
#include <map>
#include <set>

namespace meshgate::policy {

namespace {

constexpr size_t kKeptBytes = 46;      // + "_" + 16 hex = 63
constexpr size_t kDigestHex = 16;

std::string hex_digest(std::string_view text, size_t digits)
{
    const auto d = sha256(text);
    return to_hex(d.data(), d.size()).substr(0, digits);
}

bool has_nul(std::string_view s) { return s.find('\0') != std::string_view::npos; }

// Identifiers meshgate builds are checked for NUL before quoting, so quoting cannot fail.
std::string qi(std::string_view name)
{
    auto q = quote_identifier(name);
    return q ? *q : std::string("\"\"");
}

std::string ql(std::string_view text)
{
    auto q = quote_literal(text);
    return q ? *q : std::string("''");
}

// A type as format_type prints it, used as is in CREATE FOREIGN TABLE. format_type quotes what
// needs quoting; still, only a conservative character set is accepted (fail closed), and
// double quotes must pair up, so the text cannot end the column definition early.
bool plain_type_text(std::string_view t)
{
    if (t.empty()) {
        return false;
    }
    size_t quotes = 0;
    for (char c : t) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                        (c >= '0' && c <= '9') || c == '_' || c == ' ' || c == '(' || c == ')' ||
                        c == ',' || c == '.' || c == '[' || c == ']' || c == '"';
        if (!ok) {
            return false;
        }
        quotes += c == '"' ? 1 : 0;
    }
    return quotes % 2 == 0;
}

std::string comment_of(const std::string& signature) { return "meshgate:" + signature; }

}  // namespace

std::string fit_identifier(std::string_view name)
{
    if (name.size() <= kMaxIdentifierBytes) {
        return std::string(name);
    }
    size_t cut = kKeptBytes;
    // Do not split a UTF-8 sequence: back up over continuation bytes.
    while (cut > 0 && (static_cast<unsigned char>(name[cut]) & 0xC0) == 0x80) {
        --cut;
    }
    return std::string(name.substr(0, cut)) + "_" + hex_digest(name, kDigestHex);
}

std::string federation_server(std::string_view backend)
{
    return fit_identifier(std::string(kFederationPrefix) + std::string(backend));
}

std::string federation_schema(std::string_view backend) { return federation_server(backend); }

std::string foreign_table_name(std::string_view source_schema, std::string_view source_relation)
{
    return fit_identifier(std::string(source_schema) + "." + std::string(source_relation));
}

RelationName federated_source(const config::Snapshot& snap, const config::Domain& domain,
                              const config::Product& product)
{
    if (snap.federation_backend && domain.backend == *snap.federation_backend) {
        return {product.source_schema, product.source_relation};
    }
    return {federation_schema(domain.backend),
            foreign_table_name(product.source_schema, product.source_relation)};
}

Result<FederationPlan> plan_federation(const config::Snapshot& snap)
{
    if (!snap.federation_backend) {
        return make_error("0A000", "no federation_backend is configured");
    }
    FederationPlan plan;
    plan.backend = *snap.federation_backend;
    if (snap.backends.count(plan.backend) == 0) {
        return make_error("55000", "federation_backend \"" + plan.backend + "\" is not configured");
    }
    std::map<std::string, std::string> server_of_backend;   // backend -> server name
    std::map<std::string, size_t> table_index;              // schema + '\0' + name -> tables[i]
    for (const auto& [dname, domain] : snap.domains) {
        if (domain.backend == plan.backend || domain.products.empty()) {
            continue;
        }
        const auto b = snap.backends.find(domain.backend);
        if (b == snap.backends.end()) {
            return make_error("55000", "domain " + dname + ": backend \"" + domain.backend +
                                           "\" is not configured");
        }
        const config::Backend& backend = b->second;
        if (has_nul(backend.name) || has_nul(backend.host) || has_nul(backend.database) ||
            has_nul(backend.user) || has_nul(backend.password) || has_nul(backend.ca_file)) {
            return make_error("55000", "backend " + domain.backend +
                                           ": a connection setting holds a NUL byte");
        }
        const std::string server = federation_server(domain.backend);
        if (server_of_backend.emplace(domain.backend, server).second) {
            for (const auto& s : plan.servers) {
                if (s.name == server) {
                    return make_error("42710", "backends " + s.backend + " and " +
                                                   domain.backend +
                                                   " map to the same foreign server " + server);
                }
            }
            ForeignServerPlan s;
            s.name = server;
            s.backend = domain.backend;
            s.create_sql = "CREATE SERVER " + qi(server) +
                           " FOREIGN DATA WRAPPER postgres_fdw OPTIONS (host " + ql(backend.host) +
                           ", port " + ql(std::to_string(backend.port)) + ", dbname " +
                           ql(backend.database) + ", sslmode " + ql(config::tls_mode_name(backend.tls));
            if (backend.tls == config::TlsMode::VerifyFull && !backend.ca_file.empty()) {
                s.create_sql += ", sslrootcert " + ql(backend.ca_file);
            }
            s.create_sql += ", application_name 'meshgate federation', fetch_size '1000')";
            s.signature = hex_digest(s.create_sql, 32);
            s.mapping_sql = "CREATE USER MAPPING FOR CURRENT_USER SERVER " + qi(server) +
                            " OPTIONS (user " + ql(backend.user);
            if (!backend.password.empty()) {
                s.mapping_sql += ", password " + ql(backend.password);
            }
            s.mapping_sql += ")";
            plan.servers.push_back(std::move(s));
            plan.schemas.push_back(federation_schema(domain.backend));
        }
        for (const auto& [pname, product] : domain.products) {
            if (has_nul(product.source_schema) || has_nul(product.source_relation)) {
                return make_error("55000", "the source of data product " + product.address() +
                                               " has an unusable name");
            }
            if (product.physical_columns.empty()) {
                plan.notes.push_back("product " + product.address() +
                                     ": columns not known; no foreign table");
                continue;
            }
            const RelationName rel = federated_source(snap, domain, product);
            const std::string key = rel.schema + std::string(1, '\0') + rel.relation;
            const auto found = table_index.find(key);
            if (found != table_index.end()) {
                auto& t = plan.tables[found->second];
                if (t.remote_schema != product.source_schema ||
                    t.remote_relation != product.source_relation) {
                    return make_error("42710", "the sources of " + t.products.front() + " and " +
                                                   product.address() +
                                                   " map to the same foreign table " + rel.schema +
                                                   "." + rel.relation);
                }
                t.products.push_back(product.address());
                continue;
            }
            ForeignTablePlan t;
            t.schema = rel.schema;
            t.name = rel.relation;
            t.server = server;
            t.backend = domain.backend;
            t.remote_schema = product.source_schema;
            t.remote_relation = product.source_relation;
            t.columns = product.physical_columns;
            t.products.push_back(product.address());
            std::string cols;
            bool usable = true;
            for (const auto& c : t.columns) {
                if (has_nul(c.name) || c.name.empty() || !plain_type_text(c.type)) {
                    usable = false;
                    break;
                }
                cols += (cols.empty() ? "" : ", ") + qi(c.name) + " " + c.type;
            }
            if (!usable) {
                plan.notes.push_back("product " + product.address() +
                                     ": a column name or type cannot be declared on the "
                                     "federation backend; no foreign table");
                continue;
            }
            t.create_sql = "CREATE FOREIGN TABLE " + qi(t.schema) + "." + qi(t.name) + " (" + cols +
                           ") SERVER " + qi(server) + " OPTIONS (schema_name " +
                           ql(t.remote_schema) + ", table_name " + ql(t.remote_relation) + ")";
            t.signature = hex_digest(t.create_sql, 32);
            table_index.emplace(key, plan.tables.size());
            plan.tables.push_back(std::move(t));
        }
    }
    return plan;
}

Result<std::vector<SyncStatement>> sync_statements(const FederationPlan& plan,
                                                   const FederationState& state)
{
    std::vector<SyncStatement> out;
    std::map<std::string, const ForeignServerPlan*> planned_servers;
    for (const auto& s : plan.servers) {
        planned_servers.emplace(s.name, &s);
    }
    std::set<std::string> planned_schemas(plan.schemas.begin(), plan.schemas.end());
    std::set<std::string> existing_servers;
    std::set<std::string> existing_schemas(state.schemas.begin(), state.schemas.end());
    std::set<std::string> dropped_schemas;

    // 1. Servers not planned or whose definition changed: dropped with everything on them, and
    //    their schema with them (its foreign tables use that server).
    for (const auto& s : state.servers) {
        const auto p = planned_servers.find(s.name);
        if (p != planned_servers.end() && s.comment == comment_of(p->second->signature)) {
            existing_servers.insert(s.name);
            continue;
        }
        out.push_back({"DROP SERVER IF EXISTS " + qi(s.name) + " CASCADE",
                       p == planned_servers.end()
                           ? "dropped foreign server " + s.name + " (backend no longer federated)"
                           : "dropped foreign server " + s.name + " (its definition changed)"});
        if (existing_schemas.count(s.name) != 0) {
            out.push_back({"DROP SCHEMA IF EXISTS " + qi(s.name) + " CASCADE", ""});
            existing_schemas.erase(s.name);
            dropped_schemas.insert(s.name);
        }
    }
    // 2. Schemas not planned.
    for (const auto& n : state.schemas) {
        if (planned_schemas.count(n) == 0 && existing_schemas.count(n) != 0) {
            out.push_back({"DROP SCHEMA IF EXISTS " + qi(n) + " CASCADE",
                           "dropped schema " + n + " (backend no longer federated)"});
            existing_schemas.erase(n);
            dropped_schemas.insert(n);
        }
    }
    // 3. Servers and user mappings (mappings afresh: the password may have changed).
    for (const auto& s : plan.servers) {
        if (existing_servers.count(s.name) == 0) {
            out.push_back({s.create_sql, "created foreign server " + s.name + " for backend " +
                                             s.backend});
            out.push_back({"COMMENT ON SERVER " + qi(s.name) + " IS " +
                               ql(comment_of(s.signature)),
                           ""});
        }
        out.push_back({"DROP USER MAPPING IF EXISTS FOR CURRENT_USER SERVER " + qi(s.name), ""});
        out.push_back({s.mapping_sql, ""});
    }
    // 4. Schemas.
    for (const auto& n : plan.schemas) {
        if (existing_schemas.count(n) == 0) {
            out.push_back({"CREATE SCHEMA " + qi(n), "created schema " + n});
        }
    }
    // 5. Foreign tables: drop what is gone or changed, create what is new or changed.
    std::map<std::string, const ForeignTablePlan*> planned_tables;
    for (const auto& t : plan.tables) {
        planned_tables.emplace(t.schema + std::string(1, '\0') + t.name, &t);
    }
    std::set<std::string> kept;
    for (const auto& t : state.tables) {
        if (dropped_schemas.count(t.schema) != 0 || existing_schemas.count(t.schema) == 0) {
            continue;
        }
        if (t.kind != 'f') {
            return make_error("55000", "schema " + t.schema + " on the federation backend holds " +
                                           t.name +
                                           ", which is not a foreign table meshgate created; "
                                           "move it out of the schema");
        }
        const std::string key = t.schema + std::string(1, '\0') + t.name;
        const auto p = planned_tables.find(key);
        if (p != planned_tables.end() && t.comment == comment_of(p->second->signature)) {
            kept.insert(key);
            continue;
        }
        out.push_back({"DROP FOREIGN TABLE IF EXISTS " + qi(t.schema) + "." + qi(t.name),
                       p == planned_tables.end()
                           ? "dropped foreign table " + t.schema + "." + t.name
                           : "dropped foreign table " + t.schema + "." + t.name +
                                 " (its columns or source changed)"});
    }
    for (const auto& t : plan.tables) {
        const std::string key = t.schema + std::string(1, '\0') + t.name;
        if (kept.count(key) != 0) {
            continue;
        }
        std::string products;
        for (const auto& a : t.products) {
            products += (products.empty() ? "" : ", ") + a;
        }
        out.push_back({t.create_sql, "created foreign table " + t.schema + "." + t.name + " for " +
                                         products});
        out.push_back({"COMMENT ON FOREIGN TABLE " + qi(t.schema) + "." + qi(t.name) + " IS " +
                           ql(comment_of(t.signature)),
                       ""});
    }
    return out;
}

std::string federation_state_query()
{
    static const std::string me =
        "(SELECT r.oid FROM pg_catalog.pg_roles r WHERE r.rolname = CURRENT_USER)";
    return "SELECT 's', NULL, s.srvname::text, NULL, "
           "COALESCE(pg_catalog.obj_description(s.oid, 'pg_foreign_server'), '') "
           "FROM pg_catalog.pg_foreign_server s WHERE s.srvowner = " +
           me +
           " AND pg_catalog.starts_with(s.srvname::text, 'meshgate_') "
           "UNION ALL "
           "SELECT 'n', n.nspname::text, NULL, NULL, '' FROM pg_catalog.pg_namespace n "
           "WHERE n.nspowner = " +
           me +
           " AND pg_catalog.starts_with(n.nspname::text, 'meshgate_') "
           "UNION ALL "
           "SELECT 't', n.nspname::text, c.relname::text, c.relkind::text, "
           "COALESCE(pg_catalog.obj_description(c.oid, 'pg_class'), '') "
           "FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
           "WHERE n.nspowner = " +
           me +
           " AND pg_catalog.starts_with(n.nspname::text, 'meshgate_') "
           "AND c.relkind IN ('r', 'v', 'm', 'f', 'p')";
}

std::string federation_extension_query()
{
    return "SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_extension WHERE extname = 'postgres_fdw'), "
           "CASE WHEN EXISTS (SELECT 1 FROM pg_catalog.pg_foreign_data_wrapper "
           "WHERE fdwname = 'postgres_fdw') THEN "
           "pg_catalog.has_foreign_data_wrapper_privilege('postgres_fdw', 'USAGE') END, "
           "pg_catalog.has_database_privilege(pg_catalog.current_database(), 'CREATE')";
}

FederationState federation_state_from_rows(const std::vector<std::vector<std::string>>& rows)
{
    FederationState st;
    for (const auto& r : rows) {
        if (r.size() != 5) {
            continue;
        }
        if (r[0] == "s") {
            st.servers.push_back({r[2], r[4]});
        } else if (r[0] == "n") {
            st.schemas.push_back(r[1]);
        } else if (r[0] == "t") {
            st.tables.push_back({r[1], r[2], r[3].empty() ? '?' : r[3][0], r[4]});
        }
    }
    return st;
}

}  // namespace meshgate::policy
