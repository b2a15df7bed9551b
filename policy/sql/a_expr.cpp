// A_Expr: operator expressions. Qualified operators must be pg_catalog's. Comparisons are noted
// for the fence decision (fence.cpp); every other operator counts as possibly erroring.
// Layer: policy/sql.
#include "policy/sql/query_walker.hpp"

namespace meshgate::policy::sql {

Result<void> QueryWalker::on_a_expr(PgQuery__AExpr* e)
{
    if (auto r = check_operator(e->name, e->n_name, e->location); !r) {
        return r;
    }
    switch (e->kind) {
    case PG_QUERY__A__EXPR__KIND__AEXPR_OP: {
        const auto names = string_list(e->name, e->n_name);
        const auto op = names.empty() ? std::string_view{} : names.back();
        const bool comparison = op == "=" || op == "<>" || op == "!=" || op == "<" ||
                                op == ">" || op == "<=" || op == ">=";
        if (comparison && e->lexpr != nullptr && e->rexpr != nullptr) {
            note_comparison(e);
        } else {
            risky_ = true;  // arithmetic and other operators can overflow or divide by zero
        }
        break;
    }
    case PG_QUERY__A__EXPR__KIND__AEXPR_DISTINCT:
    case PG_QUERY__A__EXPR__KIND__AEXPR_NOT_DISTINCT:
    case PG_QUERY__A__EXPR__KIND__AEXPR_IN:
    case PG_QUERY__A__EXPR__KIND__AEXPR_BETWEEN:
    case PG_QUERY__A__EXPR__KIND__AEXPR_NOT_BETWEEN:
    case PG_QUERY__A__EXPR__KIND__AEXPR_BETWEEN_SYM:
    case PG_QUERY__A__EXPR__KIND__AEXPR_NOT_BETWEEN_SYM:
        note_comparison(e);
        break;
    default:
        risky_ = true;
        break;
    }
    return {};
}

}  // namespace meshgate::policy::sql
