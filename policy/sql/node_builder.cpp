// Hand-built parse nodes. Layer: policy/sql.
#include "policy/sql/node_builder.hpp"

namespace meshgate::policy::sql {

namespace {

// A Node wrapping `inner` under `which`; frees `inner` (with `free_inner`) on OOM.
template <class T, class Free>
NodePtr wrap(T* inner, PgQuery__Node__NodeCase which, T* PgQuery__Node::*member, Free free_inner)
{
    if (inner == nullptr) {
        return nullptr;
    }
    auto* n = make_message<PgQuery__Node>(PG_QUERY__NODE__INIT);
    if (n == nullptr) {
        free_inner(inner, nullptr);
        return nullptr;
    }
    n->node_case = which;
    n->*member = inner;
    return NodePtr(n);
}

}  // namespace

PgQuery__Node** release_array(std::vector<NodePtr>& nodes)
{
    auto** arr = static_cast<PgQuery__Node**>(std::malloc(std::max<size_t>(1, nodes.size()) *
                                                          sizeof(PgQuery__Node*)));
    if (arr == nullptr) {
        nodes.clear();
        return nullptr;
    }
    for (size_t i = 0; i < nodes.size(); ++i) {
        arr[i] = nodes[i].release();
    }
    return arr;
}

NodePtr make_string(std::string_view s)
{
    auto* str_msg = make_message<PgQuery__String>(PG_QUERY__STRING__INIT);
    if (str_msg == nullptr) {
        return nullptr;
    }
    str_msg->sval = dup_string(s);
    if (str_msg->sval == nullptr) {
        std::free(str_msg);
        return nullptr;
    }
    return wrap(str_msg, PG_QUERY__NODE__NODE_STRING, &PgQuery__Node::string,
                pg_query__string__free_unpacked);
}

NodePtr make_column_ref(std::string_view column)
{
    auto field = make_string(column);
    auto* c = make_message<PgQuery__ColumnRef>(PG_QUERY__COLUMN_REF__INIT);
    if (!field || c == nullptr) {
        std::free(c);
        return nullptr;
    }
    std::vector<NodePtr> fields;
    fields.push_back(std::move(field));
    c->fields = release_array(fields);
    if (c->fields == nullptr) {
        std::free(c);
        return nullptr;
    }
    c->n_fields = 1;
    c->location = -1;
    return wrap(c, PG_QUERY__NODE__NODE_COLUMN_REF, &PgQuery__Node::column_ref,
                pg_query__column_ref__free_unpacked);
}

NodePtr make_res_target(std::string_view name, NodePtr val)
{
    auto* r = make_message<PgQuery__ResTarget>(PG_QUERY__RES_TARGET__INIT);
    if (r == nullptr || !val) {
        std::free(r);
        return nullptr;
    }
    if (!name.empty()) {
        r->name = dup_string(name);
        if (r->name == nullptr) {
            std::free(r);
            return nullptr;
        }
    }
    r->val = val.release();
    r->location = -1;
    return wrap(r, PG_QUERY__NODE__NODE_RES_TARGET, &PgQuery__Node::res_target,
                pg_query__res_target__free_unpacked);
}

NodePtr make_range_var(std::string_view schema, std::string_view relation, std::string_view alias)
{
    auto* rv = make_message<PgQuery__RangeVar>(PG_QUERY__RANGE_VAR__INIT);
    if (rv == nullptr) {
        return nullptr;
    }
    rv->inh = true;
    rv->location = -1;
    rv->relname = dup_string(relation);
    rv->relpersistence = dup_string("p");
    rv->alias = make_message<PgQuery__Alias>(PG_QUERY__ALIAS__INIT);
    if (!schema.empty()) {
        rv->schemaname = dup_string(schema);
    }
    if (rv->alias != nullptr) {
        rv->alias->aliasname = dup_string(alias);
    }
    if (rv->relname == nullptr || rv->relpersistence == nullptr || rv->alias == nullptr ||
        rv->alias->aliasname == nullptr || (!schema.empty() && rv->schemaname == nullptr)) {
        pg_query__range_var__free_unpacked(rv, nullptr);
        return nullptr;
    }
    return wrap(rv, PG_QUERY__NODE__NODE_RANGE_VAR, &PgQuery__Node::range_var,
                pg_query__range_var__free_unpacked);
}

NodePtr make_int_const(int32_t value)
{
    auto* i = make_message<PgQuery__Integer>(PG_QUERY__INTEGER__INIT);
    auto* c = make_message<PgQuery__AConst>(PG_QUERY__A__CONST__INIT);
    if (i == nullptr || c == nullptr) {
        std::free(i);
        std::free(c);
        return nullptr;
    }
    i->ival = value;
    c->val_case = PG_QUERY__A__CONST__VAL_IVAL;
    c->ival = i;
    c->location = -1;
    return wrap(c, PG_QUERY__NODE__NODE_A_CONST, &PgQuery__Node::a_const,
                pg_query__a__const__free_unpacked);
}

NodePtr make_select(std::vector<NodePtr> targets, NodePtr from, NodePtr where, bool offset_zero)
{
    NodePtr offset = offset_zero ? make_int_const(0) : nullptr;
    auto* s = make_message<PgQuery__SelectStmt>(PG_QUERY__SELECT_STMT__INIT);
    if (s == nullptr || !from || (offset_zero && !offset)) {
        std::free(s);
        return nullptr;
    }
    s->op = PG_QUERY__SET_OPERATION__SETOP_NONE;
    s->limit_option = offset_zero ? PG_QUERY__LIMIT_OPTION__LIMIT_OPTION_COUNT
                                  : PG_QUERY__LIMIT_OPTION__LIMIT_OPTION_DEFAULT;
    const size_t n = targets.size();
    s->target_list = release_array(targets);
    if (s->target_list == nullptr) {
        std::free(s);
        return nullptr;
    }
    s->n_target_list = n;
    std::vector<NodePtr> froms;
    froms.push_back(std::move(from));
    s->from_clause = release_array(froms);
    if (s->from_clause == nullptr) {
        pg_query__select_stmt__free_unpacked(s, nullptr);
        return nullptr;
    }
    s->n_from_clause = 1;
    s->where_clause = where.release();
    s->limit_offset = offset.release();
    return wrap(s, PG_QUERY__NODE__NODE_SELECT_STMT, &PgQuery__Node::select_stmt,
                pg_query__select_stmt__free_unpacked);
}

}  // namespace meshgate::policy::sql
