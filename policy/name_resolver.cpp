// Relation name resolution. Layer: policy (pure).
#include "policy/name_resolver.hpp"

#include <array>

namespace meshgate::policy {

namespace {

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

std::string written(const RelationName& n)
{
    std::string out;
    for (auto part : {n.catalog, n.schema}) {
        if (!part.empty()) {
            out += std::string(part) + ".";
        }
    }
    return out + std::string(n.relation);
}

Error not_found(const RelationName& n)
{
    // The same message for a physical table that exists and one that does not: never reveal which.
    return make_error("42P01", "data product \"" + written(n) + "\" does not exist", n.position);
}

ResolvedRelation virtual_relation(catalog::VirtualRelation which)
{
    ResolvedRelation r;
    r.kind = ResolvedRelation::Kind::Virtual;
    r.virtual_relation = which;
    return r;
}

Result<ResolvedRelation> system_relation(const RelationName& n, std::string_view schema, bool qualify)
{
    // Checked before sensitivity: pg_statistic_ext is answered (empty), never forwarded.
    if (auto v = catalog::find_virtual_relation(schema, n.relation)) {
        return virtual_relation(*v);
    }
    if (is_sensitive_catalog_relation(schema, n.relation)) {
        return make_error("42501",
                          "permission denied for relation " + std::string(schema) + "." +
                              std::string(n.relation) +
                              " (it can expose stored data or other sessions' statements)",
                          n.position);
    }
    ResolvedRelation r;
    r.kind = ResolvedRelation::Kind::SystemCatalog;
    r.qualify_pg_catalog = qualify;
    return r;
}

Result<ResolvedRelation> product_in(const RelationName& n, const config::Snapshot& snap,
                                    std::string_view domain)
{
    const auto d = snap.domains.find(std::string(domain));
    if (d == snap.domains.end()) {
        return not_found(n);
    }
    const auto p = d->second.products.find(std::string(n.relation));
    if (p == d->second.products.end()) {
        return not_found(n);
    }
    ResolvedRelation r;
    r.kind = ResolvedRelation::Kind::Product;
    r.product = &p->second;
    r.domain = &d->second;
    return r;
}

}  // namespace

bool is_sensitive_catalog_relation(std::string_view schema, std::string_view rel)
{
    if (schema == "information_schema") {
        // user_mapping_options shows FDW options (passwords) to mapping owners.
        return starts_with(rel, "user_mapping");
    }
    static constexpr std::array<std::string_view, 8> kPrefixes = {
        "pg_stat",         // pg_statistic*, pg_stats*, pg_stat_* (activity, statements), pg_statio_*
        "pg_largeobject",  // large object contents
        "pg_user_mapping", // pg_user_mapping(s): FDW credentials
        "pg_authid",       "pg_shadow", "pg_hba_file_rules", "pg_ident_file_mappings",
        "pg_file_settings"};
    for (auto p : kPrefixes) {
        if (starts_with(rel, p)) {
            return true;
        }
    }
    // pg_prepared_statements / pg_cursors show the rewritten SQL (policy expressions and the
    // keyed-hash key material); pg_db_role_setting the service account's settings.
    return rel == "pg_user" || rel == "pg_seclabel" || rel == "pg_seclabels" ||
           rel == "pg_shseclabel" || rel == "pg_prepared_statements" || rel == "pg_cursors" ||
           rel == "pg_db_role_setting";
}

Result<ResolvedRelation> resolve_relation(const RelationName& n,
                                          const std::vector<std::string>& search_path,
                                          const config::Snapshot& snap)
{
    if (!n.catalog.empty()) {
        return not_found(n);
    }
    if (n.schema == "pg_catalog" || n.schema == "information_schema") {
        return system_relation(n, n.schema, false);
    }
    if (n.schema == "mesh") {
        if (auto v = catalog::find_virtual_relation("mesh", n.relation)) {
            return virtual_relation(*v);
        }
        return make_error("42P01", "relation \"mesh." + std::string(n.relation) +
                                       "\" does not exist in the mesh catalog",
                          n.position);
    }
    if (!n.schema.empty()) {
        return product_in(n, snap, n.schema);
    }
    // PostgreSQL searches pg_catalog before the search_path; every pg_* relation lives there.
    if (starts_with(n.relation, "pg_")) {
        return system_relation(n, "pg_catalog", true);
    }
    for (const auto& domain : search_path) {
        if (domain == "mesh") {
            // `SET search_path TO mesh` makes the catalog relations addressable unqualified.
            if (auto v = catalog::find_virtual_relation("mesh", n.relation)) {
                return virtual_relation(*v);
            }
            continue;
        }
        auto r = product_in(n, snap, domain);
        if (r) {
            return r;
        }
    }
    return not_found(n);
}

}  // namespace meshgate::policy
