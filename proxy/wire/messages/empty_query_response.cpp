// 'I' EmptyQueryResponse: decode and encode. Layer: proxy/wire (pure).
#include "proxy/wire/messages/empty_query_response.hpp"

#include "proxy/wire/codec.hpp"
#include "proxy/wire/protocol_violation.hpp"

namespace meshgate::wire {

Result<EmptyQueryResponse> decode_empty_query_response(std::string_view body)
{
    if (!body.empty()) {
        return trailing_bytes("EmptyQueryResponse", Reader(body));
    }
    return EmptyQueryResponse{};
}

void encode(const EmptyQueryResponse&, std::string& out)
{
    append_frame(EmptyQueryResponse::kTag, {}, out);
}

}  // namespace meshgate::wire
