// SelectStmt and its WITH clause: read-only checks and CTE name scopes. Layer: policy/sql.
#include "policy/sql/query_walker.hpp"

namespace meshgate::policy::sql {

Result<void> QueryWalker::on_select(PgQuery__SelectStmt* s)
{
    if (s->into_clause != nullptr) {
        return make_error("42501", "SELECT INTO is not allowed through meshgate (it creates a "
                                   "table; meshgate is read-only)");
    }
    if (s->n_locking_clause > 0) {
        return make_error("42501", "SELECT ... FOR UPDATE/SHARE is not allowed through meshgate "
                                   "(it locks rows; meshgate is read-only)");
    }
    if (mode_ == Mode::Query) {
        if (auto r = rewrite_tableoid(s); !r) {
            return r;
        }
    }
    // A WITH clause's names are visible in this statement and everything nested in it, and
    // nowhere else: one scope per SelectStmt.
    cte_scopes_.emplace_back();
    struct Pop {
        std::vector<std::vector<std::string>>& s;
        ~Pop() { s.pop_back(); }
    } pop{cte_scopes_};
    from_scopes_.emplace_back();
    struct PopFrom {
        std::vector<std::vector<FromName>>& s;
        ~PopFrom() { s.pop_back(); }
    } pop_from{from_scopes_};
    for (size_t i = 0; i < s->n_from_clause; ++i) {
        note_from_item(s->from_clause[i], from_scopes_.back());
    }
    if (s->with_clause != nullptr) {
        if (auto r = on_with(s->with_clause); !r) {
            return r;
        }
    }
    return walk_children(&s->base, s->with_clause);
}

Result<void> QueryWalker::on_with(PgQuery__WithClause* w)
{
    // An index, not a reference: walking a body pushes scopes and may reallocate the vector.
    const size_t level = cte_scopes_.size() - 1;
    std::vector<PgQuery__CommonTableExpr*> ctes;
    for (size_t i = 0; i < w->n_ctes; ++i) {
        auto* n = w->ctes[i];
        if (n == nullptr || n->node_case != PG_QUERY__NODE__NODE_COMMON_TABLE_EXPR ||
            n->common_table_expr == nullptr) {
            return make_error("0A000", "meshgate cannot classify a WITH item");
        }
        ctes.push_back(n->common_table_expr);
        note_names(&n->common_table_expr->base);
    }
    // WITH RECURSIVE: every name is visible in every body. Plain WITH: a body sees only the
    // names before it. Seeing fewer names than PostgreSQL is the safe side (a name not taken for
    // a CTE is resolved as a product or refused, never forwarded raw); seeing more never happens.
    if (w->recursive) {
        for (auto* c : ctes) {
            cte_scopes_[level].emplace_back(str(c->ctename));
        }
    }
    for (auto* c : ctes) {
        auto* q = c->ctequery;
        if (q == nullptr || q->node_case != PG_QUERY__NODE__NODE_SELECT_STMT) {
            return make_error("42501",
                              "data-modifying statements in WITH are not allowed through meshgate "
                              "(meshgate is read-only)",
                              position_of(c->location));
        }
        if (auto r = walk_children(&c->base); !r) {
            return r;
        }
        if (!w->recursive) {
            cte_scopes_[level].emplace_back(str(c->ctename));
        }
    }
    return {};
}

}  // namespace meshgate::policy::sql
