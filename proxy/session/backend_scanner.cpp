// BackendScanner: splitting the backend byte stream into forwardable pieces.
// Layer: proxy (pure).
#include "proxy/session/backend_scanner.hpp"

#include <algorithm>

namespace meshgate::proxy {

bool BackendScanner::inspected(char tag)
{
    switch (tag) {
    case 'E':  // ErrorResponse: FATAL means the connection is gone; SQLSTATE for audit
    case 'N':  // NoticeResponse: scrubbed like errors (policy/error_scrub)
    case 'Z':  // ReadyForQuery: transaction status
    case 'S':  // ParameterStatus: the session's view of reported settings
    case 'C':  // CommandComplete: row counts
    case 'G':  // CopyInResponse: answered with CopyFail
    case 'H':  // CopyOutResponse
    case 'W':  // CopyBothResponse: never legitimate here
    case 'K':  // BackendKeyData
    case 'v':  // NegotiateProtocolVersion
    case 'R':  // Authentication*
        return true;
    default:
        return false;
    }
}

BackendScanner::Step BackendScanner::next(std::string_view in)
{
    if (remaining_ > 0) {
        if (in.empty()) {
            return wire::NeedMore{1};
        }
        const std::size_t n = std::min(remaining_, in.size());
        remaining_ -= n;
        return BackendPiece{tag_, in.substr(0, n), false, remaining_ == 0, false, {}};
    }
    auto header = wire::decode_header(in, max_message_);
    if (auto* more = std::get_if<wire::NeedMore>(&header)) {
        return *more;
    }
    if (auto* bad = std::get_if<wire::Malformed>(&header)) {
        return *bad;
    }
    const auto h = std::get<wire::Frame<wire::Header>>(header).message;
    const std::size_t frame = h.frame_size();
    if (inspected(h.tag)) {
        if (h.length > max_inspected_) {
            return wire::Malformed{"08P01", std::string("backend message '") + h.tag +
                                                "' is larger than meshgate accepts"};
        }
        if (in.size() < frame) {
            return wire::NeedMore{frame};
        }
        return BackendPiece{h.tag, in.substr(0, frame), true, true, true, in.substr(5, frame - 5)};
    }
    const std::size_t n = std::min(frame, in.size());
    remaining_ = frame - n;
    tag_ = h.tag;
    return BackendPiece{h.tag, in.substr(0, n), true, remaining_ == 0, false, {}};
}

}  // namespace meshgate::proxy
