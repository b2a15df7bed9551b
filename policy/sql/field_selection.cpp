// Field selection `(expr).name` and qualified column references `a.b`: PostgreSQL reads them as
// a field of a composite value or, when there is no such field, as the call name(expr)
// ("functional notation", resolved along the backend's search_path). The engine cannot tell a
// field from a function without the backend's types, so (expr).name is refused and the last name
// of a qualified column reference must not name a refused function. Layer: policy/sql.
#include "policy/sql/query_walker.hpp"

#include "policy/function_policy.hpp"

#include <algorithm>

namespace meshgate::policy::sql {

void QueryWalker::note_from_item(const PgQuery__Node* n, std::vector<FromName>& out) const
{
    if (n == nullptr) {
        return;
    }
    switch (n->node_case) {
    case PG_QUERY__NODE__NODE_RANGE_VAR:
        if (const auto* r = n->range_var; r != nullptr) {
            out.push_back({std::string(r->alias != nullptr ? str(r->alias->aliasname) : str(r->relname)), {}});
        }
        return;
    case PG_QUERY__NODE__NODE_RANGE_FUNCTION:
        if (const auto* r = n->range_function; r != nullptr && r->alias != nullptr) {
            out.push_back({std::string(str(r->alias->aliasname)), {}});
        }
        return;
    case PG_QUERY__NODE__NODE_RANGE_SUBSELECT: {
        const auto* r = n->range_subselect;
        if (r == nullptr || r->alias == nullptr) {
            return;
        }
        FromName item{std::string(str(r->alias->aliasname)), {}};
        const auto* q = r->subquery;
        // Only a plain SELECT without a column alias list: then each output column is named by
        // its target entry.
        if (q != nullptr && q->node_case == PG_QUERY__NODE__NODE_SELECT_STMT &&
            q->select_stmt != nullptr && r->alias->n_colnames == 0) {
            const auto* sel = q->select_stmt;
            for (size_t k = 0; k < sel->n_target_list; ++k) {
                const auto* t = sel->target_list[k];
                if (t == nullptr || t->node_case != PG_QUERY__NODE__NODE_RES_TARGET ||
                    t->res_target == nullptr || t->res_target->val == nullptr) {
                    continue;
                }
                const auto* v = t->res_target->val;
                if (v->node_case == PG_QUERY__NODE__NODE_FUNC_CALL && v->func_call != nullptr &&
                    is_expandarray(string_list(v->func_call->funcname, v->func_call->n_funcname)) &&
                    !str(t->res_target->name).empty()) {
                    item.expandarray_columns.emplace_back(str(t->res_target->name));
                }
            }
        }
        out.push_back(std::move(item));
        return;
    }
    case PG_QUERY__NODE__NODE_JOIN_EXPR:
        if (const auto* j = n->join_expr; j != nullptr) {
            note_from_item(j->larg, out);
            note_from_item(j->rarg, out);
            if (j->alias != nullptr) {
                out.push_back({std::string(str(j->alias->aliasname)), {}});
            }
        }
        return;
    default:
        return;
    }
}

bool QueryWalker::is_expandarray_column(const PgQuery__Node* arg) const
{
    // `alias.column` naming an output column of a FROM subquery that is an _pg_expandarray(...)
    // call, where `alias` is the nearest FROM item of that name (as PostgreSQL resolves it).
    if (arg == nullptr || arg->node_case != PG_QUERY__NODE__NODE_COLUMN_REF ||
        arg->column_ref == nullptr) {
        return false;
    }
    const auto names = string_list(arg->column_ref->fields, arg->column_ref->n_fields);
    if (names.size() != 2 || arg->column_ref->n_fields != 2) {
        return false;
    }
    for (auto scope = from_scopes_.rbegin(); scope != from_scopes_.rend(); ++scope) {
        for (const auto& item : *scope) {
            if (item.name == names[0]) {
                return std::find(item.expandarray_columns.begin(), item.expandarray_columns.end(),
                                 names[1]) != item.expandarray_columns.end();
            }
        }
    }
    return false;
}

Result<void> QueryWalker::on_indirection(PgQuery__AIndirection* i)
{
    // pgjdbc's getPrimaryKeys/getIndexInfo read (information_schema._pg_expandarray(a)).n / .x,
    // or (result.keys).x where `keys` is such a call in the FROM subquery `result`: that
    // function's result is a composite whose only fields are x and n, and PostgreSQL takes
    // (composite).name as a field when the type has it.
    const bool expandarray =
        (i->arg != nullptr && i->arg->node_case == PG_QUERY__NODE__NODE_FUNC_CALL &&
         i->arg->func_call != nullptr && is_expandarray(string_list(i->arg->func_call->funcname,
                                                                    i->arg->func_call->n_funcname))) ||
        is_expandarray_column(i->arg);
    for (size_t k = 0; k < i->n_indirection; ++k) {
        const auto* n = i->indirection[k];
        if (n != nullptr && n->node_case == PG_QUERY__NODE__NODE_STRING && expandarray && k == 0 &&
            (str(n->string->sval) == "x" || str(n->string->sval) == "n")) {
            continue;
        }
        if (n != nullptr && n->node_case == PG_QUERY__NODE__NODE_STRING) {
            Error e = make_error("0A000",
                                 "field selection (expression).name is not supported through "
                                 "meshgate (PostgreSQL may read it as a call of a function with "
                                 "that name)");
            e.hint = "Call the function by its name, or expand the value with (expression).*.";
            return e;
        }
    }
    return {};
}

Result<void> QueryWalker::check_field_name(std::string_view name, int location)
{
    if (is_denied_catalog_function(name)) {
        return make_error("42501",
                          "permission denied for function " + std::string(name) +
                              " (a qualified reference ending in a function name calls it)",
                          position_of(location));
    }
    return {};
}

}  // namespace meshgate::policy::sql
