// 'B' Bind (frontend): binds parameter values to a prepared statement, creating a portal.
// Layer: proxy/wire (pure).
#pragma once

#include "common/error.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace meshgate::wire {

/// Bind: destination portal and source statement ("" = unnamed), parameter format codes
/// (none = all text, one = applies to all, else one per parameter), parameter values
/// (nullopt = SQL NULL) and result-column format codes (same none/one/each rule).
struct Bind {
    static constexpr char kTag = 'B';
    std::string portal;
    std::string statement;
    std::vector<int16_t> param_formats;
    std::vector<std::optional<std::string>> params;
    std::vector<int16_t> result_formats;
    friend bool operator==(const Bind&, const Bind&) = default;
};

/// Decodes a Bind body. Refuses missing NULs, negative counts, counts larger than the bytes
/// that follow, a value length below -1 or past the end, a parameter format count other than
/// 0, 1 or the parameter count, format codes other than 0 (text) and 1 (binary), and trailing
/// bytes.
Result<Bind> decode_bind(std::string_view body);

/// Appends the whole tagged frame. Each list holds at most 32767 entries (int16 counts).
void encode(const Bind& m, std::string& out);

}  // namespace meshgate::wire
