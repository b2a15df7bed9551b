// SQL quoting for text meshgate generates itself (identifiers and literals). Layer: policy (pure).
#pragma once

#include "common/error.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace meshgate::policy {

/// Always-quoted identifier: `"name"` with embedded `"` doubled. Exact on any backend, whatever
/// the case or keyword status of the name. Refuses a NUL byte (it would end the C string early).
Result<std::string> quote_identifier(std::string_view name);

/// Standard-conforming string literal: `'text'` with embedded `'` doubled. Backslashes stay
/// literal: meshgate parses with standard_conforming_strings on and refuses turning it off.
/// Refuses a NUL byte (which would cut the literal short in every C API on the way).
Result<std::string> quote_literal(std::string_view text);

/// `ARRAY['a','b']::text[]` (an empty list gives `ARRAY[]::text[]`).
Result<std::string> quote_text_array(const std::vector<std::string>& items);

/// An identifier as PostgreSQL prints it (quote_ident): bare when lower-case and not needing
/// quotes, otherwise double-quoted. Used for display (SHOW search_path, error messages).
std::string display_identifier(std::string_view name);

}  // namespace meshgate::policy

namespace meshgate::policy {

/// Wraps text as a successful Result. Needed because Error is constructible from a string (C++20
/// parenthesised aggregate init), which makes result<string, Error>'s converting constructor
/// ambiguous.
inline Result<std::string> text_ok(std::string s)
{
    return Result<std::string>(boost::system::in_place_value, std::move(s));
}

}  // namespace meshgate::policy
