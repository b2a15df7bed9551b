// Test helpers for the wire codec: hex literals, the cut-at-every-offset framing check and the
// encode/decode round trip. Layer: tests of proxy/wire.
#pragma once

#include "proxy/wire/codec.hpp"

#include <doctest/doctest.h>

#include <cctype>
#include <string>
#include <string_view>
#include <variant>

namespace meshgate::wire::test {

/// Bytes from hex digits; spaces are ignored ("00 00 00 08" -> 4 bytes).
inline std::string hex(std::string_view digits)
{
    std::string out;
    int high = -1;
    for (const char c : digits) {
        if (c == ' ') {
            continue;
        }
        const int v =
            std::isdigit(static_cast<unsigned char>(c)) ? c - '0' : std::tolower(c) - 'a' + 10;
        REQUIRE((v >= 0 && v < 16));
        if (high < 0) {
            high = v;
        } else {
            out.push_back(static_cast<char>(high * 16 + v));
            high = -1;
        }
    }
    REQUIRE(high < 0);
    return out;
}

/// A string with embedded NULs from a literal: bytes("a\0b") keeps all 3 bytes.
template <std::size_t N>
std::string bytes(const char (&s)[N])
{
    return std::string(s, N - 1);
}

constexpr uint32_t kTestMaxMessage = 1u << 20;

/// Cuts one tagged frame at every offset: each prefix must give NeedMore asking for more than
/// it holds (and never more than the frame), the whole frame a Frame consuming all of it, and
/// the frame followed by the start of another one a Frame consuming only the first.
/// Returns the decoded body (a view into `frame`).
inline std::string_view check_message_framing(const std::string& frame)
{
    for (std::size_t cut = 0; cut < frame.size(); ++cut) {
        const auto d = decode_message(std::string_view(frame).substr(0, cut), kTestMaxMessage);
        const auto* more = std::get_if<NeedMore>(&d);
        if (more == nullptr || more->at_least <= cut || more->at_least > frame.size()) {
            CAPTURE(cut);
            FAIL_CHECK("a prefix of a valid frame did not give a sensible NeedMore");
        }
    }
    const std::string followed = frame + "Q\0\0";
    const auto next = decode_message(followed, kTestMaxMessage);
    REQUIRE(std::holds_alternative<Frame<RawMessage>>(next));
    CHECK(std::get<Frame<RawMessage>>(next).consumed == frame.size());

    const auto whole = decode_message(frame, kTestMaxMessage);
    REQUIRE(std::holds_alternative<Frame<RawMessage>>(whole));
    const auto& f = std::get<Frame<RawMessage>>(whole);
    CHECK(f.consumed == frame.size());
    CHECK(f.message.tag == frame[0]);
    CHECK(f.message.body.size() == frame.size() - 5);
    return f.message.body;
}

/// Encodes `m` after some existing bytes (encode must append), checks the tag and the framing
/// at every cut, then decodes the body with `decode` and expects `m` back. Returns the frame.
template <class T, class Decode>
std::string check_round_trip(const T& m, Decode decode)
{
    std::string out = "prefix";
    encode(m, out);
    REQUIRE(out.substr(0, 6) == "prefix");
    const std::string frame = out.substr(6);
    REQUIRE(frame.size() >= 5);
    CHECK(frame[0] == T::kTag);
    const std::string_view body = check_message_framing(frame);
    const auto decoded = decode(body);
    if (!decoded) {
        FAIL_CHECK(decoded.error().message);
        return frame;
    }
    CHECK(*decoded == m);
    return frame;
}

/// check_round_trip, and then for a message whose body has no optional tail: every shorter
/// body and the body with one extra byte must be refused with 08P01.
template <class T, class Decode>
void check_strict_round_trip(const T& m, Decode decode)
{
    const std::string frame = check_round_trip(m, decode);
    const std::string body = frame.substr(5);
    for (std::size_t cut = 0; cut < body.size(); ++cut) {
        const auto d = decode(std::string_view(body).substr(0, cut));
        if (d.has_value() || d.error().sqlstate != "08P01") {
            CAPTURE(cut);
            FAIL_CHECK("a truncated body was not refused with 08P01");
        }
    }
    for (const char extra : {'\0', 'x'}) {
        const auto d = decode(body + extra);
        CAPTURE(extra);
        CHECK_FALSE(d.has_value());
    }
}

/// Checks that `result` is a decode failure with SQLSTATE 08P01 whose message holds `needle`.
template <class R>
void check_violation(const R& result, std::string_view needle)
{
    REQUIRE_FALSE(result.has_value());
    CHECK(result.error().sqlstate == "08P01");
    CAPTURE(result.error().message);
    CHECK(result.error().message.find(needle) != std::string::npos);
}

}  // namespace meshgate::wire::test
