// The mesh catalog relations (mesh.domains, products, columns, policies, whoami) and what they
// share with the introspection relations. Layer: policy (pure).
#include "policy/catalog/virtual_relation.hpp"

#include "policy/access_check.hpp"
#include "policy/principal_match.hpp"
#include "policy/product_view.hpp"

#include <algorithm>
#include <set>

namespace meshgate::policy::catalog {

namespace {

const std::string kText = "pg_catalog.text";
const std::string kTextArray = "pg_catalog.text[]";
const std::string kBool = "pg_catalog.bool";

Cell text_or_null(const std::string& s) { return s.empty() ? Cell::null() : Cell::lit(s); }

std::vector<std::string> principals(const std::vector<config::Principal>& list)
{
    std::vector<std::string> out;
    for (const auto& p : list) {
        out.push_back(p.to_string());
    }
    return out;
}

// The kind of a mask, never its parameters: a constant, a pattern or the hash key stays out of
// what a client can read.
std::string mask_kind(const config::MaskSpec& m)
{
    using K = config::MaskSpec::Kind;
    switch (m.kind) {
    case K::Null:
        return "null";
    case K::Constant:
        return "constant";
    case K::Hash:
        return "hash";
    case K::Regex:
        return "regex";
    case K::Partial:
        return "partial";
    case K::Round:
        return "round";
    case K::Truncate:
        return "truncate";
    }
    return "mask";
}

bool mask_touches(const config::MaskPolicy& m, const config::Product& p)
{
    if (!m.column.empty()) {
        return true;  // a domain mask names a column of its own product
    }
    for (const auto& decl : p.columns) {
        for (const auto& t : decl.tags) {
            if (std::find(m.tags.begin(), m.tags.end(), t) != m.tags.end()) {
                return true;
            }
        }
    }
    return false;
}

}  // namespace

bool domain_is_listed(const std::string& d)
{
    return d.rfind("pg_", 0) != 0 && d != "information_schema" && d != "mesh" && d != "public";
}

bool accessible(const config::Product& product, const Identity& who)
{
    return bool(check_access(product, who));
}

std::vector<const config::Column*> exposed_columns(const config::Product& product)
{
    std::vector<const config::Column*> out;
    for (const auto& c : product.physical_columns) {
        if (!product.expose_declared || product.declared(c.name) != nullptr) {
            out.push_back(&c);
        }
    }
    return out;
}

CatalogTable mesh_domains(const Identity&, const config::Snapshot& snap)
{
    CatalogTable t;
    t.columns = {{"domain", kText}, {"description", kText}, {"owners", kTextArray},
                 {"backend", kText}};
    for (const auto& [name, d] : snap.domains) {
        t.rows.push_back({Cell::lit(name), text_or_null(d.description),
                          Cell::array(principals(d.owners)), Cell::lit(d.backend)});
    }
    return t;
}

CatalogTable mesh_products(const Identity& who, const config::Snapshot& snap)
{
    CatalogTable t;
    t.columns = {{"domain", kText},     {"product", kText},     {"address", kText},
                 {"description", kText}, {"owners", kTextArray}, {"tags", kTextArray},
                 {"purposes", kTextArray}, {"accessible", kBool}};
    for (const auto& [dname, d] : snap.domains) {
        for (const auto& [pname, p] : d.products) {
            t.rows.push_back({Cell::lit(dname), Cell::lit(pname), Cell::lit(p.address()),
                              text_or_null(p.description), Cell::array(principals(d.owners)),
                              Cell::array(p.tags), Cell::array(p.purposes),
                              Cell::boolean(accessible(p, who))});
        }
    }
    return t;
}

CatalogTable mesh_columns(const Identity& who, const config::Snapshot& snap)
{
    CatalogTable t;
    t.columns = {{"domain", kText},      {"product", kText}, {"column_name", kText},
                 {"data_type", kText},   {"tags", kTextArray}, {"masked", kBool},
                 {"mask", kText}};
    for (const auto& [dname, d] : snap.domains) {
        for (const auto& [pname, p] : d.products) {
            // Learned columns in physical order; before learning, the declared ones (untyped).
            std::vector<std::pair<std::string, std::string>> cols;
            if (!p.physical_columns.empty()) {
                for (const auto* c : exposed_columns(p)) {
                    cols.emplace_back(c->name, c->type);
                }
            } else {
                for (const auto& decl : p.columns) {
                    cols.emplace_back(decl.name, "");
                }
            }
            for (const auto& [cname, type] : cols) {
                const auto* decl = p.declared(cname);
                const auto* mask = winning_mask(p, cname, who, snap);
                t.rows.push_back({Cell::lit(dname), Cell::lit(pname), Cell::lit(cname),
                                  text_or_null(type),
                                  Cell::array(decl != nullptr ? decl->tags
                                                              : std::vector<std::string>{}),
                                  Cell::boolean(mask != nullptr),
                                  mask != nullptr ? Cell::lit(mask_kind(mask->with))
                                                  : Cell::null()});
            }
        }
    }
    return t;
}

CatalogTable mesh_policies(const Identity& who, const config::Snapshot& snap)
{
    CatalogTable t;
    t.columns = {{"domain", kText}, {"product", kText}, {"policy", kText}, {"kind", kText},
                 {"applies_to_me", kBool}};
    for (const auto& [dname, d] : snap.domains) {
        for (const auto& [pname, p] : d.products) {
            // clang 14 cannot capture structured bindings in a lambda (the ASan build).
            const std::string& domain_name = dname;
            const std::string& product_name = pname;
            auto row = [&](const std::string& policy, const std::string& kind, bool applies) {
                t.rows.push_back({Cell::lit(domain_name), Cell::lit(product_name), Cell::lit(policy),
                                  Cell::lit(kind), Cell::boolean(applies)});
            };
            // Access and purposes bind every reader.
            row("access", "access", true);
            if (!p.purposes.empty()) {
                row("purposes", "purpose", true);
            }
            for (const auto& f : p.row_filters) {
                row(f.name, "row_filter", first_match(f.except, who) == nullptr);
            }
            for (const auto& m : p.masks) {
                row(m.name, "mask", first_match(m.except, who) == nullptr);
            }
            for (const auto& m : snap.global_masks) {
                if (mask_touches(m, p)) {
                    row(m.name, "mask", first_match(m.except, who) == nullptr);
                }
            }
        }
    }
    return t;
}

CatalogTable mesh_whoami(const Identity& who, const config::Snapshot&)
{
    CatalogTable t;
    t.columns = {{"user_name", kText}, {"groups", kTextArray}, {"attributes", "pg_catalog.jsonb"},
                 {"purpose", kText}};
    std::string json = "{";
    for (const auto& [name, value] : who.attributes) {
        json += json.size() > 1 ? ", " : "";
        json += Cell::json_string(name) + ": ";
        if (const auto* s = std::get_if<std::string>(&value)) {
            json += Cell::json_string(*s);
        } else {
            std::string list;
            for (const auto& v : std::get<std::vector<std::string>>(value)) {
                list += list.empty() ? Cell::json_string(v) : ", " + Cell::json_string(v);
            }
            json += "[" + list + "]";
        }
    }
    json += "}";
    t.rows.push_back({Cell::lit(who.user), Cell::array(who.groups), Cell::lit(json),
                      who.purpose ? Cell::lit(*who.purpose) : Cell::null()});
    return t;
}

ObjectIds object_ids(const config::Snapshot& snap)
{
    ObjectIds ids;
    std::set<uint32_t> used;
    auto assign = [&used](std::string_view key) {
        uint32_t h = 2166136261u;  // FNV-1a: stable across processes and builds
        for (unsigned char c : key) {
            h = (h ^ c) * 16777619u;
        }
        uint32_t oid = 0xF0000000u | (h & 0x0FFFFFFFu);
        while (!used.insert(oid).second) {
            oid = 0xF0000000u | ((oid + 1) & 0x0FFFFFFFu);
        }
        return oid;
    };
    for (const auto& [dname, d] : snap.domains) {
        ids.namespaces[dname] = assign("n:" + dname);
        for (const auto& [pname, p] : d.products) {
            ids.relations[p.address()] = assign("r:" + p.address());
        }
    }
    return ids;
}

std::optional<VirtualRelation> find_virtual_relation(std::string_view schema,
                                                     std::string_view rel)
{
    using V = VirtualRelation;
    struct Entry {
        std::string_view schema, relation;
        V which;
    };
    static constexpr Entry kAll[] = {
        {"mesh", "domains", V::MeshDomains},
        {"mesh", "products", V::MeshProducts},
        {"mesh", "columns", V::MeshColumns},
        {"mesh", "policies", V::MeshPolicies},
        {"mesh", "whoami", V::MeshWhoami},
        {"information_schema", "schemata", V::InfoSchemata},
        {"information_schema", "tables", V::InfoTables},
        {"information_schema", "columns", V::InfoColumns},
        {"pg_catalog", "pg_namespace", V::PgNamespace},
        {"pg_catalog", "pg_class", V::PgClass},
        {"pg_catalog", "pg_attribute", V::PgAttribute},
        {"pg_catalog", "pg_description", V::PgDescription},
        {"pg_catalog", "pg_tables", V::PgTables},
        {"pg_catalog", "pg_statistic_ext", V::PgStatisticExt},
        {"pg_catalog", "pg_views", V::PgViews},
        {"pg_catalog", "pg_matviews", V::PgMatviews},
        {"pg_catalog", "pg_indexes", V::PgIndexes},
        {"pg_catalog", "pg_sequences", V::PgSequences},
        {"pg_catalog", "pg_stat_user_tables", V::PgStatUserTables},
    };
    for (const auto& e : kAll) {
        if (e.schema == schema && e.relation == rel) {
            return e.which;
        }
    }
    return find_system_relation(schema, rel);
}

std::string virtual_relation_name(VirtualRelation r)
{
    using V = VirtualRelation;
    switch (r) {
    case V::MeshDomains: return "mesh.domains";
    case V::MeshProducts: return "mesh.products";
    case V::MeshColumns: return "mesh.columns";
    case V::MeshPolicies: return "mesh.policies";
    case V::MeshWhoami: return "mesh.whoami";
    case V::InfoSchemata: return "information_schema.schemata";
    case V::InfoTables: return "information_schema.tables";
    case V::InfoColumns: return "information_schema.columns";
    case V::PgNamespace: return "pg_catalog.pg_namespace";
    case V::PgClass: return "pg_catalog.pg_class";
    case V::PgAttribute: return "pg_catalog.pg_attribute";
    case V::PgDescription: return "pg_catalog.pg_description";
    case V::PgTables: return "pg_catalog.pg_tables";
    case V::PgStatisticExt: return "pg_catalog.pg_statistic_ext";
    case V::PgViews: return "pg_catalog.pg_views";
    case V::PgMatviews: return "pg_catalog.pg_matviews";
    case V::PgIndexes: return "pg_catalog.pg_indexes";
    case V::PgSequences: return "pg_catalog.pg_sequences";
    case V::PgStatUserTables: return "pg_catalog.pg_stat_user_tables";
    }
    return system_relation_name(r);
}

Result<CatalogTable> build_virtual_relation(VirtualRelation r, const Identity& who,
                                            const config::Snapshot& snap)
{
    using V = VirtualRelation;
    switch (r) {
    case V::MeshDomains: return mesh_domains(who, snap);
    case V::MeshProducts: return mesh_products(who, snap);
    case V::MeshColumns: return mesh_columns(who, snap);
    case V::MeshPolicies: return mesh_policies(who, snap);
    case V::MeshWhoami: return mesh_whoami(who, snap);
    case V::InfoSchemata: return info_schemata(who, snap);
    case V::InfoTables: return info_tables(who, snap);
    case V::InfoColumns: return info_columns(who, snap);
    case V::PgNamespace: return pg_namespace(who, snap);
    case V::PgClass: return pg_class(who, snap);
    case V::PgAttribute: return pg_attribute(who, snap);
    case V::PgDescription: return pg_description(who, snap);
    case V::PgTables: return pg_tables(who, snap);
    case V::PgStatisticExt: return pg_statistic_ext(who, snap);
    case V::PgViews:
    case V::PgMatviews:
    case V::PgIndexes:
    case V::PgSequences:
    case V::PgStatUserTables:
        return system_only(r);
    }
    if (int(r) >= kFirstSystemRelation && system_relation_name(r) != "virtual relation") {
        return system_only(r);
    }
    // Fail closed: a relation listed but not built is refused, never forwarded.
    return make_error("0A000", "meshgate cannot answer " + virtual_relation_name(r));
}

}  // namespace meshgate::policy::catalog
