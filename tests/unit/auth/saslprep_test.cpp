// Unit tests for auth/saslprep: RFC 4013 examples, PostgreSQL's quirks, and verifiers made by a
// real PostgreSQL for non-ASCII passwords.
#include "auth/saslprep.hpp"

#include "auth/scram_verifier.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace meshgate::auth;

TEST_SUITE("auth.saslprep") {
TEST_CASE("ASCII passwords pass unchanged, control characters included, as in PostgreSQL") {
    CHECK(saslprep("user").value() == "user");
    CHECK(saslprep("USER").value() == "USER");
    CHECK(saslprep("").value() == "");
    // RFC 4013 would refuse U+0007; PostgreSQL skips SASLprep for pure ASCII.
    CHECK(saslprep("\x07").value() == "\x07");
}

TEST_CASE("the RFC 4013 section 3 examples are mapped, normalized or refused") {
    CHECK(saslprep("I\u00ADX").value() == "IX");        // soft hyphen mapped to nothing
    CHECK(saslprep("\u00AA").value() == "a");           // NFKC
    CHECK(saslprep("\u2168").value() == "IX");          // NFKC
    CHECK_FALSE(saslprep("\u0627\u0031").has_value());  // bidi: RandALCat not last
    CHECK_FALSE(saslprep("\u0007\u00E9").has_value());  // prohibited once non-ASCII
}

TEST_CASE("normalization composes, reorders and handles Hangul") {
    CHECK(saslprep("pa\u0308sswo\u0308rd").value() == "p\u00E4ssw\u00F6rd");
    CHECK(saslprep("x\u0301\u0323").value() == "x\u0323\u0301");
    CHECK(saslprep("\u1E9B\u0323").value() == "\u1E69");  // UAX #15 example
    CHECK(saslprep("\u1112\u1161\u11AB").value() == "\uD55C");
    CHECK(saslprep("\uD55C").value() == "\uD55C");
    CHECK(saslprep("a\u00A0b").value() == "a b");  // non-ASCII space mapped to U+0020
}

TEST_CASE("refused passwords are used as raw bytes, like PostgreSQL does") {
    const std::string invalid_utf8("pw\xC3\x28", 4);
    const auto r = saslprep(invalid_utf8);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().sqlstate == "22021");
    CHECK(prepare_scram_password(invalid_utf8) == invalid_utf8);
    CHECK(prepare_scram_password("\u00AD") == "\u00AD");  // empty after mapping
    // U+200B is both a non-ASCII space (C.1.2) and "mapped to nothing" (B.1); PostgreSQL
    // checks C.1.2 first, so it becomes a space.
    CHECK(prepare_scram_password("\u200B") == " ");
    CHECK(prepare_scram_password("\U0001F600pw") == "\U0001F600pw");  // unassigned in 3.2
    CHECK(prepare_scram_password("I\u00ADX") == "IX");
    // Overlong encodings and surrogates are invalid UTF-8.
    CHECK_FALSE(saslprep(std::string("\xC0\xAF", 2)).has_value());
    CHECK_FALSE(saslprep(std::string("\xED\xA0\x80", 3)).has_value());
}

TEST_CASE("verifiers match those a real PostgreSQL 15 computed for non-ASCII passwords") {
    // Each verifier was produced by PostgreSQL 15.20 with
    //   SET password_encryption = 'scram-sha-256'; ALTER ROLE r PASSWORD '<password>';
    //   SELECT rolpassword FROM pg_authid WHERE rolname = 'r';
    // (the server picks the salt). The same comparison passed for 6000 random passwords drawn
    // from combining marks, Hangul jamo, compatibility, bidi, space and unassigned characters.
    struct Case {
        const char* password;
        const char* verifier;
    };
    const Case cases[] = {
        // NFD input, composed by NFKC
        {"pa\u0308sswo\u0308rd",
         "SCRAM-SHA-256$4096:0SOMLEKWamRZmCO42fx9dA==$AZ9H13+pi/rkVZQDwqKYeJkBajCIns2ggqUG7j4rta4=:"
         "Q9k/mhv9NtX1VRo2CdHlwA0vk7OKRA/IASJ6g5CSA1w="},
        // mapped to nothing
        {"I\u00ADX",
         "SCRAM-SHA-256$4096:QSoe/pxhxjXolwtJ/NCoiA==$KC8Qytcm0nT7UOE5cvDXVbeCeUw80VEUJyJYgw/8snU=:"
         "xEWWMG3+xLO7iZ2gxW4Dw8JOsANM1L2Xod9s0UcxbZc="},
        // compatibility decomposition
        {"\u2168",
         "SCRAM-SHA-256$4096:2/lA5jcHleLT2HMl12rynw==$uCbLxJC45JDTVGnoyrPXc2NTZC7Y35mIi35Is1gXFl0=:"
         "gX/hcKM0RnzybQ1sN6nXpUwR6ptN0bpcGQqK6famnQo="},
        // bidi violation: raw bytes
        {"\u0627\u0031",
         "SCRAM-SHA-256$4096:ctFFm7qhBbtmYH4gUJo2vg==$KatT6FupxHiv7Rbqg3icn7eYmfG5rbrWZQ7SHu+jHSA=:"
         "l/jSQX7ubmA/i13kMcqauQtSEpIwratv8R3s9NCR+V0="},
        // valid bidi
        {"\u0627\u0031\u0628",
         "SCRAM-SHA-256$4096:y8xSIHdZGyvv9pu/KuzL1g==$AnQB3N4gsl/7PnPWlSeHsH/VCllxCgwVBuqiF/yyLHY=:"
         "NkzECM2N0eEOGXbWPyKmh72bsWIR2pggi2LKj559aC0="},
        // non-ASCII space
        {"a\u00A0b",
         "SCRAM-SHA-256$4096:zpY9dI7cNgKQS4KSlxX9/w==$W3b1sTvIf50uZAXfaNENslSWOKfFf2q51FmN1L8U4LU=:"
         "w2hJ5wsSw2qFXPGr6RjutI43xKl2QTXfF9I3Rz9Y8FY="},
        // unassigned in Unicode 3.2: raw bytes
        {"\U0001F600pw",
         "SCRAM-SHA-256$4096:mv5T00EduPcg7qh6hx3zMw==$nBZJWsYU8b49dYAQM8pRHVykITpY6FkxVcv4QaN17ts=:"
         "TeHiA9h4JUcAkM7Bsmy8LR4syb4TA35Sz7incKpkMbo="},
        // Hangul jamo composed to a syllable
        {"\u1112\u1161\u11AB",
         "SCRAM-SHA-256$4096:EoruOxHaj/p+/kcgSDpG0g==$1imkAIYJyJUV/yfx0wU4XBPnMt31sflL6AmlmsJyGOo=:"
         "PBzRreKxRz16/RHRFV+fy6mWEzqo7DVTDaMAFKGxduw="},
        // canonical reordering of combining marks
        {"x\u0301\u0323",
         "SCRAM-SHA-256$4096:SuOON55xqjubu4/t7Ctrtw==$U3BUuK/jE3L2k/1NjMVt4nBsjadrFG90OyGHvyEYfP0=:"
         "/tslVv/y+pXKumt6Lr0wBRRp9Lh5i9hsu37Kuyijkjc="},
        // PostgreSQL quirk: U+0340 is prohibited (C.8) before normalization, so raw bytes are
        // used although NFKC would turn it into the allowed U+0300.
        {"\u0340",
         "SCRAM-SHA-256$4096:tFapiffq4Nan9lKoNAAUMg==$pEttGiRN0ApDOkCwv6di3bAnVVrG84lHAzNe8QI6hwQ=:"
         "YflueCrxCGMXspsLR4T4H1KXNa7JE22VvZ9D5cN+bto="},
        // Same quirk for a character unassigned in 3.2 whose NFKC form is assigned.
        {"\u2150",
         "SCRAM-SHA-256$4096:T7teVGlwN3g1GyVnSf6v8w==$6sQHuUFLozSXgD+xhTxYC9m/maZvFZLv0a/um3FTu4A=:"
         "Qu4ANoaYXxlZD2Vz/Z8q/gRyy8PKDCCtoRnUhPftzMM="},
        // starts with a non-starter
        {"\u0301abc",
         "SCRAM-SHA-256$4096:b23PsHij0JW5Q+AVJFYzmA==$i6ZfoTohUJq87RPpHBG2vCV3GA3pJJhYAyEvWFhgUt0=:"
         "VUjrHqWQw2Br/YXH6fYw2mHlv92rzFWtTKbCR+Ao3/s="},
        // composition exclusion (U+0958 decomposes and does not recompose)
        {"\u0958",
         "SCRAM-SHA-256$4096:II74hFYr8Z8u0hGoHbSr1Q==$sU39m12Q5Y/7LXsUYN70V27Vp0cqEUl6/LpIX2MgJlY=:"
         "fERI8UPRcmn2U9A9P2FFmn5V97D/y6NbBG4+OCYQA4Q="},
    };
    for (const auto& c : cases) {
        CAPTURE(c.password);
        const auto pg = ScramVerifier::parse(c.verifier);
        REQUIRE(pg.has_value());
        CHECK(make_scram_verifier(c.password, pg->salt, pg->iterations) == *pg);
    }
}
}
