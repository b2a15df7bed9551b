// JSON string escaping for audit lines: client text is hostile, so every byte that could break a
// line, a JSON parser or a terminal is escaped, and invalid UTF-8 is replaced. Layer: policy
// (pure).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace meshgate::audit {

/// The replacement for a byte that does not start or continue a valid UTF-8 sequence (U+FFFD).
inline constexpr std::string_view kReplacementCharacter = "\xEF\xBF\xBD";

/// Appends `text` to `out` as a JSON string literal, quotes included:
/// - `"` and `\` are backslash-escaped; \b \f \n \r \t use their short forms; every other byte
///   below 0x20, DEL (0x7F), and U+2028 / U+2029 (line separators to JavaScript) become \uXXXX,
///   so one audit event is always exactly one line whatever the client sent;
/// - every byte that is not part of a well-formed UTF-8 sequence (RFC 3629: no overlong forms, no
///   surrogates, nothing above U+10FFFF) is replaced by U+FFFD;
/// - at most `max_bytes` bytes of `text` are copied, cut on a character boundary; when bytes are
///   cut, ` [truncated: N more bytes]` is appended inside the string (N = bytes of `text` left
///   out) and the return value is N. Otherwise returns 0.
std::size_t append_json_string(std::string& out, std::string_view text,
                               std::size_t max_bytes = std::string_view::npos);

/// `append_json_string` into a new string (no length limit).
std::string json_string(std::string_view text);

/// Length of the well-formed UTF-8 sequence starting at `text[i]`, or 0 when the byte there does
/// not start one (a stray continuation byte, an overlong form, a surrogate, a cut sequence, ...).
std::size_t utf8_sequence_length(std::string_view text, std::size_t i);

}  // namespace meshgate::audit
