// 'Z' ReadyForQuery: decode and encode. Layer: proxy/wire (pure).
#include "proxy/wire/messages/ready_for_query.hpp"

#include "proxy/wire/codec.hpp"
#include "proxy/wire/protocol_violation.hpp"

namespace meshgate::wire {

Result<ReadyForQuery> decode_ready_for_query(std::string_view body)
{
    Reader r(body);
    uint8_t status = 0;
    if (!r.u8(status)) {
        return protocol_violation("ReadyForQuery", "the transaction status is missing");
    }
    // The proxy tracks transaction state from this byte (routing, pooling); an unknown value
    // must not be guessed at.
    if (status != 'I' && status != 'T' && status != 'E') {
        return protocol_violation("ReadyForQuery",
                                  "unknown transaction status byte " + std::to_string(status));
    }
    if (!r.at_end()) {
        return trailing_bytes("ReadyForQuery", r);
    }
    return ReadyForQuery{static_cast<char>(status)};
}

void encode(const ReadyForQuery& m, std::string& out)
{
    append_frame(ReadyForQuery::kTag, std::string_view(&m.status, 1), out);
}

}  // namespace meshgate::wire
