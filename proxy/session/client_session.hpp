// ClientSession: one client connection from the first byte to the last: startup, TLS,
// authentication, simple and extended query, relay. Layer: proxy (I/O edge).
//
// The implementation is split by protocol phase: client_session.cpp (main loop, client I/O),
// startup.cpp, authentication.cpp, simple_query.cpp, extended_query.cpp, backend_link.cpp
// (backend connections and the relay).
#pragma once

#include "common/error.hpp"
#include "config/model.hpp"
#include "policy/audit/audit_event.hpp"
#include "policy/decision.hpp"
#include "policy/identity.hpp"
#include "proxy/audit/audit_writer.hpp"
#include "proxy/io/input_buffer.hpp"
#include "proxy/io/stream.hpp"
#include "proxy/session/backend_scanner.hpp"
#include "proxy/session/response_queue.hpp"
#include "proxy/session/session_services.hpp"
#include "proxy/session/startup_settings.hpp"
#include "proxy/session/txpool.hpp"
#include "proxy/wire/codec.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include <atomic>
#include <chrono>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace meshgate::proxy {

class BackendConnection;
class BackendPool;

/// What the server knows of a live session, for a graceful drain (SIGTERM). `busy` is true
/// while the session handles a client message (a statement in flight); only the session's
/// strand reads or writes it. `draining` is set by the server (any thread): the session ends with
/// FATAL 57P01 as soon as it is between statements.
struct SessionControl {
    bool busy = false;
    std::atomic<bool> draining{false};
    /// Set by Server::stop() before it cancels the session: a statement cut short is audited
    /// as 57P01 (administrator command), not as a lost backend.
    std::atomic<bool> terminated{false};
};

/// Runs one client session to its end and closes the socket. Spawn it with co_spawn on its own
/// strand and a completion handler that logs an escaping exception (a bug). Cancellation
/// (terminal) ends the session with FATAL 57P01 at the next await.
boost::asio::awaitable<void> run_client_session(std::shared_ptr<const SessionServices> services,
                                                boost::asio::ip::tcp::socket socket,
                                                std::shared_ptr<SessionControl> control = nullptr);

/// The state of one session; lives in run_client_session's coroutine frame.
class ClientSession {
public:
    ClientSession(std::shared_ptr<const SessionServices> services,
                  boost::asio::ip::tcp::socket socket, std::shared_ptr<SessionControl> control);
    ~ClientSession();
    ClientSession(const ClientSession&) = delete;
    ClientSession& operator=(const ClientSession&) = delete;

    boost::asio::awaitable<void> run();

private:
    /// One backend connection the session holds (session pool mode) and its relay state.
    struct BackendLink {
        std::string name;
        std::shared_ptr<BackendPool> pool;
        std::unique_ptr<BackendConnection> conn;
        InputBuffer in;
        BackendScanner scanner;
        char status = 'I';        // last ReadyForQuery
        bool broken = false;      // never reuse: I/O failed, FATAL, protocol violation
        bool settings_applied = false;
        // Transaction pool mode: a SET / RESET ran during this checkout, or something whose
        // effect on the connection's settings meshgate cannot mirror.
        bool settings_touched = false;
        bool settings_uncertain = false;
        // Transaction pool mode: backend statement names sent in a Parse whose ParseComplete
        // has not come yet (forgotten by the connection if an error skips them).
        std::vector<std::string> unconfirmed;
        explicit BackendLink(uint32_t max_message);
        ~BackendLink();
    };

    /// What relay() saw.
    struct RelayResult {
        bool client_ok = true;
        bool backend_ok = true;
        bool fatal_relayed = false;       // the backend's own FATAL reached the client
        bool error_seen = false;          // an ErrorResponse was relayed
        bool failed_before_sync = false;  // extended: an error with no Sync queued yet
        std::string problem;              // why backend_ok is false (for logs)
        std::string error_sqlstate;       // of the first ErrorResponse relayed
        std::string error_message;       // its M, as the backend sent it
        /// The first ErrorResponse was withheld from the client (policy/error_scrub): its
        /// original text ("M; DETAIL: ...; CONTEXT: ...") for the audit record.
        bool error_scrubbed = false;
        std::string error_original;
        std::optional<int64_t> rows;      // summed from CommandComplete tags
        /// Transaction pool mode: every CommandComplete tag, with the note of the queue entry
        /// it completed (an Execute's statement text; "" for a simple Query).
        std::vector<std::pair<std::string, std::string>> commands;

        /// The backend write failed before anything was read.
        static RelayResult write_failure()
        {
            RelayResult r;
            r.backend_ok = false;
            r.problem = "write to the backend failed";
            return r;
        }
    };

    /// What a backend's prepared statement was decided from: a Bind under another snapshot or
    /// another identity (purpose, search_path, a reload) decides it again first.
    struct PreparedOrigin {
        std::string query;        // the client's text
        std::string sent;         // the rewritten SQL the backend prepared
        uint64_t generation = 0;  // snapshot generation of the decision
        policy::Identity who;     // identity of the decision
        /// The decision, for the audit event of each execution (null for meshgate's own).
        std::shared_ptr<const policy::Decision> decision;
    };

    /// A client's Parse or Execute forwarded to a backend, in the order the backend answers
    /// (SPEC §6): each Execute is audited when its answer comes, with its rows, duration and
    /// SQLSTATE; a Parse only when the backend refuses it (its executions are the events).
    struct PendingAnswer {
        Awaited what = Awaited::Execute;
        std::optional<AuditSlot> slot;
        std::shared_ptr<const PreparedOrigin> origin;  // null: audited elsewhere
        std::chrono::steady_clock::time_point started;
        int64_t data_rows = 0;  // DataRows relayed so far (a suspended portal has no count)
    };
    /// Audits the oldest pending answer with `outcome` (rows, or the error) and forgets it.
    void finish_answer(const RelayResult& outcome);

    /// A prepared statement or portal: where it lives, or the local step that answers it.
    /// (A member initialized with `{}` may be left out of a braced initializer without GCC's
    /// -Wmissing-field-initializers.)
    struct Prepared {
        std::string backend;                 // empty: answered by meshgate
        std::optional<policy::Step> local;   // SetLocal / ShowLocal
        bool empty_query = false;
        std::shared_ptr<const PreparedOrigin> origin{};  // backend statements only
        /// Transaction pool mode: the statement's name on every backend connection
        /// (txpool::backend_statement_name; "" for the unnamed statement), and what a
        /// connection's statement under that name must be (txpool::statement_key).
        std::string backend_name{};
        std::string key{};
        std::vector<uint32_t> param_types{};
        /// SQL-level prepared statements its execution creates (a Parse of `PREPARE name AS`).
        std::vector<std::string> sql_defines{};
        /// A BEGIN / START TRANSACTION (SPEC §3: the transaction starts on the backend of its
        /// first statement): its Execute defers it as a simple Query's BEGIN is deferred, or
        /// forwards it to `begin_backend` when the batch or an open transaction already has one.
        std::optional<policy::Forward> begin{};
        std::string begin_backend{};
    };

    /// The statement `name` under the current snapshot and identity: unchanged, or decided
    /// again (a refusal, or a different rewrite, is the error to send for its Bind).
    Result<void> recheck_prepared(const std::string& name, Prepared& p);
    /// EXECUTE / FETCH / MOVE of a statement or cursor decided under another snapshot or identity
    /// is refused (its rewrite may no longer be what the policies allow).
    Result<void> check_named_uses(const policy::Allow& allow) const;
    /// Records the statements and cursors `allow` creates on `backend`; `before` is the identity
    /// the message was decided for.
    void note_named_defines(const policy::Allow& allow, const std::string& backend,
                            const policy::Identity& before);
    static std::string named_key(const policy::NamedObject& o);
    /// Where an allowed message runs: its products' backend, the backend that holds the
    /// statement or cursor it names (EXECUTE / FETCH / ...), else the catalog backend.
    std::string backend_of(const policy::Allow& allow) const;

    // ---- client I/O (client_session.cpp)
    boost::asio::awaitable<Result<wire::RawMessage>> read_client_message();
    boost::asio::awaitable<bool> flush_client();
    boost::asio::awaitable<void> send_fatal(const Error& e);
    boost::asio::awaitable<void> serve();
    boost::asio::awaitable<void> close_all();
    char transaction_status() const;
    void refresh_identity(const config::Snapshot& snap);

    // ---- audit and metrics (client_session.cpp)
    audit::AuditEvent event(audit::EventKind kind) const;
    void submit_event(audit::AuditEvent e);
    /// Audits and counts one statement: `decision` as decided, `relay` what the backend said
    /// (nullptr when nothing ran), `sql` the client's text.
    void finish_statement(AuditSlot* slot, const std::string& sql,
                          const policy::Decision& decision, const RelayResult* relay,
                          std::chrono::steady_clock::time_point started);

    // ---- startup.cpp: false = the session ends (refused, cancel request served, EOF)
    /// A deadline on the client socket (authentication, idle): shared with the timer's handler,
    /// which may run after the session is gone, so the handler checks `done` before touching
    /// `socket`. When it fires, it cancels the pending socket operation.
    struct SocketDeadline {
        boost::asio::ip::tcp::socket* socket = nullptr;
        bool fired = false;
        bool done = false;
    };
    /// Starts `timer` for `ms` on the client socket; returns the state to check afterwards.
    std::shared_ptr<SocketDeadline> arm_deadline(boost::asio::steady_timer& timer, int ms);
    boost::asio::awaitable<bool> login();
    boost::asio::awaitable<bool> startup();
    boost::asio::awaitable<bool> start_tls();
    boost::asio::awaitable<void> forward_cancel(wire::CancelRequest request);

    // ---- authentication.cpp
    boost::asio::awaitable<bool> authenticate();
    boost::asio::awaitable<bool> send_welcome();

    // ---- cert_login.cpp / jwt_login.cpp: logins other than SCRAM (SPEC §5)
    enum class AltLogin { NotApplicable, Ok, Failed };
    /// A verified client certificate whose CN is the startup user, or a JWT sent as the
    /// password over TLS when `jwt:` is set and the user has no SCRAM verifier; NotApplicable
    /// lets SCRAM run.
    boost::asio::awaitable<AltLogin> alternative_login();
    boost::asio::awaitable<AltLogin> cert_login();
    boost::asio::awaitable<bool> jwt_login();
    /// Audits, counts and logs one failed login, then sends `to_client` (FATAL).
    boost::asio::awaitable<bool> login_failed(const char* method, Error to_client,
                                              std::string reason);
    /// Counts the session for the user's limit, sends AuthenticationOk, audits and logs.
    boost::asio::awaitable<bool> login_succeeded(const char* method, int max_connections);

    // ---- simple_query.cpp
    boost::asio::awaitable<bool> simple_query(std::string sql);
    boost::asio::awaitable<bool> function_call();
    void write_local_step(const policy::Step& step, std::string& out, bool with_description);
    void apply_set_local(const policy::SetLocal& set);

    // ---- extended_query.cpp
    boost::asio::awaitable<bool> extended(wire::RawMessage first);
    boost::asio::awaitable<void> extended_message(const wire::RawMessage& m, ResponseQueue& q,
                                                  std::string& to_backend, bool& end);
    /// The Sync cycle runs on `backend` from now on; a 0A000 when the open transaction or earlier
    /// messages of the batch run on another one.
    Result<void> route(const std::string& backend);
    /// route() without taking the backend.
    Result<void> routable(const std::string& backend) const;

    // ---- backend_link.cpp
    boost::asio::awaitable<Result<BackendLink*>> link_for(const std::string& backend);
    boost::asio::awaitable<Result<BackendLink*>> link_for_backend(const std::string& backend);
    boost::asio::awaitable<Result<void>> apply_settings(BackendLink& link);
    boost::asio::awaitable<RelayResult> relay(BackendLink& link, ResponseQueue& q,
                                              bool forward_ready);
    boost::asio::awaitable<bool> write_backend(BackendLink& link, std::string_view bytes);
    /// After a relay: transaction tracking; returns false when the session must end.
    boost::asio::awaitable<bool> after_relay(BackendLink& link, const RelayResult& r);
    void set_cancel_target(BackendLink& link);
    void release_links();

    // ---- transaction pool mode (backend_link.cpp)
    /// True when this session lends its backend connections out between transactions.
    bool transaction_pooling() const;
    /// The SET script this session's settings come from on `link`'s connection.
    std::string desired_settings(const BackendLink& link) const;
    /// Brings a freshly checked-out connection to this session's state: settings (RESET ALL and
    /// replay when they differ) and SQL-level prepared statements.
    boost::asio::awaitable<Result<void>> sync_carried(BackendLink& link);
    /// After a relay: follows the commands that change what a connection carries (SET, PREPARE,
    /// DEALLOCATE, DISCARD ALL, DECLARE CURSOR, transaction control).
    void absorb_commands(BackendLink& link, const RelayResult& r);
    /// Ends a checkout: when no transaction block, Sync cycle or WITH HOLD cursor needs the
    /// connection any more, it goes back to the pool as it is.
    boost::asio::awaitable<void> release_if_done();
    /// Transaction pool mode: a PREPARE of `name` on a connection that holds another client's
    /// statement of that name drops that one first.
    boost::asio::awaitable<Result<void>> make_room_for_prepare(BackendLink& link,
                                                               const policy::Allow& allow);

    std::shared_ptr<const SessionServices> services_;
    std::shared_ptr<SessionControl> control_;  // never null (a private one when not given)
    std::unique_ptr<Stream> client_;
    std::string peer_;
    config::SnapshotPtr snapshot_;            // for limits; refreshed per statement
    config::Limits limits_;
    InputBuffer cin_;
    std::size_t pending_consume_ = 0;
    bool replay_last_ = false;
    wire::RawMessage last_;
    std::string client_out_;

    StartupSettings startup_;
    policy::Identity identity_;
    uint64_t identity_generation_ = 0;
    bool external_identity_ = false;   // identity_ came from a JWT, not from `users:`
    int32_t cancel_pid_ = 0;
    bool registered_ = false;
    bool counted_ = false;
    bool user_counted_ = false;
    std::shared_ptr<SocketDeadline> login_deadline_;
    std::string session_id_;
    std::chrono::steady_clock::time_point started_;
    bool connect_audited_ = false;

    std::map<std::string, std::unique_ptr<BackendLink>> links_;
    std::string txn_backend_;        // backend holding the open transaction block
    /// A BEGIN answered by meshgate, sent just before the next forwarded statement, so that an
    /// explicit transaction starts on the backend of its first statement (link_for).
    std::string pending_begin_;
    std::string batch_backend_;      // extended: backend of the current Sync cycle
    std::string cancel_backend_;     // backend the cancel key currently points to
    bool discarding_ = false;        // extended: skipping client messages until Sync
    bool batch_synced_ = false;      // extended: the batch being answered ends with Sync
    std::unordered_map<std::string, Prepared> statements_;
    std::unordered_map<std::string, Prepared> portals_;
    std::deque<PendingAnswer> answers_due_;  // extended: forwarded Parses and Executes
    /// A SQL-level prepared statement or cursor: the backend that holds it, so EXECUTE / FETCH /
    /// MOVE / CLOSE / DEALLOCATE (which touch no product) follow it there, and the context its
    /// query was decided in, so EXECUTE / FETCH / MOVE under another one are refused.
    struct NamedOrigin {
        std::string backend;
        uint64_t generation = 0;
        std::optional<policy::Identity> who;  // empty: the message changed the identity around it
    };
    // "s:"/"c:" + name -> where and how it was created.
    std::unordered_map<std::string, NamedOrigin> named_backends_;
    /// Backend errors and notices are scrubbed (policy::scrub_backend_message) from the first
    /// statement that read a product through a mask or row filter to the end of the session:
    /// prepared statements, portals and cursors made by it may run later.
    bool scrub_errors_ = false;

    // ---- transaction pool mode
    bool txpool_ = false;                      // pool_mode when the session started
    txpool::SettingsTracker settings_;         // what the client SET
    std::map<std::string, std::string> sql_prepared_;  // SQL-level PREPARE name -> its text
    bool cursor_declared_ = false;             // a DECLARE ran since the last WITH HOLD check
    bool cycle_failed_ = false;                // an error in the current message / Sync cycle
};

}  // namespace meshgate::proxy
