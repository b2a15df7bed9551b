// BackendScanner: cuts the backend's byte stream into pieces to forward, without buffering large
// messages whole. Layer: proxy (pure; unit-tested in tests/unit/proxy/core/).
#pragma once

#include "proxy/wire/codec.hpp"

#include <cstdint>
#include <string_view>
#include <variant>

namespace meshgate::proxy {

/// A prefix of the scanner's input to forward to the client.
/// - A message the caller must see whole (ErrorResponse, NoticeResponse, ReadyForQuery, ParameterStatus,
///   CommandComplete, Copy*Response, BackendKeyData, NegotiateProtocolVersion, Authentication)
///   comes as one piece with `whole` set and `body` filled.
/// - Any other message (DataRow, RowDescription, CopyData, ...) comes as one or more pieces of
///   the bytes available, the first with `first`, the last with `last`; `body` is empty.
struct BackendPiece {
    char tag = 0;
    std::string_view bytes;  // prefix of the input; consume exactly this many bytes
    bool first = false;
    bool last = false;
    bool whole = false;
    std::string_view body;   // whole messages only: the body after tag and length
};

/// Incremental splitter; keeps only the position inside the current pass-through message.
class BackendScanner {
public:
    /// `max_message`: largest frame accepted at all; `max_inspected`: largest message that
    /// must be held whole (longer ones are a protocol violation).
    BackendScanner(uint32_t max_message, uint32_t max_inspected)
        : max_message_(max_message), max_inspected_(max_inspected)
    {
    }

    using Step = std::variant<wire::NeedMore, BackendPiece, wire::Malformed>;

    /// The next piece at the front of `in` (NeedMore.at_least is the total input size needed).
    /// The caller must consume exactly `piece.bytes.size()` bytes before calling again.
    Step next(std::string_view in);

    /// True while inside a pass-through message (a piece with `last` is still to come).
    bool mid_message() const { return remaining_ > 0; }

    /// Tags held whole.
    static bool inspected(char tag);

private:
    uint32_t max_message_;
    uint32_t max_inspected_;
    std::size_t remaining_ = 0;
    char tag_ = 0;
};

}  // namespace meshgate::proxy
