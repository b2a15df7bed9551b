// Does a product's source (as learned from its backend) still match what its domain file and the
// global policies say about it? Layer: policy (pure).
#pragma once

#include "common/error.hpp"
#include "config/model.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace meshgate::policy {

/// One way the learned columns of a product's source contradict its configuration.
struct SourceProblem {
    std::string column;  // the column concerned
    std::string what;    // "has no column phone (masked by hide-phone)"
};

/// Compares `product.physical_columns` with the product's declared columns (`columns:`), its
/// masks, its row filters and the global tag masks: every declared, masked or filtered column
/// must exist (a renamed pii column would otherwise lose its tag and its mask), and every mask
/// that can apply to a column must suit its type (`round` needs a number, `truncate` a date or
/// timestamp). Empty when everything matches, and when the columns are not known (nothing to
/// compare). Row filters that do not parse are validate()'s business and are skipped here.
std::vector<SourceProblem> source_problems(const config::Product& product,
                                           const config::Snapshot& snap);

/// "its source public.customers on backend sales_pg has no column phone (masked by hide-phone);
/// no column region (used by row filter own-region)": the reason to store in
/// `Product::unavailable`. `problems` must not be empty.
std::string describe_source_problems(const config::Product& product, const std::string& backend,
                                     const std::vector<SourceProblem>& problems);

/// The error every statement on an unavailable product gets: SQLSTATE 55000
/// (object_not_in_prerequisite_state: the product exists and the statement is fine, but the
/// product is not in a state to be read), a message naming the product and the reason, and a
/// hint saying who must do what. Only meaningful when `product.unavailable` is set.
Error unavailable_error(const config::Product& product, const config::Snapshot& snap);

/// True when `round` can apply to a column of this format_type name.
bool is_numeric_type(std::string_view type);
/// True when `truncate` can apply to a column of this format_type name.
bool is_datetime_type(std::string_view type);

}  // namespace meshgate::policy
