// 'A' NotificationResponse (backend): a NOTIFY delivered to a listening session.
// Layer: proxy/wire (pure).
#pragma once

#include "common/error.hpp"

#include <cstdint>
#include <string>
#include <string_view>

namespace meshgate::wire {

/// NotificationResponse: notifying backend's process id, channel name and payload.
struct NotificationResponse {
    static constexpr char kTag = 'A';
    int32_t process_id = 0;
    std::string channel;
    std::string payload;
    friend bool operator==(const NotificationResponse&, const NotificationResponse&) = default;
};

/// Decodes a NotificationResponse body: int32 and two NUL-terminated strings, nothing after.
Result<NotificationResponse> decode_notification_response(std::string_view body);

/// Appends the whole tagged frame.
void encode(const NotificationResponse& m, std::string& out);

}  // namespace meshgate::wire
