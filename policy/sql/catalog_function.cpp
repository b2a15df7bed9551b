// Catalog functions that read what meshgate virtualizes: obj_description / col_description
// (pg_description), pg_table_is_visible (pg_class along the search_path) and current_schema(s)
// (meshgate's own search_path over domains). A call becomes an equivalent scalar subquery over
// the virtual relations, so psql's \dt, \d name, \d+, \dt+, pgbench's probe and sync queries
// see the products, their descriptions and visibility.
// Also the OID / object-name guards (policy/oid_guard.hpp): reg* casts, to_reg*, pg_get_*def,
// sizes, privileges, pg_describe_object & co. never name or confirm a warehouse's physical
// object (its OID becomes NULL; a constant name resolves to a product, pg_catalog, or 42P01);
// untyped literals and parameters that would meet a reg* value become explicit casts; and
// `alias.tableoid` of a virtual catalog relation is that catalog's OID. Layer: policy/sql.
#include "policy/sql/proto_children.hpp"
#include "policy/sql/query_walker.hpp"

#include "policy/catalog/virtual_relation.hpp"
#include "policy/oid_guard.hpp"
#include "policy/quote.hpp"

#include <algorithm>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace meshgate::policy::sql {

namespace {

Error oom() { return make_error("53200", "out of memory"); }

// Replaces every ParamRef `$k` (1-based) below `m` by `args[k-1]` (moved out of `args`).
bool graft_params(ProtobufCMessage* m, PgQuery__Node** args, size_t n_args, int depth = 0)
{
    if (m == nullptr || depth > 200) {
        return depth <= 200;
    }
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
    return for_each_child(m, visit);
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


// --- OID / object-name guards (policy/oid_guard.hpp) ---

// A deep copy of `n` (packed and unpacked: malloc memory like every parse tree node).
PgQuery__Node* copy_node(const PgQuery__Node* n)
{
    const size_t len = pg_query__node__get_packed_size(n);
    std::vector<uint8_t> buf(len);
    pg_query__node__pack(n, buf.data());
    return pg_query__node__unpack(nullptr, len, buf.data());
}

// Replaces every ParamRef `$k` (1-based) of the template below `m` by a copy of `args[k-1]`
// (an argument may appear more than once).
bool graft_copies(ProtobufCMessage* m, PgQuery__Node* const* args, size_t n_args, int depth = 0)
{
    if (m == nullptr || depth > 200) {
        return depth <= 200;
    }
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
                PgQuery__Node* copy = copy_node(args[k - 1]);
                if (copy == nullptr) {
                    return false;
                }
                pg_query__node__free_unpacked(node, nullptr);
                slot = reinterpret_cast<ProtobufCMessage*>(copy);
                return true;
            }
        }
        return graft_copies(slot, args, n_args, depth + 1);
    };
    return for_each_child(m, visit);
}

// Every FuncCall and TypeCast below `m`: the template's own, never rewritten again.
void mark_generated(ProtobufCMessage* m, std::unordered_set<const void*>& out, int depth = 0)
{
    if (m == nullptr || depth > 200) {
        return;
    }
    if (m->descriptor == &pg_query__func_call__descriptor ||
        m->descriptor == &pg_query__type_cast__descriptor) {
        out.insert(m);
    }
    for_each_child(m, [&](ProtobufCMessage* child) {
        mark_generated(child, out, depth + 1);
        return true;
    });
}

// `text` (an expression meshgate wrote, placeholders $k for the client's arguments) as a
// detached Node: its calls and casts marked generated, copies of `args` grafted in.
Result<PgQuery__Node*> build_expression(const std::string& text, PgQuery__Node* const* args,
                                        size_t n_args, std::unordered_set<const void*>& generated,
                                        bool mark = true)
{
    const std::string sql = "SELECT " + text;
    ProtobufParse parsed(sql.c_str());
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
        sel->target_list[0]->res_target->val == nullptr) {
        return make_error("XX000", "meshgate could not build a catalog expression");
    }
    PgQuery__Node* expr = sel->target_list[0]->res_target->val;
    sel->target_list[0]->res_target->val = nullptr;
    if (mark) {
        mark_generated(reinterpret_cast<ProtobufCMessage*>(expr), generated);
    }
    if (!graft_copies(reinterpret_cast<ProtobufCMessage*>(expr), args, n_args)) {
        pg_query__node__free_unpacked(expr, nullptr);
        return make_error("XX000", "meshgate could not build a catalog expression");
    }
    return expr;
}

// Replaces what `n` holds by `replacement` (consumed: its Node shell is freed too), freeing
// n's old content.
void replace_node(PgQuery__Node* n, PgQuery__Node* replacement)
{
    const PgQuery__Node old = *n;
    *n = *replacement;
    *replacement = old;
    pg_query__node__free_unpacked(replacement, nullptr);
}

// The String of a string constant, or nullptr.
PgQuery__String* string_constant(PgQuery__Node* n)
{
    if (n == nullptr || n->node_case != PG_QUERY__NODE__NODE_A_CONST || n->a_const == nullptr ||
        n->a_const->val_case != PG_QUERY__A__CONST__VAL_SVAL || n->a_const->sval == nullptr) {
        return nullptr;
    }
    return n->a_const->sval;
}

bool set_string(PgQuery__String* s, const std::string& text)
{
    char* copy = dup_string(text);
    if (copy == nullptr) {
        return false;
    }
    std::free(s->sval);
    s->sval = copy;
    return true;
}

Error unknown_name(bool schema, std::string_view text, int position)
{
    if (schema) {
        return make_error("3F000", "schema \"" + std::string(text) + "\" does not exist", position);
    }
    return make_error("42P01", "relation \"" + std::string(text) + "\" does not exist", position);
}


// The reg* type an expression evidently has (a reg* cast, to_reg*(), pg_partition_root(),
// pg_filenode_relation()), or "".
std::string reg_type_of(const PgQuery__Node* e)
{
    if (e == nullptr) {
        return {};
    }
    if (e->node_case == PG_QUERY__NODE__NODE_TYPE_CAST && e->type_cast != nullptr &&
        e->type_cast->type_name != nullptr && e->type_cast->type_name->n_array_bounds == 0) {
        const auto names = string_list(e->type_cast->type_name->names, e->type_cast->type_name->n_names);
        if (!names.empty() && (names.size() == 1 || names[0] == "pg_catalog")) {
            const auto k = reg_kind(names.back());
            if (k == RegKind::Relation || k == RegKind::Namespace || k == RegKind::Guarded) {
                return std::string(names.back());
            }
        }
        return {};
    }
    if (e->node_case == PG_QUERY__NODE__NODE_FUNC_CALL && e->func_call != nullptr) {
        const auto names = string_list(e->func_call->funcname, e->func_call->n_funcname);
        if (names.empty() || (names.size() == 2 && names[0] != "pg_catalog") || names.size() > 2) {
            return {};
        }
        const auto f = names.back();
        if (f == "pg_partition_root" || f == "pg_filenode_relation") {
            return "regclass";
        }
        if (f == "pg_typeof") {
            return "regtype";
        }
        if (f.substr(0, 3) == "to_") {
            const auto t = f.substr(3);
            const auto k = reg_kind(t);
            if (k == RegKind::Relation || k == RegKind::Namespace || k == RegKind::Guarded) {
                return std::string(t);
            }
        }
    }
    return {};
}

// An untyped string constant or a bind parameter: PostgreSQL would give it the reg* type of
// what it meets, and read its text with a name lookup.
bool untyped_value(PgQuery__Node* n)
{
    return string_constant(n) != nullptr ||
           (n != nullptr && n->node_case == PG_QUERY__NODE__NODE_PARAM_REF);
}

// Wraps an untyped string constant `n` in an explicit cast to `type` (a client node: the cast
// rules then resolve it). False on OOM / build failure.
bool cast_literal(PgQuery__Node* n, const std::string& type, std::unordered_set<const void*>& generated)
{
    auto cast = build_expression("NULL::pg_catalog." + type, nullptr, 0, generated, false);
    if (!cast) {
        return false;
    }
    PgQuery__Node* c = *cast;
    PgQuery__Node* literal = copy_node(n);
    if (literal == nullptr) {
        pg_query__node__free_unpacked(c, nullptr);
        return false;
    }
    pg_query__node__free_unpacked(c->type_cast->arg, nullptr);
    c->type_cast->arg = literal;
    replace_node(n, c);
    return true;
}


// Among `items` (values that PostgreSQL resolves to one common type), when one is evidently of
// a reg* type, the untyped string constants become casts to it.
bool cast_literals_among(const std::vector<PgQuery__Node*>& items,
                         std::unordered_set<const void*>& generated, bool& changed)
{
    std::string type;
    for (auto* i : items) {
        if (type.empty()) {
            type = reg_type_of(i);
        }
    }
    if (type.empty()) {
        return true;
    }
    for (auto* i : items) {
        if (untyped_value(i)) {
            if (!cast_literal(i, type, generated)) {
                return false;
            }
            changed = true;
        }
    }
    return true;
}

// COALESCE, GREATEST/LEAST, ARRAY[...] and CASE results below `m` (not inside nested SELECTs).
bool cast_literals_in_containers(ProtobufCMessage* m, std::unordered_set<const void*>& generated,
                                 bool& changed, int depth = 0)
{
    if (m == nullptr || depth > 200) {
        return depth <= 200;
    }
    if (m->descriptor == &pg_query__select_stmt__descriptor && depth > 0) {
        return true;
    }
    const auto* d = m->descriptor;
    if (d == &pg_query__node__descriptor) {
        auto* n = reinterpret_cast<PgQuery__Node*>(m);
        std::vector<PgQuery__Node*> items;
        if (n->node_case == PG_QUERY__NODE__NODE_COALESCE_EXPR && n->coalesce_expr != nullptr) {
            items.assign(n->coalesce_expr->args, n->coalesce_expr->args + n->coalesce_expr->n_args);
        } else if (n->node_case == PG_QUERY__NODE__NODE_MIN_MAX_EXPR && n->min_max_expr != nullptr) {
            items.assign(n->min_max_expr->args, n->min_max_expr->args + n->min_max_expr->n_args);
        } else if (n->node_case == PG_QUERY__NODE__NODE_A_ARRAY_EXPR && n->a_array_expr != nullptr) {
            items.assign(n->a_array_expr->elements,
                         n->a_array_expr->elements + n->a_array_expr->n_elements);
        } else if (n->node_case == PG_QUERY__NODE__NODE_CASE_EXPR && n->case_expr != nullptr) {
            auto* c = n->case_expr;
            std::vector<PgQuery__Node*> tests;
            if (c->arg != nullptr) {
                tests.push_back(c->arg);
            }
            for (size_t i = 0; i < c->n_args; ++i) {
                auto* w = c->args[i];
                if (w != nullptr && w->node_case == PG_QUERY__NODE__NODE_CASE_WHEN && w->case_when != nullptr) {
                    items.push_back(w->case_when->result);
                    if (c->arg != nullptr) {
                        tests.push_back(w->case_when->expr);
                    }
                }
            }
            if (c->defresult != nullptr) {
                items.push_back(c->defresult);
            }
            if (!cast_literals_among(tests, generated, changed)) {
                return false;
            }
        }
        if (!items.empty() && !cast_literals_among(items, generated, changed)) {
            return false;
        }
    }
    return for_each_child(m, [&](ProtobufCMessage* child) {
        return cast_literals_in_containers(child, generated, changed, depth + 1);
    });
}

// The rows a set operation / VALUES list unifies column by column.
void collect_rows(PgQuery__SelectStmt* s, std::vector<std::vector<PgQuery__Node*>>& rows)
{
    if (s == nullptr) {
        return;
    }
    if (s->op != PG_QUERY__SET_OPERATION__SETOP_NONE) {
        collect_rows(s->larg, rows);
        collect_rows(s->rarg, rows);
        return;
    }
    if (s->n_values_lists > 0) {
        for (size_t r = 0; r < s->n_values_lists; ++r) {
            auto* l = s->values_lists[r];
            if (l != nullptr && l->node_case == PG_QUERY__NODE__NODE_LIST && l->list != nullptr) {
                rows.emplace_back(l->list->items, l->list->items + l->list->n_items);
            }
        }
        return;
    }
    std::vector<PgQuery__Node*> row;
    for (size_t i = 0; i < s->n_target_list; ++i) {
        auto* t = s->target_list[i];
        row.push_back(t != nullptr && t->node_case == PG_QUERY__NODE__NODE_RES_TARGET &&
                              t->res_target != nullptr
                          ? t->res_target->val
                          : nullptr);
    }
    rows.push_back(std::move(row));
}


bool is_relation_privilege(std::string_view name)
{
    return name == "has_table_privilege" || name == "has_any_column_privilege" ||
           name == "has_column_privilege";
}

constexpr const char* kPhysical = "16384::pg_catalog.oid";

// `key` names no physical object: a system OID, or a product's / domain's synthetic one.
std::string not_physical(const std::string& key)
{
    return "(" + key + " < " + kPhysical + " OR " + key + " >= 4026531840::pg_catalog.oid)";
}

// A string constant of digits only: reg* input reads it as an OID, no lookup. nullopt otherwise.
std::optional<uint64_t> numeric_string(std::string_view s)
{
    if (s.empty() || s.size() > 10) {
        return std::nullopt;
    }
    uint64_t v = 0;
    for (char c : s) {
        if (c < '0' || c > '9') {
            return std::nullopt;
        }
        v = v * 10 + uint64_t(c - '0');
    }
    return v;
}


// --- tableoid of virtual catalog relations ---

// alias (or relation name) -> relation name, for the FROM items of one SELECT that name a
// pg_catalog relation meshgate answers itself.
void collect_catalog_aliases(PgQuery__Node* n, std::map<std::string, std::string>& out)
{
    if (n == nullptr) {
        return;
    }
    if (n->node_case == PG_QUERY__NODE__NODE_JOIN_EXPR && n->join_expr != nullptr) {
        collect_catalog_aliases(n->join_expr->larg, out);
        collect_catalog_aliases(n->join_expr->rarg, out);
        return;
    }
    if (n->node_case != PG_QUERY__NODE__NODE_RANGE_VAR || n->range_var == nullptr) {
        return;
    }
    const auto* rv = n->range_var;
    const std::string schema(str(rv->schemaname));
    const std::string name(str(rv->relname));
    if (!str(rv->catalogname).empty() || !(schema.empty() || schema == "pg_catalog")) {
        return;
    }
    if (!catalog::find_virtual_relation("pg_catalog", name) &&
        !catalog::find_system_relation("pg_catalog", name)) {
        return;
    }
    const std::string alias =
        rv->alias != nullptr && rv->alias->aliasname != nullptr ? rv->alias->aliasname : name;
    out[alias] = name;
}

// Replaces `alias.tableoid` below `m` (not inside nested SELECTs, which get their own pass).
bool replace_tableoid(ProtobufCMessage* m, const std::map<std::string, std::string>& aliases,
                      std::unordered_set<const void*>& generated, bool& changed, int depth = 0)
{
    if (m == nullptr || depth > 200) {
        return depth <= 200;
    }
    auto visit = [&](ProtobufCMessage* slot) {
        if (slot == nullptr || slot->descriptor == &pg_query__select_stmt__descriptor) {
            return true;
        }
        if (slot->descriptor == &pg_query__node__descriptor) {
            auto* node = reinterpret_cast<PgQuery__Node*>(slot);
            if (node->node_case == PG_QUERY__NODE__NODE_SELECT_STMT) {
                return true;
            }
            if (node->node_case == PG_QUERY__NODE__NODE_COLUMN_REF && node->column_ref != nullptr) {
                const auto fields = string_list(node->column_ref->fields, node->column_ref->n_fields);
                if (fields.size() == 2 && fields[1] == "tableoid") {
                    const auto it = aliases.find(std::string(fields[0]));
                    if (it != aliases.end()) {
                        auto q = quote_literal("pg_catalog." + it->second);
                        if (!q) {
                            return false;
                        }
                        auto expr = build_expression(*q + "::pg_catalog.regclass::pg_catalog.oid",
                                                     nullptr, 0, generated);
                        if (!expr) {
                            return false;
                        }
                        replace_node(node, *expr);
                        changed = true;
                    }
                }
                return true;
            }
        }
        return replace_tableoid(slot, aliases, generated, changed, depth + 1);
    };
    return for_each_child(m, visit);
}

}  // namespace

Result<void> QueryWalker::rewrite_tableoid(PgQuery__SelectStmt* s)
{
    // Untyped literals unified with reg* values (UNION / VALUES columns, COALESCE, GREATEST,
    // ARRAY, CASE) would be read with regclassin (a name lookup): they become casts.
    bool cast_changed = false;
    if (s->op != PG_QUERY__SET_OPERATION__SETOP_NONE || s->n_values_lists > 1) {
        std::vector<std::vector<PgQuery__Node*>> rows;
        collect_rows(s, rows);
        size_t width = 0;
        for (const auto& r : rows) {
            width = std::max(width, r.size());
        }
        for (size_t col = 0; col < width; ++col) {
            std::vector<PgQuery__Node*> items;
            for (const auto& r : rows) {
                if (col < r.size() && r[col] != nullptr) {
                    items.push_back(r[col]);
                }
            }
            if (!cast_literals_among(items, generated_calls_, cast_changed)) {
                return make_error("XX000", "meshgate could not rewrite a reg* value");
            }
        }
    }
    if (!cast_literals_in_containers(&s->base, generated_calls_, cast_changed)) {
        return make_error("XX000", "meshgate could not rewrite a reg* value");
    }
    tree_changed_ = tree_changed_ || cast_changed;

    // The relations meshgate answers itself are derived tables, which have no system columns;
    // psql's \dd reads `alias.tableoid`. It is the catalog's own OID ('pg_class'::regclass).
    std::map<std::string, std::string> aliases;
    for (size_t i = 0; i < s->n_from_clause; ++i) {
        collect_catalog_aliases(s->from_clause[i], aliases);
    }
    if (aliases.empty()) {
        return {};
    }
    bool changed = false;
    if (!replace_tableoid(&s->base, aliases, generated_calls_, changed)) {
        return make_error("XX000", "meshgate could not rewrite a tableoid reference");
    }
    tree_changed_ = tree_changed_ || changed;
    return {};
}

Result<void> QueryWalker::type_reg_literals(PgQuery__Node* n)
{
    // `x::regclass = 'public.payouts'`: PostgreSQL would read the untyped literal with
    // regclassin, a lookup along the service account's search_path whose error (or not) tells
    // whether the table exists. Such literals become explicit casts, which the cast rules
    // resolve (products, the system, 42P01).
    auto* e = n->a_expr;
    if (e == nullptr) {
        return {};
    }
    std::string type = reg_type_of(e->lexpr);
    if (type.empty()) {
        type = reg_type_of(e->rexpr);
    }
    if (type.empty()) {
        return {};
    }
    auto fix = [&](PgQuery__Node* side) {
        if (untyped_value(side)) {
            if (!cast_literal(side, type, generated_calls_)) {
                return false;
            }
            tree_changed_ = true;
        } else if (side != nullptr && side->node_case == PG_QUERY__NODE__NODE_LIST &&
                   side->list != nullptr) {
            for (size_t i = 0; i < side->list->n_items; ++i) {
                if (untyped_value(side->list->items[i])) {
                    if (!cast_literal(side->list->items[i], type, generated_calls_)) {
                        return false;
                    }
                    tree_changed_ = true;
                }
            }
        }
        return true;
    };
    if (!fix(e->lexpr) || !fix(e->rexpr)) {
        return make_error("XX000", "meshgate could not rewrite a reg* comparison");
    }
    return {};
}

Result<void> QueryWalker::rewrite_reg_cast(PgQuery__Node* n)
{
    auto* c = n->type_cast;
    if (c == nullptr || generated_calls_.count(c) != 0 || c->type_name == nullptr) {
        return {};
    }
    const auto names = string_list(c->type_name->names, c->type_name->n_names);
    if (names.empty() || names.size() > 2 || (names.size() == 2 && names[0] != "pg_catalog")) {
        return {};  // other schemas' types are refused by on_type_name
    }
    const std::string type(names.back());
    const auto kind = reg_kind(type);
    if (kind == RegKind::None || kind == RegKind::Harmless) {
        return {};
    }
    const int position = position_of(c->location);
    if (c->type_name->n_array_bounds > 0) {
        return make_error("0A000", "casts to " + type + "[] are not supported through meshgate",
                          position);
    }
    std::string text;
    if (auto* s = string_constant(c->arg); s != nullptr && numeric_string(str(s->sval))) {
        // '16386'::regclass is an OID written as a string (psql sends these).
        const auto v = *numeric_string(str(s->sval));
        if (v < kFirstNormalOid || (v >= 0xF0000000u && v <= 0xFFFFFFFFu)) {
            if (!(kind == RegKind::Namespace && v == 2200)) {
                return {};
            }
        }
        text = "NULL::pg_catalog." + type;
    } else if (s != nullptr && kind != RegKind::Guarded) {
        const bool schema = kind == RegKind::Namespace;
        const auto r = schema ? resolve_namespace_name(str(s->sval), snap_)
                              : resolve_relation_name(str(s->sval), who_, snap_);
        switch (r.kind) {
        case NameResolution::Kind::Product:
            text = std::to_string(r.oid) + "::pg_catalog.oid::pg_catalog." + type;
            break;
        case NameResolution::Kind::System:
            if (!set_string(s, r.qualified)) {
                return oom();
            }
            tree_changed_ = true;
            return {};
        case NameResolution::Kind::Unknown:
            return unknown_name(schema, str(s->sval), position);
        }
    } else if (s != nullptr) {
        const std::string call = "pg_catalog." + to_reg_function(type) + "($1)";
        text = "CASE WHEN " + not_physical(call + "::pg_catalog.oid") + " THEN " + call + " END";
    } else {
        // The public schema (OID 2200) is a warehouse's schema too, not a domain.
        text = "CASE WHEN " + not_physical("($1)::pg_catalog.oid") +
               (kind == RegKind::Namespace ? " AND ($1)::pg_catalog.oid <> 2200::pg_catalog.oid"
                                           : "") +
               " THEN ($1)::pg_catalog.oid::pg_catalog." + type + " END";
    }
    auto expr = build_expression(text, &c->arg, 1, generated_calls_);
    if (!expr) {
        return expr.error();
    }
    replace_node(n, *expr);
    tree_changed_ = true;
    return {};
}

Result<void> QueryWalker::answer_privilege(PgQuery__Node* n, std::string_view name, size_t index)
{
    // has_table_privilege & co. on a product: true for SELECT when the caller may read it (a
    // product is read-only), false otherwise; on anything else the real function with the
    // relation guarded. The relation may be an OID or a name, constant or computed per row.
    auto* f = n->func_call;
    const auto ids = catalog::object_ids(snap_);
    std::string readable;
    std::string spellings;
    for (const auto& [dname, d] : snap_.domains) {
        if (!catalog::domain_is_listed(dname)) {
            continue;
        }
        for (const auto& [pname, p] : d.products) {
            const auto oid = std::to_string(ids.relations.at(p.address()));
            if (catalog::accessible(p, who_)) {
                readable += (readable.empty() ? "" : ", ") + oid;
            }
            auto qd = quote_identifier(dname);
            auto qp = quote_identifier(pname);
            auto plain = quote_literal(dname + "." + pname);
            if (!qd || !qp || !plain) {
                return make_error("XX000", "meshgate could not quote a product name");
            }
            auto quoted = quote_literal(*qd + "." + *qp);
            if (!quoted) {
                return quoted.error();
            }
            spellings += (spellings.empty() ? "" : ", ") + std::string("(") + *plain + ", " + oid +
                         "::pg_catalog.oid), (" + *quoted + ", " + oid + "::pg_catalog.oid)";
        }
    }
    const std::string a = "$" + std::to_string(index + 1);
    const std::string as_text = "(" + a + ")::pg_catalog.text";
    const std::string product =
        spellings.empty() ? std::string("NULL::pg_catalog.oid")
                          : "(SELECT m.o FROM (VALUES " + spellings + ") m(n, o) WHERE m.n = " +
                                as_text + " LIMIT 1)";
    const std::string key = "COALESCE(" + product + ", CASE WHEN " + as_text +
                            " ~ '^[0-9]+$' THEN " + as_text + "::pg_catalog.oid ELSE pg_catalog.to_regclass(" +
                            as_text + ")::pg_catalog.oid END)";
    // The key is computed once, in a derived table; the other arguments stay where they are.
    const std::string guarded = "CASE WHEN " + not_physical("v.k") + " THEN v.k END";
    std::string call = "pg_catalog." + std::string(name) + "(";
    for (size_t i = 0; i < f->n_args; ++i) {
        call += (i == 0 ? "" : ", ") + (i == index ? guarded : "$" + std::to_string(i + 1));
    }
    call += ")";
    const std::string priv = "$" + std::to_string(f->n_args);
    // With an explicit role meshgate answers for current_user / session_user (the client's
    // user, as far as the client can tell); for a named warehouse role it cannot say: NULL.
    const bool as_caller =
        index == 0 || (f->args[0] != nullptr &&
                       f->args[0]->node_case == PG_QUERY__NODE__NODE_SQLVALUE_FUNCTION);
    const std::string answer =
        as_caller ? "(v.k IN (" + (readable.empty() ? std::string("0") : readable) +
                         ") AND pg_catalog.upper((" + priv + ")::pg_catalog.text) ~ 'SELECT')"
                   : std::string("NULL::pg_catalog.bool");
    const std::string text = "(SELECT CASE WHEN v.k >= 4026531840::pg_catalog.oid THEN " + answer +
                             " ELSE " + call + " END AS " + std::string(name) + " FROM (SELECT " +
                             key + " AS k) v)";
    auto expr = build_expression(text, f->args, f->n_args, generated_calls_);
    if (!expr) {
        return expr.error();
    }
    replace_node(n, *expr);
    tree_changed_ = true;
    return {};
}

Result<void> QueryWalker::guard_object_call(PgQuery__Node* n, std::string_view name)
{
    auto* f = n->func_call;
    const auto g = oid_guard_for(name, f->n_args);
    if (!g) {
        return {};
    }
    const int position = position_of(f->location);
    if (f->agg_star || f->agg_distinct || f->func_variadic || f->over != nullptr ||
        f->agg_filter != nullptr || f->n_agg_order != 0 || g->index >= f->n_args) {
        return make_error("0A000", "meshgate does not support this form of a call of " +
                                       std::string(name),
                          position);
    }
    for (size_t i = 0; i < f->n_args; ++i) {
        if (f->args[i] == nullptr || f->args[i]->node_case == PG_QUERY__NODE__NODE_NAMED_ARG_EXPR) {
            return make_error("0A000", "meshgate does not support named arguments in a call of " +
                                           std::string(name),
                              position);
        }
    }
    using Arg = OidGuard::Arg;
    PgQuery__Node* arg = f->args[g->index];
    auto* s = string_constant(arg);
    const bool names_object = g->arg == Arg::Relation || g->arg == Arg::Namespace;
    if (names_object && s != nullptr && !numeric_string(str(s->sval))) {
        const bool schema = g->arg == Arg::Namespace;
        // to_regnamespace reads identifier syntax; has_schema_privilege takes the name as is.
        const auto r = schema ? resolve_namespace_name(str(s->sval), snap_, !g->result)
                              : resolve_relation_name(str(s->sval), who_, snap_);
        std::string text;
        PgQuery__Node* target = g->result || name == "pg_get_serial_sequence" ? n : arg;
        switch (r.kind) {
        case NameResolution::Kind::Product:
            if (name == "pg_get_serial_sequence") {
                text = "NULL::pg_catalog.text";   // products have no sequences
            } else if (g->result) {
                text = std::to_string(r.oid) + "::pg_catalog.oid::pg_catalog." +
                       (schema ? "regnamespace" : "regclass");
            } else {
                text = std::to_string(r.oid) + "::pg_catalog.oid";
            }
            break;
        case NameResolution::Kind::System:
            if (!set_string(s, r.qualified)) {
                return oom();
            }
            tree_changed_ = true;
            return {};
        case NameResolution::Kind::Unknown:
            if (!g->result) {
                return unknown_name(schema, str(s->sval), position_of(arg->a_const->location));
            }
            text = std::string("NULL::pg_catalog.") + (schema ? "regnamespace" : "regclass");
            break;
        }
        auto expr = build_expression(text, nullptr, 0, generated_calls_);
        if (!expr) {
            return expr.error();
        }
        replace_node(target, *expr);
        tree_changed_ = true;
        if (!(r.kind == NameResolution::Kind::Product && is_relation_privilege(name))) {
            return {};
        }
        s = nullptr;   // the argument is now the product's OID: answered below
    }
    if (name == "pg_get_serial_sequence") {
        return make_error("0A000", "pg_get_serial_sequence() through meshgate takes the table's "
                                   "name as a string constant",
                          position);
    }
    std::string text;
    PgQuery__Node* target = arg;
    if (g->result) {
        // to_reg*(...) and pg_filenode_relation(...): a physical object's OID (and so its name)
        // becomes NULL, like an object that does not exist.
        std::string call = "pg_catalog." + std::string(name) + "(";
        for (size_t i = 0; i < f->n_args; ++i) {
            call += (i == 0 ? "$" : ", $") + std::to_string(i + 1);
        }
        call += ")";
        text = "CASE WHEN " + not_physical(call + "::pg_catalog.oid") + " THEN " + call + " END";
        auto expr = build_expression(text, f->args, f->n_args, generated_calls_);
        if (!expr) {
            return expr.error();
        }
        replace_node(n, *expr);
        tree_changed_ = true;
        return {};
    }
    if (is_relation_privilege(name)) {
        return answer_privilege(n, name, g->index);
    }
    std::string key = "($1)::pg_catalog.oid";
    if (s == nullptr && names_object) {
        // An OID or a name computed per row (Metabase: has_table_privilege(current_user,
        // '"' || schemaname || '"."' || tablename || '"', 'SELECT')): digits are an OID, other
        // text a name, looked up with to_reg*; the call then gets that OID, guarded like any
        // other, so a physical name answers NULL exactly like a missing one.
        const std::string lookup = g->arg == Arg::Namespace ? "to_regnamespace" : "to_regclass";
        key = "(CASE WHEN ($1)::pg_catalog.text ~ '^[0-9]+$' THEN ($1)::pg_catalog.text::pg_catalog.oid "
              "ELSE pg_catalog." + lookup + "(($1)::pg_catalog.text)::pg_catalog.oid END)";
    } else if (s != nullptr && g->arg == Arg::Function) {
        key = "pg_catalog.to_regprocedure($1)::pg_catalog.oid";
    } else if (s != nullptr && g->arg == Arg::Type) {
        key = "pg_catalog.to_regtype($1)::pg_catalog.oid";
    }
    // The argument: a physical OID becomes NULL (these functions then answer NULL or no rows,
    // as for an OID that names nothing).
    text = "CASE WHEN " + not_physical(key) +
           (g->arg == Arg::Namespace ? " AND " + key + " <> 2200::pg_catalog.oid" : "") +
           " THEN " + key + " END";
    auto expr = build_expression(text, &arg, 1, generated_calls_);
    if (!expr) {
        return expr.error();
    }
    replace_node(target, *expr);
    tree_changed_ = true;
    return {};
}

void QueryWalker::note_generated_calls(ProtobufCMessage* m, int depth)
{
    if (m == nullptr || depth > 200) {
        return;
    }
    if (m->descriptor == &pg_query__func_call__descriptor) {
        generated_calls_.insert(m);
    }
    for_each_child(m, [&](ProtobufCMessage* child) {
        note_generated_calls(child, depth + 1);
        return true;
    });
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
    if (n->node_case == PG_QUERY__NODE__NODE_TYPE_CAST) {
        return rewrite_reg_cast(n);
    }
    if (n->node_case == PG_QUERY__NODE__NODE_A_EXPR) {
        return type_reg_literals(n);
    }
    auto* f = n->func_call;
    if (f == nullptr || generated_calls_.count(f) != 0) {
        return {};
    }
    const auto names = string_list(f->funcname, f->n_funcname);
    if (names.empty() || names.size() > 2 || (names.size() == 2 && names[0] != "pg_catalog")) {
        return {};
    }
    if (oid_guard_for(names.back(), f->n_args)) {
        return guard_object_call(n, names.back());
    }
    if (f->agg_star || f->agg_distinct || f->func_variadic || f->over != nullptr ||
        f->agg_filter != nullptr || f->n_agg_order != 0) {
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
