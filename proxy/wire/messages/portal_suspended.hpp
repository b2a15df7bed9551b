// 's' PortalSuspended (backend), an empty message. Layer: proxy/wire (pure).
#pragma once

#include "common/error.hpp"

#include <string>
#include <string_view>

namespace meshgate::wire {

/// PortalSuspended: Execute reached its row limit. Its body is empty.
struct PortalSuspended {
    static constexpr char kTag = 's';
    friend bool operator==(const PortalSuspended&, const PortalSuspended&) = default;
};

/// Decodes a PortalSuspended body; any byte in it is refused with 08P01.
Result<PortalSuspended> decode_portal_suspended(std::string_view body);

/// Appends the whole tagged frame ('s', length 4).
void encode(const PortalSuspended& m, std::string& out);

}  // namespace meshgate::wire
