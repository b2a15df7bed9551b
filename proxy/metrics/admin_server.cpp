// AdminServer: prometheus-cpp Exposer with a civetweb begin_request callback for the health
// endpoints. Layer: proxy (metrics).
#include "proxy/metrics/admin_server.hpp"

#include <CivetServer.h>
#include <civetweb.h>
#include <prometheus/collectable.h>
#include <prometheus/exposer.h>

#include <cstring>
#include <exception>
#include <map>
#include <mutex>
#include <string_view>

namespace meshgate::proxy {

namespace {

// prometheus-cpp 1.0.1 offers no handler registration besides /metrics-style collectables, so the
// health endpoints hook civetweb's begin_request callback, which runs before any URI handler.
// That callback gets no user pointer of ours, so the readiness callbacks are found by the
// listening port the request came in on.
std::mutex g_mutex;
std::map<int, std::function<Readiness()>> g_readiness;

void respond(mg_connection* conn, int status, const char* status_text, std::string_view body,
             bool head, const char* extra_headers = "")
{
    mg_printf(conn,
              "HTTP/1.1 %d %s\r\n"
              "Content-Type: text/plain; charset=utf-8\r\n"
              "Cache-Control: no-store\r\n"
              "Content-Length: %zu\r\n"
              "%s"
              "Connection: close\r\n\r\n",
              status, status_text, body.size(), extra_headers);
    if (!head && !body.empty()) {
        mg_write(conn, body.data(), body.size());
    }
}

int begin_request(mg_connection* conn)
{
    const mg_request_info* info = mg_get_request_info(conn);
    if (info == nullptr || info->local_uri == nullptr) {
        return 0;
    }
    const std::string_view uri = info->local_uri;
    if (uri != "/healthz" && uri != "/readyz") {
        return 0;  // /metrics and everything else: the Exposer's handlers (or civetweb's 404)
    }
    const std::string_view method = info->request_method != nullptr ? info->request_method : "";
    const bool head = method == "HEAD";
    if (method != "GET" && !head) {
        respond(conn, 405, "Method Not Allowed", "method not allowed\n", false,
                "Allow: GET, HEAD\r\n");
        return 405;
    }
    if (uri == "/healthz") {
        respond(conn, 200, "OK", "ok\n", head);
        return 200;
    }
    std::function<Readiness()> readiness;
    {
        std::lock_guard lock(g_mutex);
        if (auto it = g_readiness.find(info->server_port); it != g_readiness.end()) {
            readiness = it->second;
        }
    }
    Readiness r;
    if (!readiness) {
        r.reason = "admin server starting or stopping";
    } else {
        try {
            r = readiness();
        } catch (const std::exception& e) {
            // A throwing readiness check is a bug; fail closed: not ready.
            r = Readiness{false, std::string("readiness check failed: ") + e.what()};
        } catch (...) {
            r = Readiness{false, "readiness check failed"};
        }
    }
    // One line each: reasons may come from anywhere (a backend error text).
    auto one_line = [](std::string text) {
        for (char& c : text) {
            if (c == '\n' || c == '\r') {
                c = ' ';
            }
        }
        return text;
    };
    std::string products;
    for (const auto& u : r.unavailable) {
        products += one_line(u) + "\n";
    }
    const bool strict = info->query_string != nullptr &&
                        std::string_view(info->query_string).starts_with("strict");
    if (r.ready && r.unavailable.empty()) {
        respond(conn, 200, "OK", "ready\n", head);
        return 200;
    }
    if (r.ready && !strict) {
        respond(conn, 200, "OK", "ready (degraded)\n" + products, head);
        return 200;
    }
    std::string body;
    if (r.ready) {
        body = "not ready: " + std::to_string(r.unavailable.size()) +
               " data product(s) unavailable\n" + products;
    } else {
        body = "not ready: " +
               one_line(r.reason.empty() ? std::string("unknown") : r.reason) + "\n" + products;
    }
    respond(conn, 503, "Service Unavailable", body, head);
    return 503;
}

std::string bind_address(const std::string& host, uint16_t port)
{
    // civetweb wants IPv6 literals in brackets.
    if (host.find(':') != std::string::npos && !host.starts_with("[")) {
        return "[" + host + "]:" + std::to_string(port);
    }
    return host + ":" + std::to_string(port);
}

}  // namespace

Result<std::unique_ptr<AdminServer>> AdminServer::start(
    const std::string& host, uint16_t port, std::shared_ptr<prometheus::Collectable> metrics,
    std::function<Readiness()> readiness)
{
    std::unique_ptr<AdminServer> s(new AdminServer());
    s->metrics_ = std::move(metrics);
    // civetweb copies the callbacks at start, so a local is enough.
    CivetCallbacks callbacks;
    callbacks.begin_request = &begin_request;
    const std::string address = bind_address(host, port);
    try {
        s->exposer_ = std::make_unique<prometheus::Exposer>(address, 2, &callbacks);
    } catch (const std::exception& e) {
        return Error("58000", "cannot listen on admin address " + address + ": " + e.what());
    }
    const auto ports = s->exposer_->GetListeningPorts();
    if (ports.empty() || ports.front() <= 0 || ports.front() > 65535) {
        return Error("58000", "admin server on " + address + " reports no listening port");
    }
    s->port_ = static_cast<uint16_t>(ports.front());
    {
        std::lock_guard lock(g_mutex);
        g_readiness[s->port_] = std::move(readiness);
    }
    if (s->metrics_) {
        s->exposer_->RegisterCollectable(s->metrics_);
    }
    return s;
}

AdminServer::~AdminServer()
{
    if (port_ != 0) {
        std::lock_guard lock(g_mutex);
        g_readiness.erase(port_);
    }
    exposer_.reset();  // stops civetweb (about 2 s)
}

}  // namespace meshgate::proxy
