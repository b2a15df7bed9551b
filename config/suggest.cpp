// Edit distance and "did you mean" suggestions. Layer: config (pure).
#include "config/suggest.hpp"

#include <algorithm>
#include <cctype>

namespace meshgate::config {

std::size_t edit_distance(std::string_view a, std::string_view b)
{
    // Three rolling rows are enough for the transposition rule.
    std::vector<std::size_t> two(b.size() + 1), prev(b.size() + 1), cur(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) {
        prev[j] = j;
    }
    for (std::size_t i = 1; i <= a.size(); ++i) {
        cur[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
            cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost});
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
                cur[j] = std::min(cur[j], two[j - 2] + 1);
            }
        }
        std::swap(two, prev);
        std::swap(prev, cur);
    }
    return prev[b.size()];
}

namespace {

std::string lower(std::string_view s)
{
    std::string out(s);
    for (char& c : out) {
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return out;
}

}  // namespace

std::optional<std::string> closest_match(std::string_view word,
                                         const std::vector<std::string_view>& candidates)
{
    const std::string w = lower(word);
    const std::size_t limit = std::clamp<std::size_t>(w.size() / 3, 1, 3);
    std::optional<std::string> best;
    std::size_t best_distance = limit + 1;
    for (const auto candidate : candidates) {
        // Case differences count as nothing: "Port" is surely "port".
        const std::size_t d = edit_distance(w, lower(candidate));
        if (d < best_distance) {
            best_distance = d;
            best = std::string(candidate);
        }
    }
    return best;
}

std::string did_you_mean(std::string_view word, const std::vector<std::string_view>& candidates)
{
    const auto match = closest_match(word, candidates);
    return match ? " (did you mean \"" + *match + "\"?)" : std::string();
}

}  // namespace meshgate::config
