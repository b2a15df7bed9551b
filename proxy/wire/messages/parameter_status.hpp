// 'S' ParameterStatus (backend): the current value of a run-time parameter.
// Layer: proxy/wire (pure).
#pragma once

#include "common/error.hpp"

#include <string>
#include <string_view>

namespace meshgate::wire {

/// ParameterStatus: a reported setting, e.g. {"server_version", "15.4"}.
struct ParameterStatus {
    static constexpr char kTag = 'S';
    std::string name;
    std::string value;
    friend bool operator==(const ParameterStatus&, const ParameterStatus&) = default;
};

/// Decodes a ParameterStatus body: two NUL-terminated strings and nothing after them.
Result<ParameterStatus> decode_parameter_status(std::string_view body);

/// Appends the whole tagged frame.
void encode(const ParameterStatus& m, std::string& out);

}  // namespace meshgate::wire
