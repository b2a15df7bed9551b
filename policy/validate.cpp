// Snapshot policy validation. Layer: policy (pure).
#include "policy/validate.hpp"

#include "policy/mask_expression.hpp"
#include "policy/sql/row_filter_check.hpp"

#include <algorithm>

namespace meshgate::policy {

namespace {

bool has_column(const config::Product& p, const std::string& name)
{
    return std::any_of(p.physical_columns.begin(), p.physical_columns.end(),
                       [&](const config::Column& c) { return c.name == name; });
}

const config::Column* column(const config::Product& p, const std::string& name)
{
    for (const auto& c : p.physical_columns) {
        if (c.name == name) {
            return &c;
        }
    }
    return nullptr;
}

}  // namespace

std::vector<config::ConfigError> validate(const config::Snapshot& snap)
{
    std::vector<config::ConfigError> out;
    auto report = [&](const config::SourceLocation& where, std::string message) {
        config::ConfigError e;
        e.where = where;
        e.message = std::move(message);
        out.push_back(std::move(e));
    };
    for (const auto& [dname, domain] : snap.domains) {
        for (const auto& [pname, product] : domain.products) {
            // A product whose source does not match (source_check.hpp) is marked unavailable by
            // column learning instead: one domain's drifted table must not fail a whole reload.
            const bool known = !product.physical_columns.empty() && product.unavailable.empty();
            for (const auto& f : product.row_filters) {
                auto cols = sql::check_row_filter(f, product, snap);
                const auto prefix = "row filter " + f.name + " of " + product.address() + ": ";
                // Problems of the expression point at its `where:` value when the loader knew it.
                const auto& at = f.where_origin.line > 0 ? f.where_origin : f.origin;
                if (!cols) {
                    report(at, prefix + cols.error().message);
                    continue;
                }
                if (!known) {
                    continue;
                }
                for (const auto& c : *cols) {
                    if (!has_column(product, c)) {
                        report(at, prefix + "column \"" + c + "\" is not a column of " +
                                             product.source_schema + "." +
                                             product.source_relation);
                    }
                }
            }
            for (const auto& m : product.masks) {
                const auto prefix = "mask " + m.name + " of " + product.address() + ": ";
                if (m.column.empty() && m.tags.empty()) {
                    report(m.origin, prefix + "names no column");
                    continue;
                }
                if (!known || m.column.empty()) {
                    continue;
                }
                const auto* c = column(product, m.column);
                if (c == nullptr) {
                    report(m.origin, prefix + "column \"" + m.column + "\" does not exist in " +
                                         product.source_schema + "." + product.source_relation);
                    continue;
                }
                // A non-empty placeholder key keeps a hash mask checkable before a key is set.
                auto expr = mask_expression(m.with, c->name, c->type, "validation-key");
                if (!expr) {
                    report(m.origin, prefix + expr.error().message);
                }
            }
        }
    }
    for (const auto& m : snap.global_masks) {
        if (m.tags.empty() && m.column.empty()) {
            report(m.origin, "global mask " + m.name + " names no tags");
        }
        // Validate the parameters with a stand-in column of a permissive type.
        auto expr = mask_expression(m.with, "c", "text", "validation-key");
        if (!expr) {
            report(m.origin, "global mask " + m.name + ": " + expr.error().message);
        }
    }
    return out;
}

}  // namespace meshgate::policy
