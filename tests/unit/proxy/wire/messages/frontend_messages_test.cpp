// Round trips and hostile inputs for the frontend messages (client -> server).
// Layer: tests of proxy/wire/messages.
#include "proxy/wire/messages.hpp"

#include "proxy/wire/wire_test_support.hpp"

#include <doctest/doctest.h>

#include <limits>

using namespace meshgate::wire;
using meshgate::wire::test::bytes;
using meshgate::wire::test::check_round_trip;
using meshgate::wire::test::check_strict_round_trip;
using meshgate::wire::test::check_violation;
using meshgate::wire::test::hex;

namespace {

std::string frame_of(const auto& m)
{
    std::string out;
    encode(m, out);
    return out;
}

}  // namespace

TEST_SUITE("wire.messages.frontend")
{
    TEST_CASE("Query round-trips and matches the documented bytes")
    {
        check_strict_round_trip(Query{"SELECT 1"}, decode_query);
        check_strict_round_trip(Query{""}, decode_query);
        CHECK(frame_of(Query{"SELECT 1"}) == hex("51 00 00 00 0d") + bytes("SELECT 1\0"));
    }

    TEST_CASE("Query without its NUL or with bytes after it is refused")
    {
        check_violation(decode_query("SELECT 1"), "not NUL-terminated");
        check_violation(decode_query(bytes("SELECT 1\0; DROP TABLE x\0")), "unexpected byte");
    }

    TEST_CASE("Parse round-trips with and without parameter types")
    {
        check_strict_round_trip(Parse{"s1", "SELECT $1, $2", {23, 0}}, decode_parse);
        check_strict_round_trip(Parse{"", "SELECT 1", {}}, decode_parse);
        check_strict_round_trip(Parse{"big", "x", {0xffffffffu}}, decode_parse);
    }

    TEST_CASE("Parse refuses negative and oversized parameter counts")
    {
        check_violation(decode_parse(bytes("\0q\0") + hex("ff ff")), "parameter type count -1");
        check_violation(decode_parse(bytes("\0q\0") + hex("7f ff 00 00 00 17")),
                        "parameter type count 32767");
        check_violation(decode_parse(bytes("\0q\0") + hex("00 01 00 00")),
                        "parameter type count 1");
        check_violation(decode_parse(bytes("\0q\0")), "count is missing");
        check_violation(decode_parse(bytes("name\0q")), "query string is not NUL-terminated");
        check_violation(decode_parse(bytes("\0q\0") + hex("00 00 00")), "unexpected byte");
    }

    TEST_CASE("Bind round-trips NULLs, empty values, binary values and formats")
    {
        Bind m;
        m.portal = "p1";
        m.statement = "s1";
        m.param_formats = {0, 1, 0};
        m.params = {std::string("42"), std::nullopt, std::string("")};
        m.params[1] = std::nullopt;
        m.params[2] = bytes("\0\1\2");
        m.result_formats = {1};
        check_strict_round_trip(m, decode_bind);
        check_strict_round_trip(Bind{}, decode_bind);
        check_strict_round_trip(Bind{"", "", {1}, {std::string("x"), std::nullopt}, {}},
                                decode_bind);
    }

    TEST_CASE("Bind with one text parameter matches the documented layout")
    {
        const std::string body =
            bytes("\0s\0") + hex("00 00 00 01 00 00 00 02") + "42" + hex("00 00");
        const auto d = decode_bind(body);
        REQUIRE(d.has_value());
        CHECK(d->statement == "s");
        REQUIRE(d->params.size() == 1);
        CHECK(d->params[0] == std::optional<std::string>("42"));
    }

    TEST_CASE("Bind refuses hostile counts and lengths")
    {
        const std::string names = bytes("\0\0");
        SUBCASE("negative parameter format count")
        {
            check_violation(decode_bind(names + hex("80 00")), "parameter format count -32768");
        }
        SUBCASE("parameter format count beyond the body")
        {
            check_violation(decode_bind(names + hex("00 05 00 00")), "parameter format count 5");
        }
        SUBCASE("negative parameter count")
        {
            check_violation(decode_bind(names + hex("00 00 ff ff")), "parameter count -1");
        }
        SUBCASE("parameter count that cannot fit in the bytes left")
        {
            check_violation(decode_bind(names + hex("00 00 7f ff 00 00 00 00")),
                            "parameter count 32767");
        }
        SUBCASE("value length below -1")
        {
            check_violation(decode_bind(names + hex("00 00 00 01 ff ff ff fe 00 00")),
                            "invalid length -2");
        }
        SUBCASE("value length past the end")
        {
            check_violation(decode_bind(names + hex("00 00 00 01 7f ff ff ff 00 00")),
                            "invalid length 2147483647");
        }
        SUBCASE("parameter format count that is neither 0, 1 nor the parameter count")
        {
            check_violation(decode_bind(names + hex("00 02 00 00 00 00 00 03") +
                                        hex("ff ff ff ff ff ff ff ff ff ff ff ff 00 00")),
                            "2 parameter formats for 3 parameters");
        }
        SUBCASE("unknown format code")
        {
            check_violation(decode_bind(names + hex("00 01 00 02 00 00 00 00")),
                            "unsupported parameter format code 2");
            check_violation(decode_bind(names + hex("00 00 00 00 00 01 ff ff")),
                            "unsupported result format code -1");
        }
        SUBCASE("missing result format count")
        {
            check_violation(decode_bind(names + hex("00 00 00 00")),
                            "result format count is missing");
        }
        SUBCASE("portal name without NUL")
        {
            check_violation(decode_bind("portal"), "portal name is not NUL-terminated");
        }
    }

    TEST_CASE("Describe and Close round-trip for statements and portals")
    {
        check_strict_round_trip(Describe{'S', "s1"}, decode_describe);
        check_strict_round_trip(Describe{'P', ""}, decode_describe);
        check_strict_round_trip(Close{'S', ""}, decode_close);
        check_strict_round_trip(Close{'P', "portal"}, decode_close);
        CHECK(frame_of(Describe{'P', ""}) == hex("44 00 00 00 06 50 00"));
    }

    TEST_CASE("Describe and Close refuse a kind other than S or P")
    {
        check_violation(decode_describe(bytes("X\0")), "kind must be 'S' or 'P'");
        check_violation(decode_close(bytes("s\0")), "kind must be 'S' or 'P'");
        check_violation(decode_describe(""), "kind byte is missing");
        check_violation(decode_close("P"), "not NUL-terminated");
    }

    TEST_CASE("Execute round-trips the row limit")
    {
        check_strict_round_trip(Execute{"", 0}, decode_execute);
        check_strict_round_trip(Execute{"p", 100}, decode_execute);
        check_strict_round_trip(Execute{"p", -1}, decode_execute);
        CHECK(frame_of(Execute{"", 0}) == hex("45 00 00 00 09 00 00 00 00 00"));
    }

    TEST_CASE("empty frontend messages round-trip and refuse any body")
    {
        check_strict_round_trip(Sync{}, decode_sync);
        check_strict_round_trip(Flush{}, decode_flush);
        check_strict_round_trip(Terminate{}, decode_terminate);
        check_strict_round_trip(CopyDone{}, decode_copy_done);
        CHECK(frame_of(Terminate{}) == hex("58 00 00 00 04"));
        check_violation(decode_sync("x"), "1 unexpected byte");
    }

    TEST_CASE("CopyData carries any bytes, including none")
    {
        check_round_trip(CopyData{bytes("1\tbob\n\0\xff")}, decode_copy_data);
        check_round_trip(CopyData{""}, decode_copy_data);
    }

    TEST_CASE("CopyFail round-trips its message")
    {
        check_strict_round_trip(CopyFail{"client gave up"}, decode_copy_fail);
        check_violation(decode_copy_fail("no nul"), "not NUL-terminated");
    }

    TEST_CASE("PasswordMessage round-trips and needs exactly one string")
    {
        check_strict_round_trip(PasswordMessage{"s3cret"}, decode_password_message);
        check_strict_round_trip(PasswordMessage{"md5" + std::string(32, 'a')},
                                decode_password_message);
        check_violation(decode_password_message("s3cret"), "not NUL-terminated");
    }

    TEST_CASE("SASLInitialResponse round-trips with data and without (-1)")
    {
        check_strict_round_trip(SaslInitialResponse{"SCRAM-SHA-256", "n,,n=,r=abc"},
                                decode_sasl_initial_response);
        check_strict_round_trip(SaslInitialResponse{"SCRAM-SHA-256", std::string()},
                                decode_sasl_initial_response);
        check_strict_round_trip(SaslInitialResponse{"SCRAM-SHA-256", std::nullopt},
                                decode_sasl_initial_response);
        const auto none = decode_sasl_initial_response(bytes("M\0") + hex("ff ff ff ff"));
        REQUIRE(none.has_value());
        CHECK_FALSE(none->data.has_value());
    }

    TEST_CASE("SASLInitialResponse refuses lengths that do not match the data")
    {
        check_violation(decode_sasl_initial_response(bytes("M\0") + hex("ff ff ff fe")),
                        "invalid data length -2");
        check_violation(decode_sasl_initial_response(bytes("M\0") + hex("00 00 00 05") + "abc"),
                        "invalid data length 5");
        check_violation(decode_sasl_initial_response(bytes("M\0") + hex("00 00 00 01") + "abc"),
                        "unexpected byte");
        check_violation(decode_sasl_initial_response(bytes("M\0")), "length is missing");
        check_violation(decode_sasl_initial_response("SCRAM"), "mechanism name");
    }

    TEST_CASE("SASLResponse carries the whole body")
    {
        check_round_trip(SaslResponse{"c=biws,r=abc,p=xyz"}, decode_sasl_response);
        check_round_trip(SaslResponse{""}, decode_sasl_response);
    }

    TEST_CASE("FunctionCall decodes only the function OID")
    {
        check_round_trip(FunctionCall{1234}, decode_function_call);
        // OID 1234, one text argument "abcd", text result: the tail is not examined.
        const auto d = decode_function_call(
            hex("00 00 04 d2 00 01 00 00 00 01 00 00 00 04 61 62 63 64 00 00"));
        REQUIRE(d.has_value());
        CHECK(d->function_oid == 1234);
        check_violation(decode_function_call(hex("00 00 04")), "OID is missing");
    }

}  // TEST_SUITE
