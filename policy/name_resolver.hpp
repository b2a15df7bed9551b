// Resolution of a relation name written in a query to a data product, a system catalog relation
// or nothing (SPEC §3 Addressing and Catalog). Layer: policy (pure).
#pragma once

#include "common/error.hpp"
#include "config/model.hpp"
#include "policy/catalog/virtual_relation.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace meshgate::policy {

/// A relation name as the parser produced it (unquoted parts already folded to lower case).
struct RelationName {
    std::string_view catalog;
    std::string_view schema;
    std::string_view relation;
    int position = 0;  // 1-based position in the client's text, 0 = unknown
};

/// What a relation name stands for.
struct ResolvedRelation {
    enum class Kind { Product, SystemCatalog, Virtual };
    Kind kind = Kind::Product;
    /// Virtual: a relation meshgate answers itself from the snapshot (mesh catalog, BI-tool
    /// introspection); the rewriter replaces it by its VALUES derived table.
    catalog::VirtualRelation virtual_relation = catalog::VirtualRelation::MeshProducts;
    const config::Product* product = nullptr;  // Product
    const config::Domain* domain = nullptr;    // Product
    /// SystemCatalog given without a schema: the rewriter qualifies it with pg_catalog so the
    /// backend cannot resolve it to a same-named physical table elsewhere on its search_path.
    bool qualify_pg_catalog = false;
};

/// `domain.product` -> that product; unqualified -> first domain of `search_path` holding it
/// (after `pg_*` names, which are pg_catalog's as in PostgreSQL); `pg_catalog.*` and
/// `information_schema.*` -> Virtual for the relations meshgate answers itself (see
/// catalog::find_virtual_relation), else SystemCatalog unless sensitive (42501); `mesh.*` ->
/// Virtual, an unknown `mesh.*` name 42P01; an unqualified name found in a `mesh` entry of the
/// search_path -> Virtual; anything else, including every physical name -> 42P01
/// `data product "x.y" does not exist`.
Result<ResolvedRelation> resolve_relation(const RelationName& name,
                                          const std::vector<std::string>& search_path,
                                          const config::Snapshot& snap);

/// True for catalog relations that leak data or other sessions' statements (pg_statistic,
/// pg_stats*, pg_stat_*, pg_statio_*, pg_authid, pg_shadow, pg_user, pg_user_mapping*, ...).
bool is_sensitive_catalog_relation(std::string_view schema, std::string_view relation);

}  // namespace meshgate::policy
