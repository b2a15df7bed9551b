// SQL text of one column mask (SPEC §4 masks), built from quoted pieces only; the rewriter parses
// it into a tree before it reaches a backend. Layer: policy (pure).
#pragma once

#include "common/error.hpp"
#include "config/model.hpp"

#include <string>
#include <string_view>

namespace meshgate::policy {

/// The expression replacing column `column` (unquoted physical name) of SQL type `type`
/// (format_type text) under `spec`. `hash_key` is the keyed-hash secret. Refuses (55000/22023)
/// an empty hash key, an unusable type name, a non-numeric round step or an unknown truncate unit.
/// The expression keeps NULL as NULL for every kind.
Result<std::string> mask_expression(const config::MaskSpec& spec, std::string_view column,
                                    std::string_view type, std::string_view hash_key);

/// True when `type` looks like format_type output (letters, digits, `_ ,.()[]"` and non-ASCII);
/// anything else could smuggle SQL into a generated cast.
bool is_plain_type_name(std::string_view type);

/// Strength for strongest-mask-wins: null > constant > hash > regex > partial > round/truncate.
int mask_strength(const config::MaskSpec& spec);

}  // namespace meshgate::policy
