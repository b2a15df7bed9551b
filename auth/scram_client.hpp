// Client side of SCRAM-SHA-256, for meshgate logging in to a backend with its service account.
// Layer: auth (pure apart from OpenSSL; no I/O).
#pragma once

#include "common/error.hpp"

#include <string>
#include <string_view>

namespace meshgate::auth {

/// One SCRAM-SHA-256 login as a client, without channel binding (gs2 header `n,,`), the way
/// libpq does it against a server that offers SCRAM-SHA-256. Send client_first() in
/// SASLInitialResponse with mechanism kMechanism, pass AuthenticationSASLContinue data to
/// server_first() and send its result in SASLResponse, then pass AuthenticationSASLFinal data
/// to server_final(). Only when server_final() succeeds has the backend proved that it knows
/// the verifier; until then treat the connection as unauthenticated. Any error ends the
/// exchange. Never throws on backend input.
///
/// Errors: malformed or out-of-order server messages, a nonce that does not extend ours, an
/// iteration count outside 1..kMaxIterations (a hostile backend could make us burn CPU):
/// 08P01. An `e=` server error or a wrong server signature: 28P01.
class ScramClient {
public:
    static constexpr std::string_view kMechanism = "SCRAM-SHA-256";
    static constexpr int kMaxIterations = 100000;

    /// `password`: the service account's password (prepared as PostgreSQL does, see
    /// prepare_scram_password). `client_nonce`: empty = 18 random bytes in base64 (as libpq);
    /// a fixed printable value only for tests.
    explicit ScramClient(std::string password, std::string client_nonce = {});

    /// The client-first-message `n,,n=,r=<nonce>` (same text on every call).
    std::string client_first() const;

    /// Takes the server-first-message, returns the client-final-message
    /// `c=biws,r=<nonce>,p=<proof>`.
    Result<std::string> server_first(std::string_view message);

    /// Takes the server-final-message and checks the server signature in constant time.
    Result<void> server_final(std::string_view message);

    /// True once server_final() succeeded.
    bool succeeded() const { return state_ == State::Succeeded; }

private:
    enum class State { AwaitServerFirst, AwaitServerFinal, Succeeded, Failed };

    Result<std::string> parse_server_first(std::string_view message);
    Result<void> parse_server_final(std::string_view message);

    std::string password_;
    std::string client_nonce_;
    std::string expected_server_signature_;
    State state_ = State::AwaitServerFirst;
};

}  // namespace meshgate::auth
