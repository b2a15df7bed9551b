// FuncCall: the function denylist / allowlist of SPEC §3, and pinning unqualified calls to
// pg_catalog. Layer: policy/sql.
#include "policy/sql/query_walker.hpp"

#include "policy/function_policy.hpp"
#include "policy/sql/node_builder.hpp"

#include <cstring>

namespace meshgate::policy::sql {

bool prepend_pg_catalog(PgQuery__Node**& items, size_t& n)
{
    auto schema = make_string("pg_catalog");
    auto** grown = static_cast<PgQuery__Node**>(std::malloc((n + 1) * sizeof(PgQuery__Node*)));
    if (!schema || grown == nullptr) {
        std::free(grown);
        return false;
    }
    grown[0] = schema.release();
    if (n > 0) {
        std::memcpy(grown + 1, items, n * sizeof(PgQuery__Node*));
    }
    std::free(items);
    items = grown;
    ++n;
    return true;
}

Result<void> QueryWalker::on_func_call(PgQuery__FuncCall* f)
{
    risky_ = true;  // any function may raise an error on some row's values
    const auto names = string_list(f->funcname, f->n_funcname);
    if (names.empty()) {
        return make_error("0A000", "meshgate cannot classify a function name",
                          position_of(f->location));
    }
    if (auto r = check_function(names, snap_, position_of(f->location)); !r) {
        return r;
    }
    if (names.size() == 1) {
        // The check above treated the call as pg_catalog's, but the backend resolves an
        // unqualified name along the service account's search_path, where a function of the
        // same name (or a better-matching overload) in another schema could win. Say what was
        // checked: `pg_catalog.name(...)`.
        if (!prepend_pg_catalog(f->funcname, f->n_funcname)) {
            return make_error("53200", "out of memory");
        }
        tree_changed_ = true;
    }
    return {};
}

}  // namespace meshgate::policy::sql
