// Load-time row filter check. Layer: policy/sql.
#include "policy/sql/row_filter_check.hpp"

#include "policy/sql/pg_handles.hpp"
#include "policy/sql/query_walker.hpp"
#include "policy/sql/user_placeholders.hpp"

namespace meshgate::policy::sql {

Result<std::vector<std::string>> check_row_filter(const config::RowFilter& filter,
                                                  const config::Product& product,
                                                  const config::Snapshot& snap)
{
    auto refs = user_refs_of(filter.where);
    if (!refs) {
        return refs.error();
    }
    Identity dummy;
    dummy.user = "x";
    for (const auto& r : *refs) {
        dummy.attributes[r] = std::string("x");
    }
    auto text = substitute_user_refs(filter.where, dummy, product, filter);
    if (!text) {
        return text.error();
    }
    const std::string sql = "SELECT 1 WHERE " + *text;
    ProtobufParse parsed(sql.c_str());
    if (const auto* e = parsed.get().error) {
        return make_error("42601", std::string("row filter does not parse: ") +
                                       (e->message != nullptr ? e->message : "syntax error"));
    }
    auto tree = unpack(parsed);
    if (!tree) {
        return make_error("53200", "out of memory");
    }
    const auto* s = tree->n_stmts == 1 && tree->stmts[0]->stmt != nullptr &&
                            tree->stmts[0]->stmt->node_case == PG_QUERY__NODE__NODE_SELECT_STMT
                        ? tree->stmts[0]->stmt->select_stmt
                        : nullptr;
    const bool bare = s != nullptr && s->n_target_list == 1 && s->n_from_clause == 0 &&
                      s->where_clause != nullptr && s->n_group_clause == 0 &&
                      s->having_clause == nullptr && s->n_sort_clause == 0 &&
                      s->limit_count == nullptr && s->limit_offset == nullptr &&
                      s->with_clause == nullptr && s->n_window_clause == 0 &&
                      s->n_distinct_clause == 0 && s->n_locking_clause == 0 &&
                      s->into_clause == nullptr &&
                      s->op == PG_QUERY__SET_OPERATION__SETOP_NONE;
    if (!bare) {
        return make_error("42601", "row filter is not a single boolean expression");
    }
    QueryWalker walker(QueryWalker::Mode::RowFilter, dummy, snap);
    if (auto r = walker.walk_node(s->where_clause); !r) {
        return r.error();
    }
    return walker.columns();
}

}  // namespace meshgate::policy::sql
