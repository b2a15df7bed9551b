// Load-time check of one row filter expression (SPEC §4: parsed at load, only the product's
// columns and allowed functions, no subquery). Layer: policy/sql.
#pragma once

#include "common/error.hpp"
#include "config/model.hpp"

#include <string>
#include <vector>

namespace meshgate::policy::sql {

/// Parses `filter.where` (placeholders replaced by dummy literals) as one boolean expression and
/// walks it in row-filter mode. Returns the column names it references, or the first problem.
Result<std::vector<std::string>> check_row_filter(const config::RowFilter& filter,
                                                  const config::Product& product,
                                                  const config::Snapshot& snap);

}  // namespace meshgate::policy::sql
