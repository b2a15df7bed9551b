// ScramVerifier parsing, formatting and derivation from a password. Layer: auth.
#include "auth/scram_verifier.hpp"

#include "auth/base64.hpp"
#include "auth/digest.hpp"
#include "auth/saslprep.hpp"

#include <climits>

namespace meshgate::auth {
namespace {

constexpr std::string_view kPrefix = "SCRAM-SHA-256$";

Error bad(std::string why)
{
    // The text may be a secret: describe what is wrong, never quote it.
    return make_error("22023", "invalid SCRAM-SHA-256 verifier: " + std::move(why));
}

}  // namespace

Result<ScramVerifier> ScramVerifier::parse(std::string_view text)
{
    if (text.substr(0, kPrefix.size()) != kPrefix) {
        return bad("it must start with \"SCRAM-SHA-256$\"");
    }
    text.remove_prefix(kPrefix.size());

    const auto colon = text.find(':');
    if (colon == std::string_view::npos) {
        return bad("missing ':' after the iteration count");
    }
    const std::string_view iter_text = text.substr(0, colon);
    if (iter_text.empty() || iter_text.size() > 10) {
        return bad("the iteration count must be a positive integer");
    }
    long long iterations = 0;
    for (const char c : iter_text) {
        if (c < '0' || c > '9') {
            return bad("the iteration count must be a positive integer");
        }
        iterations = iterations * 10 + (c - '0');
    }
    if (iterations < 1 || iterations > INT_MAX) {
        return bad("the iteration count is out of range");
    }
    text.remove_prefix(colon + 1);

    const auto dollar = text.find('$');
    if (dollar == std::string_view::npos) {
        return bad("missing '$' after the salt");
    }
    auto salt = base64_decode(text.substr(0, dollar));
    if (!salt || salt->empty()) {
        return bad("the salt is not valid non-empty base64");
    }
    text.remove_prefix(dollar + 1);

    const auto colon2 = text.find(':');
    if (colon2 == std::string_view::npos) {
        return bad("missing ':' between StoredKey and ServerKey");
    }
    auto stored = base64_decode(text.substr(0, colon2));
    if (!stored || stored->size() != kSha256Length) {
        return bad("StoredKey is not base64 of 32 bytes");
    }
    auto server = base64_decode(text.substr(colon2 + 1));
    if (!server || server->size() != kSha256Length) {
        return bad("ServerKey is not base64 of 32 bytes");
    }
    return ScramVerifier{static_cast<int>(iterations), std::move(*salt), std::move(*stored),
                         std::move(*server)};
}

std::string ScramVerifier::to_string() const
{
    return std::string(kPrefix) + std::to_string(iterations) + ":" + base64_encode(salt) + "$" +
           base64_encode(stored_key) + ":" + base64_encode(server_key);
}

ScramVerifier make_scram_verifier(std::string_view password, std::string_view salt,
                                  int iterations)
{
    MESHGATE_ASSERT(iterations >= 1);
    const std::string salted =
        pbkdf2_hmac_sha256(prepare_scram_password(password), salt, iterations);
    const std::string client_key = hmac_sha256(salted, "Client Key");
    return ScramVerifier{iterations, std::string(salt), sha256(client_key),
                         hmac_sha256(salted, "Server Key")};
}

}  // namespace meshgate::auth
