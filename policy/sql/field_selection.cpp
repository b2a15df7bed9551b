// Field selection `(expr).name` and qualified column references `a.b`: PostgreSQL reads them as
// a field of a composite value or, when there is no such field, as the call name(expr)
// ("functional notation", resolved along the backend's search_path). The engine cannot tell a
// field from a function without the backend's types, so (expr).name is refused and the last name
// of a qualified column reference must not name a refused function. Layer: policy/sql.
#include "policy/sql/query_walker.hpp"

#include "policy/function_policy.hpp"

namespace meshgate::policy::sql {

Result<void> QueryWalker::on_indirection(PgQuery__AIndirection* i)
{
    // pgjdbc's getPrimaryKeys/getIndexInfo read (information_schema._pg_expandarray(a)).n / .x:
    // that function's result is a composite whose only fields are x and n.
    const bool expandarray =
        i->arg != nullptr && i->arg->node_case == PG_QUERY__NODE__NODE_FUNC_CALL &&
        i->arg->func_call != nullptr && is_expandarray(string_list(i->arg->func_call->funcname,
                                                                   i->arg->func_call->n_funcname));
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
