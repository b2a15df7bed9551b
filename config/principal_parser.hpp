// parse_principal(): "user:NAME" | "group:NAME" | "attr:KEY=VALUE" | "everyone" -> Principal.
// Layer: config (pure).
#pragma once

#include "common/error.hpp"
#include "config/model.hpp"

#include <string_view>

namespace meshgate::config {

/// Parses one principal. Anything else — an unknown prefix, an empty name, a name with control
/// characters or surrounding spaces, `attr:` without `=` — is an error (SQLSTATE F0000) whose
/// message explains the accepted forms.
Result<Principal> parse_principal(std::string_view text);

/// True for a user attribute key usable in `attr:KEY=…` and `@user.KEY`:
/// `[A-Za-z_][A-Za-z0-9_]*`, at most 63 bytes.
bool is_attribute_key(std::string_view key);

}  // namespace meshgate::config
