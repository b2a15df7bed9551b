// "did you mean" suggestions for misspelt keys and values (edit distance). Layer: config (pure).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace meshgate::config {

/// Optimal-string-alignment edit distance (insert, delete, substitute, swap adjacent).
std::size_t edit_distance(std::string_view a, std::string_view b);

/// The candidate closest to `word` if it is close enough to be a plausible typo (distance at most
/// 1 for short words, up to 3 for long ones); ties go to the earlier candidate.
std::optional<std::string> closest_match(std::string_view word,
                                         const std::vector<std::string_view>& candidates);

/// " (did you mean \"x\"?)" for the closest candidate, or "" when none is close.
std::string did_you_mean(std::string_view word, const std::vector<std::string_view>& candidates);

}  // namespace meshgate::config
