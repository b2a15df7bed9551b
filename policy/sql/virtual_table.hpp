// Replaces references to virtual relations (the mesh catalog, BI-tool introspection) by their
// inline VALUES derived tables. Internal to policy/sql.
#pragma once

#include "common/error.hpp"
#include "config/model.hpp"
#include "policy/catalog/virtual_relation.hpp"
#include "policy/identity.hpp"
#include "policy/sql/pg_handles.hpp"

#include <vector>

namespace meshgate::policy::sql {

/// A RangeVar that names a virtual relation.
struct VirtualRef {
    PgQuery__Node* node = nullptr;
    catalog::VirtualRelation which = catalog::VirtualRelation::MeshProducts;
};

/// Rewrites every ref in place into `(<the relation's SELECT>) AS <user alias or relation
/// name>(<user alias columns>)`. The SELECTs are text meshgate renders from the snapshot (every
/// value a quoted literal), parsed in one libpg_query call; each must come back as exactly one
/// SELECT, else nothing is grafted (fail closed).
Result<void> install_virtual_tables(std::vector<VirtualRef>& refs, const Identity& who,
                                    const config::Snapshot& snap);

}  // namespace meshgate::policy::sql
