// 'Q' Query: decode and encode. Layer: proxy/wire (pure).
#include "proxy/wire/messages/query.hpp"

#include "proxy/wire/codec.hpp"
#include "proxy/wire/protocol_violation.hpp"

namespace meshgate::wire {

Result<Query> decode_query(std::string_view body)
{
    Reader r(body);
    Query m;
    if (!r.cstring(m.sql)) {
        return protocol_violation("Query", "the query string is not NUL-terminated");
    }
    if (!r.at_end()) {
        return trailing_bytes("Query", r);
    }
    return m;
}

void encode(const Query& m, std::string& out)
{
    std::string body;
    Writer(body).cstring(m.sql);
    append_frame(Query::kTag, body, out);
}

}  // namespace meshgate::wire
