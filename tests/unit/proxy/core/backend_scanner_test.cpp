// Unit tests of BackendScanner: large rows pass in pieces, small control messages whole.
#include "proxy/session/backend_scanner.hpp"
#include "proxy/wire/messages.hpp"

#include <doctest/doctest.h>

using meshgate::proxy::BackendPiece;
using meshgate::proxy::BackendScanner;
namespace wire = meshgate::wire;

namespace {

// Feeds `bytes` in chunks of `chunk`, forwarding every piece, and returns what was forwarded and
// the tags of completed messages.
struct Run {
    std::string forwarded;
    std::string completed;
    std::string whole;
};

Run scan(const std::string& bytes, std::size_t chunk)
{
    BackendScanner s(1u << 30, 1u << 20);
    Run r;
    std::string buf;
    std::size_t fed = 0;
    while (true) {
        auto step = s.next(buf);
        if (std::holds_alternative<wire::NeedMore>(step)) {
            if (fed == bytes.size()) {
                break;
            }
            const std::size_t n = std::min(chunk, bytes.size() - fed);
            buf.append(bytes, fed, n);
            fed += n;
            continue;
        }
        REQUIRE(std::holds_alternative<BackendPiece>(step));
        const auto p = std::get<BackendPiece>(step);
        r.forwarded.append(p.bytes);
        if (p.last) {
            r.completed.push_back(p.tag);
        }
        if (p.whole) {
            r.whole.push_back(p.tag);
        }
        buf.erase(0, p.bytes.size());
    }
    CHECK(buf.empty());
    return r;
}

}  // namespace

TEST_SUITE("proxy.backend_scanner") {
TEST_CASE("every cut of a response forwards the same bytes and completes the same messages") {
    std::string bytes;
    wire::RowDescription rd;
    rd.fields.push_back(wire::RowDescription::Field{"v", 0, 0, 25, -1, -1, 0});
    wire::encode(rd, bytes);
    wire::encode(wire::DataRow{{std::string(100000, 'x')}}, bytes);
    wire::encode(wire::DataRow{{std::nullopt}}, bytes);
    wire::encode(wire::CommandComplete{"SELECT 2"}, bytes);
    wire::encode(wire::ReadyForQuery{'I'}, bytes);
    for (std::size_t chunk : {std::size_t(1), std::size_t(3), std::size_t(5), std::size_t(4096),
                              bytes.size()}) {
        CAPTURE(chunk);
        const Run r = scan(bytes, chunk);
        CHECK(r.forwarded == bytes);
        CHECK(r.completed == "TDDCZ");
        CHECK(r.whole == "CZ");
    }
}

TEST_CASE("a large DataRow comes in pieces no bigger than what was read") {
    std::string bytes;
    wire::encode(wire::DataRow{{std::string(50000, 'y')}}, bytes);
    BackendScanner s(1u << 30, 1u << 20);
    const std::string first = bytes.substr(0, 1000);
    auto step = s.next(first);
    REQUIRE(std::holds_alternative<BackendPiece>(step));
    auto p = std::get<BackendPiece>(step);
    CHECK(p.first);
    CHECK_FALSE(p.last);
    CHECK(p.bytes.size() == 1000);
    CHECK(s.mid_message());
    const std::string rest = bytes.substr(1000);
    step = s.next(rest);
    REQUIRE(std::holds_alternative<BackendPiece>(step));
    p = std::get<BackendPiece>(step);
    CHECK(p.last);
    CHECK(p.bytes.size() == rest.size());
    CHECK_FALSE(s.mid_message());
}

TEST_CASE("an ErrorResponse is held whole and its body is given") {
    std::string bytes;
    wire::encode(wire::ErrorResponse::from(meshgate::make_error("57P01", "bye"), "FATAL"), bytes);
    BackendScanner s(1u << 30, 1u << 20);
    auto step = s.next(std::string_view(bytes).substr(0, bytes.size() - 1));
    CHECK(std::holds_alternative<wire::NeedMore>(step));
    step = s.next(bytes);
    REQUIRE(std::holds_alternative<BackendPiece>(step));
    const auto p = std::get<BackendPiece>(step);
    CHECK(p.whole);
    const auto e = wire::decode_error_response(p.body);
    REQUIRE(e.has_value());
    CHECK(e->get('C') == "57P01");
}

TEST_CASE("a control message larger than the inspection limit is malformed") {
    std::string bytes;
    wire::encode(wire::ErrorResponse::from(meshgate::make_error("XX000", std::string(5000, 'm'))),
                 bytes);
    BackendScanner s(1u << 30, 1024);
    CHECK(std::holds_alternative<wire::Malformed>(s.next(bytes)));
}

TEST_CASE("a length field below 4 is malformed") {
    const std::string bytes("D\0\0\0\x02", 5);
    BackendScanner s(1u << 30, 1u << 20);
    CHECK(std::holds_alternative<wire::Malformed>(s.next(bytes)));
}
}
