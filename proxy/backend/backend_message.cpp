// read_backend_message: exact reads over a Stream, framed by the wire codec.
// Layer: proxy (I/O edge).
#include "proxy/backend/backend_message.hpp"

#include "proxy/wire/codec.hpp"

#include <algorithm>
#include <variant>

namespace meshgate::proxy {
namespace asio = boost::asio;

namespace {

// The body buffer grows in steps of at most this much, so a hostile length field cannot make
// us allocate memory the backend never fills.
constexpr std::size_t kGrowStep = 64 * 1024;

}  // namespace

asio::awaitable<Result<void>> read_exact(Stream& stream, char* data, std::size_t size,
                                         std::string_view peer)
{
    std::size_t got = 0;
    while (got < size) {
        auto [ec, n] = co_await stream.read_some(data + got, size - got);
        if (ec) {
            co_return make_error("08006", "connection to backend " + std::string(peer) +
                                              " lost: " + ec.message());
        }
        got += n;
    }
    co_return Result<void>{};
}

asio::awaitable<Result<BackendMessage>> read_backend_message(Stream& stream, uint32_t max_len,
                                                             std::string_view peer)
{
    char header[5];
    if (auto r = co_await read_exact(stream, header, sizeof header, peer); !r) {
        co_return r.error();
    }
    auto decoded = wire::decode_header(std::string_view(header, sizeof header), max_len);
    if (auto* bad = std::get_if<wire::Malformed>(&decoded)) {
        co_return make_error(bad->sqlstate, "backend " + std::string(peer) + ": " + bad->text);
    }
    // Five bytes always decode to a header or Malformed; NeedMore is impossible here.
    auto* frame = std::get_if<wire::Frame<wire::Header>>(&decoded);
    MESHGATE_ASSERT(frame != nullptr);
    BackendMessage msg;
    msg.tag = frame->message.tag;
    const std::size_t body_size = frame->message.length - 4;
    while (msg.body.size() < body_size) {
        const std::size_t have = msg.body.size();
        const std::size_t step = std::min(kGrowStep, body_size - have);
        msg.body.resize(have + step);
        if (auto r = co_await read_exact(stream, msg.body.data() + have, step, peer); !r) {
            co_return r.error();
        }
    }
    co_return msg;
}

}  // namespace meshgate::proxy
