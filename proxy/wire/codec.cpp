// Framing of the PostgreSQL protocol 3.0 byte stream: tagged messages, the startup family, and
// the big-endian Reader/Writer every message file uses. Layer: proxy/wire (pure).
#include "proxy/wire/codec.hpp"

#include "common/error.hpp"

#include <cstring>
#include <limits>
#include <set>

namespace meshgate::wire {
namespace {

// Every length on the wire is a signed int32: a value above this is negative to PostgreSQL.
constexpr uint32_t kMaxWireLength = static_cast<uint32_t>(std::numeric_limits<int32_t>::max());

// Smallest startup packet: int32 length + int32 code.
constexpr uint32_t kMinStartupLength = 8;

uint32_t load_u32(std::string_view buf, std::size_t at)
{
    const auto* p = reinterpret_cast<const unsigned char*>(buf.data() + at);
    return (uint32_t(p[0]) << 24) | (uint32_t(p[1]) << 16) | (uint32_t(p[2]) << 8) | uint32_t(p[3]);
}

std::string printable_tag(char tag)
{
    const auto c = static_cast<unsigned char>(tag);
    if (c >= 0x20 && c < 0x7f) {
        return std::string("'") + tag + "'";
    }
    static constexpr char kHex[] = "0123456789abcdef";
    return std::string("0x") + kHex[c >> 4] + kHex[c & 0xf];
}

Malformed malformed(std::string sqlstate, std::string text)
{
    return Malformed{std::move(sqlstate), std::move(text)};
}

// Parses the name/value pairs of a StartupMessage body (after the version). Every name and value
// is NUL-terminated and the list ends with one more NUL; nothing may follow it.
bool parse_startup_parameters(std::string_view body, StartupMessage& m, std::string& why)
{
    Reader r(body);
    std::set<std::string, std::less<>> seen;
    for (;;) {
        std::string name;
        if (!r.cstring(name)) {
            why = "startup packet parameters are not terminated by a NUL byte";
            return false;
        }
        if (name.empty()) {
            break;
        }
        std::string value;
        if (!r.cstring(value)) {
            why = "startup packet parameter \"" + name + "\" has no NUL-terminated value";
            return false;
        }
        // PostgreSQL lets a later duplicate win; a proxy that read the first would disagree with
        // the backend about who the user is. Refuse the ambiguity instead.
        if (!seen.insert(name).second) {
            why = "startup packet repeats parameter \"" + name + "\"";
            return false;
        }
        m.parameters.emplace_back(std::move(name), std::move(value));
    }
    if (!r.at_end()) {
        why = "startup packet has " + std::to_string(r.remaining()) +
              " byte(s) after the final NUL terminator";
        return false;
    }
    return true;
}

void append_u32(std::string& out, uint32_t v)
{
    out.push_back(static_cast<char>((v >> 24) & 0xff));
    out.push_back(static_cast<char>((v >> 16) & 0xff));
    out.push_back(static_cast<char>((v >> 8) & 0xff));
    out.push_back(static_cast<char>(v & 0xff));
}

// Patches the int32 length at `start` once the packet body has been appended.
void patch_length(std::string& out, std::size_t start)
{
    const std::size_t len = out.size() - start;
    MESHGATE_ASSERT(len <= kMaxWireLength);
    const auto v = static_cast<uint32_t>(len);
    out[start] = static_cast<char>((v >> 24) & 0xff);
    out[start + 1] = static_cast<char>((v >> 16) & 0xff);
    out[start + 2] = static_cast<char>((v >> 8) & 0xff);
    out[start + 3] = static_cast<char>(v & 0xff);
}

}  // namespace

// ---- tagged messages ----

Decoded<Header> decode_header(std::string_view buf, uint32_t max_len)
{
    if (buf.size() < 5) {
        return NeedMore{5};
    }
    Header h{buf[0], load_u32(buf, 1)};
    if (h.length < 4) {
        return malformed("08P01", "invalid length " + std::to_string(h.length) + " in message " +
                                      printable_tag(h.tag) +
                                      " (the length includes itself, so "
                                      "it is at least 4)");
    }
    if (h.length > kMaxWireLength) {
        return malformed("08P01", "invalid length " + std::to_string(h.length) + " in message " +
                                      printable_tag(h.tag) + " (negative as an int32)");
    }
    if (h.length > max_len) {
        return malformed("54000", "message " + printable_tag(h.tag) + " of " +
                                      std::to_string(h.length) + " bytes exceeds the limit of " +
                                      std::to_string(max_len) + " bytes");
    }
    return Frame<Header>{h, 5};
}

Decoded<RawMessage> decode_message(std::string_view buf, uint32_t max_len)
{
    auto header = decode_header(buf, max_len);
    if (auto* more = std::get_if<NeedMore>(&header)) {
        return *more;
    }
    if (auto* bad = std::get_if<Malformed>(&header)) {
        return std::move(*bad);
    }
    const Header h = std::get<Frame<Header>>(header).message;
    const std::size_t size = h.frame_size();
    if (buf.size() < size) {
        return NeedMore{size};
    }
    return Frame<RawMessage>{RawMessage{h.tag, buf.substr(5, size - 5)}, size};
}

// ---- startup family ----

std::string StartupMessage::get(std::string_view name) const
{
    for (const auto& [n, v] : parameters) {
        if (n == name) {
            return v;
        }
    }
    return {};
}

Decoded<StartupPacket> decode_startup(std::string_view buf, const Limits& limits)
{
    if (buf.size() < 4) {
        return NeedMore{kMinStartupLength};
    }
    const uint32_t length = load_u32(buf, 0);
    if (length < kMinStartupLength) {
        return malformed(
            "08P01", "invalid startup packet length " + std::to_string(length) + " (at least 8)");
    }
    if (length > limits.max_startup_packet) {
        return malformed("08P01", "startup packet of " + std::to_string(length) +
                                      " bytes exceeds the limit of " +
                                      std::to_string(limits.max_startup_packet) + " bytes");
    }
    if (buf.size() < length) {
        return NeedMore{length};
    }
    const uint32_t code = load_u32(buf, 4);
    const std::string_view body = buf.substr(8, length - 8);

    // The special request codes use major version 1234; they have fixed lengths, and anything
    // else with that length is a client we do not understand.
    switch (code) {
        case kSslRequestCode:
            if (length != 8) {
                return malformed("08P01",
                                 "SSLRequest must be 8 bytes long, got " + std::to_string(length));
            }
            return Frame<StartupPacket>{SslRequest{}, length};
        case kGssEncRequestCode:
            if (length != 8) {
                return malformed(
                    "08P01", "GSSENCRequest must be 8 bytes long, got " + std::to_string(length));
            }
            return Frame<StartupPacket>{GssEncRequest{}, length};
        case kCancelRequestCode: {
            if (length != 16) {
                return malformed(
                    "08P01", "CancelRequest must be 16 bytes long, got " + std::to_string(length));
            }
            CancelRequest c;
            c.process_id = static_cast<int32_t>(load_u32(body, 0));
            c.secret_key = static_cast<int32_t>(load_u32(body, 4));
            return Frame<StartupPacket>{c, length};
        }
        default:
            break;
    }

    const uint32_t major = code >> 16;
    const uint32_t minor = code & 0xffff;
    if (major != 3) {
        return malformed("0A000", "unsupported frontend protocol " + std::to_string(major) + "." +
                                      std::to_string(minor) + ": meshgate supports protocol 3.0");
    }
    StartupMessage m;
    m.protocol = code;
    std::string why;
    if (!parse_startup_parameters(body, m, why)) {
        return malformed("08P01", std::move(why));
    }
    return Frame<StartupPacket>{std::move(m), length};
}

void encode(const StartupMessage& m, std::string& out)
{
    const std::size_t start = out.size();
    Writer w(out);
    w.u32(0);
    w.u32(m.protocol);
    for (const auto& [name, value] : m.parameters) {
        w.cstring(name);
        w.cstring(value);
    }
    w.u8(0);
    patch_length(out, start);
}

void encode(const SslRequest&, std::string& out)
{
    append_u32(out, 8);
    append_u32(out, kSslRequestCode);
}

void encode(const GssEncRequest&, std::string& out)
{
    append_u32(out, 8);
    append_u32(out, kGssEncRequestCode);
}

void encode(const CancelRequest& m, std::string& out)
{
    append_u32(out, 16);
    append_u32(out, kCancelRequestCode);
    append_u32(out, static_cast<uint32_t>(m.process_id));
    append_u32(out, static_cast<uint32_t>(m.secret_key));
}

// ---- helpers ----

void append_frame(char tag, std::string_view body, std::string& out)
{
    MESHGATE_ASSERT(body.size() <= kMaxWireLength - 4);
    out.reserve(out.size() + 5 + body.size());
    out.push_back(tag);
    append_u32(out, static_cast<uint32_t>(body.size() + 4));
    out.append(body);
}

bool Reader::u8(uint8_t& v)
{
    if (remaining() < 1) {
        return false;
    }
    v = static_cast<uint8_t>(data_[pos_]);
    pos_ += 1;
    return true;
}

bool Reader::i16(int16_t& v)
{
    if (remaining() < 2) {
        return false;
    }
    const auto* p = reinterpret_cast<const unsigned char*>(data_.data() + pos_);
    v = static_cast<int16_t>(static_cast<uint16_t>((p[0] << 8) | p[1]));
    pos_ += 2;
    return true;
}

bool Reader::i32(int32_t& v)
{
    uint32_t u = 0;
    if (!u32(u)) {
        return false;
    }
    v = static_cast<int32_t>(u);
    return true;
}

bool Reader::u32(uint32_t& v)
{
    if (remaining() < 4) {
        return false;
    }
    v = load_u32(data_, pos_);
    pos_ += 4;
    return true;
}

bool Reader::cstring(std::string& v)
{
    const std::size_t nul = data_.find('\0', pos_);
    if (nul == std::string_view::npos) {
        return false;
    }
    v.assign(data_.substr(pos_, nul - pos_));
    pos_ = nul + 1;
    return true;
}

bool Reader::bytes(std::size_t n, std::string& v)
{
    // Checked before assign() so a hostile length never becomes an allocation.
    if (n > remaining()) {
        return false;
    }
    v.assign(data_.substr(pos_, n));
    pos_ += n;
    return true;
}

bool Reader::rest(std::string& v)
{
    v.assign(data_.substr(pos_));
    pos_ = data_.size();
    return true;
}

void Writer::u8(uint8_t v) { out_.push_back(static_cast<char>(v)); }

void Writer::i16(int16_t v)
{
    const auto u = static_cast<uint16_t>(v);
    out_.push_back(static_cast<char>((u >> 8) & 0xff));
    out_.push_back(static_cast<char>(u & 0xff));
}

void Writer::i32(int32_t v) { u32(static_cast<uint32_t>(v)); }

void Writer::u32(uint32_t v) { append_u32(out_, v); }

void Writer::cstring(std::string_view v)
{
    // A string with an embedded NUL would end early on the wire and shift every later field;
    // writing only up to the first NUL keeps the frame well-formed whatever the caller passes.
    const std::size_t nul = v.find('\0');
    out_.append(v.substr(0, nul));
    out_.push_back('\0');
}

void Writer::bytes(std::string_view v) { out_.append(v); }

}  // namespace meshgate::wire
