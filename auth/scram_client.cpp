// ScramClient: SCRAM-SHA-256 as libpq's fe-auth-scram.c does it. Layer: auth.
#include "auth/scram_client.hpp"

#include "auth/base64.hpp"
#include "auth/constant_time.hpp"
#include "auth/digest.hpp"
#include "auth/ok.hpp"
#include "auth/random.hpp"
#include "auth/saslprep.hpp"
#include "auth/scram_attribute_reader.hpp"

namespace meshgate::auth {
namespace {

constexpr std::size_t kRawNonceLength = 18;
constexpr std::string_view kGs2Header = "n,,";
constexpr std::string_view kCbindNone = "biws";  // base64("n,,")

Error server_error(std::string_view text)
{
    // The backend's e= value is peer text: keep it printable before it reaches a log.
    std::string clean;
    for (const char c : text.substr(0, 200)) {
        clean.push_back(c >= 0x20 && c < 0x7f ? c : '?');
    }
    return make_error("28P01", "backend refused SCRAM authentication: " + clean);
}

}  // namespace

ScramClient::ScramClient(std::string password, std::string client_nonce)
    : password_(prepare_scram_password(password))
{
    if (client_nonce.empty()) {
        client_nonce_ = base64_encode(random_bytes(kRawNonceLength));
    } else {
        MESHGATE_ASSERT(is_scram_printable(client_nonce));
        client_nonce_ = std::move(client_nonce);
    }
}

std::string ScramClient::client_first() const
{
    return std::string(kGs2Header) + "n=,r=" + client_nonce_;
}

Result<std::string> ScramClient::server_first(std::string_view message)
{
    if (state_ != State::AwaitServerFirst) {
        state_ = State::Failed;
        return make_error("08P01", "unexpected SCRAM server-first-message from the backend");
    }
    auto r = parse_server_first(message);
    state_ = r ? State::AwaitServerFinal : State::Failed;
    return r;
}

Result<void> ScramClient::server_final(std::string_view message)
{
    if (state_ != State::AwaitServerFinal) {
        state_ = State::Failed;
        return make_error("08P01", "unexpected SCRAM server-final-message from the backend");
    }
    auto r = parse_server_final(message);
    state_ = r ? State::Succeeded : State::Failed;
    return r;
}

Result<std::string> ScramClient::parse_server_first(std::string_view message)
{
    if (message.find('\0') != std::string_view::npos) {
        return malformed_scram("The server-first-message contains a NUL byte.");
    }
    if (message.substr(0, 2) == "e=") {
        return server_error(message.substr(2));
    }
    if (!message.empty() && message[0] == 'm') {
        return malformed_scram("The backend requires an unsupported SCRAM extension.");
    }
    ScramAttributeReader reader(message);
    auto nonce = reader.read('r');
    if (!nonce) {
        return nonce.error();
    }
    // The combined nonce must extend ours with a non-empty server part, or the backend is
    // replaying an old exchange.
    if (nonce->size() <= client_nonce_.size() ||
        nonce->substr(0, client_nonce_.size()) != client_nonce_ || !is_scram_printable(*nonce)) {
        return make_error("08P01", "invalid SCRAM response from the backend (nonce mismatch)");
    }
    auto salt_text = reader.read('s');
    if (!salt_text) {
        return salt_text.error();
    }
    auto salt = base64_decode(*salt_text);
    if (!salt || salt->empty()) {
        return malformed_scram("Invalid salt in server-first-message.");
    }
    auto iter_text = reader.read('i');
    if (!iter_text) {
        return iter_text.error();
    }
    if (!reader.at_end()) {
        return malformed_scram("Garbage found at the end of server-first-message.");
    }
    long long iterations = 0;
    if (iter_text->empty() || iter_text->size() > 10) {
        return malformed_scram("Invalid iteration count in server-first-message.");
    }
    for (const char c : *iter_text) {
        if (c < '0' || c > '9') {
            return malformed_scram("Invalid iteration count in server-first-message.");
        }
        iterations = iterations * 10 + (c - '0');
    }
    if (iterations < 1 || iterations > kMaxIterations) {
        // A hostile backend could pin a core per login with a huge count.
        return make_error("08P01", "backend asked for " + std::to_string(iterations) +
                                       " SCRAM iterations; allowed are 1 to " +
                                       std::to_string(kMaxIterations));
    }

    const std::string salted =
        pbkdf2_hmac_sha256(password_, *salt, static_cast<int>(iterations));
    const std::string client_key = hmac_sha256(salted, "Client Key");
    const std::string stored_key = sha256(client_key);
    const std::string server_key = hmac_sha256(salted, "Server Key");

    const std::string without_proof = "c=" + std::string(kCbindNone) + ",r=" + std::string(*nonce);
    const std::string auth_message = client_first().substr(kGs2Header.size()) + "," +
                                     std::string(message) + "," + without_proof;
    const std::string proof = xor_bytes(client_key, hmac_sha256(stored_key, auth_message));
    expected_server_signature_ = hmac_sha256(server_key, auth_message);
    return ok(without_proof + ",p=" + base64_encode(proof));
}

Result<void> ScramClient::parse_server_final(std::string_view message)
{
    if (message.find('\0') != std::string_view::npos) {
        return malformed_scram("The server-final-message contains a NUL byte.");
    }
    if (message.substr(0, 2) == "e=") {
        return server_error(message.substr(2));
    }
    ScramAttributeReader reader(message);
    auto verifier_text = reader.read('v');
    if (!verifier_text) {
        return verifier_text.error();
    }
    if (!reader.at_end()) {
        return malformed_scram("Garbage found at the end of server-final-message.");
    }
    auto signature = base64_decode(*verifier_text);
    if (!signature || signature->size() != kSha256Length) {
        return malformed_scram("Malformed server signature in server-final-message.");
    }
    if (!constant_time_equal(*signature, expected_server_signature_)) {
        return make_error("28P01", "backend failed SCRAM authentication: incorrect server "
                                   "signature (it does not know the password verifier)");
    }
    return {};
}

}  // namespace meshgate::auth
