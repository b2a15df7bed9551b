// ColumnRef: in a row filter, a bare column of the product, qualified here with the source alias
// so it can never bind to a column of the client's outer query. Layer: policy/sql.
#include "policy/sql/query_walker.hpp"

#include "policy/product_view.hpp"

namespace meshgate::policy::sql {

Result<void> QueryWalker::on_column_ref(PgQuery__ColumnRef* c)
{
    if (mode_ != Mode::RowFilter) {
        // `a.b` may be column b of relation a, or the call b(a) in PostgreSQL's functional
        // notation: the last name of a qualified reference is checked as a function name too.
        if (c->n_fields >= 2) {
            const auto* last = c->fields[c->n_fields - 1];
            if (last != nullptr && last->node_case == PG_QUERY__NODE__NODE_STRING &&
                last->string != nullptr) {
                return check_field_name(str(last->string->sval), c->location);
            }
        }
        return {};
    }
    const auto names = string_list(c->fields, c->n_fields);
    if (names.size() != 1) {
        return make_error("42501", "a row filter may only name the product's own columns, "
                                   "unqualified");
    }
    columns_.emplace_back(names[0]);

    // Prepend a String node holding the source alias: [meshgate_source, column].
    auto* s = make_message<PgQuery__String>(PG_QUERY__STRING__INIT);
    auto* node = make_message<PgQuery__Node>(PG_QUERY__NODE__INIT);
    auto* fields = static_cast<PgQuery__Node**>(std::malloc(2 * sizeof(PgQuery__Node*)));
    char* alias = dup_string(kSourceAlias);
    if (s == nullptr || node == nullptr || fields == nullptr || alias == nullptr) {
        std::free(s);
        std::free(node);
        std::free(fields);
        std::free(alias);
        return make_error("53200", "out of memory");
    }
    s->sval = alias;
    node->node_case = PG_QUERY__NODE__NODE_STRING;
    node->string = s;
    fields[0] = node;
    fields[1] = c->fields[0];
    std::free(c->fields);
    c->fields = fields;
    c->n_fields = 2;
    return {};
}

}  // namespace meshgate::policy::sql
