// 'f' CopyFail: decode and encode. Layer: proxy/wire (pure).
#include "proxy/wire/messages/copy_fail.hpp"

#include "proxy/wire/codec.hpp"
#include "proxy/wire/protocol_violation.hpp"

namespace meshgate::wire {

Result<CopyFail> decode_copy_fail(std::string_view body)
{
    Reader r(body);
    CopyFail m;
    if (!r.cstring(m.message)) {
        return protocol_violation("CopyFail", "the message is not NUL-terminated");
    }
    if (!r.at_end()) {
        return trailing_bytes("CopyFail", r);
    }
    return m;
}

void encode(const CopyFail& m, std::string& out)
{
    std::string body;
    Writer(body).cstring(m.message);
    append_frame(CopyFail::kTag, body, out);
}

}  // namespace meshgate::wire
