// Tests of the startup family: StartupMessage, SSLRequest, GSSENCRequest, CancelRequest.
// Layer: tests of proxy/wire.
#include "proxy/wire/codec.hpp"

#include "proxy/wire/wire_test_support.hpp"

#include <doctest/doctest.h>

using namespace meshgate::wire;
using meshgate::wire::test::bytes;
using meshgate::wire::test::hex;

namespace {

const Limits kLimits{};

// Cuts a startup packet at every offset, as check_message_framing does for tagged frames.
StartupPacket check_startup_framing(const std::string& packet)
{
    for (std::size_t cut = 0; cut < packet.size(); ++cut) {
        const auto d = decode_startup(std::string_view(packet).substr(0, cut), kLimits);
        const auto* more = std::get_if<NeedMore>(&d);
        if (more == nullptr || more->at_least <= cut || more->at_least > packet.size()) {
            CAPTURE(cut);
            FAIL_CHECK("a prefix of a valid startup packet did not give a sensible NeedMore");
        }
    }
    const auto d = decode_startup(packet + "Q\0\0\0\4", kLimits);
    REQUIRE(std::holds_alternative<Frame<StartupPacket>>(d));
    const auto& f = std::get<Frame<StartupPacket>>(d);
    CHECK(f.consumed == packet.size());
    return f.message;
}

Malformed malformed(const std::string& packet)
{
    const auto d = decode_startup(packet, kLimits);
    REQUIRE(std::holds_alternative<Malformed>(d));
    return std::get<Malformed>(d);
}

std::string startup_with_body(uint32_t code, const std::string& body)
{
    std::string out;
    Writer w(out);
    w.u32(static_cast<uint32_t>(8 + body.size()));
    w.u32(code);
    w.bytes(body);
    return out;
}

}  // namespace

TEST_SUITE("wire.startup")
{
    TEST_CASE("an SSLRequest is the 8 bytes from the protocol docs")
    {
        const std::string packet = hex("00 00 00 08 04 d2 16 2f");
        std::string out;
        encode(SslRequest{}, out);
        CHECK(out == packet);
        CHECK(std::holds_alternative<SslRequest>(check_startup_framing(packet)));
    }

    TEST_CASE("a GSSENCRequest is 1234.5680 in 8 bytes")
    {
        const std::string packet = hex("00 00 00 08 04 d2 16 30");
        std::string out;
        encode(GssEncRequest{}, out);
        CHECK(out == packet);
        CHECK(std::holds_alternative<GssEncRequest>(check_startup_framing(packet)));
    }

    TEST_CASE("a CancelRequest carries the process id and secret key")
    {
        const std::string packet = hex("00 00 00 10 04 d2 16 2e 00 00 30 39 ff ff ff fe");
        std::string out;
        encode(CancelRequest{12345, -2}, out);
        CHECK(out == packet);
        const auto p = check_startup_framing(packet);
        REQUIRE(std::holds_alternative<CancelRequest>(p));
        CHECK(std::get<CancelRequest>(p).process_id == 12345);
        CHECK(std::get<CancelRequest>(p).secret_key == -2);
    }

    TEST_CASE("a psql StartupMessage decodes to its parameters in order")
    {
        const std::string packet = hex("00 00 00 38 00 03 00 00") +
                                   bytes("user\0alice\0database\0mesh\0application_name\0psql\0\0");
        const auto p = check_startup_framing(packet);
        REQUIRE(std::holds_alternative<StartupMessage>(p));
        const auto& m = std::get<StartupMessage>(p);
        CHECK(m.protocol == kProtocolVersion3);
        REQUIRE(m.parameters.size() == 3);
        CHECK(m.parameters[0] == std::pair<std::string, std::string>{"user", "alice"});
        CHECK(m.get("database") == "mesh");
        CHECK(m.get("application_name") == "psql");
        CHECK(m.get("options").empty());
    }

    TEST_CASE("a StartupMessage round-trips through encode")
    {
        StartupMessage m;
        m.parameters = {{"user", "bob"}, {"options", "-c search_path=sales"}, {"empty", ""}};
        std::string out = "x";
        encode(m, out);
        REQUIRE(out[0] == 'x');
        const auto p = check_startup_framing(out.substr(1));
        REQUIRE(std::holds_alternative<StartupMessage>(p));
        CHECK(std::get<StartupMessage>(p).parameters == m.parameters);
    }

    TEST_CASE("a StartupMessage with no parameters is just the final NUL")
    {
        const auto p = check_startup_framing(hex("00 00 00 09 00 03 00 00 00"));
        REQUIRE(std::holds_alternative<StartupMessage>(p));
        CHECK(std::get<StartupMessage>(p).parameters.empty());
    }

    TEST_CASE("a newer minor version of protocol 3 is accepted and reported")
    {
        const auto p = check_startup_framing(startup_with_body(0x00030002, bytes("user\0a\0\0")));
        REQUIRE(std::holds_alternative<StartupMessage>(p));
        CHECK(std::get<StartupMessage>(p).protocol == 0x00030002u);
    }

    TEST_CASE("protocol majors other than 3 are refused with 0A000")
    {
        for (const uint32_t code : {0x00020000u, 0x00040000u, 0x04d2162du, 0u}) {
            CAPTURE(code);
            const auto m = malformed(startup_with_body(code, bytes("user\0a\0\0")));
            CHECK(m.sqlstate == "0A000");
            CHECK(m.text.find("unsupported frontend protocol") != std::string::npos);
        }
    }

    TEST_CASE("startup lengths below 8 are malformed")
    {
        for (const char* len : {"00 00 00 00", "00 00 00 04", "00 00 00 07"}) {
            CAPTURE(len);
            const auto m = malformed(hex(len));
            CHECK(m.sqlstate == "08P01");
        }
    }

    TEST_CASE(
        "a startup length over the limit is refused from its first 4 bytes and names the limit")
    {
        const auto m = malformed(hex("00 00 27 11"));
        CHECK(m.sqlstate == "08P01");
        CHECK(m.text.find("10000") != std::string::npos);
        const auto huge = malformed(hex("ff ff ff ff"));
        CHECK(huge.text.find("limit") != std::string::npos);
    }

    TEST_CASE("the configured startup limit applies")
    {
        const std::string packet = startup_with_body(kProtocolVersion3, bytes("user\0alice\0\0"));
        Limits tight;
        tight.max_startup_packet = static_cast<uint32_t>(packet.size() - 1);
        CHECK(std::holds_alternative<Malformed>(decode_startup(packet, tight)));
        tight.max_startup_packet = static_cast<uint32_t>(packet.size());
        CHECK(std::holds_alternative<Frame<StartupPacket>>(decode_startup(packet, tight)));
    }

    TEST_CASE("special requests with the wrong length are malformed")
    {
        CHECK(malformed(startup_with_body(kSslRequestCode, "x")).text.find("SSLRequest") !=
              std::string::npos);
        CHECK(malformed(startup_with_body(kGssEncRequestCode, "xxxx")).text.find("GSSENCRequest") !=
              std::string::npos);
        CHECK(malformed(startup_with_body(kCancelRequestCode, "1234")).text.find("CancelRequest") !=
              std::string::npos);
        CHECK(malformed(startup_with_body(kCancelRequestCode, "123456789")).sqlstate == "08P01");
    }

    TEST_CASE("StartupMessage parameters must be NUL-terminated pairs ending with a final NUL")
    {
        struct Case {
            const char* name;
            std::string body;
            const char* needle;
        };
        const Case cases[] = {
            {"no final NUL", bytes("user\0alice\0"), "not terminated"},
            {"name without NUL", bytes("user"), "not terminated"},
            {"value without NUL", bytes("user\0alice"), "no NUL-terminated value"},
            {"name without value", bytes("user\0"), "no NUL-terminated value"},
            {"bytes after the final NUL", bytes("user\0alice\0\0x"), "after the final NUL"},
            {"empty body", std::string(), "not terminated"},
            {"repeated user", bytes("user\0alice\0user\0postgres\0\0"), "repeats parameter"},
        };
        for (const auto& c : cases) {
            CAPTURE(c.name);
            const auto m = malformed(startup_with_body(kProtocolVersion3, c.body));
            CHECK(m.sqlstate == "08P01");
            CAPTURE(m.text);
            CHECK(m.text.find(c.needle) != std::string::npos);
        }
    }

}  // TEST_SUITE
