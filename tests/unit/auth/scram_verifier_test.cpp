// Unit tests for auth/scram_verifier: PostgreSQL compatibility, round trips, strict parsing.
#include "auth/scram_verifier.hpp"

#include "auth/base64.hpp"

#include <doctest/doctest.h>

#include <string>

using meshgate::auth::make_scram_verifier;
using meshgate::auth::ScramVerifier;

namespace {

// Produced by a real PostgreSQL 15.20 (initdb --auth=scram-sha-256 --pwfile with the password
// "testpw", as in TOOLCHAIN §4), read with:
//   psql -Atc "select rolpassword from pg_authid where rolname='postgres'"
constexpr const char* kPostgresTestpw =
    "SCRAM-SHA-256$4096:tGW7O8imutvJLEV0keYyyg==$yGN6xJBm2p4AM6uDVtZyYpg1K7umCoZaln3UacPXPO4=:"
    "rLhb2cIAl6WHMrOik3sD05jFhv+97Vt/7ExDTXWzm2M=";

}  // namespace

TEST_SUITE("auth.scram_verifier") {
TEST_CASE("a verifier made by PostgreSQL for testpw is reproduced byte for byte") {
    const auto parsed = ScramVerifier::parse(kPostgresTestpw);
    REQUIRE(parsed.has_value());
    CHECK(parsed->iterations == 4096);
    CHECK(parsed->salt.size() == 16);
    CHECK(parsed->stored_key.size() == 32);
    CHECK(parsed->server_key.size() == 32);

    const auto mine = make_scram_verifier("testpw", parsed->salt, parsed->iterations);
    CHECK(mine == *parsed);
    CHECK(mine.to_string() == kPostgresTestpw);
    CHECK(make_scram_verifier("testpx", parsed->salt, parsed->iterations) != *parsed);
}

TEST_CASE("the RFC 7677 password gives the verifier an independent implementation computes") {
    // Python hashlib/hmac over the RFC 7677 §3 inputs (password "pencil", 4096 iterations).
    const auto salt = meshgate::auth::base64_decode("W22ZaJ0SNY7soEsUEjb6gQ==");
    REQUIRE(salt.has_value());
    CHECK(make_scram_verifier("pencil", *salt, 4096).to_string() ==
          "SCRAM-SHA-256$4096:W22ZaJ0SNY7soEsUEjb6gQ==$"
          "WG5d8oPm3OtcPnkdi4Uo7BkeZkBFzpcXkuLmtbsT4qY=:"
          "wfPLwcE6nTWhTAmQ7tl2KeoiWGPlZqQxSrmfPwDl2dU=");
}

TEST_CASE("to_string and parse round trip") {
    const auto v = make_scram_verifier("s3cret", std::string("\x00\x01\xfe\xff salt", 9), 1);
    const auto text = v.to_string();
    CHECK(text.rfind("SCRAM-SHA-256$1:", 0) == 0);
    const auto back = ScramVerifier::parse(text);
    REQUIRE(back.has_value());
    CHECK(*back == v);
    CHECK(back->to_string() == text);
}

TEST_CASE("malformed verifiers are refused with 22023 and never echo the secret") {
    const std::string good = kPostgresTestpw;
    const char* bad[] = {
        "",
        "md5e85a2de63ae0d5cccbea6e1e854337bb",
        "SCRAM-SHA-1$4096:tGW7O8imutvJLEV0keYyyg==$yGN6xJBm2p4AM6uDVtZyYpg1K7umCoZaln3UacPXPO4=:"
        "rLhb2cIAl6WHMrOik3sD05jFhv+97Vt/7ExDTXWzm2M=",
        "scram-sha-256$4096:tGW7O8imutvJLEV0keYyyg==$yGN6xJBm2p4AM6uDVtZyYpg1K7umCoZaln3UacPXPO4=:"
        "rLhb2cIAl6WHMrOik3sD05jFhv+97Vt/7ExDTXWzm2M=",
        "SCRAM-SHA-256$",
        "SCRAM-SHA-256$4096",
        "SCRAM-SHA-256$4096:tGW7O8imutvJLEV0keYyyg==",
        "SCRAM-SHA-256$4096:tGW7O8imutvJLEV0keYyyg==$yGN6xJBm2p4AM6uDVtZyYpg1K7umCoZaln3UacPXPO4=",
        "SCRAM-SHA-256$0:tGW7O8imutvJLEV0keYyyg==$yGN6xJBm2p4AM6uDVtZyYpg1K7umCoZaln3UacPXPO4=:"
        "rLhb2cIAl6WHMrOik3sD05jFhv+97Vt/7ExDTXWzm2M=",
        "SCRAM-SHA-256$-1:tGW7O8imutvJLEV0keYyyg==$yGN6xJBm2p4AM6uDVtZyYpg1K7umCoZaln3UacPXPO4=:"
        "rLhb2cIAl6WHMrOik3sD05jFhv+97Vt/7ExDTXWzm2M=",
        "SCRAM-SHA-256$4096x:tGW7O8imutvJLEV0keYyyg==$yGN6xJBm2p4AM6uDVtZyYpg1K7umCoZaln3UacPXPO4=:"
        "rLhb2cIAl6WHMrOik3sD05jFhv+97Vt/7ExDTXWzm2M=",
        "SCRAM-SHA-256$9999999999:tGW7O8imutvJLEV0keYyyg==$"
        "yGN6xJBm2p4AM6uDVtZyYpg1K7umCoZaln3UacPXPO4=:rLhb2cIAl6WHMrOik3sD05jFhv+97Vt/7ExDTXWzm2M=",
        "SCRAM-SHA-256$4096:$yGN6xJBm2p4AM6uDVtZyYpg1K7umCoZaln3UacPXPO4=:"
        "rLhb2cIAl6WHMrOik3sD05jFhv+97Vt/7ExDTXWzm2M=",
        "SCRAM-SHA-256$4096:tGW7O8imutvJLEV0keYyyg=$yGN6xJBm2p4AM6uDVtZyYpg1K7umCoZaln3UacPXPO4=:"
        "rLhb2cIAl6WHMrOik3sD05jFhv+97Vt/7ExDTXWzm2M=",
        // StoredKey of 31 bytes
        "SCRAM-SHA-256$4096:tGW7O8imutvJLEV0keYyyg==$yGN6xJBm2p4AM6uDVtZyYpg1K7umCoZaln3UacPXPA==:"
        "rLhb2cIAl6WHMrOik3sD05jFhv+97Vt/7ExDTXWzm2M=",
        // ServerKey with trailing garbage, and surrounding whitespace
        "SCRAM-SHA-256$4096:tGW7O8imutvJLEV0keYyyg==$yGN6xJBm2p4AM6uDVtZyYpg1K7umCoZaln3UacPXPO4=:"
        "rLhb2cIAl6WHMrOik3sD05jFhv+97Vt/7ExDTXWzm2M=:x",
        " SCRAM-SHA-256$4096:tGW7O8imutvJLEV0keYyyg==$yGN6xJBm2p4AM6uDVtZyYpg1K7umCoZaln3UacPXPO4=:"
        "rLhb2cIAl6WHMrOik3sD05jFhv+97Vt/7ExDTXWzm2M=",
        "SCRAM-SHA-256$4096:tGW7O8imutvJLEV0keYyyg==$yGN6xJBm2p4AM6uDVtZyYpg1K7umCoZaln3UacPXPO4=:"
        "rLhb2cIAl6WHMrOik3sD05jFhv+97Vt/7ExDTXWzm2M=\n",
    };
    for (const char* text : bad) {
        CAPTURE(text);
        const auto r = ScramVerifier::parse(text);
        REQUIRE_FALSE(r.has_value());
        CHECK(r.error().sqlstate == "22023");
        CHECK(r.error().message.find("yGN6xJBm2p4AM6uDVtZyYpg1K7") == std::string::npos);
        CHECK(r.error().message.find("rLhb2cIAl6WHMrOik3sD05jF") == std::string::npos);
    }
    CHECK(ScramVerifier::parse(good).has_value());
}
}
