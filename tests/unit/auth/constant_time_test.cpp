// Unit tests for auth/constant_time.
#include "auth/constant_time.hpp"

#include <doctest/doctest.h>

#include <string>

using meshgate::auth::constant_time_equal;

TEST_SUITE("auth.constant_time") {
TEST_CASE("equal bytes compare equal and any difference or length change does not") {
    CHECK(constant_time_equal("", ""));
    CHECK(constant_time_equal("abc", "abc"));
    CHECK(constant_time_equal(std::string("a\0b", 3), std::string("a\0b", 3)));
    CHECK_FALSE(constant_time_equal("abc", "abd"));
    CHECK_FALSE(constant_time_equal("abc", "ab"));
    CHECK_FALSE(constant_time_equal("", "a"));
    CHECK_FALSE(constant_time_equal(std::string("a\0b", 3), std::string("a\0c", 3)));
}
}
