// 'P' Parse (frontend): prepares a statement in the extended query protocol.
// Layer: proxy/wire (pure).
#pragma once

#include "common/error.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace meshgate::wire {

/// Parse: statement name ("" = unnamed), query text and the parameter type OIDs the client
/// fixes (0 = let the server infer; fewer than the query's parameters is allowed).
struct Parse {
    static constexpr char kTag = 'P';
    std::string name;
    std::string query;
    std::vector<uint32_t> param_types;
    friend bool operator==(const Parse&, const Parse&) = default;
};

/// Decodes a Parse body. Refuses missing NULs, a negative type count, a count larger than the
/// bytes that follow, and trailing bytes.
Result<Parse> decode_parse(std::string_view body);

/// Appends the whole tagged frame. At most 32767 parameter types (an int16 on the wire).
void encode(const Parse& m, std::string& out);

}  // namespace meshgate::wire
