// Unit tests for auth/scram_server: RFC 7677 vector, PostgreSQL's flavour, channel binding,
// unknown users, and refusal of every malformed or tampered message.
#include "auth/scram_server.hpp"

#include "auth/base64.hpp"
#include "auth/digest.hpp"
#include "auth/scram_client.hpp"

#include <doctest/doctest.h>

#include <optional>
#include <string>

using namespace meshgate;
using namespace meshgate::auth;

namespace {

constexpr const char* kClientNonce = "rOprNGfwEbeRWgbNEkqO";
constexpr const char* kServerNonce = "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0";
constexpr const char* kNonce = "rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0";
constexpr const char* kSeed = "mock-seed-for-tests";

// Computed once: 4096 PBKDF2 iterations per test case would dominate the run time.
const ScramVerifier& pencil_verifier()
{
    static const ScramVerifier v =
        make_scram_verifier("pencil", base64_decode("W22ZaJ0SNY7soEsUEjb6gQ==").value(), 4096);
    return v;
}

// Stand-in certificate hash: the server treats it as opaque bytes.
std::string cert_hash()
{
    return sha256("pretend DER certificate");
}

std::string describe(const Result<std::string>& r)
{
    return r ? "ok: " + *r
             : r.error().sqlstate + " " + r.error().message + " / " + r.error().detail;
}

// Builds a client-final-message from first principles (RFC 5802 §3), for cases ScramClient
// does not produce (channel binding flags other than "n").
std::string client_final_for(std::string_view password, const std::string& client_first_bare,
                             const std::string& server_first, const std::string& cbind_input,
                             const std::string& nonce)
{
    const auto& v = pencil_verifier();  // salt and iterations of the server under test
    const std::string salted = pbkdf2_hmac_sha256(password, v.salt, v.iterations);
    const std::string client_key = hmac_sha256(salted, "Client Key");
    const std::string without_proof = "c=" + base64_encode(cbind_input) + ",r=" + nonce;
    const std::string auth = client_first_bare + "," + server_first + "," + without_proof;
    const std::string proof = xor_bytes(client_key, hmac_sha256(sha256(client_key), auth));
    return without_proof + ",p=" + base64_encode(proof);
}

// Runs client-first with a fixed nonce; returns the server-first-message.
std::string start(ScramServer& server, std::string_view mechanism, std::string_view first)
{
    const auto r = server.client_first(mechanism, first);
    INFO(describe(r));
    REQUIRE(r.has_value());
    return *r;
}

}  // namespace

TEST_SUITE("auth.scram_server") {
TEST_CASE("the RFC 7677 exchange gives the exact server-first and server-final messages") {
    // The RFC's client sends n=user; PostgreSQL ignores that name, so do we.
    ScramServer server("user", pencil_verifier(), "", kSeed, kServerNonce);
    const auto first = server.client_first("SCRAM-SHA-256", "n,,n=user,r=rOprNGfwEbeRWgbNEkqO");
    INFO(describe(first));
    REQUIRE(first.has_value());
    CHECK(*first == "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
                    "s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096");
    const auto final_msg = server.client_final(
        "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
        "p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=");
    INFO(describe(final_msg));
    REQUIRE(final_msg.has_value());
    CHECK(*final_msg == "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=");
    CHECK(server.succeeded());
    CHECK_FALSE(server.channel_binding_used());
}

TEST_CASE("a libpq-style exchange with an empty user name matches an independent computation") {
    // Proof and signature computed with Python hashlib/hmac for client-first-bare
    // "n=,r=rOprNGfwEbeRWgbNEkqO" and the RFC 7677 salt, nonce and password.
    ScramServer server("alice", pencil_verifier(), "", kSeed, kServerNonce);
    start(server, "SCRAM-SHA-256", "n,,n=,r=rOprNGfwEbeRWgbNEkqO");
    const auto final_msg = server.client_final(
        "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
        "p=qvT2SWdEH5Q06albL+hjSYuUhCG7VndFyzIb7CK4n9k=");
    INFO(describe(final_msg));
    REQUIRE(final_msg.has_value());
    CHECK(*final_msg == "v=3HO6Qt1M4MKJrmlKaoOqLAI0/0TV0HZe7J9H3MBtSOg=");
}

TEST_CASE("mechanisms offer -PLUS first only over TLS") {
    CHECK(ScramServer::mechanisms(true) ==
          std::vector<std::string>{"SCRAM-SHA-256-PLUS", "SCRAM-SHA-256"});
    CHECK(ScramServer::mechanisms(false) == std::vector<std::string>{"SCRAM-SHA-256"});
}

TEST_CASE("ScramClient and ScramServer complete an exchange with random nonces") {
    const auto salt = std::string("0123456789abcdef");
    for (const bool tls : {false, true}) {
        CAPTURE(tls);
        ScramServer server("alice", make_scram_verifier("correct horse", salt, 4096),
                           tls ? cert_hash() : "", kSeed);
        ScramClient client("correct horse");
        const auto first = server.client_first("SCRAM-SHA-256", client.client_first());
        INFO(describe(first));
        REQUIRE(first.has_value());
        const auto nonce_start = first->find("r=") + 2;
        // client nonce (24) + server nonce (24): both 18 random bytes in base64
        CHECK(first->find(',') - nonce_start == 48);
        const auto cfinal = client.server_first(*first);
        REQUIRE(cfinal.has_value());
        const auto sfinal = server.client_final(*cfinal);
        INFO(describe(sfinal));
        REQUIRE(sfinal.has_value());
        CHECK(client.server_final(*sfinal).has_value());
        CHECK(client.succeeded());
        CHECK(server.succeeded());
    }
}

TEST_CASE("a wrong password and an unknown user fail alike with 28P01") {
    const auto salt = std::string("0123456789abcdef");
    ScramServer known("alice", make_scram_verifier("right", salt, 4096), "", kSeed, "SN");
    ScramServer unknown("alice", std::nullopt, "", kSeed, "SN");
    for (ScramServer* server : {&known, &unknown}) {
        ScramClient client("wrong", "CN");
        const auto first = server->client_first("SCRAM-SHA-256", client.client_first());
        REQUIRE(first.has_value());
        const auto cfinal = client.server_first(*first);
        REQUIRE(cfinal.has_value());
        const auto r = server->client_final(*cfinal);
        REQUIRE_FALSE(r.has_value());
        CHECK(r.error().sqlstate == "28P01");
        CHECK(r.error().message == "password authentication failed for user \"alice\"");
        CHECK(r.error().detail.empty());
        CHECK(r.error().hint.empty());
        CHECK_FALSE(server->succeeded());
    }
}

TEST_CASE("an unknown user gets a stable mock salt that depends on the user and the seed") {
    auto salt_of = [](std::string user, std::string seed) {
        ScramServer server(std::move(user), std::nullopt, "", std::move(seed), "SN");
        const auto first = server.client_first("SCRAM-SHA-256", "n,,n=,r=CN");
        REQUIRE(first.has_value());
        return first.value();
    };
    const auto a = salt_of("ghost", kSeed);
    CHECK(a == salt_of("ghost", kSeed));
    CHECK(a != salt_of("ghost2", kSeed));
    CHECK(a != salt_of("ghost", "another seed"));
    // Same shape as a real PostgreSQL verifier: 16-byte salt, 4096 iterations.
    const auto s = a.find(",s=") + 3;
    const auto i = a.find(",i=");
    CHECK(base64_decode(a.substr(s, i - s)).value().size() == 16);
    CHECK(a.substr(i) == ",i=4096");
    // PostgreSQL's scram_mock_salt: SHA-256(user name + mock nonce), first 16 bytes.
    CHECK(a.substr(s, i - s) == base64_encode(sha256(std::string("ghost") + kSeed).substr(0, 16)));
}

TEST_CASE("an unknown user is refused even with a proof made from the mock salt") {
    ScramServer server("ghost", std::nullopt, "", kSeed, "SN");
    ScramClient client("anything", "CN");
    const auto first = server.client_first("SCRAM-SHA-256", client.client_first());
    REQUIRE(first.has_value());
    const auto r = server.client_final(client.server_first(*first).value());
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().sqlstate == "28P01");
    CHECK(r.error().message == "password authentication failed for user \"ghost\"");
}

TEST_CASE("an unknown user is refused even with a proof that matches the mock verifier") {
    // White-box: rebuilds the mock ClientKey that scram_server.cpp derives from the seed, so
    // the proof is valid for the mock StoredKey and only the doomed flag refuses it.
    ScramServer server("ghost", std::nullopt, "", kSeed, "SN");
    const std::string bare = "n=,r=CN";
    const auto first = start(server, "SCRAM-SHA-256", "n,," + bare);
    const std::string client_key = hmac_sha256(kSeed, "mock ClientKey ghost");
    const std::string without_proof = "c=biws,r=CNSN";
    const std::string auth = bare + "," + first + "," + without_proof;
    const std::string proof = xor_bytes(client_key, hmac_sha256(sha256(client_key), auth));
    const auto r = server.client_final(without_proof + ",p=" + base64_encode(proof));
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().sqlstate == "28P01");
    CHECK(r.error().message == "password authentication failed for user \"ghost\"");
    CHECK_FALSE(server.succeeded());
}

TEST_CASE("SCRAM-SHA-256-PLUS with the right certificate hash succeeds") {
    ScramServer server("user", pencil_verifier(), cert_hash(), kSeed, kServerNonce);
    const std::string bare = std::string("n=,r=") + kClientNonce;
    const auto first = start(server, "SCRAM-SHA-256-PLUS", "p=tls-server-end-point,," + bare);
    const auto r = server.client_final(
        client_final_for("pencil", bare, first, "p=tls-server-end-point,," + cert_hash(), kNonce));
    INFO(describe(r));
    REQUIRE(r.has_value());
    CHECK(r->rfind("v=", 0) == 0);
    CHECK(server.channel_binding_used());
    CHECK(server.succeeded());
}

TEST_CASE("channel binding data of another certificate is refused with 28000") {
    ScramServer server("user", pencil_verifier(), cert_hash(), kSeed, kServerNonce);
    const std::string bare = std::string("n=,r=") + kClientNonce;
    const auto first = start(server, "SCRAM-SHA-256-PLUS", "p=tls-server-end-point,," + bare);
    std::string other = cert_hash();
    other[0] = static_cast<char>(other[0] ^ 1);
    const auto r = server.client_final(
        client_final_for("pencil", bare, first, "p=tls-server-end-point,," + other, kNonce));
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().sqlstate == "28000");
    CHECK(r.error().message == "SCRAM channel binding check failed");
    CHECK_FALSE(server.succeeded());
}

TEST_CASE("with -PLUS, a c= attribute without the certificate hash is refused") {
    const std::string bare = std::string("n=,r=") + kClientNonce;
    for (const char* cbind : {"n,,", "p=tls-server-end-point,,"}) {
        CAPTURE(cbind);
        ScramServer server("user", pencil_verifier(), cert_hash(), kSeed, kServerNonce);
        const auto first = start(server, "SCRAM-SHA-256-PLUS", "p=tls-server-end-point,," + bare);
        const auto r =
            server.client_final(client_final_for("pencil", bare, first, cbind, kNonce));
        REQUIRE_FALSE(r.has_value());
        CHECK(r.error().sqlstate == "28000");
    }
}

TEST_CASE("the y flag is refused over TLS as a downgrade, and accepted without TLS") {
    SUBCASE("over TLS") {
        ScramServer server("user", pencil_verifier(), cert_hash(), kSeed, kServerNonce);
        const auto r = server.client_first("SCRAM-SHA-256", "y,,n=,r=abc");
        REQUIRE_FALSE(r.has_value());
        CHECK(r.error().sqlstate == "08P01");
        CHECK(r.error().message == "SCRAM channel binding negotiation error");
    }
    SUBCASE("without TLS") {
        ScramServer server("user", pencil_verifier(), "", kSeed, kServerNonce);
        const std::string bare = std::string("n=,r=") + kClientNonce;
        const auto first = start(server, "SCRAM-SHA-256", "y,," + bare);
        // c= must repeat "y,,", not "n,,"
        ScramServer again("user", pencil_verifier(), "", kSeed, kServerNonce);
        start(again, "SCRAM-SHA-256", "y,," + bare);
        CHECK_FALSE(again.client_final(client_final_for("pencil", bare, first, "n,,", kNonce))
                        .has_value());
        const auto r = server.client_final(client_final_for("pencil", bare, first, "y,,", kNonce));
        INFO(describe(r));
        CHECK(r.has_value());
    }
}

TEST_CASE("mechanism and gs2 flag must agree") {
    struct Case {
        const char* name;
        bool tls;
        const char* mechanism;
        const char* message;
        const char* sqlstate;
    };
    const Case cases[] = {
        {"-PLUS without TLS", false, "SCRAM-SHA-256-PLUS", "p=tls-server-end-point,,n=,r=abc",
         "08P01"},
        {"-PLUS with flag n", true, "SCRAM-SHA-256-PLUS", "n,,n=,r=abc", "08P01"},
        {"-PLUS with flag y", true, "SCRAM-SHA-256-PLUS", "y,,n=,r=abc", "08P01"},
        {"binding data without -PLUS", true, "SCRAM-SHA-256", "p=tls-server-end-point,,n=,r=abc",
         "08P01"},
        {"unsupported binding type", true, "SCRAM-SHA-256-PLUS", "p=tls-unique,,n=,r=abc",
         "08P01"},
        {"unknown mechanism", false, "SCRAM-SHA-1", "n,,n=,r=abc", "08P01"},
        {"empty mechanism", false, "", "n,,n=,r=abc", "08P01"},
        {"authzid", false, "SCRAM-SHA-256", "n,a=admin,n=,r=abc", "0A000"},
        {"mandatory extension", false, "SCRAM-SHA-256", "n,,m=ext,n=,r=abc", "0A000"},
    };
    for (const auto& c : cases) {
        CAPTURE(c.name);
        ScramServer server("user", pencil_verifier(), c.tls ? cert_hash() : "", kSeed, "SN");
        const auto r = server.client_first(c.mechanism, c.message);
        REQUIRE_FALSE(r.has_value());
        CHECK(r.error().sqlstate == c.sqlstate);
        CHECK_FALSE(server.client_final("c=biws,r=abcSN,p=AAAA").has_value());
    }
}

TEST_CASE("malformed client-first messages are refused with 08P01") {
    const std::string bad[] = {
        "",
        "n",
        "n,",
        "n,,",
        "x,,n=,r=abc",
        "n;,n=,r=abc",
        "n,,r=abc",          // missing n=
        "n,,n=",             // missing r=
        "n,,n=,r=",          // empty nonce
        "n,,n=,r=ab\x01",    // non-printable nonce
        "n,,n=,r=ab c",      // space in nonce
        "n,,n=,r=abc,",      // trailing comma
        "n,,n=,r=abc,1=x",   // extension name not a letter
        "n,,n=,r=abc,x",     // extension without '='
        "n,,n,r=abc",
        "p,,n=,r=abc",
        "p=,,n=,r=abc",
        "p=tls-server-end-point",
        std::string("n,,n=,r=abc\0def", 15),
    };
    for (const auto& message : bad) {
        CAPTURE(message);
        ScramServer server("user", pencil_verifier(), cert_hash(), kSeed, "SN");
        const auto r = server.client_first("SCRAM-SHA-256", message);
        REQUIRE_FALSE(r.has_value());
        CHECK(r.error().sqlstate == "08P01");
        CHECK_FALSE(r.error().message.empty());
    }
}

TEST_CASE("client-first extensions are accepted and ignored") {
    ScramServer server("user", pencil_verifier(), "", kSeed, "SN");
    CHECK(server.client_first("SCRAM-SHA-256", "n,,n=whoever,r=abc,x=1,y=2").has_value());
}

TEST_CASE("tampered or malformed client-final messages are refused") {
    const std::string good =
        "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
        "p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=";
    struct Case {
        const char* name;
        std::string message;
        const char* sqlstate;
    };
    const Case cases[] = {
        {"nonce changed",
         "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k1,"
         "p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=",
         "08P01"},
        {"nonce only the client part", "c=biws,r=rOprNGfwEbeRWgbNEkqO,"
                                       "p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=",
         "08P01"},
        {"nonce extended",
         "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0X,"
         "p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=",
         "08P01"},
        {"proof changed",
         "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
         "p=eHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=",
         "28P01"},
        {"proof garbage base64",
         "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=!!!!", "08P01"},
        {"proof too short",
         "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzb", "08P01"},
        {"proof empty", "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=",
         "08P01"},
        {"channel binding garbage base64",
         "c=b!ws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
         "p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=",
         "08P01"},
        {"channel binding y instead of n",
         "c=eSws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
         "p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=",
         "08P01"},
        {"missing c", "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
                      "p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=",
         "08P01"},
        {"missing r", "c=biws,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=", "08P01"},
        {"missing p", "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0", "08P01"},
        {"garbage after p", good + ",x=1", "08P01"},
        {"trailing comma", good + ",", "08P01"},
        {"empty", "", "08P01"},
        {"NUL byte", std::string("c=biws\0", 7) + good.substr(6), "08P01"},
    };
    for (const auto& c : cases) {
        CAPTURE(c.name);
        ScramServer server("user", pencil_verifier(), "", kSeed, kServerNonce);
        start(server, "SCRAM-SHA-256", "n,,n=user,r=rOprNGfwEbeRWgbNEkqO");
        const auto r = server.client_final(c.message);
        REQUIRE_FALSE(r.has_value());
        CHECK(r.error().sqlstate == c.sqlstate);
        CHECK_FALSE(server.succeeded());
    }
}

TEST_CASE("extensions between the nonce and the proof are part of the signed message") {
    ScramServer server("user", pencil_verifier(), "", kSeed, kServerNonce);
    const std::string bare = std::string("n=,r=") + kClientNonce;
    const auto first = start(server, "SCRAM-SHA-256", "n,," + bare);
    // Build a proof over "c=biws,r=<nonce>,x=ext" and send it with the extension.
    const auto& v = pencil_verifier();
    const std::string salted = pbkdf2_hmac_sha256("pencil", v.salt, v.iterations);
    const std::string client_key = hmac_sha256(salted, "Client Key");
    const std::string without_proof = std::string("c=biws,r=") + kNonce + ",x=ext";
    const std::string auth = bare + "," + first + "," + without_proof;
    const std::string proof = xor_bytes(client_key, hmac_sha256(sha256(client_key), auth));
    const auto r = server.client_final(without_proof + ",p=" + base64_encode(proof));
    INFO(describe(r));
    CHECK(r.has_value());
}

TEST_CASE("every truncation of a valid client-final is refused without throwing") {
    const std::string good =
        "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
        "p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=";
    for (std::size_t len = 0; len < good.size(); ++len) {
        CAPTURE(len);
        ScramServer server("user", pencil_verifier(), "", kSeed, kServerNonce);
        start(server, "SCRAM-SHA-256", "n,,n=user,r=rOprNGfwEbeRWgbNEkqO");
        CHECK_FALSE(server.client_final(good.substr(0, len)).has_value());
    }
    // Flipping any one byte must also fail (the whole message is covered by the proof).
    for (std::size_t i = 0; i < good.size(); ++i) {
        CAPTURE(i);
        std::string bad = good;
        bad[i] = static_cast<char>(bad[i] ^ 0x01);
        ScramServer server("user", pencil_verifier(), "", kSeed, kServerNonce);
        start(server, "SCRAM-SHA-256", "n,,n=user,r=rOprNGfwEbeRWgbNEkqO");
        CHECK_FALSE(server.client_final(bad).has_value());
    }
}

TEST_CASE("messages out of order end the exchange") {
    SUBCASE("client-final first") {
        ScramServer server("user", pencil_verifier(), "", kSeed, kServerNonce);
        const auto r = server.client_final("c=biws,r=x,p=AAAA");
        REQUIRE_FALSE(r.has_value());
        CHECK(r.error().sqlstate == "08P01");
        CHECK_FALSE(server.client_first("SCRAM-SHA-256", "n,,n=,r=abc").has_value());
    }
    SUBCASE("client-first twice") {
        ScramServer server("user", pencil_verifier(), "", kSeed, kServerNonce);
        start(server, "SCRAM-SHA-256", "n,,n=user,r=rOprNGfwEbeRWgbNEkqO");
        CHECK_FALSE(server.client_first("SCRAM-SHA-256", "n,,n=,r=abc").has_value());
    }
    SUBCASE("a retry after a failed proof") {
        ScramServer server("user", pencil_verifier(), "", kSeed, kServerNonce);
        start(server, "SCRAM-SHA-256", "n,,n=user,r=rOprNGfwEbeRWgbNEkqO");
        const std::string nonce = kNonce;
        CHECK_FALSE(server.client_final("c=biws,r=" + nonce +
                                        ",p=eHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=")
                        .has_value());
        const auto retry = server.client_final(
            "c=biws,r=" + nonce + ",p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=");
        CHECK_FALSE(retry.has_value());
        CHECK_FALSE(server.succeeded());
    }
}
}
