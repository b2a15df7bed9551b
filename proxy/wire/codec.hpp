// Framing of the PostgreSQL protocol 3.0 byte stream: startup packets and tagged messages.
// Layer: proxy/wire (pure: std and common/error only; no sockets, clocks or logging).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

namespace meshgate::wire {

/// Limits checked against every length field before anything is allocated.
struct Limits {
    uint32_t max_startup_packet = 10000;
    uint32_t max_message = 64u * 1024 * 1024;
};

/// The buffer holds less than one whole frame. `at_least` is how many bytes the buffer must hold
/// in total before another attempt can succeed (always > buffer size).
struct NeedMore {
    std::size_t at_least = 0;
};

/// The bytes can never become a valid frame: close the session with this SQLSTATE and text.
struct Malformed {
    std::string sqlstate;  // "08P01" protocol violation, "54000" too large, ...
    std::string text;
};

/// A decoded frame and how many bytes of the buffer it used.
template <class M>
struct Frame {
    M message;
    std::size_t consumed = 0;
};

template <class M>
using Decoded = std::variant<NeedMore, Frame<M>, Malformed>;

/// A tagged message viewed in place: tag byte and the body after the int32 length.
/// `body` points into the caller's buffer and is valid only as long as that buffer.
struct RawMessage {
    char tag = 0;
    std::string_view body;
};

/// Header of a tagged message: enough to forward a large message without buffering it whole.
struct Header {
    char tag = 0;
    uint32_t length = 0;  // as on the wire: includes the 4 length bytes, excludes the tag
    std::size_t frame_size() const { return std::size_t(length) + 1; }
};

/// Reads one tagged message (tag + int32 length + body). A length < 4 or > max_len is Malformed.
Decoded<RawMessage> decode_message(std::string_view buf, uint32_t max_len);

/// Reads only the 5-byte header of a tagged message.
Decoded<Header> decode_header(std::string_view buf, uint32_t max_len);

// ---- startup family (untagged: int32 length + int32 code/version + body) ----

constexpr uint32_t kProtocolVersion3 = 196608;  // 3.0
constexpr uint32_t kSslRequestCode = 80877103;
constexpr uint32_t kGssEncRequestCode = 80877104;
constexpr uint32_t kCancelRequestCode = 80877102;

/// StartupMessage: protocol version and the name/value parameters (user, database, options, ...).
struct StartupMessage {
    uint32_t protocol = kProtocolVersion3;
    std::vector<std::pair<std::string, std::string>> parameters;
    /// The value of `name`, or empty.
    std::string get(std::string_view name) const;
};
struct SslRequest {};
struct GssEncRequest {};
/// CancelRequest: the process id and secret key from BackendKeyData.
struct CancelRequest {
    int32_t process_id = 0;
    int32_t secret_key = 0;
};
using StartupPacket = std::variant<StartupMessage, SslRequest, GssEncRequest, CancelRequest>;

/// Decodes the first packet of a connection. Protocol major version other than 3 is Malformed
/// ("0A000"); minor versions above 0 are accepted (the session answers NegotiateProtocolVersion).
Decoded<StartupPacket> decode_startup(std::string_view buf, const Limits& limits);

void encode(const StartupMessage& m, std::string& out);
void encode(const SslRequest& m, std::string& out);
void encode(const GssEncRequest& m, std::string& out);
void encode(const CancelRequest& m, std::string& out);

// ---- helpers used by every message file ----

/// Appends a tagged frame: tag, int32 length (body + 4), body.
void append_frame(char tag, std::string_view body, std::string& out);

/// Big-endian readers over a body; each returns false (and leaves nothing consumed) when the
/// body is too short or a string lacks its NUL terminator.
class Reader {
public:
    /// `body` must outlive the Reader: it is viewed, not copied.
    explicit Reader(std::string_view body) : data_(body) {}
    /// Refused at compile time: a Reader over a temporary string would read freed memory.
    template <class S>
    requires std::is_same_v<S, std::string>
    explicit Reader(S&&) = delete;
    bool u8(uint8_t& v);
    bool i16(int16_t& v);
    bool i32(int32_t& v);
    bool u32(uint32_t& v);
    bool cstring(std::string& v);  // NUL-terminated
    bool bytes(std::size_t n, std::string& v);
    bool rest(std::string& v);  // everything left
    bool at_end() const { return pos_ == data_.size(); }
    std::size_t remaining() const { return data_.size() - pos_; }

private:
    std::string_view data_;
    std::size_t pos_ = 0;
};

class Writer {
public:
    explicit Writer(std::string& out) : out_(out) {}
    void u8(uint8_t v);
    void i16(int16_t v);
    void i32(int32_t v);
    void u32(uint32_t v);
    void cstring(std::string_view v);
    void bytes(std::string_view v);

private:
    std::string& out_;
};

}  // namespace meshgate::wire
