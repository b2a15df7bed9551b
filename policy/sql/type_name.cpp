// TypeName and TypeCast: types outside pg_catalog could run user-defined cast or input
// functions, so qualified names must be pg_catalog's. Layer: policy/sql.
#include "policy/sql/query_walker.hpp"

namespace meshgate::policy::sql {

Result<void> QueryWalker::on_type_name(PgQuery__TypeName* t)
{
    if (t->n_names <= 1) {
        return {};
    }
    const auto names = string_list(t->names, t->n_names);
    if (names.size() == 2 && (names[0] == "pg_catalog" || names[0] == "information_schema")) {
        return {};
    }
    std::string written;
    for (auto p : names) {
        written += written.empty() ? std::string(p) : "." + std::string(p);
    }
    return make_error("42501",
                      "permission denied for type " + written +
                          " (types outside pg_catalog are not allowed)",
                      position_of(t->location));
}

Result<void> QueryWalker::on_type_cast(PgQuery__TypeCast* c)
{
    // Casting a constant fails or not regardless of rows; casting a column may fail per row.
    const auto k = c->arg != nullptr ? c->arg->node_case : PG_QUERY__NODE__NODE__NOT_SET;
    if (k != PG_QUERY__NODE__NODE_A_CONST && k != PG_QUERY__NODE__NODE_PARAM_REF) {
        risky_ = true;
    }
    return {};
}

}  // namespace meshgate::policy::sql
