// Operator pinning: a descent over every message field (protobuf-c descriptors, like the
// walker's), qualifying the operator names of A_Expr and SubLink nodes. Layer: policy/sql.
#include "policy/sql/proto_children.hpp"
#include "policy/sql/qualify_operators.hpp"

#include "policy/sql/query_walker.hpp"

namespace meshgate::policy::sql {

namespace {

constexpr int kMaxDepth = 2000;

// True for a one-element list holding a String (an unqualified operator name).
bool unqualified(PgQuery__Node** names, size_t n)
{
    return n == 1 && names[0] != nullptr && names[0]->node_case == PG_QUERY__NODE__NODE_STRING;
}

Result<void> descend(ProtobufCMessage* m, bool& changed, int depth)
{
    if (m == nullptr) {
        return {};
    }
    if (depth > kMaxDepth) {
        return make_error("54001", "statement is too deeply nested for meshgate to check");
    }
    const auto* d = m->descriptor;
    if (d == &pg_query__a__expr__descriptor) {
        auto* e = reinterpret_cast<PgQuery__AExpr*>(m);
        // LIKE, ILIKE and SIMILAR TO are the operators ~~, ~~*, ~ (negated: !~~, !~~*, !~) applied
        // to the pattern (PostgreSQL transforms them exactly like `a op b`, ESCAPE being a
        // function call on the pattern), so they become plain operator expressions.
        if ((e->kind == PG_QUERY__A__EXPR__KIND__AEXPR_LIKE ||
             e->kind == PG_QUERY__A__EXPR__KIND__AEXPR_ILIKE ||
             e->kind == PG_QUERY__A__EXPR__KIND__AEXPR_SIMILAR) &&
            unqualified(e->name, e->n_name) && e->lexpr != nullptr && e->rexpr != nullptr) {
            e->kind = PG_QUERY__A__EXPR__KIND__AEXPR_OP;
        }
        const bool spellable = e->kind == PG_QUERY__A__EXPR__KIND__AEXPR_OP ||
                               e->kind == PG_QUERY__A__EXPR__KIND__AEXPR_OP_ANY ||
                               e->kind == PG_QUERY__A__EXPR__KIND__AEXPR_OP_ALL;
        if (spellable && unqualified(e->name, e->n_name)) {
            if (!prepend_pg_catalog(e->name, e->n_name)) {
                return make_error("53200", "out of memory");
            }
            changed = true;
        }
    } else if (d == &pg_query__sub_link__descriptor) {
        auto* s = reinterpret_cast<PgQuery__SubLink*>(m);
        // `x IN (SELECT ...)` is an ANY SubLink with operator "=": written with OPERATOR(...) it
        // is the same as `x OPERATOR(pg_catalog.=) ANY (SELECT ...)`.
        const bool spellable = s->sub_link_type == PG_QUERY__SUB_LINK_TYPE__ANY_SUBLINK ||
                               s->sub_link_type == PG_QUERY__SUB_LINK_TYPE__ALL_SUBLINK;
        if (spellable && unqualified(s->oper_name, s->n_oper_name) && s->testexpr != nullptr &&
            s->testexpr->node_case != PG_QUERY__NODE__NODE_ROW_EXPR) {
            if (!prepend_pg_catalog(s->oper_name, s->n_oper_name)) {
                return make_error("53200", "out of memory");
            }
            changed = true;
        }
    }
    Result<void> failed;
    for_each_child(m, [&](ProtobufCMessage* child) {
        failed = descend(child, changed, depth + 1);
        return bool(failed);
    });
    if (!failed) {
        return failed;
    }
    return {};
}

}  // namespace

Result<void> qualify_operators(PgQuery__Node* n, bool& changed)
{
    return descend(reinterpret_cast<ProtobufCMessage*>(n), changed, 0);
}

}  // namespace meshgate::policy::sql
