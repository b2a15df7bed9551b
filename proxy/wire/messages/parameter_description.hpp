// 't' ParameterDescription (backend): the parameter types of a described statement.
// Layer: proxy/wire (pure).
#pragma once

#include "common/error.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace meshgate::wire {

/// ParameterDescription: one type OID per parameter of the statement.
struct ParameterDescription {
    static constexpr char kTag = 't';
    std::vector<uint32_t> types;
    friend bool operator==(const ParameterDescription&, const ParameterDescription&) = default;
};

/// Decodes a ParameterDescription body. Refuses a negative count, a count that does not match
/// the bytes that follow, and trailing bytes.
Result<ParameterDescription> decode_parameter_description(std::string_view body);

/// Appends the whole tagged frame. At most 32767 types (int16 count).
void encode(const ParameterDescription& m, std::string& out);

}  // namespace meshgate::wire
