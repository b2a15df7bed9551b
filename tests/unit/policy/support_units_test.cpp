// Pure helpers: SHA-256 and HMAC pads, quoting, search_path lists. Layer: tests (policy).
#include "policy/quote.hpp"
#include "policy/session_settings.hpp"
#include "policy/sha256.hpp"

#include <doctest/doctest.h>

using namespace meshgate::policy;

TEST_SUITE("policy.support") {
TEST_CASE("sha256 matches the FIPS 180-4 test vectors") {
    struct Row {
        std::string in;
        const char* hex;
    };
    const Row rows[] = {
        {"", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
        {"abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
        {"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
         "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
        {std::string(1000, 'a'), "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3"},
    };
    for (const auto& r : rows) {
        CAPTURE(r.in.size());
        const auto d = sha256(r.in);
        CHECK(to_hex(d.data(), d.size()) == r.hex);
    }
}

TEST_CASE("HMAC pads give RFC 4231 test case 2 when applied as the SQL does") {
    // HMAC(key, m) = H(opad || H(ipad || m)); the mask computes exactly this in SQL.
    const auto pads = hmac_sha256_pads("Jefe");
    auto unhex = [](const std::string& h) {
        std::string out;
        for (size_t i = 0; i < h.size(); i += 2) {
            out += char(std::stoi(h.substr(i, 2), nullptr, 16));
        }
        return out;
    };
    const auto inner = sha256(unhex(pads.ipad_hex) + "what do ya want for nothing?");
    const auto outer = sha256(unhex(pads.opad_hex) + std::string(inner.begin(), inner.end()));
    CHECK(to_hex(outer.data(), outer.size()) ==
          "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    // Keys longer than a block are hashed first (RFC 4231 test case 6).
    const auto long_pads = hmac_sha256_pads(std::string(131, '\xaa'));
    const auto i6 = sha256(unhex(long_pads.ipad_hex) +
                           "Test Using Larger Than Block-Size Key - Hash Key First");
    const auto o6 = sha256(unhex(long_pads.opad_hex) + std::string(i6.begin(), i6.end()));
    CHECK(to_hex(o6.data(), o6.size()) ==
          "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

TEST_CASE("literals and identifiers are quoted by doubling and refuse NUL") {
    CHECK(*quote_literal("it's") == "'it''s'");
    CHECK(*quote_literal("a\\b") == "'a\\b'");
    CHECK(*quote_identifier("we\"ird") == "\"we\"\"ird\"");
    CHECK_FALSE(quote_literal(std::string("a\0", 2)).has_value());
    CHECK(*quote_text_array({"a", "b'c"}) == "ARRAY['a','b''c']::text[]");
    CHECK(*quote_text_array({}) == "ARRAY[]::text[]");
}

TEST_CASE("a search_path string splits like PostgreSQL's identifier lists") {
    CHECK(parse_search_path_list("sales, Marketing") == std::vector<std::string>{"sales", "marketing"});
    CHECK(parse_search_path_list(" \"My Domain\" ,x") == std::vector<std::string>{"My Domain", "x"});
    CHECK(parse_search_path_list("") == std::vector<std::string>{});
    CHECK_FALSE(parse_search_path_list("a,,b"));
    CHECK_FALSE(parse_search_path_list("\"open"));
    CHECK(format_search_path({"sales", "My Domain"}) == "sales, \"My Domain\"");
}
}
