// Access and purpose checks of one data product for one identity (SPEC §4 "Combining").
// Layer: policy (pure).
#pragma once

#include "common/error.hpp"
#include "config/model.hpp"
#include "policy/decision.hpp"
#include "policy/identity.hpp"

#include <vector>

namespace meshgate::policy {

/// Any matching `deny` refuses; else any matching `allow` grants; else refused (a product without
/// `access` is readable by nobody). Then purposes: when the product lists purposes, the session's
/// purpose must be in that list and in the user's `purposes` attribute.
/// Returns the policies that granted access, or a 42501 Error naming product and policy.
Result<std::vector<AppliedPolicy>> check_access(const config::Product& product, const Identity& who);

/// "permission denied for data product <address> (<reason>)".
Error permission_denied(const config::Product& product, const std::string& reason);

/// "global (meshgate.yaml:31:5)" or "domains/sales.yaml:22:9".
std::string origin_of(const config::SourceLocation& where, bool global);

}  // namespace meshgate::policy
