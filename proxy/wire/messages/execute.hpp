// 'E' Execute (frontend): runs a bound portal. Layer: proxy/wire (pure).
#pragma once

#include "common/error.hpp"

#include <cstdint>
#include <string>
#include <string_view>

namespace meshgate::wire {

/// Execute: portal name ("" = unnamed) and the most rows to return (0 or negative = no limit).
struct Execute {
    static constexpr char kTag = 'E';
    std::string portal;
    int32_t max_rows = 0;
    friend bool operator==(const Execute&, const Execute&) = default;
};

/// Decodes an Execute body. Refuses a missing NUL, a missing row limit and trailing bytes.
Result<Execute> decode_execute(std::string_view body);

/// Appends the whole tagged frame.
void encode(const Execute& m, std::string& out);

}  // namespace meshgate::wire
