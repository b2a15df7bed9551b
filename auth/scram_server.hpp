// Server side of one SCRAM-SHA-256(-PLUS) exchange as a state machine (RFC 5802, RFC 7677,
// PostgreSQL's SASL flavour). Layer: auth (pure apart from OpenSSL; no I/O).
#pragma once

#include "auth/scram_verifier.hpp"
#include "common/error.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace meshgate::auth {

/// One SCRAM exchange with one client. Feed it the client's SASLInitialResponse data with
/// client_first(), send the returned server-first-message in AuthenticationSASLContinue, feed
/// the SASLResponse data to client_final(), and on success send the returned
/// server-final-message in AuthenticationSASLFinal. Any error ends the exchange (later calls
/// fail too); send the Error as an ErrorResponse and close. Never throws on peer input.
///
/// Errors:
/// - wrong password, and any proof for an unknown user: 28P01
///   `password authentication failed for user "<user>"`, identical in both cases;
/// - malformed messages and protocol violations (bad gs2 header, missing attribute, bad
///   base64, nonce mismatch, `y` flag while the server supports channel binding, -PLUS
///   without TLS, calls out of order): 08P01, with the specifics in `detail`;
/// - channel binding data that does not match this connection's certificate: 28000;
/// - authzid or mandatory extensions requested: 0A000.
class ScramServer {
public:
    static constexpr std::string_view kMechanism = "SCRAM-SHA-256";
    static constexpr std::string_view kMechanismPlus = "SCRAM-SHA-256-PLUS";

    /// `user`: the user name from the startup packet (the `n=` of client-first is ignored, as
    /// PostgreSQL does). `verifier`: the user's verifier, or nullopt for an unknown user: the
    /// exchange then runs against a mock verifier whose salt is SHA-256(user + mock_seed)
    /// truncated to 16 bytes (PostgreSQL's scheme), so probing reveals nothing, and it fails at
    /// client_final() with the wrong-password error. `channel_binding_hash`: the
    /// tls_server_end_point() data of the certificate this connection presented, empty when the
    /// connection is not over TLS (then -PLUS is refused). `mock_seed`: a server secret, the
    /// same on every replica and restart (so a user's mock salt is stable); if empty, a random
    /// per-process seed is used. `server_nonce`: empty = 18 random bytes in base64 (as
    /// PostgreSQL); a fixed printable value only for tests.
    ScramServer(std::string user, std::optional<ScramVerifier> verifier,
                std::string channel_binding_hash, std::string mock_seed,
                std::string server_nonce = {});

    /// Mechanisms to offer in AuthenticationSASL, in order of preference:
    /// over TLS `{"SCRAM-SHA-256-PLUS", "SCRAM-SHA-256"}`, else `{"SCRAM-SHA-256"}`.
    static std::vector<std::string> mechanisms(bool tls);

    /// Takes the mechanism the client selected and its client-first-message; returns the
    /// server-first-message `r=<client nonce><server nonce>,s=<salt>,i=<iterations>`.
    Result<std::string> client_first(std::string_view mechanism, std::string_view message);

    /// Takes the client-final-message; checks channel binding, nonce and proof (in constant
    /// time) and returns the server-final-message `v=<server signature>`.
    Result<std::string> client_final(std::string_view message);

    /// True once client_final() succeeded: the client proved it knows the password.
    bool succeeded() const { return state_ == State::Succeeded; }

    /// True when the client selected SCRAM-SHA-256-PLUS (binding checked on success).
    bool channel_binding_used() const { return cbind_flag_ == 'p'; }

private:
    enum class State { AwaitClientFirst, AwaitClientFinal, Succeeded, Failed };

    Result<std::string> parse_client_first(std::string_view mechanism, std::string_view message);
    Result<std::string> parse_client_final(std::string_view message);
    Error auth_failed() const;

    std::string user_;
    ScramVerifier verifier_;
    bool doomed_ = false;  // unknown user: fail at the proof whatever it is
    std::string cbind_hash_;
    std::string server_nonce_;
    State state_ = State::AwaitClientFirst;
    char cbind_flag_ = 0;
    std::string gs2_header_;
    std::string client_nonce_;
    std::string client_first_bare_;
    std::string server_first_;
};

}  // namespace meshgate::auth
