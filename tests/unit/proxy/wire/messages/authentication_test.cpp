// Round trips and hostile inputs for the 'R' Authentication* family.
// Layer: tests of proxy/wire/messages.
#include "proxy/wire/messages/authentication.hpp"

#include "proxy/wire/wire_test_support.hpp"

#include <doctest/doctest.h>

using namespace meshgate::wire;
using meshgate::wire::test::bytes;
using meshgate::wire::test::check_violation;
using meshgate::wire::test::hex;

namespace {

// Encodes `m`, checks the framing at every cut, and decodes it back through the variant.
template <class T>
void check_auth_round_trip(const T& m)
{
    std::string frame;
    encode(m, frame);
    CHECK(frame[0] == 'R');
    const auto body = test::check_message_framing(frame);
    const auto d = decode_authentication(body);
    REQUIRE(d.has_value());
    REQUIRE(std::holds_alternative<T>(*d));
    CHECK(std::get<T>(*d) == m);
    // The variant overload writes the same bytes.
    std::string again;
    encode(Authentication{m}, again);
    CHECK(again == frame);
}

}  // namespace

TEST_SUITE("wire.messages.authentication")
{
    TEST_CASE("every authentication request round-trips")
    {
        check_auth_round_trip(AuthenticationOk{});
        check_auth_round_trip(AuthenticationCleartextPassword{});
        check_auth_round_trip(AuthenticationMd5Password{bytes("\x01\x00\xff\x7f")});
        check_auth_round_trip(AuthenticationSasl{{"SCRAM-SHA-256-PLUS", "SCRAM-SHA-256"}});
        check_auth_round_trip(AuthenticationSasl{{}});
        check_auth_round_trip(AuthenticationSaslContinue{"r=abc,s=c2FsdA==,i=4096"});
        check_auth_round_trip(AuthenticationSaslFinal{"v=c2lnbmF0dXJl"});
        check_auth_round_trip(AuthenticationUnsupported{7});
    }

    TEST_CASE("AuthenticationOk is the documented 9 bytes")
    {
        std::string out;
        encode(AuthenticationOk{}, out);
        CHECK(out == hex("52 00 00 00 08 00 00 00 00"));
    }

    TEST_CASE("AuthenticationSASL lists mechanisms ended by an empty name")
    {
        std::string out;
        encode(AuthenticationSasl{{"SCRAM-SHA-256"}}, out);
        CHECK(out == hex("52 00 00 00 17 00 00 00 0a") + bytes("SCRAM-SHA-256\0\0"));
    }

    TEST_CASE("unknown and unsupported request codes keep only the code")
    {
        for (const int32_t code : {2, 6, 7, 8, 9, 99, -1}) {
            CAPTURE(code);
            std::string body;
            Writer(body).i32(code);
            body += "opaque";
            const auto d = decode_authentication(body);
            REQUIRE(d.has_value());
            REQUIRE(std::holds_alternative<AuthenticationUnsupported>(*d));
            CHECK(std::get<AuthenticationUnsupported>(*d).code == code);
        }
    }

    TEST_CASE("malformed authentication requests are refused")
    {
        check_violation(decode_authentication(""), "request code is missing");
        check_violation(decode_authentication(hex("00 00 00")), "request code is missing");
        check_violation(decode_authentication(hex("00 00 00 00 00")), "AuthenticationOk");
        check_violation(decode_authentication(hex("00 00 00 03 00")),
                        "AuthenticationCleartextPassword");
        check_violation(decode_authentication(hex("00 00 00 05 01 02 03")),
                        "salt must be 4 bytes, got 3");
        check_violation(decode_authentication(hex("00 00 00 05 01 02 03 04 05")),
                        "salt must be 4 bytes, got 5");
        check_violation(decode_authentication(hex("00 00 00 0a") + bytes("SCRAM-SHA-256\0")),
                        "not terminated by an empty name");
        check_violation(decode_authentication(hex("00 00 00 0a") + "SCRAM"),
                        "not terminated by an empty name");
        check_violation(decode_authentication(hex("00 00 00 0a") + bytes("SCRAM-SHA-256\0\0x")),
                        "unexpected byte");
    }

}  // TEST_SUITE
