// Tests of tagged-message framing, append_frame and the Reader/Writer. Layer: tests of proxy/wire.
#include "proxy/wire/codec.hpp"

#include "proxy/wire/wire_test_support.hpp"

#include <doctest/doctest.h>

#include <limits>

using namespace meshgate::wire;
using meshgate::wire::test::bytes;
using meshgate::wire::test::hex;

TEST_SUITE("wire.framing")
{
    TEST_CASE("a Sync frame from the protocol docs decodes with an empty body")
    {
        const std::string frame = hex("53 00 00 00 04");
        const auto d = decode_message(frame, 1000);
        REQUIRE(std::holds_alternative<Frame<RawMessage>>(d));
        const auto& f = std::get<Frame<RawMessage>>(d);
        CHECK(f.message.tag == 'S');
        CHECK(f.message.body.empty());
        CHECK(f.consumed == 5);
    }

    TEST_CASE("every prefix of a frame needs more and the whole frame is consumed")
    {
        std::string frame;
        append_frame('Q', bytes("SELECT 1\0"), frame);
        CHECK(frame == hex("51 00 00 00 0d") + bytes("SELECT 1\0"));
        const auto body = test::check_message_framing(frame);
        CHECK(body == bytes("SELECT 1\0"));
    }

    TEST_CASE("an empty buffer or a partial header asks for the 5 header bytes")
    {
        for (const std::string& buf : {std::string(), std::string("Q"), hex("51 00 00 00")}) {
            const auto d = decode_header(buf, 1000);
            REQUIRE(std::holds_alternative<NeedMore>(d));
            CHECK(std::get<NeedMore>(d).at_least == 5);
        }
    }

    TEST_CASE("a complete header asks for the whole frame the length announces")
    {
        const auto d = decode_message(hex("44 00 00 01 00 00 00"), 1000);
        REQUIRE(std::holds_alternative<NeedMore>(d));
        CHECK(std::get<NeedMore>(d).at_least == 0x100 + 1);
    }

    TEST_CASE("decode_header reports tag and length without the body being present")
    {
        const auto d = decode_header(hex("64 00 10 00 00"), 1u << 24);
        REQUIRE(std::holds_alternative<Frame<Header>>(d));
        const auto& h = std::get<Frame<Header>>(d);
        CHECK(h.message.tag == 'd');
        CHECK(h.message.length == 0x100000);
        CHECK(h.message.frame_size() == 0x100001);
        CHECK(h.consumed == 5);
    }

    TEST_CASE("lengths below 4 are malformed")
    {
        for (const char* len : {"00 00 00 00", "00 00 00 01", "00 00 00 03"}) {
            CAPTURE(len);
            const auto d = decode_message(hex(std::string("51 ") + len), 1000);
            REQUIRE(std::holds_alternative<Malformed>(d));
            CHECK(std::get<Malformed>(d).sqlstate == "08P01");
            CHECK(std::get<Malformed>(d).text.find("invalid length") != std::string::npos);
        }
    }

    TEST_CASE("a length over the limit is refused before the body arrives and names the limit")
    {
        const auto d = decode_message(hex("51 00 00 10 01"), 4096);
        REQUIRE(std::holds_alternative<Malformed>(d));
        CHECK(std::get<Malformed>(d).sqlstate == "54000");
        CHECK(std::get<Malformed>(d).text.find("4096") != std::string::npos);
    }

    TEST_CASE("a length exactly at the limit is accepted")
    {
        std::string frame;
        append_frame('d', std::string(96, 'x'), frame);
        const auto d = decode_message(frame, 100);
        REQUIRE(std::holds_alternative<Frame<RawMessage>>(d));
        CHECK(std::get<Frame<RawMessage>>(d).consumed == 101);
    }

    TEST_CASE("a length that is negative as an int32 is malformed even with a huge limit")
    {
        const auto d = decode_message(hex("51 ff ff ff ff"), std::numeric_limits<uint32_t>::max());
        REQUIRE(std::holds_alternative<Malformed>(d));
        CHECK(std::get<Malformed>(d).sqlstate == "08P01");
    }

    TEST_CASE("a huge length is refused with the default limit")
    {
        const Limits limits;
        const auto d = decode_message(hex("51 7f ff ff ff"), limits.max_message);
        REQUIRE(std::holds_alternative<Malformed>(d));
        CHECK(std::get<Malformed>(d).sqlstate == "54000");
    }

    TEST_CASE("two frames in one buffer decode one after the other")
    {
        std::string buf;
        append_frame('S', {}, buf);
        append_frame('Q', bytes("x\0"), buf);
        const auto first = decode_message(buf, 100);
        REQUIRE(std::holds_alternative<Frame<RawMessage>>(first));
        const auto n = std::get<Frame<RawMessage>>(first).consumed;
        CHECK(n == 5);
        const auto second = decode_message(std::string_view(buf).substr(n), 100);
        REQUIRE(std::holds_alternative<Frame<RawMessage>>(second));
        CHECK(std::get<Frame<RawMessage>>(second).message.tag == 'Q');
        CHECK(std::get<Frame<RawMessage>>(second).message.body == bytes("x\0"));
    }

}  // TEST_SUITE

TEST_SUITE("wire.reader")
{
    TEST_CASE("integers are read big-endian and signed where declared")
    {
        const std::string buf = hex("ff 80 00 ff ff ff fe 80 00 00 01");
        Reader r(buf);
        uint8_t a = 0;
        int16_t b = 0;
        int32_t c = 0;
        uint32_t d = 0;
        REQUIRE(r.u8(a));
        REQUIRE(r.i16(b));
        REQUIRE(r.i32(c));
        REQUIRE(r.u32(d));
        CHECK(a == 0xff);
        CHECK(b == -32768);
        CHECK(c == -2);
        CHECK(d == 0x80000001u);
        CHECK(r.at_end());
    }

    TEST_CASE("a short read fails and consumes nothing")
    {
        const std::string buf = hex("00 01 02");
        Reader r(buf);
        int32_t v = 0;
        CHECK_FALSE(r.i32(v));
        CHECK(r.remaining() == 3);
        int16_t s = 0;
        CHECK(r.i16(s));
        CHECK(s == 1);
        CHECK_FALSE(r.i16(s));
        CHECK(r.remaining() == 1);
    }

    TEST_CASE("a string without its NUL fails and consumes nothing")
    {
        Reader r("abc");
        std::string s = "unchanged";
        CHECK_FALSE(r.cstring(s));
        CHECK(r.remaining() == 3);
    }

    TEST_CASE("strings stop at the first NUL and the next one follows")
    {
        const std::string buf = bytes("ab\0\0c\0");
        Reader r(buf);
        std::string s;
        REQUIRE(r.cstring(s));
        CHECK(s == "ab");
        REQUIRE(r.cstring(s));
        CHECK(s.empty());
        REQUIRE(r.cstring(s));
        CHECK(s == "c");
        CHECK(r.at_end());
    }

    TEST_CASE("bytes past the end fail without allocating, rest takes everything left")
    {
        Reader r("abcdef");
        std::string s;
        CHECK_FALSE(r.bytes(std::numeric_limits<std::size_t>::max(), s));
        CHECK_FALSE(r.bytes(7, s));
        REQUIRE(r.bytes(2, s));
        CHECK(s == "ab");
        REQUIRE(r.rest(s));
        CHECK(s == "cdef");
        CHECK(r.at_end());
    }

}  // TEST_SUITE

TEST_SUITE("wire.writer")
{
    TEST_CASE("the writer appends big-endian integers and NUL-terminated strings")
    {
        std::string out = "x";
        Writer w(out);
        w.u8(0xab);
        w.i16(-2);
        w.i32(-1);
        w.u32(0x01020304);
        w.cstring("hi");
        w.bytes("raw");
        CHECK(out == "x" + hex("ab ff fe ff ff ff ff 01 02 03 04 68 69 00") + "raw");
    }

    TEST_CASE("a string with an embedded NUL is written only up to it so the frame stays intact")
    {
        std::string out;
        Writer(out).cstring(bytes("user\0injected"));
        CHECK(out == bytes("user\0"));
    }

    TEST_CASE("append_frame writes tag, length including itself, and body")
    {
        std::string out;
        append_frame('Z', "I", out);
        CHECK(out == hex("5a 00 00 00 05 49"));
    }

}  // TEST_SUITE
