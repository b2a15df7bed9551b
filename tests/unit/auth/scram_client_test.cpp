// Unit tests for auth/scram_client: exact messages against an independent computation, and
// refusal of hostile or broken backends.
#include "auth/scram_client.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace meshgate;
using namespace meshgate::auth;

namespace {

constexpr const char* kServerFirst =
    "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096";

std::string describe(const Result<std::string>& r)
{
    return r ? "ok: " + *r
             : r.error().sqlstate + " " + r.error().message + " / " + r.error().detail;
}

}  // namespace

TEST_SUITE("auth.scram_client") {
TEST_CASE("client-first uses gs2 header n,, and an empty user name") {
    ScramClient client("pencil", "rOprNGfwEbeRWgbNEkqO");
    CHECK(client.client_first() == "n,,n=,r=rOprNGfwEbeRWgbNEkqO");
    CHECK(ScramClient::kMechanism == "SCRAM-SHA-256");
}

TEST_CASE("a random client nonce is 18 bytes in base64") {
    ScramClient a("pw");
    ScramClient b("pw");
    const auto first = a.client_first();
    REQUIRE(first.rfind("n,,n=,r=", 0) == 0);
    CHECK(first.size() == 8 + 24);
    CHECK(first != b.client_first());
}

TEST_CASE("the exchange matches an independent computation of proof and signature") {
    // Computed with Python hashlib/hmac for client-first-bare "n=,r=rOprNGfwEbeRWgbNEkqO" and
    // the RFC 7677 server-first-message and password.
    ScramClient client("pencil", "rOprNGfwEbeRWgbNEkqO");
    const auto final_msg = client.server_first(kServerFirst);
    INFO(describe(final_msg));
    REQUIRE(final_msg.has_value());
    CHECK(*final_msg == "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
                        "p=qvT2SWdEH5Q06albL+hjSYuUhCG7VndFyzIb7CK4n9k=");
    CHECK_FALSE(client.succeeded());
    CHECK(client.server_final("v=3HO6Qt1M4MKJrmlKaoOqLAI0/0TV0HZe7J9H3MBtSOg=").has_value());
    CHECK(client.succeeded());
}

TEST_CASE("a backend that cannot prove it knows the verifier is refused") {
    const char* bad[] = {
        "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=",  // the n=user signature
        "v=4HO6Qt1M4MKJrmlKaoOqLAI0/0TV0HZe7J9H3MBtSOg=",
    };
    for (const char* message : bad) {
        CAPTURE(message);
        ScramClient client("pencil", "rOprNGfwEbeRWgbNEkqO");
        REQUIRE(client.server_first(kServerFirst).has_value());
        const auto r = client.server_final(message);
        REQUIRE_FALSE(r.has_value());
        CHECK(r.error().sqlstate == "28P01");
        CHECK(r.error().message.find("server signature") != std::string::npos);
        CHECK_FALSE(client.succeeded());
    }
}

TEST_CASE("malformed server-final messages are refused") {
    const std::string bad[] = {
        "",
        "v=",
        "v=3HO6",
        "v=!!!!",
        "x=3HO6Qt1M4MKJrmlKaoOqLAI0/0TV0HZe7J9H3MBtSOg=",
        "v=3HO6Qt1M4MKJrmlKaoOqLAI0/0TV0HZe7J9H3MBtSOg=,",
        "v=3HO6Qt1M4MKJrmlKaoOqLAI0/0TV0HZe7J9H3MBtSOg=,x=1",
        std::string("v=3HO6Qt1M4MKJrmlKaoOqLAI0/0TV0HZe7J9H3MBtSOg=\0", 47),
    };
    for (const auto& message : bad) {
        CAPTURE(message);
        ScramClient client("pencil", "rOprNGfwEbeRWgbNEkqO");
        REQUIRE(client.server_first(kServerFirst).has_value());
        const auto r = client.server_final(message);
        REQUIRE_FALSE(r.has_value());
        CHECK(r.error().sqlstate == "08P01");
    }
}

TEST_CASE("a server error attribute is reported and refused") {
    ScramClient client("pencil", "rOprNGfwEbeRWgbNEkqO");
    REQUIRE(client.server_first(kServerFirst).has_value());
    const auto r = client.server_final("e=invalid-proof");
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().sqlstate == "28P01");
    CHECK(r.error().message.find("invalid-proof") != std::string::npos);
}

TEST_CASE("hostile or malformed server-first messages are refused") {
    struct Case {
        const char* name;
        std::string message;
    };
    const Case cases[] = {
        {"iterations zero", "r=rOprNGfwEbeRWgbNEkqOxyz,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=0"},
        {"iterations above the cap",
         "r=rOprNGfwEbeRWgbNEkqOxyz,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=100001"},
        {"iterations huge", "r=rOprNGfwEbeRWgbNEkqOxyz,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=99999999999"},
        {"iterations negative", "r=rOprNGfwEbeRWgbNEkqOxyz,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=-1"},
        {"iterations not a number", "r=rOprNGfwEbeRWgbNEkqOxyz,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4k"},
        {"iterations empty", "r=rOprNGfwEbeRWgbNEkqOxyz,s=W22ZaJ0SNY7soEsUEjb6gQ==,i="},
        {"nonce not ours", "r=AAAANGfwEbeRWgbNEkqOxyz,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096"},
        {"nonce without server part", "r=rOprNGfwEbeRWgbNEkqO,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096"},
        {"nonce truncated", "r=rOprNGfw,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096"},
        {"nonce non-printable", "r=rOprNGfwEbeRWgbNEkqO\x7f,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096"},
        {"salt garbage", "r=rOprNGfwEbeRWgbNEkqOxyz,s=W22Z*J0SNY7soEsUEjb6gQ==,i=4096"},
        {"salt empty", "r=rOprNGfwEbeRWgbNEkqOxyz,s=,i=4096"},
        {"missing salt", "r=rOprNGfwEbeRWgbNEkqOxyz,i=4096"},
        {"missing iterations", "r=rOprNGfwEbeRWgbNEkqOxyz,s=W22ZaJ0SNY7soEsUEjb6gQ=="},
        {"missing nonce", "s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096"},
        {"garbage at end", "r=rOprNGfwEbeRWgbNEkqOxyz,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096,x=1"},
        {"trailing comma", "r=rOprNGfwEbeRWgbNEkqOxyz,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096,"},
        {"mandatory extension", "m=x,r=rOprNGfwEbeRWgbNEkqOxyz,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096"},
        {"empty", ""},
        {"NUL", std::string("r=rOprNGfwEbeRWgbNEkqOx\0z,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096", 58)},
    };
    for (const auto& c : cases) {
        CAPTURE(c.name);
        ScramClient client("pencil", "rOprNGfwEbeRWgbNEkqO");
        const auto r = client.server_first(c.message);
        REQUIRE_FALSE(r.has_value());
        CHECK(r.error().sqlstate == "08P01");
        CHECK_FALSE(client.server_final("v=3HO6Qt1M4MKJrmlKaoOqLAI0/0TV0HZe7J9H3MBtSOg=")
                        .has_value());
    }
}

TEST_CASE("iteration counts at the limits are accepted") {
    for (const char* i : {"1", "100000"}) {
        CAPTURE(i);
        ScramClient client("pencil", "rOprNGfwEbeRWgbNEkqO");
        const auto r = client.server_first(
            std::string("r=rOprNGfwEbeRWgbNEkqOxyz,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=") + i);
        INFO(describe(r));
        CHECK(r.has_value());
    }
}

TEST_CASE("server messages out of order are refused") {
    ScramClient client("pencil", "rOprNGfwEbeRWgbNEkqO");
    CHECK_FALSE(client.server_final("v=3HO6Qt1M4MKJrmlKaoOqLAI0/0TV0HZe7J9H3MBtSOg=").has_value());
    CHECK_FALSE(client.server_first(kServerFirst).has_value());

    ScramClient twice("pencil", "rOprNGfwEbeRWgbNEkqO");
    REQUIRE(twice.server_first(kServerFirst).has_value());
    CHECK_FALSE(twice.server_first(kServerFirst).has_value());
}
}
