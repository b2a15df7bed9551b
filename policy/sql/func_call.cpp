// FuncCall: the function denylist / allowlist of SPEC §3, and pinning unqualified calls to
// pg_catalog. Layer: policy/sql.
#include "policy/sql/query_walker.hpp"

#include "policy/function_policy.hpp"
#include "policy/session_settings.hpp"
#include "policy/sql/node_builder.hpp"

#include <cctype>
#include <cstring>

namespace meshgate::policy::sql {

namespace {

/// current_setting(name [, missing_ok]) reads the service account's settings, where role and
/// database settings may hold secrets: only a string constant naming a setting SHOW may show
/// passes (the rewrite cache keeps this constant in its key).
Result<void> check_current_setting(const PgQuery__FuncCall* f)
{
    const PgQuery__Node* arg = f->n_args >= 1 ? f->args[0] : nullptr;
    const PgQuery__AConst* c = arg != nullptr && arg->node_case == PG_QUERY__NODE__NODE_A_CONST
                                   ? arg->a_const
                                   : nullptr;
    if (c == nullptr || c->val_case != PG_QUERY__A__CONST__VAL_SVAL || c->sval == nullptr) {
        return make_error("42501",
                          "current_setting() through meshgate takes the name of a setting as a "
                          "string constant",
                          position_of(f->location));
    }
    std::string name(str(c->sval->sval));
    for (auto& ch : name) {
        ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    }
    if (name == kSearchPath || name == kPurpose) {
        Error e = make_error("0A000", "current_setting('" + name +
                                          "') is not supported through meshgate",
                             position_of(f->location));
        e.hint = "meshgate interprets " + name + " itself: use SHOW " + name + ".";
        return e;
    }
    if (!is_showable_setting(name)) {
        return make_error("42501", "permission denied to read setting \"" + name +
                                       "\" through meshgate",
                          position_of(f->location));
    }
    return {};
}

}  // namespace

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
    if ((names.size() == 1 || names[0] == "pg_catalog") && names.back() == "current_setting") {
        if (auto r = check_current_setting(f); !r) {
            return r;
        }
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
