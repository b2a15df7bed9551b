// Unit tests for auth/base64: RFC 4648 §10 vectors and strict refusal of bad input.
#include "auth/base64.hpp"

#include <doctest/doctest.h>

#include <string>

using meshgate::auth::base64_decode;
using meshgate::auth::base64_encode;

TEST_SUITE("auth.base64") {
TEST_CASE("encoding matches the RFC 4648 test vectors and decodes back") {
    struct Case {
        const char* plain;
        const char* encoded;
    };
    const Case cases[] = {{"", ""},
                          {"f", "Zg=="},
                          {"fo", "Zm8="},
                          {"foo", "Zm9v"},
                          {"foob", "Zm9vYg=="},
                          {"fooba", "Zm9vYmE="},
                          {"foobar", "Zm9vYmFy"}};
    for (const auto& c : cases) {
        CAPTURE(c.plain);
        CHECK(base64_encode(c.plain) == c.encoded);
        const auto decoded = base64_decode(c.encoded);
        REQUIRE(decoded.has_value());
        CHECK(*decoded == c.plain);
    }
}

TEST_CASE("every byte value survives a round trip") {
    std::string all;
    for (int i = 0; i < 256; ++i) {
        all.push_back(static_cast<char>(i));
    }
    for (std::size_t len = 0; len <= all.size(); ++len) {
        CAPTURE(len);
        const auto decoded = base64_decode(base64_encode(all.substr(0, len)));
        REQUIRE(decoded.has_value());
        CHECK(*decoded == all.substr(0, len));
    }
}

TEST_CASE("invalid base64 is an error value, never an exception") {
    const char* bad[] = {
        "Zg",          // missing padding
        "Zg=",         // short padding
        "Z===",        // too much padding
        "=Zg=",        // padding first
        "Zg==Zg==",    // padding in the middle
        "Zm9v YmFy",   // whitespace
        "Zm9v\nYmFy",  // newline
        "Zm-_",        // URL-safe alphabet
        "Zh==",        // non-zero bits under the padding
        "Zm9=",        // non-zero bits under one '='
        "Zm9vYmFy====",
        "****",
    };
    for (const char* text : bad) {
        CAPTURE(text);
        const auto r = base64_decode(text);
        REQUIRE_FALSE(r.has_value());
        CHECK(r.error().sqlstate == "08P01");
    }
    const std::string with_nul("Zm9v\0Zm9", 8);
    CHECK_FALSE(base64_decode(with_nul).has_value());
}
}
