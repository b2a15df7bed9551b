// One authenticated connection from meshgate to a backend, with its service account.
// Layer: proxy (I/O edge).
#pragma once

#include "common/error.hpp"
#include "config/model.hpp"
#include "proxy/io/stream.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ssl/context.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace meshgate::proxy {

/// Rows of an internal simple query (column learning, health checks): text values, NULL = nullopt.
struct SimpleQueryResult {
    std::vector<std::string> columns;
    std::vector<uint32_t> column_type_oids;      // per column, from RowDescription
    std::vector<int32_t> column_type_modifiers;  // per column (-1 = none)
    std::vector<std::vector<std::optional<std::string>>> rows;
    std::string command_tag;
};

/// A backend connection after StartupMessage, authentication and the first ReadyForQuery.
/// Owned by exactly one user at a time (a session or the pool). Not thread-safe.
class BackendConnection {
public:
    /// Connects (TCP, TLS per `backend.tls`), logs in with the service account (SCRAM-SHA-256, md5,
    /// cleartext only over TLS unless tls=disable was chosen explicitly, trust), and reads until
    /// ReadyForQuery. Errors: 08001 (cannot connect, TLS refused, verify-full failed), 28000/28P01
    /// (backend refused the service account), 08P01 (protocol violation); all name the backend.
    /// `startup_parameters` are extra StartupMessage parameters (application_name, ...).
    /// The whole attempt (TCP, TLS, login) is bounded by `backend.connect_timeout_ms` (08001 on
    /// expiry). Every backend message is checked against `max_message` bytes before anything is
    /// allocated for it (at login, against a smaller fixed bound). Extra parameters named `user`
    /// or `database` are ignored: the service account is not for the caller to choose.
    /// TLS modes as libpq's sslmode: prefer = TLS if the server accepts SSLRequest, else plain;
    /// require = TLS or fail; both without certificate checks. verify-full = TLS, chain checked
    /// against `backend.ca_file` (or the system store), host name (or IP SAN) checked, SNI sent
    /// for names. SCRAM is always SCRAM-SHA-256 (never -PLUS), and a backend that reports
    /// AuthenticationOk before SCRAM's server signature was verified is refused.
    static boost::asio::awaitable<Result<std::unique_ptr<BackendConnection>>> connect(
        boost::asio::any_io_executor ex, config::Backend backend,
        std::vector<std::pair<std::string, std::string>> startup_parameters = {},
        uint32_t max_message = config::Limits{}.max_backend_message);

    /// Sends a CancelRequest for (process_id, secret_key) on a new connection to `backend`
    /// (TLS per `backend.tls`, as for connect), bounded by connect_timeout_ms. Success means the
    /// request was delivered; PostgreSQL never says whether anything was cancelled.
    static boost::asio::awaitable<Result<void>> cancel(boost::asio::any_io_executor ex,
                                                       config::Backend backend,
                                                       int32_t process_id, int32_t secret_key);

    /// The byte stream after login, for relaying: writes go straight to the backend.
    Stream& stream() { return *stream_; }

    const config::Backend& backend() const { return backend_; }
    int32_t process_id() const { return process_id_; }
    int32_t secret_key() const { return secret_key_; }
    /// ParameterStatus values the backend reported at login (server_version, ...), in order.
    const std::vector<std::pair<std::string, std::string>>& parameters() const { return parameters_; }

    /// Runs one statement with the simple protocol and collects the result (for meshgate's own
    /// queries only; never for client statements, whose rows are relayed as bytes).
    boost::asio::awaitable<Result<SimpleQueryResult>> simple_query(std::string sql);

    /// False once a read or write failed or the backend sent a FATAL error: never reuse it.
    bool usable() const { return usable_; }
    void mark_unusable() { usable_ = false; }

    /// Transaction status of the last ReadyForQuery this object read itself (login or
    /// simple_query): 'I' idle, 'T' in a transaction, 'E' failed transaction. Bytes relayed by a
    /// session through stream() are not seen here.
    char transaction_status() const { return transaction_status_; }

    /// A cheap check of an idle connection, without blocking: false when the backend closed the
    /// socket or sent something unprompted (an idle backend only talks to say it is going away).
    bool looks_alive();

    /// Session state a connection carries from one client to the next in transaction pool mode
    /// (sessions lend connections out between transactions; nothing is reset on return).
    /// Cleared when the pool resets the connection with DISCARD ALL (session pool mode).
    struct Carried {
        /// SET script applied on top of the login defaults ("" = none). Meaningful only while
        /// `settings_known`; otherwise the next user runs RESET ALL first.
        std::string settings;
        bool settings_known = true;
        /// Protocol-level prepared statements: backend name ("" = unnamed) -> statement key
        /// (txpool::statement_key), added once the backend confirmed the Parse.
        std::unordered_map<std::string, std::string> statements;
        /// SQL-level prepared statements (PREPARE name AS ...): name -> PREPARE text.
        std::unordered_map<std::string, std::string> sql_statements;
        /// True when a client may have left something on the connection.
        bool dirty() const
        {
            return !settings.empty() || !settings_known || !statements.empty() ||
                   !sql_statements.empty();
        }
    };
    Carried& carried() { return carried_; }

    /// Best-effort graceful end: Terminate, TLS close_notify, close. Bounded; never throws.
    boost::asio::awaitable<void> terminate();

    ~BackendConnection();
    BackendConnection(const BackendConnection&) = delete;
    BackendConnection& operator=(const BackendConnection&) = delete;

private:
    friend class BackendPool;
    struct Login;  // the connect/login steps, in backend_connection.cpp
    friend struct Login;
    BackendConnection() = default;
    config::Backend backend_;
    // Declared before stream_ so it outlives the SSL object made from it.
    std::shared_ptr<boost::asio::ssl::context> tls_context_;
    std::unique_ptr<Stream> stream_;
    // Held while the connection exists when it belongs to a pool; releasing it frees the slot.
    std::shared_ptr<void> pool_slot_;
    uint32_t max_message_ = config::Limits{}.max_backend_message;
    char transaction_status_ = 'I';
    int32_t process_id_ = 0;
    int32_t secret_key_ = 0;
    std::vector<std::pair<std::string, std::string>> parameters_;
    bool usable_ = true;
    Carried carried_;
};

}  // namespace meshgate::proxy
