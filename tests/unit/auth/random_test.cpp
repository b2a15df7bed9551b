// Unit tests for auth/random.
#include "auth/random.hpp"

#include <doctest/doctest.h>

using meshgate::auth::random_bytes;

TEST_SUITE("auth.random") {
TEST_CASE("random_bytes returns the requested length and fresh bytes each call") {
    CHECK(random_bytes(0).empty());
    CHECK(random_bytes(1).size() == 1);
    const auto a = random_bytes(32);
    const auto b = random_bytes(32);
    REQUIRE(a.size() == 32);
    REQUIRE(b.size() == 32);
    // Equal 256-bit draws would mean a broken generator (probability 2^-256 otherwise).
    CHECK(a != b);
}
}
