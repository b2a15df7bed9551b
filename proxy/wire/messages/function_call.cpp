// 'F' FunctionCall: decode (OID only) and encode. Layer: proxy/wire (pure).
#include "proxy/wire/messages/function_call.hpp"

#include "proxy/wire/codec.hpp"
#include "proxy/wire/protocol_violation.hpp"

namespace meshgate::wire {

Result<FunctionCall> decode_function_call(std::string_view body)
{
    Reader r(body);
    FunctionCall m;
    if (!r.i32(m.function_oid)) {
        return protocol_violation("FunctionCall", "the function OID is missing");
    }
    return m;
}

void encode(const FunctionCall& m, std::string& out)
{
    std::string body;
    Writer w(body);
    w.i32(m.function_oid);
    w.i16(0);  // argument format codes
    w.i16(0);  // arguments
    w.i16(0);  // result format: text
    append_frame(FunctionCall::kTag, body, out);
}

}  // namespace meshgate::wire
