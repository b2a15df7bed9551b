// The relations meshgate answers itself instead of the warehouse: the mesh catalog (`mesh.*`,
// SPEC §3) and the introspection relations BI tools and drivers read (information_schema
// schemata/tables/columns, pg_catalog pg_namespace/pg_class/pg_attribute/pg_description/
// pg_tables/pg_statistic_ext, and system-rows-only pg_views/pg_matviews/pg_indexes/
// pg_sequences/pg_stat_user_tables), built per caller from the policy snapshot. Layer: policy (pure).
#pragma once

#include "common/error.hpp"
#include "config/model.hpp"
#include "policy/catalog/catalog_table.hpp"
#include "policy/identity.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace meshgate::policy::catalog {

enum class VirtualRelation : int {
    MeshDomains,
    MeshProducts,
    MeshColumns,
    MeshPolicies,
    MeshWhoami,
    InfoSchemata,
    InfoTables,
    InfoColumns,
    PgNamespace,
    PgClass,
    PgAttribute,
    PgDescription,
    PgTables,
    PgStatisticExt,
    PgViews,           // only the views of pg_catalog / information_schema
    PgMatviews,        // empty: products are no materialized views
    PgIndexes,         // only the indexes of pg_catalog's own tables
    PgSequences,       // empty: a warehouse's sequences are named after its tables
    PgStatUserTables,  // empty: Metabase's sync joins it for row estimates
    // Values from kFirstSystemRelation on: the other pg_catalog / information_schema relations
    // that name objects in a warehouse's schemas (pg_type, pg_constraint, pg_proc, pg_index,
    // information_schema.views, ...): only their rows about pg_catalog / information_schema.
};

inline constexpr int kFirstSystemRelation = 1000;

/// The virtual relation `schema.relation` names (schema "mesh", "information_schema" or
/// "pg_catalog"), or nullopt. Every other name in `mesh` is unknown (42P01 for the resolver).
std::optional<VirtualRelation> find_virtual_relation(std::string_view schema,
                                                     std::string_view relation);

/// "mesh.products", "pg_catalog.pg_class", ...
std::string virtual_relation_name(VirtualRelation r);

/// The rows of `r` as `who` (with the session's purpose) sees them under `snap`.
Result<CatalogTable> build_virtual_relation(VirtualRelation r, const Identity& who,
                                            const config::Snapshot& snap);

// --- the builders (one per relation; also used by the unit tests) ---
CatalogTable mesh_domains(const Identity& who, const config::Snapshot& snap);
CatalogTable mesh_products(const Identity& who, const config::Snapshot& snap);
CatalogTable mesh_columns(const Identity& who, const config::Snapshot& snap);
CatalogTable mesh_policies(const Identity& who, const config::Snapshot& snap);
CatalogTable mesh_whoami(const Identity& who, const config::Snapshot& snap);
CatalogTable info_schemata(const Identity& who, const config::Snapshot& snap);
CatalogTable info_tables(const Identity& who, const config::Snapshot& snap);
CatalogTable info_columns(const Identity& who, const config::Snapshot& snap);
CatalogTable pg_namespace(const Identity& who, const config::Snapshot& snap);
CatalogTable pg_class(const Identity& who, const config::Snapshot& snap);
CatalogTable pg_attribute(const Identity& who, const config::Snapshot& snap);
CatalogTable pg_description(const Identity& who, const config::Snapshot& snap);
CatalogTable pg_tables(const Identity& who, const config::Snapshot& snap);
CatalogTable pg_statistic_ext(const Identity& who, const config::Snapshot& snap);
/// The relations that keep only pg_catalog / information_schema rows (or none).
CatalogTable system_only(VirtualRelation r);
/// The generated system-rows-only relation `schema.relation`, or nullopt.
std::optional<VirtualRelation> find_system_relation(std::string_view schema,
                                                    std::string_view relation);
std::string system_relation_name(VirtualRelation r);

/// Synthetic, stable OIDs for domains (as namespaces) and products (as relations): a hash of
/// the name in [0xF0000000, 0xFFFFFFFF], far above any OID a warehouse allocates, made unique
/// within the snapshot by probing in name order.
struct ObjectIds {
    std::map<std::string, uint32_t> namespaces;   // domain -> OID
    std::map<std::string, uint32_t> relations;    // domain.product -> OID
};
ObjectIds object_ids(const config::Snapshot& snap);

/// True for domains shown as schemas: not a name PostgreSQL or meshgate reserves (`pg_*`,
/// information_schema, mesh, public).
bool domain_is_listed(const std::string& domain);

/// True when `who` may read `product` now (access and the session's purpose, as decide judges).
bool accessible(const config::Product& product, const Identity& who);

/// The synthetic OIDs of the products `who` sees as tables whose names resolve unqualified along
/// the session's search_path (the first domain holding a name wins), for pg_table_is_visible.
std::vector<uint32_t> visible_relation_oids(const Identity& who, const config::Snapshot& snap);

/// The columns of `product` a reader sees (physical order; `expose: declared` hides the rest);
/// empty until the columns are learned.
std::vector<const config::Column*> exposed_columns(const config::Product& product);

}  // namespace meshgate::policy::catalog
