// Unit tests for auth/scram_attribute_reader.
#include "auth/scram_attribute_reader.hpp"

#include <doctest/doctest.h>

using namespace meshgate::auth;

TEST_SUITE("auth.scram_attribute_reader") {
TEST_CASE("attributes are read in order with their values") {
    ScramAttributeReader reader("r=abc,s=,i=4096");
    CHECK(reader.read('r').value() == "abc");
    CHECK(reader.offset() == 6);
    CHECK(reader.read('s').value() == "");
    const auto any = reader.read_any();
    REQUIRE(any.has_value());
    CHECK(any->first == 'i');
    CHECK(any->second == "4096");
    CHECK(reader.at_end());
}

TEST_CASE("a wrong name, a missing '=', a trailing comma or the end give 08P01") {
    {
        ScramAttributeReader reader("s=abc");
        const auto r = reader.read('r');
        REQUIRE_FALSE(r.has_value());
        CHECK(r.error().sqlstate == "08P01");
        CHECK(r.error().message == "malformed SCRAM message");
    }
    {
        ScramAttributeReader reader("rabc");
        CHECK_FALSE(reader.read('r').has_value());
    }
    {
        ScramAttributeReader reader("r=abc,");
        REQUIRE(reader.read('r').has_value());
        CHECK_FALSE(reader.at_end());
        CHECK_FALSE(reader.read_any().has_value());
    }
    {
        ScramAttributeReader reader("");
        CHECK(reader.at_end());
        CHECK_FALSE(reader.read('r').has_value());
        CHECK_FALSE(reader.read_any().has_value());
    }
    {
        ScramAttributeReader reader("1=x");
        CHECK_FALSE(reader.read_any().has_value());
    }
}

TEST_CASE("printable excludes commas, spaces and control characters") {
    CHECK(is_scram_printable("%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0"));
    CHECK_FALSE(is_scram_printable("a,b"));
    CHECK_FALSE(is_scram_printable("a b"));
    CHECK_FALSE(is_scram_printable("a\x7f"));
    CHECK_FALSE(is_scram_printable("\xc3\xa9"));
}
}
