// 'K' BackendKeyData (backend): the key a client needs to cancel a query. Layer: proxy/wire (pure).
#pragma once

#include "common/error.hpp"

#include <cstdint>
#include <string>
#include <string_view>

namespace meshgate::wire {

/// BackendKeyData: process id and secret key, echoed in a CancelRequest (protocol 3.0 layout).
struct BackendKeyData {
    static constexpr char kTag = 'K';
    int32_t process_id = 0;
    int32_t secret_key = 0;
    friend bool operator==(const BackendKeyData&, const BackendKeyData&) = default;
};

/// Decodes a BackendKeyData body: exactly two int32s.
Result<BackendKeyData> decode_backend_key_data(std::string_view body);

/// Appends the whole tagged frame.
void encode(const BackendKeyData& m, std::string& out);

}  // namespace meshgate::wire
