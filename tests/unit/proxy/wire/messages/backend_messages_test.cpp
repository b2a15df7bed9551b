// Round trips and hostile inputs for the backend messages (server -> client), except
// Authentication and ErrorResponse, which have their own files.
// Layer: tests of proxy/wire/messages.
#include "proxy/wire/messages.hpp"

#include "proxy/wire/wire_test_support.hpp"

#include <doctest/doctest.h>

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

TEST_SUITE("wire.messages.backend")
{
    TEST_CASE("BackendKeyData round-trips and is exactly 8 bytes of body")
    {
        check_strict_round_trip(BackendKeyData{4242, -559038737}, decode_backend_key_data);
        CHECK(frame_of(BackendKeyData{1, 2}) == hex("4b 00 00 00 0c 00 00 00 01 00 00 00 02"));
        check_violation(decode_backend_key_data(hex("00 00 00 01")), "expected 8 bytes, got 4");
    }

    TEST_CASE("empty backend messages round-trip and refuse any body")
    {
        check_strict_round_trip(BindComplete{}, decode_bind_complete);
        check_strict_round_trip(CloseComplete{}, decode_close_complete);
        check_strict_round_trip(ParseComplete{}, decode_parse_complete);
        check_strict_round_trip(NoData{}, decode_no_data);
        check_strict_round_trip(PortalSuspended{}, decode_portal_suspended);
        check_strict_round_trip(EmptyQueryResponse{}, decode_empty_query_response);
        CHECK(frame_of(ParseComplete{}) == hex("31 00 00 00 04"));
        CHECK(frame_of(BindComplete{}) == hex("32 00 00 00 04"));
        CHECK(frame_of(CloseComplete{}) == hex("33 00 00 00 04"));
        CHECK(frame_of(NoData{}) == hex("6e 00 00 00 04"));
    }

    TEST_CASE("CommandComplete round-trips its tag")
    {
        check_strict_round_trip(CommandComplete{"SELECT 3"}, decode_command_complete);
        check_strict_round_trip(CommandComplete{"BEGIN"}, decode_command_complete);
        CHECK(frame_of(CommandComplete{"SELECT 1"}) == hex("43 00 00 00 0d") + bytes("SELECT 1\0"));
        check_violation(decode_command_complete("SELECT 1"), "not NUL-terminated");
    }

    TEST_CASE("the three copy responses round-trip with their own tags")
    {
        check_strict_round_trip(CopyInResponse{0, {0, 0, 0}}, decode_copy_in_response);
        check_strict_round_trip(CopyOutResponse{1, {1, 1}}, decode_copy_out_response);
        check_strict_round_trip(CopyOutResponse{0, {}}, decode_copy_out_response);
        check_strict_round_trip(CopyBothResponse{0, {}}, decode_copy_both_response);
        CHECK(frame_of(CopyOutResponse{0, {0}})[0] == 'H');
        CHECK(frame_of(CopyBothResponse{0, {0}})[0] == 'W');
    }

    TEST_CASE("copy responses refuse unknown formats and hostile column counts")
    {
        check_violation(decode_copy_out_response(hex("02 00 00")), "unknown copy format 2");
        check_violation(decode_copy_out_response(hex("00 00 01 00 07")), "unknown column format 7");
        check_violation(decode_copy_in_response(hex("00 ff ff")), "column count -1");
        check_violation(decode_copy_in_response(hex("00 7f ff 00 00")), "column count 32767");
        check_violation(decode_copy_both_response(hex("00")), "column count is missing");
    }

    TEST_CASE("DataRow round-trips values, empty strings and NULLs")
    {
        check_strict_round_trip(
            DataRow{{std::string("1"), std::nullopt, std::string(""), bytes("bin\0ary")}},
            decode_data_row);
        check_strict_round_trip(DataRow{}, decode_data_row);
        CHECK(frame_of(DataRow{{std::string("1"), std::nullopt}}) ==
              hex("44 00 00 00 0f 00 02 00 00 00 01 31 ff ff ff ff"));
    }

    TEST_CASE("DataRow refuses negative counts, short bodies and bad lengths")
    {
        check_violation(decode_data_row(hex("ff ff")), "column count -1");
        check_violation(decode_data_row(hex("03 e8 00 00 00 00")), "column count 1000");
        check_violation(decode_data_row(hex("00 01 ff ff ff fe")), "invalid length -2");
        check_violation(decode_data_row(hex("00 01 00 00 00 05 61")), "invalid length 5");
        check_violation(decode_data_row(hex("00 01 00 00 00 00 61")), "unexpected byte");
    }

    TEST_CASE("NegotiateProtocolVersion round-trips the unrecognized options")
    {
        check_strict_round_trip(NegotiateProtocolVersion{0, {"_pq_.foo", "_pq_.bar"}},
                                decode_negotiate_protocol_version);
        check_strict_round_trip(NegotiateProtocolVersion{0, {}}, decode_negotiate_protocol_version);
        check_strict_round_trip(NegotiateProtocolVersion{0, {""}},
                                decode_negotiate_protocol_version);
    }

    TEST_CASE("NegotiateProtocolVersion refuses hostile counts before reserving")
    {
        check_violation(decode_negotiate_protocol_version(hex("00 00 00 00 80 00 00 00")),
                        "option count -2147483648");
        check_violation(decode_negotiate_protocol_version(hex("00 00 00 00 7f ff ff ff 00")),
                        "option count 2147483647");
        check_violation(decode_negotiate_protocol_version(hex("00 00 00 00 00 00 00 01 61")),
                        "not NUL-terminated");
    }

    TEST_CASE("NotificationResponse round-trips channel and payload")
    {
        check_strict_round_trip(NotificationResponse{77, "jobs", "{\"id\":1}"},
                                decode_notification_response);
        check_strict_round_trip(NotificationResponse{0, "", ""}, decode_notification_response);
        check_violation(decode_notification_response(hex("00 00 00 01") + bytes("ch\0pay")),
                        "payload is not NUL-terminated");
    }

    TEST_CASE("ParameterDescription round-trips type OIDs")
    {
        check_strict_round_trip(ParameterDescription{{23, 25, 0xfffffffeu}},
                                decode_parameter_description);
        check_strict_round_trip(ParameterDescription{}, decode_parameter_description);
        check_violation(decode_parameter_description(hex("ff fe")), "parameter count -2");
        check_violation(decode_parameter_description(hex("00 02 00 00 00 17")),
                        "parameter count 2");
    }

    TEST_CASE("ParameterStatus round-trips name and value")
    {
        check_strict_round_trip(ParameterStatus{"server_version", "15.4"}, decode_parameter_status);
        check_strict_round_trip(ParameterStatus{"application_name", ""}, decode_parameter_status);
        check_violation(decode_parameter_status(bytes("TimeZone\0UTC")),
                        "value is not NUL-terminated");
    }

    TEST_CASE("ReadyForQuery round-trips the three statuses and refuses others")
    {
        for (const char s : {'I', 'T', 'E'}) {
            CAPTURE(s);
            check_strict_round_trip(ReadyForQuery{s}, decode_ready_for_query);
        }
        CHECK(frame_of(ReadyForQuery{'I'}) == hex("5a 00 00 00 05 49"));
        check_violation(decode_ready_for_query("X"), "unknown transaction status");
        check_violation(decode_ready_for_query(""), "status is missing");
        check_violation(decode_ready_for_query("II"), "unexpected byte");
    }

    TEST_CASE("RowDescription round-trips every field attribute")
    {
        RowDescription m;
        m.fields.push_back({"id", 16384, 1, 23, 4, -1, 0});
        m.fields.push_back({"email", 16384, 2, 25, -1, -1, 0});
        m.fields.push_back({"", 0, 0, 17, -1, -1, 1});
        m.fields.push_back({"n", 0xffffffffu, -32768, 1700, 2, 0x7fffffff, 1});
        check_strict_round_trip(m, decode_row_description);
        check_strict_round_trip(RowDescription{}, decode_row_description);
    }

    TEST_CASE("RowDescription refuses hostile counts, truncated fields and unknown formats")
    {
        // A field without its format code (19 bytes).
        const std::string field =
            bytes("id\0") + hex("00 00 40 00 00 01 00 00 00 17 00 04 ff ff ff ff");
        check_violation(decode_row_description(hex("ff ff")), "field count -1");
        check_violation(decode_row_description(hex("00 02") + field + hex("00 00")),
                        "field count 2");
        check_violation(decode_row_description(hex("00 01") + field + hex("00 02")),
                        "unknown format 2");
        check_violation(decode_row_description(hex("00 01") + field + hex("00")),
                        "field 1 is truncated");
        check_violation(decode_row_description(hex("00 01") + field), "field 1 is truncated");
        check_violation(decode_row_description(hex("00 01") + bytes("id\0")), "field count 1");
        const auto ok = decode_row_description(hex("00 01") + field + hex("00 00"));
        REQUIRE(ok.has_value());
        CHECK(ok->fields[0].name == "id");
        CHECK(ok->fields[0].table_oid == 0x4000);
        CHECK(ok->fields[0].type_oid == 23);
    }

}  // TEST_SUITE
