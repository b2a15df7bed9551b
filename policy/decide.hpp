// decide(): statement text + identity + snapshot -> Decision (rewritten SQL and route, or Deny).
// Layer: policy (pure; no sockets, no clocks, no globals).
#pragma once

#include "config/model.hpp"
#include "policy/decision.hpp"
#include "policy/identity.hpp"

#include <string_view>

namespace meshgate::policy {

enum class Protocol {
    Simple,    // Query message: one or more statements; one refusal refuses all
    Extended,  // Parse message: exactly one statement, $n parameters kept as they are
};

/// Decides one client message. Never throws for any input text; unknown node kinds, statement
/// kinds or functions are refused (fail closed).
Decision decide(std::string_view sql, const Identity& who, const config::Snapshot& snap,
                Protocol protocol = Protocol::Simple);

}  // namespace meshgate::policy
