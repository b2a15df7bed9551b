// Policy checks of a loaded snapshot that need the SQL parser (row filters, mask columns).
// Layer: policy (pure).
#pragma once

#include "config/config_error.hpp"
#include "config/model.hpp"

#include <vector>

namespace meshgate::policy {

/// Every row filter parses as one boolean expression, references only the product's columns
/// (when known) and allowed functions, and holds no subquery; every domain mask names an existing
/// column (when known) and builds; every `@user.*` placeholder is well formed.
/// Returns all problems found (empty = fine), each located at the policy's origin.
std::vector<config::ConfigError> validate(const config::Snapshot& snap);

}  // namespace meshgate::policy
