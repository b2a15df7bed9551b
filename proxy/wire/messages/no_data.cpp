// 'n' NoData: decode and encode. Layer: proxy/wire (pure).
#include "proxy/wire/messages/no_data.hpp"

#include "proxy/wire/codec.hpp"
#include "proxy/wire/protocol_violation.hpp"

namespace meshgate::wire {

Result<NoData> decode_no_data(std::string_view body)
{
    if (!body.empty()) {
        return trailing_bytes("NoData", Reader(body));
    }
    return NoData{};
}

void encode(const NoData&, std::string& out) { append_frame(NoData::kTag, {}, out); }

}  // namespace meshgate::wire
