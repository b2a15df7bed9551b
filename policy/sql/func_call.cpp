// FuncCall: the function denylist / allowlist of SPEC §3. Layer: policy/sql.
#include "policy/sql/query_walker.hpp"

#include "policy/function_policy.hpp"

namespace meshgate::policy::sql {

Result<void> QueryWalker::on_func_call(PgQuery__FuncCall* f)
{
    risky_ = true;  // any function may raise an error on some row's values
    const auto names = string_list(f->funcname, f->n_funcname);
    if (names.empty()) {
        return make_error("0A000", "meshgate cannot classify a function name",
                          position_of(f->location));
    }
    return check_function(names, snap_, position_of(f->location));
}

}  // namespace meshgate::policy::sql
