// 'd' CopyData: decode and encode. Layer: proxy/wire (pure).
#include "proxy/wire/messages/copy_data.hpp"

#include "proxy/wire/codec.hpp"

namespace meshgate::wire {

Result<CopyData> decode_copy_data(std::string_view body) { return CopyData{std::string(body)}; }

void encode(const CopyData& m, std::string& out) { append_frame(CopyData::kTag, m.data, out); }

}  // namespace meshgate::wire
