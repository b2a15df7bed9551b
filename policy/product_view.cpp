// Per-user product views. Layer: policy (pure).
#include "policy/product_view.hpp"

#include "policy/access_check.hpp"
#include "policy/mask_expression.hpp"
#include "policy/principal_match.hpp"
#include "policy/source_check.hpp"

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

const config::MaskPolicy* winning_mask(const config::Product& product, const std::string& column,
                                       const Identity& who, const config::Snapshot& snap)
{
    const auto* decl = product.declared(column);
    const config::MaskPolicy* winner = nullptr;
    // Global policies first: on equal strength the global one is reported.
    for (const auto* list : {&snap.global_masks, &product.masks}) {
        for (const auto& m : *list) {
            if (applies(m, column, decl, who) &&
                (winner == nullptr || mask_strength(m.with) > mask_strength(winner->with))) {
                winner = &m;
            }
        }
    }
    return winner;
}

bool applies_keyed_hash(const std::vector<AppliedPolicy>& policies, const config::Snapshot& snap)
{
    const auto is_hash = [](const config::MaskPolicy& m, const std::string& name) {
        return m.name == name && m.with.kind == config::MaskSpec::Kind::Hash;
    };
    for (const auto& p : policies) {
        if (p.kind != "mask") {
            continue;
        }
        for (const auto& g : snap.global_masks) {
            if (is_hash(g, p.name)) {
                return true;
            }
        }
        const auto dot = p.product.find('.');
        const auto* product = dot == std::string::npos
                                  ? nullptr
                                  : snap.find_product(p.product.substr(0, dot), p.product.substr(dot + 1));
        if (product == nullptr) {
            return true;  // cannot tell: assume the worst
        }
        for (const auto& m : product->masks) {
            if (is_hash(m, p.name)) {
                return true;
            }
        }
    }
    return false;
}

Result<ProductView> build_product_view(const config::Product& product, const Identity& who,
                                       const config::Snapshot& snap, bool fence)
{
    if (!product.unavailable.empty()) {
        return unavailable_error(product, snap);
    }
    if (product.physical_columns.empty()) {
        return make_error("55000", "the columns of data product " + product.address() +
                                       " are not known yet (meshgate learns them from its "
                                       "backend); try again shortly");
    }
    ProductView view;
    const auto has_nul = [](const std::string& s) { return s.find('\0') != std::string::npos; };
    if (has_nul(product.source_schema) || has_nul(product.source_relation)) {
        return make_error("55000", "the source of data product " + product.address() +
                                       " has an unusable name");
    }
    for (const auto& col : product.physical_columns) {
        if (has_nul(col.name) || col.name.empty()) {
            return make_error("55000", "a column of data product " + product.address() +
                                           " has an unusable name");
        }
        const auto* decl = product.declared(col.name);
        if (product.expose_declared && decl == nullptr) {
            continue;  // privacy by default: unclassified columns stay invisible
        }
        const config::MaskPolicy* winner = winning_mask(product, col.name, who, snap);
        if (winner == nullptr) {
            view.columns.push_back({col.name, {}});
            continue;
        }
        auto expr = mask_expression(winner->with, col.name, col.type, snap.hash_key);
        if (!expr) {
            auto e = expr.error();
            e.message = "cannot apply mask " + winner->name + " to " + product.address() + "." +
                        col.name + ": " + e.message;
            return e;
        }
        view.columns.push_back({col.name, std::move(*expr)});
        view.policies.push_back({winner->name, "mask", product.address(),
                                 origin_of(winner->origin, winner->global)});
    }
    if (view.columns.empty()) {
        return make_error("55000", "data product " + product.address() +
                                       " exposes no columns yet (expose: declared and no "
                                       "declared column exists in its source)");
    }
    view.source_schema = product.source_schema;
    view.source_relation = product.source_relation;
    for (const auto& f : product.row_filters) {
        if (first_match(f.except, who) == nullptr) {
            view.filters.push_back(&f);
            view.policies.push_back(
                {f.name, "row_filter", product.address(), origin_of(f.origin, false)});
        }
    }
    view.fenced = fence && !view.filters.empty();
    return view;
}

}  // namespace meshgate::policy
