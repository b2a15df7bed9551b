// Catalog functions that read what meshgate virtualizes: obj_description / col_description
// (pg_description), pg_table_is_visible (pg_class along the search_path) and current_schema(s)
// (meshgate's own search_path over domains). A call becomes an equivalent scalar subquery over
// the virtual relations, so psql's \dt, \d name, \d+, \dt+, pgbench's probe and sync queries
// see the products, their descriptions and visibility. Layer: policy/sql.
#include "policy/sql/query_walker.hpp"

#include "policy/catalog/virtual_relation.hpp"
#include "policy/quote.hpp"

#include <string>

namespace meshgate::policy::sql {

namespace {

Error oom() { return make_error("53200", "out of memory"); }

// Replaces every ParamRef `$k` (1-based) below `m` by `args[k-1]` (moved out of `args`).
bool graft_params(ProtobufCMessage* m, PgQuery__Node** args, size_t n_args, int depth = 0)
{
    if (m == nullptr || depth > 200) {
        return depth <= 200;
    }
    const auto* d = m->descriptor;
    auto* base = reinterpret_cast<char*>(m);
    auto visit = [&](ProtobufCMessage*& slot) {
        if (slot == nullptr) {
            return true;
        }
        if (slot->descriptor == &pg_query__node__descriptor) {
            auto* node = reinterpret_cast<PgQuery__Node*>(slot);
            if (node->node_case == PG_QUERY__NODE__NODE_PARAM_REF && node->param_ref != nullptr) {
                const int k = node->param_ref->number;
                if (k < 1 || size_t(k) > n_args || args[k - 1] == nullptr) {
                    return false;
                }
                pg_query__node__free_unpacked(node, nullptr);
                slot = reinterpret_cast<ProtobufCMessage*>(args[k - 1]);
                args[k - 1] = nullptr;
                return true;
            }
        }
        return graft_params(slot, args, n_args, depth + 1);
    };
    for (unsigned i = 0; i < d->n_fields; ++i) {
        const auto& f = d->fields[i];
        if (f.type != PROTOBUF_C_TYPE_MESSAGE) {
            continue;
        }
        if ((f.flags & PROTOBUF_C_FIELD_FLAG_ONEOF) != 0 &&
            *reinterpret_cast<uint32_t*>(base + f.quantifier_offset) != f.id) {
            continue;
        }
        if (f.label == PROTOBUF_C_LABEL_REPEATED) {
            const size_t n = *reinterpret_cast<size_t*>(base + f.quantifier_offset);
            auto** items = *reinterpret_cast<ProtobufCMessage***>(base + f.offset);
            for (size_t k = 0; k < n; ++k) {
                if (!visit(items[k])) {
                    return false;
                }
            }
        } else if (!visit(*reinterpret_cast<ProtobufCMessage**>(base + f.offset))) {
            return false;
        }
    }
    return true;
}

// Parses `text` (one `SELECT (<scalar subquery>)` meshgate wrote) and returns the subquery's
// expression Node, detached from the parse (the caller owns it).
Result<PgQuery__Node*> parse_expression(const std::string& text)
{
    ProtobufParse parsed(text.c_str());
    if (parsed.get().error != nullptr) {
        return make_error("XX000", "meshgate could not build a catalog expression");
    }
    ParseTree tree = unpack(parsed);
    if (!tree) {
        return oom();
    }
    if (tree->n_stmts != 1 || tree->stmts[0]->stmt == nullptr ||
        tree->stmts[0]->stmt->node_case != PG_QUERY__NODE__NODE_SELECT_STMT) {
        return make_error("XX000", "meshgate could not build a catalog expression");
    }
    auto* sel = tree->stmts[0]->stmt->select_stmt;
    if (sel->n_target_list != 1 || sel->target_list[0]->node_case != PG_QUERY__NODE__NODE_RES_TARGET ||
        sel->target_list[0]->res_target->val == nullptr ||
        sel->target_list[0]->res_target->val->node_case != PG_QUERY__NODE__NODE_SUB_LINK) {
        return make_error("XX000", "meshgate could not build a catalog expression");
    }
    PgQuery__Node* expr = sel->target_list[0]->res_target->val;
    sel->target_list[0]->res_target->val = nullptr;
    return expr;
}

}  // namespace

void QueryWalker::note_generated_calls(ProtobufCMessage* m, int depth)
{
    if (m == nullptr || depth > 200) {
        return;
    }
    if (m->descriptor == &pg_query__func_call__descriptor) {
        generated_calls_.insert(m);
    }
    const auto* d = m->descriptor;
    auto* base = reinterpret_cast<char*>(m);
    for (unsigned i = 0; i < d->n_fields; ++i) {
        const auto& f = d->fields[i];
        if (f.type != PROTOBUF_C_TYPE_MESSAGE) {
            continue;
        }
        if ((f.flags & PROTOBUF_C_FIELD_FLAG_ONEOF) != 0 &&
            *reinterpret_cast<uint32_t*>(base + f.quantifier_offset) != f.id) {
            continue;
        }
        if (f.label == PROTOBUF_C_LABEL_REPEATED) {
            const size_t n = *reinterpret_cast<size_t*>(base + f.quantifier_offset);
            auto** items = *reinterpret_cast<ProtobufCMessage***>(base + f.offset);
            for (size_t k = 0; k < n; ++k) {
                note_generated_calls(items[k], depth + 1);
            }
        } else {
            note_generated_calls(*reinterpret_cast<ProtobufCMessage**>(base + f.offset), depth + 1);
        }
    }
}

Result<std::string> QueryWalker::search_path_expression(bool first_only) const
{
    // meshgate interprets search_path itself (SPEC §3): the schemas a client sees are the
    // domains of its session's search_path (that exist), never the service account's.
    std::string list;
    for (const auto& d : who_.search_path) {
        if (snap_.domains.count(d) == 0 || !catalog::domain_is_listed(d)) {
            continue;
        }
        auto q = quote_literal(d);
        if (!q) {
            return q.error();
        }
        list += (list.empty() ? "" : ", ") + *q;
    }
    const std::string explicit_schemas = "ARRAY[" + list + "]::pg_catalog.name[]";
    if (first_only) {
        return text_ok("SELECT (SELECT (" + explicit_schemas + ")[1] AS current_schema)");
    }
    return text_ok("SELECT (SELECT CASE WHEN ($1)::pg_catalog.bool THEN ARRAY['pg_catalog'" +
                   std::string(list.empty() ? "" : ", ") + list + "]::pg_catalog.name[] ELSE " +
                   explicit_schemas + " END AS current_schemas)");
}

Result<void> QueryWalker::rewrite_catalog_function(PgQuery__Node* n)
{
    if (n->node_case == PG_QUERY__NODE__NODE_SQLVALUE_FUNCTION) {
        // CURRENT_SCHEMA written without parentheses (a SQLValueFunction in PostgreSQL 15).
        auto* v = n->sqlvalue_function;
        if (v == nullptr || v->op != PG_QUERY__SQLVALUE_FUNCTION_OP__SVFOP_CURRENT_SCHEMA) {
            return {};
        }
        auto text = search_path_expression(true);
        if (!text) {
            return text.error();
        }
        auto expr = parse_expression(*text);
        if (!expr) {
            return expr.error();
        }
        pg_query__sqlvalue_function__free_unpacked(v, nullptr);
        n->node_case = (*expr)->node_case;
        n->sub_link = (*expr)->sub_link;
        std::free(*expr);
        tree_changed_ = true;
        return {};
    }
    auto* f = n->func_call;
    if (f == nullptr || generated_calls_.count(f) != 0 || f->agg_star || f->agg_distinct ||
        f->func_variadic || f->over != nullptr || f->agg_filter != nullptr ||
        f->n_agg_order != 0) {
        return {};
    }
    const auto names = string_list(f->funcname, f->n_funcname);
    if (names.empty() || names.size() > 2 || (names.size() == 2 && names[0] != "pg_catalog")) {
        return {};
    }
    for (size_t i = 0; i < f->n_args; ++i) {
        if (f->args[i] == nullptr || f->args[i]->node_case == PG_QUERY__NODE__NODE_NAMED_ARG_EXPR) {
            return {};  // named notation: left to the real function (it finds nothing virtual)
        }
    }
    const auto name = names.back();
    std::string text;
    if (name == "obj_description" && f->n_args == 2) {
        text = "SELECT (SELECT d.description AS obj_description FROM pg_catalog.pg_description d "
               "WHERE d.objoid = $1 AND d.classoid = (SELECT c.oid FROM pg_catalog.pg_class c WHERE c.relname = $2 "
               "AND c.relnamespace = 11) AND d.objsubid = 0 LIMIT 1)";
    } else if (name == "obj_description" && f->n_args == 1) {
        text = "SELECT (SELECT d.description AS obj_description FROM pg_catalog.pg_description d "
               "WHERE d.objoid = $1 AND d.objsubid = 0 LIMIT 1)";
    } else if (name == "col_description" && f->n_args == 2) {
        text = "SELECT (SELECT d.description AS col_description FROM pg_catalog.pg_description d "
               "WHERE d.objoid = $1 AND d.classoid = 1259 AND d.objsubid = $2 LIMIT 1)";
    } else if (name == "pg_table_is_visible" && f->n_args == 1) {
        // Synthetic OIDs (products) are visible when the session's search_path finds them;
        // every other OID is the backend's business. $1 appears once (it may be any expression).
        std::string oids;
        for (auto oid : catalog::visible_relation_oids(who_, snap_)) {
            oids += (oids.empty() ? "" : ", ") + std::to_string(oid);
        }
        text = "SELECT (SELECT CASE WHEN v.o >= 4026531840 THEN v.o IN (" +
               (oids.empty() ? std::string("0") : oids) +
               ") ELSE pg_catalog.pg_table_is_visible(v.o) END AS pg_table_is_visible FROM (SELECT "
               "($1)::pg_catalog.oid AS o) v)";
    } else if ((name == "current_schemas" && f->n_args == 1) ||
               (name == "current_schema" && f->n_args == 0)) {
        auto t = search_path_expression(name == "current_schema");
        if (!t) {
            return t.error();
        }
        text = std::move(*t);
    } else {
        return {};
    }
    auto parsed_expr = parse_expression(text);
    if (!parsed_expr) {
        return parsed_expr.error();
    }
    PgQuery__Node* expr = *parsed_expr;
    // The inner SELECT's real pg_table_is_visible call must not be rewritten again.
    if (name == "pg_table_is_visible") {
        note_generated_calls(reinterpret_cast<ProtobufCMessage*>(expr));
    }
    if (!graft_params(reinterpret_cast<ProtobufCMessage*>(expr), f->args, f->n_args)) {
        // Only possible with a template whose placeholders do not match the call (a bug).
        pg_query__node__free_unpacked(expr, nullptr);
        return make_error("XX000", "meshgate could not rewrite a call of " + std::string(name));
    }
    // The client's arguments now live in the new expression: the call node is replaced by it.
    std::free(f->args);  // the argument nodes were moved; only the array is left
    f->args = nullptr;
    f->n_args = 0;
    pg_query__func_call__free_unpacked(f, nullptr);
    n->node_case = expr->node_case;
    n->sub_link = expr->sub_link;
    std::free(expr);  // only the Node shell: its SubLink now hangs off `n`
    tree_changed_ = true;
    return {};
}

}  // namespace meshgate::policy::sql
