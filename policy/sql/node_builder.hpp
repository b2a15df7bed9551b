// Builders of the few parse nodes the rewriter makes by hand (derived-table skeletons). Every
// node is malloc memory owned by a NodePtr until it is attached to a tree. Layer: policy/sql.
#pragma once

#include "policy/sql/pg_handles.hpp"

#include <string_view>
#include <vector>

namespace meshgate::policy::sql {

/// `"name"` as a String node.
NodePtr make_string(std::string_view s);
/// A one-field ColumnRef (`col`).
NodePtr make_column_ref(std::string_view column);
/// A ResTarget `val AS name` (`name` empty: no AS). Takes `val`.
NodePtr make_res_target(std::string_view name, NodePtr val);
/// A RangeVar `schema.relation alias` (`schema` may be empty).
NodePtr make_range_var(std::string_view schema, std::string_view relation, std::string_view alias);
/// An integer A_Const.
NodePtr make_int_const(int32_t value);
/// `SELECT <targets> FROM <from> [WHERE where] [OFFSET 0]`. Takes every node; nullptr on OOM.
NodePtr make_select(std::vector<NodePtr> targets, NodePtr from, NodePtr where, bool offset_zero);
/// malloc'd array holding the released nodes; nullptr on OOM (the nodes are then freed).
PgQuery__Node** release_array(std::vector<NodePtr>& nodes);

}  // namespace meshgate::policy::sql
