// Unit tests for auth/client_cert: the subject CN of a certificate made in the test names the
// user; anything ambiguous or unsafe is refused.
#include "auth/client_cert.hpp"

#include "auth/jwt.hpp"
#include "jose_test_keys.hpp"

#include <doctest/doctest.h>

#include <openssl/err.h>

using meshgate::auth::client_cert_user;
using meshgate::auth::kMaxIdentityStringBytes;
using namespace jose_test;

TEST_SUITE("auth.client_cert") {
TEST_CASE("the one subject CN names the user") {
    const auto cert = self_signed({{"C", "DE"}, {"O", "Example"}, {"CN", "alice"}});
    const auto user = client_cert_user(cert.get());
    REQUIRE_MESSAGE(user.has_value(), (user.has_value() ? "" : user.error().message));
    CHECK(*user == "alice");
}

TEST_CASE("a UTF-8 CN and the longest allowed CN are accepted as they are") {
    const std::string joerg = "j\xC3\xB6rg";
    CHECK(*client_cert_user(self_signed({{"CN", joerg}}).get()) == joerg);
    const std::string longest(kMaxIdentityStringBytes, 'a');
    CHECK(*client_cert_user(self_signed({{"CN", longest}}, V_ASN1_UTF8STRING).get()) == longest);
    // ub-common-name is 64 characters; OpenSSL enforces it when the entry is added, so build
    // the long name from multi-byte characters within 64 characters.
    const std::string wide = [] {
        std::string s;
        for (int i = 0; i < 63; ++i) {
            s += "\xE2\x82\xAC";   // 3 bytes each: 189 bytes
        }
        return s;
    }();
    CHECK(*client_cert_user(self_signed({{"CN", wide}}).get()) == wide);
}

TEST_CASE("a BMPString CN is converted to UTF-8") {
    // "bob" as UCS-2 big endian.
    const auto cert = self_signed({{"CN", std::string("\0b\0o\0b", 6)}}, MBSTRING_BMP);
    const auto user = client_cert_user(cert.get());
    REQUIRE_MESSAGE(user.has_value(), (user.has_value() ? "" : user.error().message));
    CHECK(*user == "bob");
}

TEST_CASE("no CN, two CNs, or an unsafe CN is refused") {
    struct Case {
        const char* name;
        std::vector<std::pair<std::string, std::string>> subject;
        const char* fragment;
    };
    const Case cases[] = {
        {"no CN", {{"O", "Example"}, {"OU", "alice"}}, "no CN"},
        {"two CNs", {{"CN", "alice"}, {"CN", "admin"}}, "more than one CN"},
        {"two CNs apart", {{"CN", "alice"}, {"O", "x"}, {"CN", "alice"}}, "more than one CN"},
        {"NUL in the CN", {{"CN", std::string("admin\0.evil", 11)}}, "NUL or control"},
        {"newline in the CN", {{"CN", "alice\nadmin"}}, "NUL or control"},
        {"empty CN", {{"CN", ""}}, "empty"},
        {"overlong CN", {{"CN", std::string(kMaxIdentityStringBytes + 1, 'a')}}, "longer than"},
        {"overlong UTF-8 form", {{"CN", "\xC0\xAF"}}, "UTF-8"},
        {"encoded surrogate", {{"CN", "a\xED\xA0\x80"}}, "UTF-8"},
    };
    for (const auto& c : cases) {
        CAPTURE(std::string(c.name));
        // V_ASN1_UTF8STRING stores the bytes as given (no size or charset checks), as a
        // hostile CA could; unsigned, since OpenSSL will not encode an invalid UTF-8 name.
        const auto cert = self_signed(c.subject, V_ASN1_UTF8STRING, false);
        const auto r = client_cert_user(cert.get());
        REQUIRE(!r.has_value());
        CHECK(r.error().sqlstate == "28000");
        CHECK_MESSAGE(r.error().message.find(c.fragment) != std::string::npos, r.error().message);
    }
    CHECK_FALSE(client_cert_user(nullptr).has_value());
    CHECK(ERR_peek_error() == 0);
}

TEST_CASE("an empty subject is refused") {
    const auto cert = self_signed({});
    CHECK_FALSE(client_cert_user(cert.get()).has_value());
}
}
