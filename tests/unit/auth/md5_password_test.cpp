// Unit tests for auth/md5_password.
#include "auth/md5_password.hpp"

#include <doctest/doctest.h>

#include <string>

using meshgate::auth::md5_password;

TEST_SUITE("auth.md5_password") {
TEST_CASE("md5_password matches an independently computed PostgreSQL md5 response") {
    // Computed once with Python's hashlib:
    //   inner = md5(b"testpw" + b"postgres").hexdigest()
    //   "md5" + md5(inner.encode() + bytes([1, 2, 3, 4])).hexdigest()
    const std::string salt("\x01\x02\x03\x04", 4);
    CHECK(md5_password("postgres", "testpw", salt) == "md5e85a2de63ae0d5cccbea6e1e854337bb");
}

TEST_CASE("md5_password depends on user, password and salt") {
    const std::string salt("\x01\x02\x03\x04", 4);
    const auto base = md5_password("postgres", "testpw", salt);
    CHECK(base.size() == 35);
    CHECK(md5_password("postgrex", "testpw", salt) != base);
    CHECK(md5_password("postgres", "testpx", salt) != base);
    CHECK(md5_password("postgres", "testpw", std::string("\x01\x02\x03\x05", 4)) != base);
}
}
