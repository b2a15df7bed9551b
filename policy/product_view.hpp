// The per-user view of one data product: which columns, which masks, which row filters
// (SPEC §2 derived table, §4 Combining). Layer: policy (pure).
#pragma once

#include "common/error.hpp"
#include "config/model.hpp"
#include "policy/decision.hpp"
#include "policy/identity.hpp"

#include <string>
#include <vector>

namespace meshgate::policy {

/// The alias of the physical relation inside every derived table; row filter columns are
/// qualified with it so that a filter can never bind to a column of the user's outer query.
inline constexpr std::string_view kSourceAlias = "meshgate_source";

/// One column of a derived table: the physical column as is, or its mask expression.
struct ViewColumn {
    std::string name;       // physical column name (the derived table's column keeps it)
    std::string mask_sql;   // empty: the column unmasked; else the mask's SQL expression
};

struct ProductView {
    std::vector<ViewColumn> columns;                 // physical order
    std::string source_schema;                       // may be empty (backend search_path)
    std::string source_relation;
    std::vector<const config::RowFilter*> filters;   // applicable ones, in file order
    std::vector<AppliedPolicy> policies;             // winning masks and filters
    bool fenced = false;                             // OFFSET 0 below the filters
};

/// The mask that applies to physical column `column` of `product` for `who`, or nullptr: every
/// domain mask on the column and every global mask on one of its tags is considered, `except`
/// exempts from that one policy only, and the strongest wins (mask_strength; on equal strength
/// the global one). With `expose: declared`, undeclared columns are hidden, not masked.
const config::MaskPolicy* winning_mask(const config::Product& product, const std::string& column,
                                       const Identity& who, const config::Snapshot& snap);

/// True when one of the masks `policies` reports (AppliedPolicy kind "mask") is a keyed hash.
/// The hash mask's HMAC pads are SQL constants in the rewrite, and a plan shows them (Filter,
/// Sort Key, Group Key lines of a plain EXPLAIN, fenced or not); the pads give the key. So a
/// statement for which this is true must not be EXPLAINed through meshgate (or its plan must be
/// redacted). Conservative: a name found as a hash mask anywhere on the product or globally counts.
bool applies_keyed_hash(const std::vector<AppliedPolicy>& policies, const config::Snapshot& snap);

/// Builds the view of `product` for `who`. Columns: physical_columns in order (only declared ones
/// with `expose: declared`). Masks: the strongest applicable domain or global (tag) mask per
/// column; `except` exempts only from that one policy. Refuses with 55000 when the product's
/// columns are not known yet or none are exposed, or a mask cannot be built.
/// `fence` (with applicable row filters) sets `fenced`: the rewriter adds OFFSET 0 so the
/// backend cannot push user predicates below the row filters.
Result<ProductView> build_product_view(const config::Product& product, const Identity& who,
                                       const config::Snapshot& snap, bool fence);

}  // namespace meshgate::policy
