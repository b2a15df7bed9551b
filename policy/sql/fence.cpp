// The fence decision (SPEC §2 derived tables, issue 3 item 4): may the backend evaluate the
// user's expressions on rows a row filter removes? Layer: policy/sql.
//
// PostgreSQL flattens a derived table into the outer query and pushes the outer quals down to
// the scan of the source relation, next to the row filter's quals, ordered by cost. A user qual
// that can raise an error (or have an effect) depending on a row's values then runs on rows the
// filter removes: `WHERE 1/(CASE WHEN region = 'US' AND secret LIKE 'a%' THEN 0 ELSE 1 END) = 1`
// answers "division by zero" exactly when a hidden row matches. The fence (OFFSET 0 in the
// derived table) stops flattening and pushdown, so outer quals only ever see filtered rows; it
// also stops index use for the outer quals, so it is added only when the statement is not
// provably leakproof.
//
// "Leakproof" here means: no expression of the statement can raise an error or have an effect
// that depends on a row's values. Proven by shape only, conservatively (anything not listed is
// not leakproof, and one such expression anywhere in the statement fences every row-filtered
// derived table of it):
//   - AND / OR / NOT, IS [NOT] NULL, IS [NOT] TRUE/FALSE/UNKNOWN, column references, constants,
//     parameters, ROW(...) outside comparisons, ORDER BY / GROUP BY / DISTINCT of those;
//   - comparisons (= <> != < > <= >=, IN (list), [NOT] BETWEEN [SYMMETRIC], IS [NOT] DISTINCT
//     FROM) whose operands are a bare column, an untyped constant, a parameter, or a constant
//     or parameter cast to int2/int4/int8/text/varchar/bpchar/bool, and where the compared
//     column's type is known and the operator PostgreSQL picks is leakproof in pg_proc and
//     cannot make PostgreSQL cast the *column* with a cast that can fail:
//       * column vs untyped constant: the constant takes the column's type (or a cross-type
//         operator exists: int2/int4/int8 with int literals); the column's type must have
//         leakproof comparison operators (checked on PostgreSQL 15: smallint, integer, bigint,
//         text, varchar, character, name, boolean, real, double precision, uuid, date,
//         timestamp, timestamptz, interval, oid, bytea; NOT numeric, whose operators are not
//         marked leakproof);
//       * column vs a float literal (1.5 is numeric): only real/double precision columns (the
//         literal is cast, not the column);
//       * column vs parameter: the client may declare the parameter's type (Parse, PREPARE),
//         and PostgreSQL then casts the column implicitly: `bigint_col = $1` with $1 declared
//         oid runs int8->oid on every row and fails with "OID out of range"; `numeric_col` to
//         float4 overflows. Only column types whose every implicit cast is binary or cannot fail
//         qualify: smallint, integer, boolean, uuid, text, varchar, character, real, double
//         precision (text->regclass is implicit but no comparison operator reaches it);
//       * column vs column (joins, USING): both types known, leakproof, and in one family
//         (smallint/integer/bigint, text/varchar/character/name, real/double precision) or
//         equal.
//   A column's type is "known" when the name is the name of a column of a product referenced by
//   the statement (every such column's type counts), the statement gives no column or relation
//   that name (no `AS name`, alias column lists, CTE names), and no FROM item other than
//   products, CTEs and subqueries exists (catalog relations, VALUES, functions have columns
//   meshgate cannot type). Masks change types: a hash, partial or regex mask makes text; a
//   round or truncate mask can itself fail on extreme values (integer overflow, dates outside
//   the timestamp range), so a compared column carrying one is not leakproof.
// Not leakproof (fenced): any function call (aggregates too), operators other than the
// comparisons above (arithmetic, ||, LIKE, ~, ->, @>, ...), casts of columns, subqueries, CASE,
// COALESCE, GREATEST/LEAST, ARRAY[...], subscripts, set operations (their type unification can
// cast a column), NATURAL joins, comparisons of anything else.
//
// Rewrite cache (statements that differ only in constants share one rewrite): the decision
// depends on a constant only through its kind, and the only kind difference that changes it
// (an integer vs a float literal on an integer column) concerns casts that cannot fail
// (int -> numeric), so sharing a decision across constants is safe; a constant's cast
// (`5::oid`) stays in the normalized text and so in the key.
//
// Masked columns never need the fence for their own sake: the outer query sees the derived
// table's column, which is the mask expression, so a pushed-down qual is evaluated on the masked
// value and never on the raw one.
#include "policy/sql/query_walker.hpp"

#include "policy/product_view.hpp"

#include <algorithm>
#include <array>
#include <optional>
#include <set>

namespace meshgate::policy::sql {

namespace {

enum class OperandKind { Column, Literal, FloatLiteral, Param, Other };

struct Operand {
    OperandKind kind = OperandKind::Other;
    std::string column;
};

// A cast target that can never make PostgreSQL cast the compared column with a failing cast.
bool safe_cast_target(const PgQuery__TypeName* t)
{
    if (t == nullptr || t->n_array_bounds > 0 || t->setof || t->pct_type) {
        return false;
    }
    const auto names = string_list(t->names, t->n_names);
    if (names.empty() || names.size() > 2 || (names.size() == 2 && names[0] != "pg_catalog")) {
        return false;
    }
    static constexpr std::array<std::string_view, 7> kSafe = {"int2", "int4", "int8", "text",
                                                              "varchar", "bpchar", "bool"};
    return std::find(kSafe.begin(), kSafe.end(), names.back()) != kSafe.end();
}

Operand classify(const PgQuery__Node* n)
{
    if (n == nullptr) {
        return {};
    }
    switch (n->node_case) {
    case PG_QUERY__NODE__NODE_COLUMN_REF: {
        const auto names = string_list(n->column_ref->fields, n->column_ref->n_fields);
        if (names.empty()) {
            return {};  // t.* or an unexpected field
        }
        return {OperandKind::Column, std::string(names.back())};
    }
    case PG_QUERY__NODE__NODE_A_CONST:
        switch (n->a_const->val_case) {
        case PG_QUERY__A__CONST__VAL_IVAL:
        case PG_QUERY__A__CONST__VAL_SVAL:
        case PG_QUERY__A__CONST__VAL_BOOLVAL:
            return {OperandKind::Literal, {}};
        case PG_QUERY__A__CONST__VAL_FVAL:
            return {OperandKind::FloatLiteral, {}};
        default:
            // NULL (isnull) and bit strings: a NULL literal compares to nothing, but bit
            // strings are typed; keep both conservative except the plain NULL.
            return n->a_const->isnull ? Operand{OperandKind::Literal, {}} : Operand{};
        }
    case PG_QUERY__NODE__NODE_PARAM_REF:
        return {OperandKind::Param, {}};
    case PG_QUERY__NODE__NODE_TYPE_CAST: {
        const auto* c = n->type_cast;
        if (c->arg == nullptr || !safe_cast_target(c->type_name)) {
            return {};
        }
        const auto k = c->arg->node_case;
        if (k == PG_QUERY__NODE__NODE_PARAM_REF ||
            (k == PG_QUERY__NODE__NODE_A_CONST &&
             c->arg->a_const->val_case != PG_QUERY__A__CONST__VAL_BSVAL)) {
            // The cast value is computed once per execution; it has one of the safe types.
            return {OperandKind::Literal, {}};
        }
        return {};
    }
    default:
        return {};
    }
}

// format_type text without typmods: "character varying(20)" -> "character varying",
// "timestamp(3) with time zone" -> "timestamp with time zone". Arrays keep "[]".
std::string base_type(std::string_view t)
{
    std::string out;
    int depth = 0;
    for (char c : t) {
        if (c == '(') {
            ++depth;
        } else if (c == ')') {
            depth = depth > 0 ? depth - 1 : 0;
        } else if (depth == 0) {
            out += c;
        }
    }
    // Collapse the double space left by "timestamp(3) with" and trim.
    std::string clean;
    for (char c : out) {
        if (c == ' ' && (clean.empty() || clean.back() == ' ')) {
            continue;
        }
        clean += c;
    }
    while (!clean.empty() && clean.back() == ' ') {
        clean.pop_back();
    }
    return clean;
}

bool in(std::string_view t, std::initializer_list<std::string_view> set)
{
    return std::find(set.begin(), set.end(), t) != set.end();
}

// Types whose same-type comparison operators are leakproof in pg_proc (PostgreSQL 15).
bool leakproof_compare(std::string_view t)
{
    return in(t, {"smallint", "integer", "bigint", "text", "character varying", "character",
                  "name", "boolean", "real", "double precision", "uuid", "date",
                  "timestamp without time zone", "timestamp with time zone", "interval", "oid",
                  "bytea"});
}

// Types every implicit cast of which is binary or cannot fail, and whose comparisons with any
// type a parameter may be declared as are leakproof or need no cast of the column.
bool param_safe(std::string_view t)
{
    return in(t, {"smallint", "integer", "boolean", "uuid", "text", "character varying",
                  "character", "real", "double precision"});
}

int family(std::string_view t)
{
    if (in(t, {"smallint", "integer", "bigint"})) {
        return 1;
    }
    if (in(t, {"text", "character varying", "character", "name"})) {
        return 2;
    }
    if (in(t, {"real", "double precision"})) {
        return 3;
    }
    return 0;
}

bool same_family(const std::string& a, const std::string& b)
{
    const int fa = family(a);
    return a == b || (fa != 0 && fa == family(b));
}

}  // namespace

void QueryWalker::note_comparison(PgQuery__AExpr* e)
{
    const Operand left = classify(e->lexpr);
    std::vector<Operand> right;
    if (e->rexpr != nullptr && e->rexpr->node_case == PG_QUERY__NODE__NODE_LIST) {
        // IN (a, b, ...) and BETWEEN a AND b: the left operand is compared with each item.
        const auto* l = e->rexpr->list;
        for (size_t i = 0; i < l->n_items; ++i) {
            right.push_back(classify(l->items[i]));
        }
        if (right.empty()) {
            risky_ = true;
            return;
        }
    } else {
        right.push_back(classify(e->rexpr));
    }
    for (const auto& r : right) {
        const Operand* col = left.kind == OperandKind::Column ? &left
                             : r.kind == OperandKind::Column  ? &r
                                                              : nullptr;
        const Operand& other = col == &left ? r : left;
        if (left.kind == OperandKind::Other || r.kind == OperandKind::Other) {
            risky_ = true;
            return;
        }
        if (col == nullptr) {
            continue;  // constants and parameters only: the same result for every row
        }
        Comparison c;
        c.column = col->column;
        switch (other.kind) {
        case OperandKind::Column:
            c.other = Comparison::Other::Column;
            c.other_column = other.column;
            break;
        case OperandKind::Literal:
            c.other = Comparison::Other::Literal;
            break;
        case OperandKind::FloatLiteral:
            c.other = Comparison::Other::FloatLiteral;
            break;
        case OperandKind::Param:
            c.other = Comparison::Other::Param;
            break;
        case OperandKind::Other:
            risky_ = true;
            return;
        }
        comparisons_.push_back(std::move(c));
    }
}

void QueryWalker::note_names(const ProtobufCMessage* m)
{
    const auto* d = m->descriptor;
    auto add_list = [&](PgQuery__Node** items, size_t n) {
        for (size_t i = 0; i < n; ++i) {
            if (items[i] != nullptr && items[i]->node_case == PG_QUERY__NODE__NODE_STRING &&
                items[i]->string != nullptr) {
                renames_.emplace_back(str(items[i]->string->sval));
            }
        }
    };
    if (d == &pg_query__res_target__descriptor) {
        const auto* t = reinterpret_cast<const PgQuery__ResTarget*>(m);
        if (!str(t->name).empty()) {
            renames_.emplace_back(str(t->name));
        }
    } else if (d == &pg_query__alias__descriptor) {
        const auto* a = reinterpret_cast<const PgQuery__Alias*>(m);
        renames_.emplace_back(str(a->aliasname));  // a whole-row reference by that name
        add_list(a->colnames, a->n_colnames);
    } else if (d == &pg_query__common_table_expr__descriptor) {
        const auto* c = reinterpret_cast<const PgQuery__CommonTableExpr*>(m);
        renames_.emplace_back(str(c->ctename));
        add_list(c->aliascolnames, c->n_aliascolnames);
    } else if (d == &pg_query__column_def__descriptor) {
        renames_.emplace_back(str(reinterpret_cast<const PgQuery__ColumnDef*>(m)->colname));
    } else if (d == &pg_query__range_function__descriptor) {
        foreign_columns_ = true;
    } else if (d == &pg_query__select_stmt__descriptor) {
        const auto* s = reinterpret_cast<const PgQuery__SelectStmt*>(m);
        if (s->n_values_lists > 0) {
            foreign_columns_ = true;  // VALUES columns: column1, column2, ... of any type
        }
        if (s->op != PG_QUERY__SET_OPERATION__SETOP_NONE) {
            risky_ = true;  // UNION & co. unify column types, possibly with a failing cast
        }
    } else if (d == &pg_query__join_expr__descriptor) {
        const auto* j = reinterpret_cast<const PgQuery__JoinExpr*>(m);
        if (j->is_natural) {
            risky_ = true;  // compares every common column, of types meshgate does not check
        }
        for (size_t i = 0; i < j->n_using_clause; ++i) {
            const auto* u = j->using_clause[i];
            if (u == nullptr || u->node_case != PG_QUERY__NODE__NODE_STRING) {
                risky_ = true;
                continue;
            }
            const std::string name(str(u->string->sval));
            comparisons_.push_back({name, Comparison::Other::Column, name});
        }
    } else if (d == &pg_query__case_expr__descriptor ||
               d == &pg_query__coalesce_expr__descriptor ||
               d == &pg_query__min_max_expr__descriptor ||
               d == &pg_query__a__array_expr__descriptor ||
               d == &pg_query__a__indirection__descriptor) {
        // Result type unification may cast a column; array construction and subscripts can
        // fail on values (dimension mismatches, jsonb subscripts).
        risky_ = true;
    }
}

bool QueryWalker::needs_fence() const
{
    if (risky_) {
        return true;
    }
    if (comparisons_.empty()) {
        return false;
    }
    // The types a column name can have in this statement; nullopt when not provable.
    auto types_of = [&](const std::string& name) -> std::optional<std::vector<std::string>> {
        if (foreign_columns_ ||
            std::find(renames_.begin(), renames_.end(), name) != renames_.end()) {
            return std::nullopt;
        }
        std::vector<std::string> types;
        std::set<const config::Product*> seen;
        for (const auto& ref : refs_) {
            if (!seen.insert(ref.product).second) {
                continue;
            }
            for (const auto& col : ref.product->physical_columns) {
                if (col.name != name) {
                    continue;
                }
                std::string type = base_type(col.type);
                if (const auto* m = winning_mask(*ref.product, col.name, who_, snap_)) {
                    using K = config::MaskSpec::Kind;
                    switch (m->with.kind) {
                    case K::Hash:
                    case K::Partial:
                    case K::Regex:
                        type = "text";
                        break;
                    case K::Null:
                    case K::Constant:
                        break;
                    case K::Round:
                    case K::Truncate:
                        return std::nullopt;  // the mask itself can fail on extreme values
                    }
                }
                types.push_back(std::move(type));
            }
        }
        if (types.empty()) {
            return std::nullopt;
        }
        return types;
    };
    for (const auto& c : comparisons_) {
        const auto types = types_of(c.column);
        if (!types) {
            return true;
        }
        for (const auto& t : *types) {
            switch (c.other) {
            case Comparison::Other::Literal:
                if (!leakproof_compare(t)) {
                    return true;
                }
                break;
            case Comparison::Other::FloatLiteral:
                if (!in(t, {"real", "double precision"})) {
                    return true;
                }
                break;
            case Comparison::Other::Param:
                if (!param_safe(t)) {
                    return true;
                }
                break;
            case Comparison::Other::Column: {
                const auto others = types_of(c.other_column);
                if (!others || !leakproof_compare(t)) {
                    return true;
                }
                for (const auto& u : *others) {
                    if (!leakproof_compare(u) || !same_family(t, u)) {
                        return true;
                    }
                }
                break;
            }
            }
        }
    }
    return false;
}

}  // namespace meshgate::policy::sql
