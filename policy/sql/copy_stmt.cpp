// CopyStmt: COPY (query) / COPY product TO STDOUT only; the product form becomes a query.
// Layer: policy/sql.
#include "policy/sql/embedded_statements.hpp"

#include "policy/sql/node_builder.hpp"

#include <cstdlib>
#include <vector>

namespace meshgate::policy::sql {

namespace {

Error oom() { return make_error("53200", "out of memory"); }

}  // namespace

StatementClass classify_copy(const PgQuery__CopyStmt* c)
{
    if (c->is_from) {
        return RefusedStatement{"42501", "COPY ... FROM",
                                "meshgate is read-only and never touches the backend's files"};
    }
    if (c->is_program || !str(c->filename).empty()) {
        return RefusedStatement{"42501", "COPY ... TO a file or program",
                                "meshgate is read-only and never touches the backend's files"};
    }
    if (c->where_clause != nullptr) {
        return RefusedStatement{"42601", "COPY ... TO with WHERE", "WHERE is COPY FROM only"};
    }
    if (c->query != nullptr) {
        if (c->relation != nullptr || c->n_attlist > 0) {
            return RefusedStatement{"0A000", "COPY", "a COPY meshgate cannot read"};
        }
        if (auto r = embedded_query("COPY", c->query)) {
            return *r;
        }
    } else if (c->relation == nullptr) {
        return RefusedStatement{"0A000", "COPY", "it names no relation or query"};
    }
    for (size_t k = 0; k < c->n_options; ++k) {
        if (def_name(c->options[k]).empty()) {
            return RefusedStatement{"0A000", "COPY", "an option meshgate cannot read"};
        }
    }
    return QueryStatement{QueryStatement::Kind::Copy};
}

// `COPY product [(cols)] TO STDOUT` -> `COPY (SELECT cols|* FROM product) TO STDOUT`, so the
// product reference is rewritten like any other (SPEC §3).
Result<void> copy_relation_to_query(PgQuery__CopyStmt* c)
{
    std::vector<NodePtr> targets;
    for (size_t k = 0; k < c->n_attlist; ++k) {
        auto* a = c->attlist[k];
        if (a == nullptr || a->node_case != PG_QUERY__NODE__NODE_STRING || a->string == nullptr) {
            return make_error("0A000", "meshgate cannot read the column list of this COPY");
        }
        targets.push_back(make_res_target({}, make_column_ref(str(a->string->sval))));
        if (!targets.back()) {
            return oom();
        }
    }
    if (targets.empty()) {
        auto* star = make_message<PgQuery__AStar>(PG_QUERY__A__STAR__INIT);
        auto* star_node = make_message<PgQuery__Node>(PG_QUERY__NODE__INIT);
        auto* ref = make_message<PgQuery__ColumnRef>(PG_QUERY__COLUMN_REF__INIT);
        auto* ref_node = make_message<PgQuery__Node>(PG_QUERY__NODE__INIT);
        auto** fields = static_cast<PgQuery__Node**>(std::malloc(sizeof(PgQuery__Node*)));
        if (star == nullptr || star_node == nullptr || ref == nullptr || ref_node == nullptr ||
            fields == nullptr) {
            std::free(star);
            std::free(star_node);
            std::free(ref);
            std::free(ref_node);
            std::free(fields);
            return oom();
        }
        star_node->node_case = PG_QUERY__NODE__NODE_A_STAR;
        star_node->a_star = star;
        fields[0] = star_node;
        ref->n_fields = 1;
        ref->fields = fields;
        ref->location = -1;
        ref_node->node_case = PG_QUERY__NODE__NODE_COLUMN_REF;
        ref_node->column_ref = ref;
        targets.push_back(make_res_target({}, NodePtr(ref_node)));
        if (!targets.back()) {
            return oom();
        }
    }
    auto* from = make_message<PgQuery__Node>(PG_QUERY__NODE__INIT);
    if (from == nullptr) {
        return oom();
    }
    from->node_case = PG_QUERY__NODE__NODE_RANGE_VAR;
    from->range_var = c->relation;
    c->relation = nullptr;
    auto select = make_select(std::move(targets), NodePtr(from), nullptr, false);
    if (!select) {
        return oom();
    }
    for (size_t k = 0; k < c->n_attlist; ++k) {
        pg_query__node__free_unpacked(c->attlist[k], nullptr);
    }
    std::free(c->attlist);
    c->attlist = nullptr;
    c->n_attlist = 0;
    c->query = select.release();
    return {};
}

}  // namespace meshgate::policy::sql
