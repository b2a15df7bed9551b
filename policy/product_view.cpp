// Per-user product views. Layer: policy (pure).
#include "policy/product_view.hpp"

#include "policy/access_check.hpp"
#include "policy/mask_expression.hpp"
#include "policy/principal_match.hpp"
#include "policy/quote.hpp"

#include <algorithm>

namespace meshgate::policy {

namespace {

bool tagged(const config::ColumnDecl* decl, const std::vector<std::string>& tags)
{
    if (decl == nullptr) {
        return false;
    }
    for (const auto& t : tags) {
        if (std::find(decl->tags.begin(), decl->tags.end(), t) != decl->tags.end()) {
            return true;
        }
    }
    return false;
}

bool applies(const config::MaskPolicy& m, const std::string& column, const config::ColumnDecl* decl,
             const Identity& who)
{
    const bool on_column = (!m.column.empty() && m.column == column) || tagged(decl, m.tags);
    return on_column && first_match(m.except, who) == nullptr;
}

}  // namespace

Result<ProductView> build_product_view(const config::Product& product, const Identity& who,
                                       const config::Snapshot& snap, bool fence)
{
    if (product.physical_columns.empty()) {
        return make_error("55000", "the columns of data product " + product.address() +
                                       " are not known yet (meshgate learns them from its "
                                       "backend); try again shortly");
    }
    ProductView view;
    std::string items;
    for (const auto& col : product.physical_columns) {
        const auto* decl = product.declared(col.name);
        if (product.expose_declared && decl == nullptr) {
            continue;  // privacy by default: unclassified columns stay invisible
        }
        const config::MaskPolicy* winner = nullptr;
        // Global policies first: on equal strength the global one is reported.
        for (const auto* list : {&snap.global_masks, &product.masks}) {
            for (const auto& m : *list) {
                if (applies(m, col.name, decl, who) &&
                    (winner == nullptr || mask_strength(m.with) > mask_strength(winner->with))) {
                    winner = &m;
                }
            }
        }
        auto name = quote_identifier(col.name);
        if (!name) {
            return name.error();
        }
        if (!items.empty()) {
            items += ", ";
        }
        if (winner == nullptr) {
            items += *name;
            continue;
        }
        auto expr = mask_expression(winner->with, col.name, col.type, snap.hash_key);
        if (!expr) {
            auto e = expr.error();
            e.message = "cannot apply mask " + winner->name + " to " + product.address() + "." +
                        col.name + ": " + e.message;
            return e;
        }
        items += *expr + " AS " + *name;
        view.policies.push_back({winner->name, "mask", product.address(),
                                 origin_of(winner->origin, winner->global)});
    }
    if (items.empty()) {
        return make_error("55000", "data product " + product.address() +
                                       " exposes no columns yet (expose: declared and no "
                                       "declared column exists in its source)");
    }
    auto rel = quote_identifier(product.source_relation);
    if (!rel) {
        return rel.error();
    }
    std::string from = *rel;
    if (!product.source_schema.empty()) {
        auto schema = quote_identifier(product.source_schema);
        if (!schema) {
            return schema.error();
        }
        from = *schema + "." + *rel;
    }
    for (const auto& f : product.row_filters) {
        if (first_match(f.except, who) == nullptr) {
            view.filters.push_back(&f);
            view.policies.push_back(
                {f.name, "row_filter", product.address(), origin_of(f.origin, false)});
        }
    }
    view.select_sql = "SELECT " + items + " FROM " + from + " " + std::string(kSourceAlias);
    if (fence && !view.filters.empty()) {
        view.select_sql += " OFFSET 0";
    }
    return view;
}

}  // namespace meshgate::policy
