// Round trips, hostile inputs and Error conversion for ErrorResponse and NoticeResponse.
// Layer: tests of proxy/wire/messages.
#include "proxy/wire/messages/error_response.hpp"

#include "proxy/wire/wire_test_support.hpp"

#include <doctest/doctest.h>

using namespace meshgate::wire;
using meshgate::wire::test::bytes;
using meshgate::wire::test::check_strict_round_trip;
using meshgate::wire::test::check_violation;
using meshgate::wire::test::hex;

TEST_SUITE("wire.messages.error_response")
{
    TEST_CASE("ErrorResponse and NoticeResponse round-trip their fields in order")
    {
        const std::vector<std::pair<char, std::string>> fields = {{'S', "ERROR"},
                                                                  {'V', "ERROR"},
                                                                  {'C', "42501"},
                                                                  {'M', "permission denied"},
                                                                  {'P', "15"}};
        check_strict_round_trip(ErrorResponse{fields}, decode_error_response);
        check_strict_round_trip(NoticeResponse{fields}, decode_notice_response);
        check_strict_round_trip(ErrorResponse{}, decode_error_response);
    }

    TEST_CASE("unknown field codes are kept")
    {
        const auto d = decode_error_response(bytes("Sbad\0qqueue\0Mmsg\0\0"));
        REQUIRE(d.has_value());
        REQUIRE(d->fields.size() == 3);
        CHECK(d->fields[1] == std::pair<char, std::string>{'q', "queue"});
        CHECK(d->get('q') == "queue");
        CHECK(d->get('M') == "msg");
        CHECK(d->get('D').empty());
    }

    TEST_CASE("an ErrorResponse matches the documented bytes")
    {
        std::string out;
        encode(ErrorResponse{{{'S', "FATAL"}, {'C', "28P01"}}}, out);
        CHECK(out == hex("45 00 00 00 13") + bytes("SFATAL\0C28P01\0\0"));
        std::string notice;
        encode(NoticeResponse{{{'S', "FATAL"}, {'C', "28P01"}}}, notice);
        CHECK(notice[0] == 'N');
        CHECK(notice.substr(1) == out.substr(1));
    }

    TEST_CASE("malformed field lists are refused")
    {
        check_violation(decode_error_response(""), "not terminated by a zero byte");
        check_violation(decode_error_response(bytes("SERROR\0")), "not terminated by a zero byte");
        check_violation(decode_error_response("SERROR"), "field 'S' is not NUL-terminated");
        check_violation(decode_notice_response(bytes("SERROR\0\0x")), "unexpected byte");
    }

    TEST_CASE("from fills severity, SQLSTATE, message and only the optional fields that are set")
    {
        SUBCASE("minimal error")
        {
            const auto m = ErrorResponse::from(meshgate::make_error("42P01", "no such product"));
            CHECK(m.get('S') == "ERROR");
            CHECK(m.get('V') == "ERROR");
            CHECK(m.get('C') == "42P01");
            CHECK(m.get('M') == "no such product");
            CHECK(m.fields.size() == 4);
        }
        SUBCASE("every field and a FATAL severity")
        {
            meshgate::Error e{"42601", "syntax error at or near \"FORM\"", 10, "the detail",
                              "a hint"};
            const auto m = ErrorResponse::from(e, "FATAL");
            CHECK(m.get('S') == "FATAL");
            CHECK(m.get('V') == "FATAL");
            CHECK(m.get('D') == "the detail");
            CHECK(m.get('H') == "a hint");
            CHECK(m.get('P') == "10");
            check_strict_round_trip(m, decode_error_response);
        }
        SUBCASE("an error without SQLSTATE is reported as internal_error")
        {
            const auto m = ErrorResponse::from(meshgate::make_error("", "oops"));
            CHECK(m.get('C') == "XX000");
        }
    }

}  // TEST_SUITE
