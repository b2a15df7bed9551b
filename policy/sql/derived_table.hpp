// Replaces product RangeVars by their derived tables (SPEC §2): the per-user SELECT over the
// physical relation with masks and grafted row filters. Internal to policy/sql.
#pragma once

#include "common/error.hpp"
#include "config/model.hpp"
#include "policy/decision.hpp"
#include "policy/identity.hpp"
#include "policy/sql/pg_handles.hpp"
#include "policy/sql/query_walker.hpp"

#include <vector>

namespace meshgate::policy::sql {

/// Rewrites every ref in place: `(SELECT <cols/masks> FROM <source> meshgate_source WHERE
/// <filters AND-ed> [OFFSET 0]) AS <user alias or product name>(<user alias columns>)`.
/// All generated pieces are parsed in one libpg_query call and checked for their exact shape
/// before anything is grafted. Appends the masks and filters applied to `policies`.
/// `federated`: the statement runs on the federation backend, so each source is the relation
/// policy::federated_source names there (masks, filters and fences unchanged).
Result<void> install_derived_tables(std::vector<ProductRef>& refs, const Identity& who,
                                    const config::Snapshot& snap, bool fence,
                                    std::vector<AppliedPolicy>& policies, bool federated = false);

/// Turns `n` (a RangeVar node) into a RangeSubselect over `subquery` (taking ownership). The
/// RangeVar's alias (with its column list) moves to the derived table; unaliased, the derived
/// table takes the relation's name. Also used for the virtual catalog relations.
Result<void> replace_range_var(PgQuery__Node* n, NodePtr subquery);

}  // namespace meshgate::policy::sql
