// Derived-table installation. Layer: policy/sql.
#include "policy/sql/derived_table.hpp"

#include "policy/federation.hpp"
#include "policy/product_view.hpp"
#include "policy/sql/node_builder.hpp"
#include "policy/sql/user_placeholders.hpp"

#include <map>
#include <optional>

namespace meshgate::policy::sql {

namespace {

Error oom() { return make_error("53200", "out of memory"); }

bool is_bare_where_select(const PgQuery__SelectStmt* s)
{
    return s->n_target_list == 1 && s->n_from_clause == 0 && s->where_clause != nullptr &&
           s->n_distinct_clause == 0 && s->into_clause == nullptr && s->n_group_clause == 0 &&
           s->having_clause == nullptr && s->n_window_clause == 0 && s->n_values_lists == 0 &&
           s->n_sort_clause == 0 && s->limit_offset == nullptr && s->limit_count == nullptr &&
           s->n_locking_clause == 0 && s->with_clause == nullptr &&
           s->op == PG_QUERY__SET_OPERATION__SETOP_NONE && s->larg == nullptr &&
           s->rarg == nullptr;
}

PgQuery__SelectStmt* select_of(PgQuery__RawStmt* raw)
{
    if (raw == nullptr || raw->stmt == nullptr ||
        raw->stmt->node_case != PG_QUERY__NODE__NODE_SELECT_STMT) {
        return nullptr;
    }
    return raw->stmt->select_stmt;
}

// AND of the filter expressions (one needs no BoolExpr).
Result<PgQuery__Node*> and_of(std::vector<NodePtr>& parts)
{
    if (parts.size() == 1) {
        return parts[0].release();
    }
    auto* b = make_message<PgQuery__BoolExpr>(PG_QUERY__BOOL_EXPR__INIT);
    auto* node = make_message<PgQuery__Node>(PG_QUERY__NODE__INIT);
    auto** args = static_cast<PgQuery__Node**>(std::malloc(parts.size() * sizeof(PgQuery__Node*)));
    if (b == nullptr || node == nullptr || args == nullptr) {
        std::free(b);
        std::free(node);
        std::free(args);
        return oom();
    }
    b->boolop = PG_QUERY__BOOL_EXPR_TYPE__AND_EXPR;
    b->location = -1;
    b->n_args = parts.size();
    b->args = args;
    for (size_t i = 0; i < parts.size(); ++i) {
        args[i] = parts[i].release();
    }
    node->node_case = PG_QUERY__NODE__NODE_BOOL_EXPR;
    node->bool_expr = b;
    return node;
}


}  // namespace

Result<void> replace_range_var(PgQuery__Node* n, NodePtr subquery)
{
    auto* rv = n->range_var;
    auto* rs = make_message<PgQuery__RangeSubselect>(PG_QUERY__RANGE_SUBSELECT__INIT);
    if (rs == nullptr) {
        return oom();
    }
    PgQuery__Alias* alias = rv->alias;
    if (alias == nullptr) {
        // Unaliased: the derived table takes the relation's name, so `customers.email` still works.
        alias = make_message<PgQuery__Alias>(PG_QUERY__ALIAS__INIT);
        char* name = dup_string(str(rv->relname));
        if (alias == nullptr || name == nullptr) {
            std::free(alias);
            std::free(name);
            std::free(rs);
            return oom();
        }
        alias->aliasname = name;
    }
    rv->alias = nullptr;  // moved (with its column list) to the derived table
    rs->lateral = false;
    rs->subquery = subquery.release();
    rs->alias = alias;
    pg_query__range_var__free_unpacked(rv, nullptr);
    n->node_case = PG_QUERY__NODE__NODE_RANGE_SUBSELECT;
    n->range_subselect = rs;
    return {};
}

Result<void> install_derived_tables(std::vector<ProductRef>& refs, const Identity& who,
                                    const config::Snapshot& snap, bool fence,
                                    std::vector<AppliedPolicy>& policies, bool federated)
{
    if (refs.empty()) {
        return {};
    }
    // The skeleton (columns, source relation, OFFSET 0) is built as nodes; only mask expressions
    // and row filters are SQL text, all parsed in one libpg_query call. A product without masks
    // or filters (the common lookup case) costs no parse at all.
    std::map<const config::Product*, ProductView> views;
    std::string donor;
    size_t expected = 0;
    auto add_piece = [&](const std::string& piece) {
        // "\n;\n" between pieces: the newline ends any `--` comment a piece might end with.
        if (!donor.empty()) {
            donor += "\n;\n";
        }
        donor += piece;
        ++expected;
    };
    for (const auto& ref : refs) {
        auto it = views.find(ref.product);
        if (it == views.end()) {
            auto view = build_product_view(*ref.product, who, snap, fence);
            if (!view) {
                return view.error();
            }
            policies.insert(policies.end(), view->policies.begin(), view->policies.end());
            if (federated) {
                auto rel = federated_source(snap, *ref.domain, *ref.product);
                view->source_schema = std::move(rel.schema);
                view->source_relation = std::move(rel.relation);
            }
            it = views.emplace(ref.product, std::move(*view)).first;
        }
        const auto& view = it->second;
        std::string masks;
        for (const auto& c : view.columns) {
            if (!c.mask_sql.empty()) {
                masks += masks.empty() ? "SELECT " : ", ";
                masks += c.mask_sql;
            }
        }
        if (!masks.empty()) {
            add_piece(masks);
        }
        for (const auto* f : view.filters) {
            auto text = substitute_user_refs(f->where, who, *ref.product, *f);
            if (!text) {
                return text.error();
            }
            add_piece("SELECT 1 WHERE " + *text);
        }
    }

    std::optional<ProtobufParse> parsed;
    ParseTree tree;
    if (expected > 0) {
        parsed.emplace(donor.c_str());
        if (parsed->get().error != nullptr) {
            return make_error("55000", std::string("the policies of this statement's data products "
                                                   "cannot be compiled: ") +
                                           parsed->get().error->message);
        }
        tree = unpack(*parsed);
        if (!tree) {
            return oom();
        }
        if (tree->n_stmts != expected) {
            return make_error("55000", "a mask or row filter of this statement's data products "
                                       "is not a single expression");
        }
    }
    size_t k = 0;
    for (auto& ref : refs) {
        const auto& view = views.at(ref.product);
        size_t masked = 0;
        for (const auto& c : view.columns) {
            masked += c.mask_sql.empty() ? 0 : 1;
        }
        PgQuery__SelectStmt* mask_select = nullptr;
        if (masked > 0) {
            mask_select = select_of(tree->stmts[k++]);
            if (mask_select == nullptr || mask_select->n_target_list != masked ||
                mask_select->n_from_clause != 0 || mask_select->where_clause != nullptr) {
                return make_error("55000", "the masks of " + ref.product->address() +
                                               " did not compile");
            }
        }
        std::vector<NodePtr> targets;
        size_t m = 0;
        for (const auto& c : view.columns) {
            if (c.mask_sql.empty()) {
                targets.push_back(make_res_target({}, make_column_ref(c.name)));
            } else {
                auto* rt = mask_select->target_list[m++];
                if (rt == nullptr || rt->node_case != PG_QUERY__NODE__NODE_RES_TARGET ||
                    rt->res_target->val == nullptr) {
                    return make_error("55000", "the masks of " + ref.product->address() +
                                                   " did not compile");
                }
                NodePtr expr(rt->res_target->val);
                rt->res_target->val = nullptr;
                targets.push_back(make_res_target(c.name, std::move(expr)));
            }
            if (!targets.back()) {
                return oom();
            }
        }
        std::vector<NodePtr> filters;
        for (const auto* f : view.filters) {
            auto* s = select_of(tree->stmts[k++]);
            if (s == nullptr || !is_bare_where_select(s)) {
                return make_error("55000", "row filter " + f->name + " of " +
                                               ref.product->address() +
                                               " is not a single boolean expression");
            }
            QueryWalker check(QueryWalker::Mode::RowFilter, who, snap);
            if (auto r = check.walk_node(s->where_clause); !r) {
                auto e = r.error();
                e.message = "row filter " + f->name + " of " + ref.product->address() + ": " +
                            e.message;
                e.position = 0;
                return e;
            }
            filters.emplace_back(s->where_clause);
            s->where_clause = nullptr;
        }
        NodePtr where;
        if (!filters.empty()) {
            auto combined = and_of(filters);
            if (!combined) {
                return combined.error();
            }
            where.reset(*combined);
        }
        auto select = make_select(std::move(targets),
                                  make_range_var(view.source_schema, view.source_relation,
                                                 kSourceAlias),
                                  std::move(where), view.fenced);
        if (!select) {
            return oom();
        }
        if (auto r = replace_range_var(ref.node, std::move(select)); !r) {
            return r;
        }
    }
    return {};
}

}  // namespace meshgate::policy::sql
