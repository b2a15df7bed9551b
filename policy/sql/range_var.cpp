// RangeVar: a relation named in FROM. Resolved to a product (collected for the derived-table
// rewrite), a system catalog relation, a CTE in scope, or refused. Layer: policy/sql.
#include "policy/sql/query_walker.hpp"

#include "policy/access_check.hpp"
#include "policy/name_resolver.hpp"

namespace meshgate::policy::sql {

Result<void> QueryWalker::on_range_var(PgQuery__Node* n)
{
    auto* rv = n->range_var;
    if (rv == nullptr || mode_ == Mode::RowFilter) {
        return make_error("42501", "a row filter may not read relations");
    }
    const RelationName name{str(rv->catalogname), str(rv->schemaname), str(rv->relname),
                            position_of(rv->location)};
    if (rv->alias != nullptr) {
        note_names(&rv->alias->base);  // `AS t(a, b)` renames columns (fence decision)
    }
    if (name.catalog.empty() && name.schema.empty() && cte_visible(name.relation)) {
        return {};
    }
    auto resolved = resolve_relation(name, who_.search_path, snap_);
    if (!resolved) {
        return resolved.error();
    }
    if (resolved->kind == ResolvedRelation::Kind::Virtual) {
        foreign_columns_ = true;  // not a product: no column types for the fence decision
        virtual_refs_.push_back({n, resolved->virtual_relation});
        return {};
    }
    if (resolved->kind == ResolvedRelation::Kind::SystemCatalog) {
        foreign_columns_ = true;  // columns meshgate cannot type (fence decision)
        if (resolved->qualify_pg_catalog) {
            char* schema = dup_string("pg_catalog");
            if (schema == nullptr) {
                return make_error("53200", "out of memory");
            }
            if (rv->schemaname != nullptr && rv->schemaname != protobuf_c_empty_string) {
                std::free(rv->schemaname);
            }
            rv->schemaname = schema;
            tree_changed_ = true;
        }
        return {};
    }
    auto granted = check_access(*resolved->product, who_);
    if (!granted) {
        auto e = granted.error();
        e.position = name.position;
        return e;
    }
    refs_.push_back({n, resolved->product, resolved->domain});
    return {};
}

}  // namespace meshgate::policy::sql
