// ScramServer: the server side of SCRAM-SHA-256(-PLUS), modelled on PostgreSQL's
// auth-scram.c so that every client that logs in to PostgreSQL logs in here. Layer: auth.
#include "auth/scram_server.hpp"

#include "auth/base64.hpp"
#include "auth/constant_time.hpp"
#include "auth/digest.hpp"
#include "auth/ok.hpp"
#include "auth/random.hpp"
#include "auth/scram_attribute_reader.hpp"

namespace meshgate::auth {
namespace {

constexpr std::size_t kRawNonceLength = 18;  // PostgreSQL's SCRAM_RAW_NONCE_LEN
constexpr std::string_view kCbindType = "tls-server-end-point";

const std::string& process_mock_seed()
{
    static const std::string seed = random_bytes(32);
    return seed;
}

// A mock verifier for an unknown user. The salt is PostgreSQL's scram_mock_salt(). The keys
// come from a mock ClientKey, without PBKDF2, so the exchange costs what a real user's costs
// (no timing hint). Whoever knows the seed could compute a matching proof; the exchange is
// doomed regardless, and the unit tests forge such a proof to show it.
ScramVerifier mock_verifier(const std::string& user, const std::string& seed)
{
    const std::string digest = sha256(user + seed);
    const std::string client_key = hmac_sha256(seed, "mock ClientKey " + user);
    return ScramVerifier{kScramDefaultIterations, digest.substr(0, kScramDefaultSaltLength),
                         sha256(client_key), hmac_sha256(seed, "mock ServerKey " + user)};
}

Error protocol_violation(std::string message, std::string detail = {})
{
    Error e = make_error("08P01", std::move(message));
    e.detail = std::move(detail);
    return e;
}

}  // namespace

ScramServer::ScramServer(std::string user, std::optional<ScramVerifier> verifier,
                         std::string channel_binding_hash, std::string mock_seed,
                         std::string server_nonce)
    : user_(std::move(user)), cbind_hash_(std::move(channel_binding_hash))
{
    if (verifier) {
        verifier_ = std::move(*verifier);
    } else {
        verifier_ = mock_verifier(user_, mock_seed.empty() ? process_mock_seed() : mock_seed);
        doomed_ = true;
    }
    // A verifier that parse() would refuse cannot come from outside; an unusable one is a bug.
    MESHGATE_ASSERT(verifier_.iterations >= 1 && !verifier_.salt.empty() &&
                    verifier_.stored_key.size() == kSha256Length &&
                    verifier_.server_key.size() == kSha256Length);
    if (server_nonce.empty()) {
        server_nonce_ = base64_encode(random_bytes(kRawNonceLength));
    } else {
        MESHGATE_ASSERT(is_scram_printable(server_nonce));
        server_nonce_ = std::move(server_nonce);
    }
}

std::vector<std::string> ScramServer::mechanisms(bool tls)
{
    if (tls) {
        return {std::string(kMechanismPlus), std::string(kMechanism)};
    }
    return {std::string(kMechanism)};
}

Error ScramServer::auth_failed() const
{
    // The same error for a wrong password and an unknown user: no hint whether the user exists.
    return make_error("28P01", "password authentication failed for user \"" + user_ + "\"");
}

Result<std::string> ScramServer::client_first(std::string_view mechanism,
                                              std::string_view message)
{
    if (state_ != State::AwaitClientFirst) {
        state_ = State::Failed;
        return protocol_violation("unexpected SCRAM client-first-message",
                                  "The SASL exchange is not at its first step.");
    }
    auto r = parse_client_first(mechanism, message);
    state_ = r ? State::AwaitClientFinal : State::Failed;
    return r;
}

Result<std::string> ScramServer::client_final(std::string_view message)
{
    if (state_ != State::AwaitClientFinal) {
        state_ = State::Failed;
        return protocol_violation("unexpected SCRAM client-final-message",
                                  "The SASL exchange is not waiting for client-final-message.");
    }
    auto r = parse_client_final(message);
    state_ = r ? State::Succeeded : State::Failed;
    return r;
}

Result<std::string> ScramServer::parse_client_first(std::string_view mechanism,
                                                    std::string_view message)
{
    const bool plus = mechanism == kMechanismPlus;
    if (!(mechanism == kMechanism || (plus && !cbind_hash_.empty()))) {
        // -PLUS without TLS is refused like an unknown mechanism, as PostgreSQL does.
        return protocol_violation("client selected an invalid SASL authentication mechanism");
    }
    if (message.find('\0') != std::string_view::npos) {
        return malformed_scram("The message contains a NUL byte.");
    }
    if (message.empty()) {
        return malformed_scram("The message is empty.");
    }

    // gs2-header: gs2-cbind-flag "," [authzid] ","
    std::size_t pos = 0;
    const char flag = message[0];
    switch (flag) {
    case 'n':
    case 'y':
        pos = 1;
        break;
    case 'p': {
        if (message.size() < 2 || message[1] != '=') {
            return malformed_scram("Expected character \"=\" for attribute \"p\".");
        }
        const std::size_t comma = message.find(',', 2);
        const std::string_view type =
            message.substr(2, comma == std::string_view::npos ? std::string_view::npos
                                                               : comma - 2);
        if (type != kCbindType) {
            return protocol_violation("unsupported SCRAM channel-binding type",
                                      "Only tls-server-end-point is supported.");
        }
        pos = 2 + type.size();
        break;
    }
    default:
        return malformed_scram("Unexpected channel-binding flag.");
    }

    if (plus && flag != 'p') {
        return malformed_scram("The client selected SCRAM-SHA-256-PLUS, but the SCRAM message "
                               "does not include channel binding data.");
    }
    if (!plus && flag == 'p') {
        return malformed_scram("The client selected SCRAM-SHA-256 without channel binding, but "
                               "the SCRAM message includes channel binding data.");
    }
    if (flag == 'y' && !cbind_hash_.empty()) {
        // 'y' means "I support binding but think the server does not". Over TLS we do, so a man
        // in the middle may have stripped -PLUS from our mechanism list: refuse the downgrade.
        return protocol_violation("SCRAM channel binding negotiation error",
                                  "The client supports SCRAM channel binding but thinks the "
                                  "server does not.  However, this server does support "
                                  "channel binding.");
    }

    if (pos >= message.size() || message[pos] != ',') {
        return malformed_scram("Comma expected after the channel-binding flag.");
    }
    ++pos;
    if (pos < message.size() && message[pos] == 'a') {
        Error e = make_error("0A000", "client uses authorization identity, but it is not "
                                      "supported");
        return e;
    }
    if (pos >= message.size() || message[pos] != ',') {
        return malformed_scram("Unexpected attribute in client-first-message.");
    }
    ++pos;

    const std::string_view bare = message.substr(pos);
    if (!bare.empty() && bare[0] == 'm') {
        return make_error("0A000", "client requires an unsupported SCRAM extension");
    }
    ScramAttributeReader reader(bare);
    // The user name is ignored: PostgreSQL clients send "n=" and the user comes from the
    // startup packet. Its value is not even decoded, so nothing in it can matter.
    if (auto n = reader.read('n'); !n) {
        return n.error();
    }
    auto nonce = reader.read('r');
    if (!nonce) {
        return nonce.error();
    }
    if (nonce->empty() || !is_scram_printable(*nonce)) {
        return malformed_scram("non-printable characters in SCRAM nonce");
    }
    // Optional extensions are ignored, as PostgreSQL does; they are still checked for shape.
    while (!reader.at_end()) {
        if (auto ext = reader.read_any(); !ext) {
            return ext.error();
        }
    }

    cbind_flag_ = flag;
    gs2_header_ = std::string(message.substr(0, pos));
    client_nonce_ = std::string(*nonce);
    client_first_bare_ = std::string(bare);
    server_first_ = "r=" + client_nonce_ + server_nonce_ + ",s=" + base64_encode(verifier_.salt) +
                    ",i=" + std::to_string(verifier_.iterations);
    return ok(std::string(server_first_));
}

Result<std::string> ScramServer::parse_client_final(std::string_view message)
{
    if (message.find('\0') != std::string_view::npos) {
        return malformed_scram("The message contains a NUL byte.");
    }
    ScramAttributeReader reader(message);
    auto cbind_text = reader.read('c');
    if (!cbind_text) {
        return cbind_text.error();
    }
    auto cbind = base64_decode(*cbind_text);
    if (!cbind) {
        return malformed_scram("Invalid base64 in the channel-binding attribute.");
    }
    auto nonce = reader.read('r');
    if (!nonce) {
        return nonce.error();
    }
    // Extensions may come before the proof; the proof is the last attribute.
    std::size_t proof_offset = 0;
    std::string_view proof_text;
    for (;;) {
        proof_offset = reader.offset();
        auto attr = reader.read_any();
        if (!attr) {
            return attr.error();
        }
        if (attr->first == 'p') {
            proof_text = attr->second;
            break;
        }
    }
    if (!reader.at_end()) {
        return malformed_scram("Garbage found at the end of client-final-message.");
    }
    auto proof = base64_decode(proof_text);
    if (!proof || proof->size() != kSha256Length) {
        return malformed_scram("Malformed proof in client-final-message.");
    }

    // c= must repeat the gs2 header of client-first, plus, with -PLUS, this connection's
    // certificate hash: a client talking to a man in the middle sees another certificate.
    std::string expected_cbind = gs2_header_;
    if (cbind_flag_ == 'p') {
        expected_cbind += cbind_hash_;
        if (!constant_time_equal(*cbind, expected_cbind)) {
            return make_error("28000", "SCRAM channel binding check failed");
        }
    } else if (*cbind != expected_cbind) {
        return malformed_scram("unexpected SCRAM channel-binding attribute in "
                               "client-final-message");
    }

    if (*nonce != client_nonce_ + server_nonce_) {
        return protocol_violation("invalid SCRAM response", "Nonce does not match.");
    }

    // AuthMessage = client-first-message-bare "," server-first-message ","
    //               client-final-message-without-proof
    const std::string auth_message = client_first_bare_ + "," + server_first_ + "," +
                                     std::string(message.substr(0, proof_offset - 1));
    const std::string client_signature = hmac_sha256(verifier_.stored_key, auth_message);
    const std::string client_key = xor_bytes(*proof, client_signature);
    const bool proof_ok = constant_time_equal(sha256(client_key), verifier_.stored_key);
    if (!proof_ok || doomed_) {
        return auth_failed();
    }
    return ok("v=" + base64_encode(hmac_sha256(verifier_.server_key, auth_message)));
}

}  // namespace meshgate::auth
