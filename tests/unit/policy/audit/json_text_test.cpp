// JSON string escaping of hostile client text. Layer: tests (policy/audit).
#include "policy/audit/json_text.hpp"
#include "policy/audit/json_object.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using namespace meshgate::audit;

TEST_SUITE("audit.json_text")
{
    TEST_CASE("quotes, backslashes and control characters are escaped")
    {
        struct Row {
            std::string in;
            std::string out;
        };
        const Row rows[] = {
            {"plain", "\"plain\""},
            {"say \"hi\"", "\"say \\\"hi\\\"\""},
            {"C:\\dir", "\"C:\\\\dir\""},
            {"a\nb\rc\td\be\ff", "\"a\\nb\\rc\\td\\be\\ff\""},
            {std::string("nul\0x", 5), "\"nul\\u0000x\""},
            {"\x01\x1f\x7f", "\"\\u0001\\u001f\\u007f\""},
            {"\x1b[31mred", "\"\\u001b[31mred\""},
            {"line\xE2\x80\xA8sep\xE2\x80\xA9", "\"line\\u2028sep\\u2029\""},
            {"caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80",
             "\"caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80\""},
            {"", "\"\""},
        };
        for (const auto& r : rows) {
            CAPTURE(r.in);
            CHECK(json_string(r.in) == r.out);
        }
    }

    TEST_CASE("invalid UTF-8 is replaced byte by byte with U+FFFD")
    {
        const std::string R(kReplacementCharacter);
        struct Row {
            std::string in;
            std::string out;
        };
        const Row rows[] = {
            {"\x80", R},                          // stray continuation byte
            {"\xC0\xAF", R + R},                  // overlong '/'
            {"\xC1\xBF", R + R},                  // overlong
            {"\xE0\x80\xAF", R + R + R},          // overlong 3-byte
            {"\xED\xA0\x80", R + R + R},          // UTF-16 surrogate
            {"\xF4\x90\x80\x80", R + R + R + R},  // above U+10FFFF
            {"\xF5\x80\x80\x80", R + R + R + R},  // never valid lead byte
            {"\xFF", R},
            {"ab\xC3", "ab" + R},        // sequence cut at the end
            {"\xE2\x82x", R + R + "x"},  // sequence cut in the middle
        };
        for (const auto& r : rows) {
            CAPTURE(r.in);
            CHECK(json_string(r.in) == "\"" + r.out + "\"");
        }
    }

    TEST_CASE("every single byte value gives a valid JSON string with no raw newline")
    {
        for (int b = 0; b < 256; ++b) {
            CAPTURE(b);
            const std::string in = "x" + std::string(1, char(b)) + "y";
            const std::string object = "{\"k\":" + json_string(in) + "}";
            std::vector<JsonMember> members;
            std::string error;
            CHECK(read_json_object(object, members, error));
            CHECK(object.find('\n') == std::string::npos);
            CHECK(object.find('\r') == std::string::npos);
        }
    }

    TEST_CASE("a length limit cuts on a character boundary and says how much was cut")
    {
        std::string out;
        // "é" is 2 bytes: a limit of 4 keeps "ab" + "é" (4 bytes), cutting "cd" (2 bytes).
        const auto cut = append_json_string(out,
                                            "ab\xC3\xA9"
                                            "cd",
                                            4);
        CHECK(cut == 2);
        CHECK(out == "\"ab\xC3\xA9 [truncated: 2 more bytes]\"");

        out.clear();
        // A limit inside a multi-byte character drops the whole character.
        CHECK(append_json_string(out, "ab\xC3\xA9", 3) == 2);
        CHECK(out == "\"ab [truncated: 2 more bytes]\"");

        out.clear();
        CHECK(append_json_string(out, "abc", 3) == 0);
        CHECK(out == "\"abc\"");
    }

    TEST_CASE("the strict JSON reader refuses malformed objects")
    {
        const char* bad[] = {
            "",
            "[]",
            "{",
            "{\"a\":1,}",
            "{\"a\":1}x",
            "{\"a\":01}",
            "{\"a\":1.}",
            "{\"a\":\"\x01\"}",
            "{\"a\":\"\\x\"}",
            "{\"a\":\"\\u12\"}",
            "{\"a\":\"\xC0\xAF\"}",
            "{\"a\":1,\"a\":2}",
            "{\"a\":tru}",
            "{\"a\":\"unterminated}",
            "{a:1}",
        };
        for (const char* text : bad) {
            CAPTURE(text);
            std::vector<JsonMember> members;
            std::string error;
            CHECK_FALSE(read_json_object(text, members, error));
            CHECK_FALSE(error.empty());
        }
    }

    TEST_CASE("the strict JSON reader returns top-level members as raw text")
    {
        std::vector<JsonMember> members;
        std::string error;
        REQUIRE(read_json_object(
            " {\"a\":1,\"b\":\"x\\\"y\",\"c\":[1,{\"d\":null}],\"e\":-1.5e3,\"f\":true} ", members,
            error));
        REQUIRE(members.size() == 5);
        CHECK(members[0].key == "a");
        CHECK(members[0].value == "1");
        CHECK(members[1].value == "\"x\\\"y\"");
        CHECK(members[2].value == "[1,{\"d\":null}]");
        CHECK(members[3].value == "-1.5e3");
        CHECK(members[4].value == "true");
    }

    TEST_CASE("the strict JSON reader refuses deep nesting instead of recursing without bound")
    {
        std::string deep = "{\"a\":" + std::string(10000, '[') + std::string(10000, ']') + "}";
        std::vector<JsonMember> members;
        std::string error;
        CHECK_FALSE(read_json_object(deep, members, error));
        CHECK(error.find("nested") != std::string::npos);
    }
}
