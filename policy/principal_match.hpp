// Does a principal (`user:`, `group:`, `attr:K=V`, `everyone`) name this identity?
// Layer: policy (pure).
#pragma once

#include "config/model.hpp"
#include "policy/identity.hpp"

#include <vector>

namespace meshgate::policy {

/// True when `p` names `who`: the user's name, one of its groups, an attribute whose value (or one
/// of whose list values) equals the principal's, or everyone.
bool matches(const config::Principal& p, const Identity& who);

/// The first principal of `list` that names `who`, or nullptr.
const config::Principal* first_match(const std::vector<config::Principal>& list, const Identity& who);

}  // namespace meshgate::policy
