// `@user.name`, `@user.groups`, `@user.<attribute>` in a row filter become quoted literals,
// substituted at the token level (scan offsets), never by text search. Layer: policy/sql.
#pragma once

#include "common/error.hpp"
#include "config/model.hpp"
#include "policy/identity.hpp"

#include <string>
#include <string_view>

namespace meshgate::policy::sql {

/// Returns `where` with every placeholder replaced by a literal of `who`'s value (lists become
/// `ARRAY[...]::text[]`). Placeholders inside string literals or comments are left alone, since
/// they are not tokens. Refuses: 42501 when `who` lacks the attribute (naming it and the
/// policy); 42601 when the text does not scan or holds a `;` (a filter is one expression).
Result<std::string> substitute_user_refs(std::string_view where, const Identity& who,
                                         const config::Product& product,
                                         const config::RowFilter& filter);

/// The placeholder attribute names used by `where` (for validation); 42601 on scan errors.
Result<std::vector<std::string>> user_refs_of(std::string_view where);

}  // namespace meshgate::policy::sql
