// Unit tests for auth/digest against published vectors (FIPS 180-2, RFC 4231, RFC 7914, RFC 1321).
#include "auth/digest.hpp"

#include <doctest/doctest.h>

using namespace meshgate::auth;

TEST_SUITE("auth.digest") {
TEST_CASE("sha256 of abc is the FIPS 180-2 value") {
    CHECK(to_hex(sha256("abc")) ==
          "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST_CASE("hmac_sha256 matches RFC 4231 test case 2") {
    CHECK(to_hex(hmac_sha256("Jefe", "what do ya want for nothing?")) ==
          "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST_CASE("pbkdf2_hmac_sha256 gives the first block of the RFC 7914 vector") {
    CHECK(to_hex(pbkdf2_hmac_sha256("passwd", "salt", 1)) ==
          "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc");
}

TEST_CASE("md5 of the empty string is the RFC 1321 value") {
    CHECK(to_hex(md5("")) == "d41d8cd98f00b204e9800998ecf8427e");
}

TEST_CASE("xor_bytes is a byte-wise exclusive or") {
    CHECK(xor_bytes(std::string("\x0f\xf0", 2), std::string("\xff\xff", 2)) ==
          std::string("\xf0\x0f", 2));
}
}
