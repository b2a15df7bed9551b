// Cursor over the comma-separated `x=value` attributes of a SCRAM message (RFC 5802 §7),
// shared by ScramServer and ScramClient. Layer: auth (pure).
#pragma once

#include "common/error.hpp"

#include <cstddef>
#include <string_view>
#include <utility>

namespace meshgate::auth {

/// True for RFC 5802 `printable`: %x21-2B / %x2D-7E (visible ASCII except ','), the alphabet
/// of nonces.
bool is_scram_printable(std::string_view s);

/// The error every malformed SCRAM message gives: SQLSTATE 08P01, message
/// "malformed SCRAM message", `detail` saying what was wrong (as PostgreSQL reports it).
Error malformed_scram(std::string detail);

/// Reads attributes left to right from a message that outlives the reader. A value runs to the
/// next ',' or the end; a ',' promises another attribute, so a trailing ',' is malformed.
class ScramAttributeReader {
public:
    explicit ScramAttributeReader(std::string_view text) : text_(text) {}

    /// Reads the attribute `name`; an error (08P01) if the next one has another name or the
    /// message ended.
    Result<std::string_view> read(char name);

    /// Reads the next attribute whatever its name (an ASCII letter); an error at the end.
    Result<std::pair<char, std::string_view>> read_any();

    /// True when every attribute has been read and the message did not end in ','.
    bool at_end() const { return pos_ == text_.size() && !comma_pending_; }

    /// Offset of the next unread attribute in the message.
    std::size_t offset() const { return pos_; }

private:
    std::string_view text_;
    std::size_t pos_ = 0;
    bool comma_pending_ = false;
};

}  // namespace meshgate::auth
