// The query embedded in PREPARE / DECLARE / EXPLAIN / COPY, and DefElem options.
// Layer: policy/sql.
#include "policy/sql/embedded_statements.hpp"

#include "policy/session_settings.hpp"

namespace meshgate::policy::sql {

std::optional<StatementClass> embedded_query(const std::string& outer, PgQuery__Node* q)
{
    if (q == nullptr || q->node_case == PG_QUERY__NODE__NODE__NOT_SET) {
        return RefusedStatement{"0A000", outer, "it holds no query"};
    }
    if (q->node_case == PG_QUERY__NODE__NODE_SELECT_STMT) {
        return std::nullopt;
    }
    return RefusedStatement{"42501", outer + " of " + command_name(q),
                            "only queries (SELECT, VALUES, TABLE, WITH) may be embedded"};
}

std::string def_name(PgQuery__Node* n)
{
    if (n == nullptr || n->node_case != PG_QUERY__NODE__NODE_DEF_ELEM || n->def_elem == nullptr) {
        return {};
    }
    return lower_ascii(str(n->def_elem->defname));
}

std::string def_arg(PgQuery__Node* n)
{
    auto* a = n->def_elem->arg;
    if (a == nullptr) {
        return {};
    }
    if (a->node_case == PG_QUERY__NODE__NODE_STRING && a->string != nullptr) {
        return lower_ascii(str(a->string->sval));
    }
    bool plain = true;
    return lower_ascii(const_text(a, plain));
}

}  // namespace meshgate::policy::sql
