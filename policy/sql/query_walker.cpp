// Generic part of the fail-closed walk: the allowlist of node kinds and descent through every
// message field via protobuf-c descriptors, so no child can be skipped by omission.
// Layer: policy/sql.
#include "policy/sql/query_walker.hpp"

#include <array>

namespace meshgate::policy::sql {

namespace {

constexpr int kMaxDepth = 2000;

// Node kinds that need nothing beyond checking their children. Anything absent here and without
// a handler is refused: a new or exotic node kind can never slip through as an allow.
const std::array<const ProtobufCMessageDescriptor*, 36> kPlainKinds = {
    &pg_query__string__descriptor,        &pg_query__integer__descriptor,
    &pg_query__float__descriptor,         &pg_query__boolean__descriptor,
    &pg_query__bit_string__descriptor,    &pg_query__a__const__descriptor,
    &pg_query__param_ref__descriptor,     &pg_query__a__star__descriptor,
    &pg_query__list__descriptor,          &pg_query__bool_expr__descriptor,
    &pg_query__collate_clause__descriptor, &pg_query__case_expr__descriptor,
    &pg_query__case_when__descriptor,     &pg_query__coalesce_expr__descriptor,
    &pg_query__min_max_expr__descriptor,  &pg_query__null_test__descriptor,
    &pg_query__boolean_test__descriptor,  &pg_query__a__array_expr__descriptor,
    &pg_query__a__indirection__descriptor, &pg_query__a__indices__descriptor,
    &pg_query__row_expr__descriptor,      &pg_query__sqlvalue_function__descriptor,
    &pg_query__grouping_func__descriptor, &pg_query__grouping_set__descriptor,
    &pg_query__named_arg_expr__descriptor, &pg_query__res_target__descriptor,
    &pg_query__alias__descriptor,         &pg_query__sort_by__descriptor,
    &pg_query__window_def__descriptor,    &pg_query__range_subselect__descriptor,
    &pg_query__range_function__descriptor, &pg_query__join_expr__descriptor,
    &pg_query__column_def__descriptor,    &pg_query__ctesearch_clause__descriptor,
    &pg_query__ctecycle_clause__descriptor, &pg_query__sub_link__descriptor};

bool is_plain_kind(const ProtobufCMessageDescriptor* d)
{
    for (const auto* k : kPlainKinds) {
        if (k == d) {
            return true;
        }
    }
    return false;
}

// Kinds a row filter may not hold even though a query may.
bool forbidden_in_filter(const ProtobufCMessageDescriptor* d)
{
    return d == &pg_query__sub_link__descriptor || d == &pg_query__range_subselect__descriptor ||
           d == &pg_query__range_function__descriptor || d == &pg_query__join_expr__descriptor ||
           d == &pg_query__res_target__descriptor || d == &pg_query__window_def__descriptor ||
           d == &pg_query__select_stmt__descriptor || d == &pg_query__a__star__descriptor ||
           d == &pg_query__param_ref__descriptor;
}

std::string kind_name(const ProtobufCMessageDescriptor* d)
{
    return d->short_name != nullptr ? d->short_name : "node";
}

}  // namespace

std::vector<std::string_view> string_list(PgQuery__Node** items, size_t n)
{
    std::vector<std::string_view> out;
    out.reserve(n);
    for (size_t i = 0; i < n; ++i) {
        if (items[i] == nullptr || items[i]->node_case != PG_QUERY__NODE__NODE_STRING ||
            items[i]->string == nullptr) {
            return {};
        }
        out.push_back(str(items[i]->string->sval));
    }
    return out;
}

Result<void> QueryWalker::walk_node(PgQuery__Node* n)
{
    if (n == nullptr || n->node_case == PG_QUERY__NODE__NODE__NOT_SET) {
        return {};  // an empty node (e.g. the absent column list of a FROM function) holds nothing
    }
    if (n->node_case == PG_QUERY__NODE__NODE_RANGE_VAR) {
        return on_range_var(n);
    }
    if ((n->node_case == PG_QUERY__NODE__NODE_FUNC_CALL ||
         n->node_case == PG_QUERY__NODE__NODE_SQLVALUE_FUNCTION ||
         n->node_case == PG_QUERY__NODE__NODE_TYPE_CAST ||
         n->node_case == PG_QUERY__NODE__NODE_A_EXPR) &&
        mode_ == Mode::Query) {
        if (auto r = rewrite_catalog_function(n); !r) {
            return r;
        }
    }
    const auto* field = protobuf_c_message_descriptor_get_field(&pg_query__node__descriptor,
                                                                unsigned(n->node_case));
    if (field == nullptr || field->type != PROTOBUF_C_TYPE_MESSAGE) {
        return make_error("0A000", "meshgate cannot classify a part of this statement");
    }
    auto* sub = *reinterpret_cast<ProtobufCMessage**>(reinterpret_cast<char*>(n) + field->offset);
    if (sub == nullptr) {
        return make_error("0A000", "meshgate cannot classify a part of this statement");
    }
    return walk_message(sub);
}

Result<void> QueryWalker::walk_message(ProtobufCMessage* m)
{
    if (m == nullptr) {
        return {};
    }
    if (++depth_ > kMaxDepth) {
        --depth_;
        return make_error("54001", "statement is too deeply nested for meshgate to check");
    }
    struct Leave {
        int& d;
        ~Leave() { --d; }
    } leave{depth_};

    const auto* d = m->descriptor;
    if (d == &pg_query__node__descriptor) {
        return walk_node(reinterpret_cast<PgQuery__Node*>(m));
    }
    note_names(m);
    if (mode_ == Mode::RowFilter && forbidden_in_filter(d)) {
        return make_error("42501", "a row filter may only use the product's columns, constants "
                                   "and allowed functions (found " + kind_name(d) + ")");
    }
    if (d == &pg_query__select_stmt__descriptor) {
        return on_select(reinterpret_cast<PgQuery__SelectStmt*>(m));
    }
    if (d == &pg_query__func_call__descriptor) {
        if (auto r = on_func_call(reinterpret_cast<PgQuery__FuncCall*>(m)); !r) {
            return r;
        }
    } else if (d == &pg_query__type_name__descriptor) {
        if (auto r = on_type_name(reinterpret_cast<PgQuery__TypeName*>(m)); !r) {
            return r;
        }
    } else if (d == &pg_query__a__expr__descriptor) {
        if (auto r = on_a_expr(reinterpret_cast<PgQuery__AExpr*>(m)); !r) {
            return r;
        }
    } else if (d == &pg_query__column_ref__descriptor) {
        if (auto r = on_column_ref(reinterpret_cast<PgQuery__ColumnRef*>(m)); !r) {
            return r;
        }
    } else if (d == &pg_query__a__indirection__descriptor) {
        if (auto r = on_indirection(reinterpret_cast<PgQuery__AIndirection*>(m)); !r) {
            return r;
        }
    } else if (d == &pg_query__type_cast__descriptor) {
        if (auto r = on_type_cast(reinterpret_cast<PgQuery__TypeCast*>(m)); !r) {
            return r;
        }
    } else if (d == &pg_query__sub_link__descriptor) {
        auto* s = reinterpret_cast<PgQuery__SubLink*>(m);
        risky_ = true;
        if (auto r = check_operator(s->oper_name, s->n_oper_name, s->location); !r) {
            return r;
        }
    } else if (d == &pg_query__sort_by__descriptor) {
        auto* s = reinterpret_cast<PgQuery__SortBy*>(m);
        if (auto r = check_operator(s->use_op, s->n_use_op, s->location); !r) {
            return r;
        }
    } else if (d == &pg_query__into_clause__descriptor) {
        return make_error("42501", "SELECT INTO is not allowed through meshgate (it creates a "
                                   "table; meshgate is read-only)");
    } else if (d == &pg_query__locking_clause__descriptor) {
        return make_error("42501", "SELECT ... FOR UPDATE/SHARE is not allowed through meshgate "
                                   "(it locks rows; meshgate is read-only)");
    } else if (!is_plain_kind(d)) {
        return make_error("0A000", "meshgate does not support " + kind_name(d) +
                                       " in a statement yet");
    }
    return walk_children(m);
}

Result<void> QueryWalker::walk_children(ProtobufCMessage* m, const void* skip)
{
    const auto* d = m->descriptor;
    auto* base = reinterpret_cast<char*>(m);
    for (unsigned i = 0; i < d->n_fields; ++i) {
        const auto& f = d->fields[i];
        if (f.type != PROTOBUF_C_TYPE_MESSAGE) {
            continue;
        }
        if ((f.flags & PROTOBUF_C_FIELD_FLAG_ONEOF) != 0 &&
            *reinterpret_cast<uint32_t*>(base + f.quantifier_offset) != f.id) {
            continue;  // not the active member of a oneof: its pointer is another member's
        }
        if (f.label == PROTOBUF_C_LABEL_REPEATED) {
            const size_t n = *reinterpret_cast<size_t*>(base + f.quantifier_offset);
            auto** items = *reinterpret_cast<ProtobufCMessage***>(base + f.offset);
            for (size_t k = 0; k < n; ++k) {
                if (auto r = walk_message(items[k]); !r) {
                    return r;
                }
            }
        } else {
            auto* sub = *reinterpret_cast<ProtobufCMessage**>(base + f.offset);
            if (sub != nullptr && sub != skip) {
                if (auto r = walk_message(sub); !r) {
                    return r;
                }
            }
        }
    }
    return {};
}

bool QueryWalker::cte_visible(std::string_view name) const
{
    for (const auto& scope : cte_scopes_) {
        for (const auto& n : scope) {
            if (n == name) {
                return true;
            }
        }
    }
    return false;
}

Result<void> QueryWalker::check_operator(PgQuery__Node** names, size_t n, int location)
{
    if (n <= 1) {
        return {};
    }
    const auto parts = string_list(names, n);
    if (parts.size() == 2 && parts[0] == "pg_catalog") {
        return {};
    }
    std::string written;
    for (auto p : parts) {
        written += written.empty() ? std::string(p) : "." + std::string(p);
    }
    return make_error("42501",
                      "permission denied for operator " + written +
                          " (operators outside pg_catalog are not allowed)",
                      position_of(location));
}

}  // namespace meshgate::policy::sql
