// TypeName and TypeCast: types outside pg_catalog could run user-defined cast or input
// functions, so qualified names must be pg_catalog's. Layer: policy/sql.
#include "policy/sql/query_walker.hpp"

namespace meshgate::policy::sql {

Result<void> QueryWalker::on_type_name(PgQuery__TypeName* t)
{
    if (t->n_names == 1 && mode_ == Mode::Query) {
        // Unqualified types resolve along the backend's search_path; a type of the same name in
        // another schema could bring its own input function or casts. Pin it to pg_catalog
        // (every type a query may name without a schema is there; others then fail to resolve).
        // Row filters are the domain owner's configuration, written for their backend: as is.
        if (t->pct_type || string_list(t->names, t->n_names).empty()) {
            return make_error("0A000", "meshgate cannot classify a type name",
                              position_of(t->location));
        }
        if (!prepend_pg_catalog(t->names, t->n_names)) {
            return make_error("53200", "out of memory");
        }
        tree_changed_ = true;
        return {};
    }
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
