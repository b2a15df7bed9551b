// read_mask_spec(): a YAML `with:` value -> MaskSpec (SPEC §4 mask table). Layer: config
// (yaml-cpp).
#pragma once

#include "config/model.hpp"
#include "config/yaml_reader.hpp"

#include <optional>
#include <string_view>

namespace meshgate::config {

/// Reads `with`: `null` (YAML null or "null"), `hash`, `{constant: V}`,
/// `{partial: {keep_first: N, keep_last: M, fill: '*'}}`, `{regex: {pattern: P, replace: R}}`,
/// `{round: STEP}` (a positive plain decimal) or `{truncate: year|month|day|hour}`.
/// Anything else is reported and gives nullopt. Values that end up in SQL (constant, fill,
/// pattern, replace) are kept as text; the policy layer quotes them as literals.
std::optional<MaskSpec> read_mask_spec(YamlReader& reader, const YamlValue& with,
                                       std::string_view path);

/// True for a positive plain decimal ("10", "0.5"): the only `round` steps accepted.
bool is_positive_decimal(std::string_view text);

}  // namespace meshgate::config
