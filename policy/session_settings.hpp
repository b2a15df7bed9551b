// Session settings a client may SET / RESET / SHOW through meshgate, and the two meshgate keeps
// itself (search_path over domains, meshgate.purpose). Layer: policy (pure).
#pragma once

#include "common/error.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace meshgate::policy {

inline constexpr std::string_view kSearchPath = "search_path";
inline constexpr std::string_view kPurpose = "meshgate.purpose";

/// Lower-case copy (GUC names are case-insensitive).
std::string lower_ascii(std::string_view s);

/// True for settings forwarded to the backend on SET / RESET (application_name, DateStyle, ...).
bool is_forwarded_setting(std::string_view lower_name);

/// True for settings whose SHOW is forwarded (the SET allowlist plus read-only facts such as
/// server_version and transaction_isolation).
bool is_showable_setting(std::string_view lower_name);

/// Refuses values of forwarded settings that would make the backend read SQL text differently
/// from meshgate's parser: standard_conforming_strings off, and client encodings whose multibyte
/// characters may contain a backslash byte (SJIS, BIG5, GBK, UHC, GB18030, JOHAB).
Result<void> check_forwarded_value(std::string_view lower_name,
                                   const std::vector<std::string>& values);

/// search_path as SHOW prints it: `sales, "Mixed"`.
std::string format_search_path(const std::vector<std::string>& path);

/// Parses a search_path given as one string (startup option `-c search_path=a,"B"`): comma
/// separated, unquoted names folded to lower case, quoted names exact. nullopt when malformed.
std::optional<std::vector<std::string>> parse_search_path_list(std::string_view text);

}  // namespace meshgate::policy
