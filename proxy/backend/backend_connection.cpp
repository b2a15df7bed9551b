// BackendConnection: TCP connect, TLS negotiation, service-account login, meshgate's own simple
// queries, and CancelRequest. Every byte from the backend is treated as hostile input.
// Layer: proxy (I/O edge).
#include "proxy/backend/backend_connection.hpp"

#include "auth/md5_password.hpp"
#include "auth/scram_client.hpp"
#include "proxy/backend/backend_message.hpp"
#include "proxy/io/with_timeout.hpp"
#include "proxy/log.hpp"
#include "proxy/wire/messages.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <chrono>

namespace meshgate::proxy {
namespace asio = boost::asio;
namespace ssl = boost::asio::ssl;
using boost::system::error_code;
using tcp = asio::ip::tcp;

namespace {

// Login messages (authentication requests, ParameterStatus, BackendKeyData, errors) are small;
// a backend that announces more than this before ReadyForQuery is not speaking PostgreSQL.
constexpr uint32_t kMaxLoginMessage = 1024 * 1024;

// meshgate's own queries (column learning, health checks) never need more than this in total;
// a backend that sends more is refused rather than allowed to fill our memory.
constexpr std::size_t kMaxSimpleQueryBytes = 64u * 1024 * 1024;

constexpr std::chrono::milliseconds kTerminateGrace{1000};

std::string who(const config::Backend& b)
{
    return "backend " + b.name;
}

std::string where(const config::Backend& b)
{
    return b.host + ":" + std::to_string(b.port);
}

std::string printable_tag(char tag)
{
    const auto c = static_cast<unsigned char>(tag);
    if (c >= 0x20 && c < 0x7f) {
        return std::string("'") + tag + "'";
    }
    static constexpr char kHex[] = "0123456789abcdef";
    return std::string("0x") + kHex[c >> 4] + kHex[c & 0xf];
}

Error protocol_error(const config::Backend& b, const std::string& what)
{
    return make_error("08P01", who(b) + ": protocol violation: " + what);
}

// An ErrorResponse from the backend becomes our Error, keeping its SQLSTATE, detail and hint,
// prefixed with the backend's name so operators know which warehouse complained.
Error error_from_backend(const config::Backend& b, const wire::ErrorResponse& e)
{
    std::string sqlstate = e.get('C');
    // A SQLSTATE is five ASCII characters; anything else is not trusted as one.
    const bool valid = sqlstate.size() == 5 &&
                       std::all_of(sqlstate.begin(), sqlstate.end(), [](char c) {
                           return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z');
                       });
    if (!valid) {
        sqlstate = "XX000";
    }
    Error err = make_error(std::move(sqlstate), who(b) + ": " + e.get('M'));
    err.detail = e.get('D');
    err.hint = e.get('H');
    return err;
}

bool is_fatal(const wire::ErrorResponse& e)
{
    std::string sev = e.get('V');
    if (sev.empty()) {
        sev = e.get('S');
    }
    return sev == "FATAL" || sev == "PANIC";
}

std::shared_ptr<ssl::context> make_tls_context(const config::Backend& b, Error& err)
{
    auto ctx = std::make_shared<ssl::context>(ssl::context::tls_client);
    if (SSL_CTX_set_min_proto_version(ctx->native_handle(), TLS1_2_VERSION) != 1) {
        err = make_error("08001", who(b) + ": cannot restrict TLS to version 1.2 or later");
        return nullptr;
    }
    ctx->set_options(ssl::context::default_workarounds | ssl::context::no_compression);
    if (b.tls != config::TlsMode::VerifyFull) {
        // prefer / require: encryption without authentication of the server, as libpq's
        // sslmode of the same names.
        ctx->set_verify_mode(ssl::verify_none);
        return ctx;
    }
    ctx->set_verify_mode(ssl::verify_peer);
    error_code ec;
    if (!b.ca_file.empty()) {
        ctx->load_verify_file(b.ca_file, ec);
        if (ec) {
            err = make_error("08001", who(b) + ": cannot load ca_file " + b.ca_file + ": " +
                                          ec.message());
            return nullptr;
        }
    } else {
        ctx->set_default_verify_paths(ec);
        if (ec) {
            err = make_error("08001", who(b) + ": cannot load the system CA store: " +
                                          ec.message());
            return nullptr;
        }
    }
    return ctx;
}

// SNI and the host-name check. An IP literal is checked against the certificate's IP SANs and
// never sent as SNI (RFC 6066 forbids it).
bool configure_peer_name(SSL* ssl, const config::Backend& b)
{
    error_code ec;
    asio::ip::make_address(b.host, ec);
    const bool is_ip = !ec;
    if (!is_ip && SSL_set_tlsext_host_name(ssl, b.host.c_str()) != 1) {
        return false;
    }
    if (b.tls != config::TlsMode::VerifyFull) {
        return true;
    }
    X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
    if (is_ip) {
        return X509_VERIFY_PARAM_set1_ip_asc(param, b.host.c_str()) == 1;
    }
    SSL_set_hostflags(ssl, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
    return SSL_set1_host(ssl, b.host.c_str()) == 1;
}

// Resolves and connects the TCP socket; 08001 naming the backend on failure.
asio::awaitable<Result<tcp::socket>> connect_tcp(asio::any_io_executor ex,
                                                 const config::Backend& b)
{
    tcp::resolver resolver(ex);
    auto [rec, endpoints] = co_await resolver.async_resolve(
        b.host, std::to_string(b.port), asio::as_tuple(asio::use_awaitable));
    if (rec) {
        co_return make_error("08001", "cannot resolve " + who(b) + " host " + b.host + ": " +
                                          rec.message());
    }
    tcp::socket sock(ex);
    auto [cec, ep] =
        co_await asio::async_connect(sock, endpoints, asio::as_tuple(asio::use_awaitable));
    if (cec) {
        co_return make_error("08001", "cannot connect to " + who(b) + " (" + where(b) +
                                          "): " + cec.message());
    }
    error_code ignored;
    sock.set_option(tcp::no_delay(true), ignored);
    sock.set_option(asio::socket_base::keep_alive(true), ignored);
    co_return std::move(sock);
}

// SSLRequest and the TLS handshake per `b.tls`. On success the stream is ready for the
// StartupMessage (or CancelRequest); `ctx_out` keeps the context alive for the SSL object.
asio::awaitable<Result<std::unique_ptr<Stream>>> negotiate_tls(
    tcp::socket sock, const config::Backend& b, std::shared_ptr<ssl::context>& ctx_out)
{
    if (b.tls == config::TlsMode::Disable) {
        co_return std::make_unique<Stream>(std::move(sock));
    }
    std::string req;
    wire::encode(wire::SslRequest{}, req);
    auto [wec, wn] = co_await asio::async_write(sock, asio::buffer(req),
                                                asio::as_tuple(asio::use_awaitable));
    if (wec) {
        co_return make_error("08001", "cannot send SSLRequest to " + who(b) + ": " +
                                          wec.message());
    }
    // Exactly one byte: anything the server (or a man in the middle) sent after it must go
    // into the TLS handshake and fail there, never be read as plaintext protocol
    // (CVE-2021-23222).
    char answer = 0;
    auto [rec, rn] = co_await asio::async_read(sock, asio::buffer(&answer, 1),
                                               asio::as_tuple(asio::use_awaitable));
    if (rec) {
        co_return make_error("08001", "connection to " + who(b) + " lost during TLS negotiation: " +
                                          rec.message());
    }
    if (answer == 'N') {
        if (b.tls == config::TlsMode::Prefer) {
            co_return std::make_unique<Stream>(std::move(sock));
        }
        co_return make_error("08001", who(b) + " does not accept TLS connections, but tls: " +
                                          config::tls_mode_name(b.tls) + " requires TLS");
    }
    if (answer != 'S') {
        co_return protocol_error(b, "answered SSLRequest with " + printable_tag(answer) +
                                        " instead of 'S' or 'N'");
    }
    Error err;
    auto ctx = make_tls_context(b, err);
    if (!ctx) {
        co_return err;
    }
    auto tls = std::make_unique<Stream::Tls>(std::move(sock), *ctx);
    if (!configure_peer_name(tls->native_handle(), b)) {
        co_return make_error("08001", who(b) + ": cannot set the TLS peer name " + b.host);
    }
    auto [hec] = co_await tls->async_handshake(ssl::stream_base::client,
                                               asio::as_tuple(asio::use_awaitable));
    if (hec) {
        std::string why = hec.message();
        const long verify = SSL_get_verify_result(tls->native_handle());
        if (b.tls == config::TlsMode::VerifyFull && verify != X509_V_OK) {
            why = std::string("certificate verification failed: ") +
                  X509_verify_cert_error_string(verify);
        }
        co_return make_error("08001", "TLS handshake with " + who(b) + " (" + where(b) +
                                          ") failed: " + why);
    }
    ctx_out = std::move(ctx);
    co_return std::make_unique<Stream>(std::move(tls));
}

asio::awaitable<bool> write_bytes(Stream& s, std::string bytes)
{
    auto [ec, n] = co_await s.write_all(bytes);
    co_return !ec;
}

}  // namespace

struct BackendConnection::Login {
    static asio::awaitable<Result<std::unique_ptr<BackendConnection>>> run(
        asio::any_io_executor ex, config::Backend backend,
        std::vector<std::pair<std::string, std::string>> params, uint32_t max_message);

    static asio::awaitable<Result<void>> send(BackendConnection& c, const std::string& bytes);
    static asio::awaitable<Result<void>> authenticate(BackendConnection& c);
    static asio::awaitable<Result<void>> await_ready(BackendConnection& c);
};

asio::awaitable<Result<void>> BackendConnection::Login::send(BackendConnection& c,
                                                             const std::string& bytes)
{
    auto [ec, n] = co_await c.stream_->write_all(bytes);
    if (ec) {
        c.usable_ = false;
        co_return make_error("08006", "connection to " + who(c.backend_) + " lost: " +
                                          ec.message());
    }
    co_return Result<void>{};
}

asio::awaitable<Result<void>> BackendConnection::Login::authenticate(BackendConnection& c)
{
    const config::Backend& b = c.backend_;
    const uint32_t limit = std::min(c.max_message_, kMaxLoginMessage);
    std::optional<auth::ScramClient> scram;
    bool password_sent = false;
    for (;;) {
        auto msg = co_await read_backend_message(*c.stream_, limit, b.name);
        if (!msg) {
            co_return msg.error();
        }
        switch (msg->tag) {
        case wire::ErrorResponse::kTag: {
            auto e = wire::decode_error_response(msg->body);
            if (!e) {
                co_return protocol_error(b, "malformed ErrorResponse: " + e.error().message);
            }
            co_return error_from_backend(b, *e);
        }
        case wire::NoticeResponse::kTag:
        case wire::NegotiateProtocolVersion::kTag:
            // A notice, or the server telling us it speaks an older minor version than 3.0
            // (impossible, we ask for 3.0) or ignored _pq_ options: nothing to act on.
            continue;
        case 'R':
            break;
        default:
            co_return protocol_error(b, "unexpected message " + printable_tag(msg->tag) +
                                            " during authentication");
        }
        auto req = wire::decode_authentication(msg->body);
        if (!req) {
            co_return protocol_error(b, "malformed authentication request: " +
                                            req.error().message);
        }
        std::string out;
        if (std::holds_alternative<wire::AuthenticationOk>(*req)) {
            // Once SCRAM started, only a verified server signature makes the login good: a
            // server (or impostor) that skips SASLFinal has not proved it knows our verifier.
            if (scram && !scram->succeeded()) {
                co_return make_error("28000", who(b) + " reported authentication success "
                                                       "without completing SCRAM; refused");
            }
            co_return Result<void>{};
        }
        if (std::holds_alternative<wire::AuthenticationCleartextPassword>(*req)) {
            // The password would cross the network readable: only over TLS, or when the
            // operator chose tls: disable and so accepted plaintext on this link.
            if (!c.stream_->is_tls() && b.tls != config::TlsMode::Disable) {
                co_return make_error("28000", who(b) + " asks for a cleartext password over an "
                                                       "unencrypted connection; refused (enable "
                                                       "TLS on the backend, or set tls: disable)");
            }
            if (password_sent || scram) {
                co_return protocol_error(b, "asked for a password twice");
            }
            password_sent = true;
            wire::encode(wire::PasswordMessage{b.password}, out);
        } else if (auto* md5 = std::get_if<wire::AuthenticationMd5Password>(&*req)) {
            if (password_sent || scram) {
                co_return protocol_error(b, "asked for a password twice");
            }
            password_sent = true;
            wire::encode(wire::PasswordMessage{auth::md5_password(b.user, b.password, md5->salt)},
                         out);
        } else if (auto* sasl = std::get_if<wire::AuthenticationSasl>(&*req)) {
            if (password_sent || scram) {
                co_return protocol_error(b, "started SASL authentication twice");
            }
            // SCRAM-SHA-256 even when -PLUS is offered: channel binding is not implemented on
            // the backend side.
            const bool offered =
                std::find(sasl->mechanisms.begin(), sasl->mechanisms.end(),
                          std::string(auth::ScramClient::kMechanism)) != sasl->mechanisms.end();
            if (!offered) {
                std::string list;
                for (const auto& m : sasl->mechanisms) {
                    list += (list.empty() ? "" : ", ") + m;
                }
                co_return make_error("28000", who(b) + " offers no supported SASL mechanism "
                                                       "(offered: " + list + ")");
            }
            scram.emplace(b.password);
            wire::encode(wire::SaslInitialResponse{std::string(auth::ScramClient::kMechanism),
                                                   scram->client_first()},
                         out);
        } else if (auto* cont = std::get_if<wire::AuthenticationSaslContinue>(&*req)) {
            if (!scram) {
                co_return protocol_error(b, "sent SASLContinue without a SASL exchange");
            }
            auto final_msg = scram->server_first(cont->data);
            if (!final_msg) {
                Error e = final_msg.error();
                e.message = who(b) + ": " + e.message;
                co_return e;
            }
            wire::encode(wire::SaslResponse{*final_msg}, out);
        } else if (auto* fin = std::get_if<wire::AuthenticationSaslFinal>(&*req)) {
            if (!scram) {
                co_return protocol_error(b, "sent SASLFinal without a SASL exchange");
            }
            auto ok = scram->server_final(fin->data);
            if (!ok) {
                Error e = ok.error();
                e.message = who(b) + ": " + e.message;
                co_return e;
            }
            continue;  // AuthenticationOk follows
        } else {
            const auto& u = std::get<wire::AuthenticationUnsupported>(*req);
            co_return make_error("28000", who(b) + " requested an unsupported authentication "
                                                   "method (code " + std::to_string(u.code) +
                                                   "); use scram-sha-256, md5, password or trust");
        }
        if (auto sent = co_await send(c, out); !sent) {
            co_return sent.error();
        }
    }
}

asio::awaitable<Result<void>> BackendConnection::Login::await_ready(BackendConnection& c)
{
    const config::Backend& b = c.backend_;
    const uint32_t limit = std::min(c.max_message_, kMaxLoginMessage);
    bool have_key = false;
    for (;;) {
        auto msg = co_await read_backend_message(*c.stream_, limit, b.name);
        if (!msg) {
            co_return msg.error();
        }
        switch (msg->tag) {
        case wire::ParameterStatus::kTag: {
            auto p = wire::decode_parameter_status(msg->body);
            if (!p) {
                co_return protocol_error(b, "malformed ParameterStatus: " + p.error().message);
            }
            c.parameters_.emplace_back(std::move(p->name), std::move(p->value));
            break;
        }
        case wire::BackendKeyData::kTag: {
            auto k = wire::decode_backend_key_data(msg->body);
            if (!k) {
                co_return protocol_error(b, "malformed BackendKeyData: " + k.error().message);
            }
            c.process_id_ = k->process_id;
            c.secret_key_ = k->secret_key;
            have_key = true;
            break;
        }
        case wire::ReadyForQuery::kTag: {
            auto z = wire::decode_ready_for_query(msg->body);
            if (!z) {
                co_return protocol_error(b, "malformed ReadyForQuery: " + z.error().message);
            }
            c.transaction_status_ = z->status;
            if (!have_key) {
                // Gates nest (SPEC §10): a backend without cancel keys still works, but its
                // statements cannot be cancelled.
                log_debug("backend sent no BackendKeyData", {{"backend", b.name}});
            }
            co_return Result<void>{};
        }
        case wire::ErrorResponse::kTag: {
            auto e = wire::decode_error_response(msg->body);
            if (!e) {
                co_return protocol_error(b, "malformed ErrorResponse: " + e.error().message);
            }
            co_return error_from_backend(b, *e);
        }
        case wire::NoticeResponse::kTag:
        case wire::NegotiateProtocolVersion::kTag:
            break;
        default:
            co_return protocol_error(b, "unexpected message " + printable_tag(msg->tag) +
                                            " before ReadyForQuery");
        }
    }
}

asio::awaitable<Result<std::unique_ptr<BackendConnection>>> BackendConnection::Login::run(
    asio::any_io_executor ex, config::Backend backend,
    std::vector<std::pair<std::string, std::string>> params, uint32_t max_message)
{
    std::unique_ptr<BackendConnection> c(new BackendConnection());
    c->backend_ = std::move(backend);
    c->max_message_ = max_message;
    const config::Backend& b = c->backend_;

    auto sock = co_await connect_tcp(ex, b);
    if (!sock) {
        co_return sock.error();
    }
    auto stream = co_await negotiate_tls(std::move(*sock), b, c->tls_context_);
    if (!stream) {
        co_return stream.error();
    }
    c->stream_ = std::move(*stream);

    wire::StartupMessage startup;
    startup.parameters.emplace_back("user", b.user);
    startup.parameters.emplace_back("database", b.database);
    for (auto& param : params) {
        // Not a structured binding: clang 14 cannot capture one in the lambda below.
        const std::string& name = param.first;
        if (name == "user" || name == "database" || name.empty()) {
            continue;
        }
        const bool dup = std::any_of(startup.parameters.begin(), startup.parameters.end(),
                                     [&](const auto& p) { return p.first == name; });
        if (!dup) {
            startup.parameters.emplace_back(std::move(param.first), std::move(param.second));
        }
    }
    std::string out;
    wire::encode(startup, out);
    if (auto sent = co_await send(*c, out); !sent) {
        co_return sent.error();
    }
    if (auto a = co_await authenticate(*c); !a) {
        co_return a.error();
    }
    if (auto r = co_await await_ready(*c); !r) {
        co_return r.error();
    }
    co_return std::move(c);
}

asio::awaitable<Result<std::unique_ptr<BackendConnection>>> BackendConnection::connect(
    asio::any_io_executor ex, config::Backend backend,
    std::vector<std::pair<std::string, std::string>> startup_parameters, uint32_t max_message)
{
    const auto timeout = std::chrono::milliseconds(std::max(1, backend.connect_timeout_ms));
    const std::string name = backend.name;
    const std::string addr = where(backend);
    auto r = co_await with_timeout(
        Login::run(ex, std::move(backend), std::move(startup_parameters), max_message), timeout);
    if (!r) {
        co_return make_error("08001", "timed out after " + std::to_string(timeout.count()) +
                                          " ms connecting to backend " + name + " (" + addr + ")");
    }
    co_return std::move(*r);
}

asio::awaitable<Result<void>> BackendConnection::cancel(asio::any_io_executor ex,
                                                       config::Backend backend,
                                                       int32_t process_id, int32_t secret_key)
{
    struct Cancel {
        static asio::awaitable<Result<void>> run(asio::any_io_executor ex, config::Backend b,
                                                 int32_t pid, int32_t key)
        {
            auto sock = co_await connect_tcp(ex, b);
            if (!sock) {
                co_return sock.error();
            }
            std::shared_ptr<ssl::context> ctx;
            auto stream = co_await negotiate_tls(std::move(*sock), b, ctx);
            if (!stream) {
                co_return stream.error();
            }
            std::string out;
            wire::encode(wire::CancelRequest{pid, key}, out);
            auto [ec, n] = co_await (*stream)->write_all(out);
            // The server closes the connection after reading the request; wait for that so the
            // request is not cut off by our close, then close ourselves.
            char sink[64];
            if (!ec) {
                co_await (*stream)->read_some(sink, sizeof sink);
            }
            (*stream)->close_now();
            if (ec) {
                co_return make_error("08006", "cannot send CancelRequest to backend " + b.name +
                                                  ": " + ec.message());
            }
            co_return Result<void>{};
        }
    };
    const auto timeout = std::chrono::milliseconds(std::max(1, backend.connect_timeout_ms));
    const std::string name = backend.name;
    auto r = co_await with_timeout(Cancel::run(ex, std::move(backend), process_id, secret_key),
                                   timeout);
    if (!r) {
        co_return make_error("08001", "timed out sending CancelRequest to backend " + name);
    }
    co_return std::move(*r);
}

asio::awaitable<Result<SimpleQueryResult>> BackendConnection::simple_query(std::string sql)
{
    const config::Backend& b = backend_;
    if (!usable_ || !stream_) {
        co_return make_error("08006", "connection to " + who(b) + " is no longer usable");
    }
    std::string out;
    wire::encode(wire::Query{std::move(sql)}, out);
    if (auto sent = co_await Login::send(*this, out); !sent) {
        co_return sent.error();
    }
    // Any early return below leaves unread messages on the wire: the connection is then out of
    // step with the protocol and must never be reused.
    auto fail = [this](Error e) {
        usable_ = false;
        return e;
    };
    SimpleQueryResult res;
    std::optional<Error> first_error;
    std::size_t total = 0;
    for (;;) {
        // No single message of an internal query may exceed what the whole result may hold.
        const auto limit = static_cast<uint32_t>(
            std::min<std::size_t>(max_message_, kMaxSimpleQueryBytes));
        auto msg = co_await read_backend_message(*stream_, limit, b.name);
        if (!msg) {
            co_return fail(msg.error());
        }
        total += msg->body.size();
        if (total > kMaxSimpleQueryBytes) {
            co_return fail(make_error("54000", who(b) + ": result of an internal query exceeds " +
                                                   std::to_string(kMaxSimpleQueryBytes) +
                                                   " bytes"));
        }
        switch (msg->tag) {
        case wire::RowDescription::kTag: {
            auto t = wire::decode_row_description(msg->body);
            if (!t) {
                co_return fail(protocol_error(b, "malformed RowDescription: " +
                                                     t.error().message));
            }
            res.columns.clear();
            res.column_type_oids.clear();
            res.column_type_modifiers.clear();
            for (auto& f : t->fields) {
                res.columns.push_back(std::move(f.name));
                res.column_type_oids.push_back(f.type_oid);
                res.column_type_modifiers.push_back(f.type_modifier);
            }
            break;
        }
        case wire::DataRow::kTag: {
            auto d = wire::decode_data_row(msg->body);
            if (!d) {
                co_return fail(protocol_error(b, "malformed DataRow: " + d.error().message));
            }
            if (d->values.size() != res.columns.size()) {
                co_return fail(protocol_error(b, "DataRow with " +
                                                     std::to_string(d->values.size()) +
                                                     " values for " +
                                                     std::to_string(res.columns.size()) +
                                                     " columns"));
            }
            res.rows.push_back(std::move(d->values));
            break;
        }
        case wire::CommandComplete::kTag: {
            auto cc = wire::decode_command_complete(msg->body);
            if (!cc) {
                co_return fail(protocol_error(b, "malformed CommandComplete: " +
                                                     cc.error().message));
            }
            res.command_tag = std::move(cc->tag);
            break;
        }
        case wire::EmptyQueryResponse::kTag:
        case wire::NoticeResponse::kTag:
        case wire::NotificationResponse::kTag:
            break;
        case wire::ParameterStatus::kTag: {
            auto p = wire::decode_parameter_status(msg->body);
            if (!p) {
                co_return fail(protocol_error(b, "malformed ParameterStatus: " +
                                                     p.error().message));
            }
            auto it = std::find_if(parameters_.begin(), parameters_.end(),
                                   [&](const auto& kv) { return kv.first == p->name; });
            if (it != parameters_.end()) {
                it->second = std::move(p->value);
            } else {
                parameters_.emplace_back(std::move(p->name), std::move(p->value));
            }
            break;
        }
        case wire::ErrorResponse::kTag: {
            auto e = wire::decode_error_response(msg->body);
            if (!e) {
                co_return fail(protocol_error(b, "malformed ErrorResponse: " +
                                                     e.error().message));
            }
            if (is_fatal(*e)) {
                // The backend ends the session after a FATAL error; no ReadyForQuery follows.
                co_return fail(error_from_backend(b, *e));
            }
            if (!first_error) {
                first_error = error_from_backend(b, *e);
            }
            break;
        }
        case wire::ReadyForQuery::kTag: {
            auto z = wire::decode_ready_for_query(msg->body);
            if (!z) {
                co_return fail(protocol_error(b, "malformed ReadyForQuery: " + z.error().message));
            }
            transaction_status_ = z->status;
            if (first_error) {
                co_return *first_error;
            }
            co_return res;
        }
        default:
            // COPY, extended-protocol replies and anything unknown: our own queries never ask
            // for these, so the backend is out of step with us.
            co_return fail(protocol_error(b, "unexpected message " + printable_tag(msg->tag) +
                                                 " in reply to a simple query"));
        }
    }
}

bool BackendConnection::looks_alive()
{
    if (!usable_ || !stream_) {
        return false;
    }
    auto& sock = stream_->tcp();
    if (!sock.is_open()) {
        return false;
    }
    if (Stream::Tls* tls = stream_->tls(); tls != nullptr && SSL_pending(tls->native_handle()) > 0) {
        return false;
    }
    // An idle backend sends nothing unless it is going away (ErrorResponse FATAL, EOF, reset):
    // any readable byte or EOF means "do not hand this one out".
    char c = 0;
    const ssize_t n = ::recv(sock.native_handle(), &c, 1, MSG_PEEK | MSG_DONTWAIT);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        return true;
    }
    usable_ = false;
    return false;
}

asio::awaitable<void> BackendConnection::terminate()
{
    if (!stream_) {
        co_return;
    }
    if (usable_) {
        std::string out;
        wire::encode(wire::Terminate{}, out);
        usable_ = false;
        co_await with_timeout(write_bytes(*stream_, std::move(out)), kTerminateGrace);
    }
    co_await stream_->close();
}

BackendConnection::~BackendConnection()
{
    if (stream_) {
        stream_->close_now();
    }
}

}  // namespace meshgate::proxy
