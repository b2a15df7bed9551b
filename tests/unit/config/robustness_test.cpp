// Mutated configs never crash or throw: every outcome is a snapshot or a list of errors.
// Layer: tests (config). Deterministic (fixed seed); reads the sample files once.
#include "config/load.hpp"

#include "config/fake_environment.hpp"

#include <doctest/doctest.h>

#include <random>
#include <string>

using namespace meshgate::config;
using meshgate::config::testing::FakeEnvironment;

namespace {

const std::string kSample = std::string(MESHGATE_TEST_DATA) + "/config/sample";

std::string mutate(std::string text, std::mt19937& rng)
{
    static const std::string kAlphabet = ":-[]{}'\"\n #&*!|>?,~ \t@%a0";
    const int edits = 1 + static_cast<int>(rng() % 3);
    for (int i = 0; i < edits && !text.empty(); ++i) {
        const std::size_t at = rng() % text.size();
        switch (rng() % 4) {
            case 0:
                text.erase(at, 1 + rng() % 8);
                break;
            case 1:
                text.insert(at, 1, kAlphabet[rng() % kAlphabet.size()]);
                break;
            case 2:
                text[at] = kAlphabet[rng() % kAlphabet.size()];
                break;
            default: {
                // Duplicate a line: exercises duplicate keys and items.
                const auto start = text.rfind('\n', at);
                const auto end = text.find('\n', at);
                const auto b = start == std::string::npos ? 0 : start + 1;
                const auto e = end == std::string::npos ? text.size() : end + 1;
                text.insert(e, text.substr(b, e - b) + (end == std::string::npos ? "\n" : ""));
                break;
            }
        }
    }
    return text;
}

}  // namespace

TEST_SUITE("config.robustness") {
TEST_CASE("mutated sample configs give a snapshot or errors, never an exception")
{
    const Environment real = Environment::system();
    const auto main = real.read_file(kSample + "/meshgate.yaml");
    const auto sales = real.read_file(kSample + "/domains/sales.yaml");
    const auto marketing = real.read_file(kSample + "/domains/marketing.yaml");
    REQUIRE(main.has_value());
    REQUIRE(sales.has_value());
    REQUIRE(marketing.has_value());

    FakeEnvironment fake;
    fake.files["sample/secrets/hash_key"] = "0123456789abcdef0123";
    fake.files["sample/secrets/sales_pg_password"] = "x";
    fake.files["sample/secrets/marketing_pg_password"] = "y";
    const Environment env = fake.env();

    // The unmutated texts load: the mutations below start from a valid config.
    const auto base = load_config_text(
        *main, "sample/meshgate.yaml",
        {{"sample/domains/sales.yaml", *sales}, {"sample/domains/marketing.yaml", *marketing}},
        env);
    REQUIRE(base.ok());

    std::mt19937 rng(20261124);
    int failed_loads = 0;
    for (int i = 0; i < 150; ++i) {
        std::string m = *main;
        std::string s = *sales;
        std::string k = *marketing;
        switch (i % 3) {
            case 0:
                m = mutate(m, rng);
                break;
            case 1:
                s = mutate(s, rng);
                break;
            default:
                k = mutate(k, rng);
                break;
        }
        CAPTURE(i);
        LoadResult r;
        CHECK_NOTHROW(
            r = load_config_text(
                m, "sample/meshgate.yaml",
                {{"sample/domains/sales.yaml", s}, {"sample/domains/marketing.yaml", k}}, env));
        CHECK((r.snapshot == nullptr) == !r.errors.empty());
        for (const auto& e : r.errors) {
            CHECK_FALSE(e.message.empty());
            CHECK(e.where.line >= 0);
        }
        failed_loads += r.ok() ? 0 : 1;
    }
    // Most mutations must be caught; a loader that accepted everything would fail here.
    CHECK(failed_loads > 50);
}

}  // TEST_SUITE
