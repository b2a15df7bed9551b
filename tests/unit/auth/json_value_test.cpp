// Unit tests for auth/json_value (strict RFC 8259 parser) and auth/base64url.
#include "auth/json_value.hpp"

#include "auth/base64url.hpp"

#include <doctest/doctest.h>

#include <string>

using meshgate::auth::base64url_decode;
using meshgate::auth::base64url_encode;
using meshgate::auth::is_valid_utf8;
using meshgate::auth::JsonLimits;
using meshgate::auth::JsonValue;
using meshgate::auth::parse_json;

TEST_SUITE("auth.json_value") {
TEST_CASE("every kind of value parses with its content") {
    const auto v = parse_json(
        R"( {"s":"a\"b\\c\/\b\f\n\r\t\u00e9\ud83d\ude00","n":-12.5e1,"i":0,"t":true,"f":false,)"
        R"("z":null,"a":[1,[2,{}],[]],"o":{"k":"v"}} )");
    REQUIRE_MESSAGE(v.has_value(), (v.has_value() ? "" : v.error().message));
    REQUIRE(v->is_object());
    CHECK(v->as_object().size() == 8);
    CHECK(v->find("s")->as_string() == "a\"b\\c/\b\f\n\r\t\xC3\xA9\xF0\x9F\x98\x80");
    CHECK(v->find("n")->as_number().value == doctest::Approx(-125.0));
    CHECK(v->find("n")->as_number().text == "-12.5e1");
    CHECK(v->find("i")->as_number().text == "0");
    CHECK(v->find("t")->as_bool());
    CHECK_FALSE(v->find("f")->as_bool());
    CHECK(v->find("z")->is_null());
    REQUIRE(v->find("a")->is_array());
    CHECK(v->find("a")->as_array().size() == 3);
    CHECK(v->find("o")->find("k")->as_string() == "v");
    CHECK(v->find("missing") == nullptr);
    CHECK(v->find("s")->find("x") == nullptr);   // find on a non-object
    // Member order is document order.
    CHECK(v->as_object().front().first == "s");
    CHECK(v->as_object().back().first == "o");
}

TEST_CASE("scalars at the top level are values too") {
    CHECK(parse_json("\"x\"")->as_string() == "x");
    CHECK(parse_json("1e2")->as_number().value == doctest::Approx(100.0));
    CHECK(parse_json("null")->is_null());
    CHECK(parse_json("\"\\u0000\"")->as_string() == std::string(1, '\0'));
    CHECK(parse_json("1e-999")->as_number().value == 0.0);   // underflow is harmless
    CHECK(parse_json("\"caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80\"").has_value());
}

TEST_CASE("malformed JSON is refused") {
    const char* cases[] = {
        "",
        " ",
        "{",
        "}",
        "{\"a\":1,}",             // trailing comma
        "[1,]",
        "[1 2]",
        "{\"a\" 1}",
        "{a:1}",                   // unquoted key
        "{'a':1}",
        "{\"a\":1}{}",             // trailing value
        "{\"a\":1} x",
        "01",                      // leading zero
        "-",
        "1.",
        ".5",
        "1e",
        "+1",
        "NaN",
        "Infinity",
        "1e999",                   // overflows a double
        "-1e400",
        "tru",
        "nul",
        "True",
        "\"abc",
        "\"a\\x\"",                // unknown escape
        "\"\\u12\"",
        "\"\\u12G4\"",
        "\"\\ud800\"",             // lone high surrogate
        "\"\\udc00\"",             // lone low surrogate
        "\"\\ud800\\u0041\"",      // high surrogate + non-surrogate
        "\"a\tb\"",                // raw control character
        "\"a\nb\"",
        "\"\xC0\xAF\"",            // overlong '/'
        "\"\xED\xA0\x80\"",        // encoded surrogate
        "\"\xF4\x90\x80\x80\"",    // above U+10FFFF
        "\"\xE2\x82\"",            // cut sequence
        "\"\xFF\"",
        "\xEF\xBB\xBF{}",          // BOM
        "/* c */ {}",
        "{\"a\":1,\"a\":1}",       // duplicate key
        "{\"a\":1,\"\\u0061\":2}", // duplicate after unescaping
        "\v{}",                    // not JSON whitespace
    };
    for (const char* c : cases) {
        CAPTURE(c);
        const auto r = parse_json(c);
        CHECK_FALSE(r.has_value());
        if (!r.has_value()) {
            CHECK(r.error().sqlstate == "22P02");
        }
    }
    // A NUL byte inside the text (not escaped) is a raw control character.
    CHECK_FALSE(parse_json(std::string("\"a\0b\"", 5)).has_value());
    CHECK_FALSE(parse_json(std::string("{}\0", 3)).has_value());
}

TEST_CASE("size, depth and width limits are enforced") {
    JsonLimits limits;
    limits.max_bytes = 100;
    limits.max_depth = 4;
    limits.max_members = 3;
    CHECK(parse_json(std::string(100, ' ') + "1", limits).has_value() == false);
    CHECK(parse_json(std::string(99, ' ') + "1", limits).has_value());
    CHECK(parse_json("[[[[1]]]]", limits).has_value());
    CHECK_FALSE(parse_json("[[[[[1]]]]]", limits).has_value());
    CHECK_FALSE(parse_json(R"({"a":{"b":{"c":{"d":{}}}}})", limits).has_value());
    CHECK(parse_json("[1,2,3]", limits).has_value());
    CHECK_FALSE(parse_json("[1,2,3,4]", limits).has_value());
    CHECK(parse_json(R"({"a":1,"b":2,"c":3})", limits).has_value());
    CHECK_FALSE(parse_json(R"({"a":1,"b":2,"c":3,"d":4})", limits).has_value());
    // Default limits: deep nesting never reaches the stack's limit.
    const std::string deep = std::string(100000, '[') + std::string(100000, ']');
    CHECK_FALSE(parse_json(deep, JsonLimits{1 << 20, 16, 4096}).has_value());
    CHECK_FALSE(parse_json(std::string(70 * 1024, ' ') + "1").has_value());
}

TEST_CASE("the error names a byte offset and never echoes the text") {
    const auto r = parse_json(R"({"secret-token-value": tru})");
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().message.find("byte 23") != std::string::npos);
    CHECK(r.error().message.find("secret") == std::string::npos);
}

TEST_CASE("is_valid_utf8 accepts RFC 3629 UTF-8 only") {
    CHECK(is_valid_utf8(""));
    CHECK(is_valid_utf8("plain"));
    CHECK(is_valid_utf8("\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80"));
    CHECK(is_valid_utf8(std::string("a\0b", 3)));
    CHECK_FALSE(is_valid_utf8("\xC0\xAF"));
    CHECK_FALSE(is_valid_utf8("\xED\xA0\x80"));
    CHECK_FALSE(is_valid_utf8("\xF4\x90\x80\x80"));
    CHECK_FALSE(is_valid_utf8("\xE2\x82"));
    CHECK_FALSE(is_valid_utf8("\x80"));
}
}

TEST_SUITE("auth.base64url") {
TEST_CASE("round trips without padding, with the URL-safe alphabet") {
    CHECK(base64url_encode("") == "");
    CHECK(base64url_encode("f") == "Zg");
    CHECK(base64url_encode("fo") == "Zm8");
    CHECK(base64url_encode("foo") == "Zm9v");
    CHECK(base64url_encode("\xFB\xFF") == "-_8");
    std::string all;
    for (int i = 0; i < 256; ++i) {
        all.push_back(static_cast<char>(i));
    }
    for (std::size_t len = 0; len <= all.size(); ++len) {
        CAPTURE(len);
        const auto d = base64url_decode(base64url_encode(all.substr(0, len)));
        REQUIRE(d.has_value());
        CHECK(*d == all.substr(0, len));
    }
}

TEST_CASE("non-canonical or foreign input is refused") {
    for (const char* bad : {"Zg==", "Zm8=", "Z", "Zm9vY", "Zh", "Zm9", "+/8", "Zm 9v", "Zm9v\n"}) {
        CAPTURE(bad);
        CHECK_FALSE(base64url_decode(bad).has_value());
    }
    CHECK_FALSE(base64url_decode(std::string("Zg\0A", 4)).has_value());
    CHECK(*base64url_decode("Zm8") == "fo");   // the canonical form of what Zm9 would be
}
}
