// A strict, allocation-light JSON checker for one audit line: validates RFC 8259 syntax and
// returns the top-level members as raw text, for `audit verify` and chain resume.
// Layer: policy (pure).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace meshgate::audit {

/// One top-level member: `key` is the raw text between the key's quotes (escapes not decoded),
/// `value` the raw JSON text of the value (a string value keeps its quotes).
struct JsonMember {
    std::string_view key;
    std::string_view value;
};

/// Parses `text` as exactly one JSON object (whitespace around it allowed) and returns its
/// members in order, or false with `error` set. Strict: strings must be valid UTF-8 with no raw
/// control characters and only the escapes JSON defines; duplicate keys, nesting deeper than 32
/// and trailing bytes are refused. The views point into `text`.
bool read_json_object(std::string_view text, std::vector<JsonMember>& members, std::string& error);

}  // namespace meshgate::audit
