// 'K' BackendKeyData: decode and encode. Layer: proxy/wire (pure).
#include "proxy/wire/messages/backend_key_data.hpp"

#include "proxy/wire/codec.hpp"
#include "proxy/wire/protocol_violation.hpp"

namespace meshgate::wire {

Result<BackendKeyData> decode_backend_key_data(std::string_view body)
{
    Reader r(body);
    BackendKeyData m;
    if (!r.i32(m.process_id) || !r.i32(m.secret_key)) {
        return protocol_violation("BackendKeyData",
                                  "expected 8 bytes, got " + std::to_string(body.size()));
    }
    if (!r.at_end()) {
        return trailing_bytes("BackendKeyData", r);
    }
    return m;
}

void encode(const BackendKeyData& m, std::string& out)
{
    std::string body;
    Writer w(body);
    w.i32(m.process_id);
    w.i32(m.secret_key);
    append_frame(BackendKeyData::kTag, body, out);
}

}  // namespace meshgate::wire
