// The 08P01 error and count check shared by the typed message decoders. Layer: proxy/wire (pure).
#include "proxy/wire/protocol_violation.hpp"

#include <string>

namespace meshgate::wire {

Error protocol_violation(std::string_view message, std::string_view what)
{
    std::string text = "malformed ";
    text += message;
    text += " message: ";
    text += what;
    return make_error(std::string(kProtocolViolation), std::move(text));
}

Error trailing_bytes(std::string_view message, const Reader& r)
{
    return protocol_violation(
        message, std::to_string(r.remaining()) + " unexpected byte(s) after the last field");
}

bool count_fits(const Reader& r, int64_t count, std::size_t min_size)
{
    MESHGATE_ASSERT(min_size > 0);
    if (count < 0) {
        return false;
    }
    return static_cast<uint64_t>(count) <= r.remaining() / min_size;
}

}  // namespace meshgate::wire
