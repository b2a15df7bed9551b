// The fail-closed walk over one statement's parse tree: every node kind is explicitly allowed or
// refused, relations are resolved, functions checked, product references collected for the
// rewrite. Internal to policy/sql (uses libpg_query types).
#pragma once

#include "common/error.hpp"
#include "config/model.hpp"
#include "policy/identity.hpp"
#include "policy/sql/pg_handles.hpp"
#include "policy/sql/virtual_table.hpp"

#include <string>
#include <unordered_set>
#include <vector>

namespace meshgate::policy::sql {

/// A product reference found in the tree: the RangeVar node that becomes a derived table.
struct ProductRef {
    PgQuery__Node* node = nullptr;
    const config::Product* product = nullptr;
    const config::Domain* domain = nullptr;
};

class QueryWalker {
public:
    enum class Mode {
        Query,      // a client statement: SELECT family only
        RowFilter,  // a row filter expression: columns, constants, allowed functions, no subquery
    };

    QueryWalker(Mode mode, const Identity& who, const config::Snapshot& snap)
        : mode_(mode), who_(who), snap_(snap)
    {
    }

    /// Walks `n` and everything below it. The first refusal stops the walk.
    Result<void> walk_node(PgQuery__Node* n);
    Result<void> walk_message(ProtobufCMessage* m);

    /// Product references in tree order.
    std::vector<ProductRef>& refs() { return refs_; }
    /// Virtual relation references (mesh catalog, introspection) in tree order.
    std::vector<VirtualRef>& virtual_refs() { return virtual_refs_; }
    /// True when the walk changed the tree itself (qualified a pg_catalog name).
    bool tree_changed() const { return tree_changed_; }
    /// True unless every expression of the statement is provably leakproof (see fence.cpp for
    /// the exact rule): then row-filtered derived tables get an OFFSET 0 fence so the backend
    /// cannot evaluate a user expression on rows a row filter removes. Call after the walk;
    /// uses the product references (column types, the user's masks).
    bool needs_fence() const;
    /// Row filters only: the column names referenced.
    const std::vector<std::string>& columns() const { return columns_; }

private:
    // One handler per node kind that needs more than the generic walk (one file each).
    Result<void> on_select(PgQuery__SelectStmt* s);
    Result<void> on_with(PgQuery__WithClause* w);
    Result<void> on_range_var(PgQuery__Node* n);
    // catalog_function.cpp: obj_description / col_description / pg_table_is_visible /
    // current_schema(s) calls (and the CURRENT_SCHEMA keyword)
    // become expressions over the virtual catalog relations (before the node is walked).
    Result<void> rewrite_catalog_function(PgQuery__Node* n);
    // reg* casts and OID / object-name introspection calls (policy/oid_guard.hpp): physical
    // objects' OIDs and names never reach the backend's name output or lookups.
    Result<void> rewrite_reg_cast(PgQuery__Node* n);
    Result<void> guard_object_call(PgQuery__Node* n, std::string_view name);
    Result<void> answer_privilege(PgQuery__Node* n, std::string_view name, size_t index);
    // `reg-typed expression OP 'untyped literal'` (and IN lists): the literal becomes a cast.
    Result<void> type_reg_literals(PgQuery__Node* n);
    // `alias.tableoid` of a virtual pg_catalog relation becomes the catalog's OID constant.
    Result<void> rewrite_tableoid(PgQuery__SelectStmt* s);
    void note_generated_calls(ProtobufCMessage* m, int depth = 0);
    Result<std::string> search_path_expression(bool first_only) const;
    Result<void> on_func_call(PgQuery__FuncCall* f);
    Result<void> on_type_name(PgQuery__TypeName* t);
    Result<void> on_a_expr(PgQuery__AExpr* e);
    Result<void> on_column_ref(PgQuery__ColumnRef* c);
    Result<void> on_type_cast(PgQuery__TypeCast* c);
    Result<void> on_indirection(PgQuery__AIndirection* i);
    Result<void> check_field_name(std::string_view name, int location);
    // fence.cpp: the leakproof classification of comparisons and of names that rename columns.
    void note_comparison(PgQuery__AExpr* e);
    void note_names(const ProtobufCMessage* m);

    Result<void> walk_children(ProtobufCMessage* m, const void* skip = nullptr);
    bool cte_visible(std::string_view name) const;
    Result<void> check_operator(PgQuery__Node** names, size_t n, int location);

    Mode mode_;
    const Identity& who_;
    const config::Snapshot& snap_;
    std::vector<std::vector<std::string>> cte_scopes_;
    /// The FROM items of each enclosing SelectStmt (innermost last), for `(alias.column).x`:
    /// a FROM item's name and, for a subquery, its columns that are
    /// information_schema._pg_expandarray(...) results (composites of exactly x and n).
    struct FromName {
        std::string name;
        std::vector<std::string> expandarray_columns;
    };
    std::vector<std::vector<FromName>> from_scopes_;
    void note_from_item(const PgQuery__Node* n, std::vector<FromName>& out) const;
    bool is_expandarray_column(const PgQuery__Node* arg) const;
    std::vector<ProductRef> refs_;
    std::vector<VirtualRef> virtual_refs_;
    std::unordered_set<const void*> generated_calls_;   // calls meshgate wrote: never rewritten
    std::vector<std::string> columns_;
    bool tree_changed_ = false;
    bool risky_ = false;   // some expression is not leakproof whatever the column types

    /// A comparison `column OP other` whose leakproofness depends on the column's type.
    struct Comparison {
        enum class Other { Literal, FloatLiteral, Param, Column };
        std::string column;         // the column's name (last field of the ColumnRef)
        Other other = Other::Literal;
        std::string other_column;   // Other::Column only
    };
    std::vector<Comparison> comparisons_;
    std::vector<std::string> renames_;   // names given to columns or relations by the statement
    bool foreign_columns_ = false;       // a FROM item that is not a product, CTE or subquery
    int depth_ = 0;
};

/// The String nodes of a name list (funcname, names, ...), as views; empty when one is not a
/// String node.
std::vector<std::string_view> string_list(PgQuery__Node** items, size_t n);

/// Prepends a "pg_catalog" String node to a name list (funcname, TypeName names, operator
/// name); false on OOM (the list is then unchanged).
bool prepend_pg_catalog(PgQuery__Node**& items, size_t& n);

/// Error position from a node location (0-based byte offset, -1 unknown) -> 1-based / 0.
inline int position_of(int32_t location) { return location >= 0 ? location + 1 : 0; }

}  // namespace meshgate::policy::sql
