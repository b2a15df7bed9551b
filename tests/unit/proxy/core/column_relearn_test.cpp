// ColumnRelearner: a product refused as unavailable is read again at its next use, at most once
// per interval, and the result is published only over the snapshot it was read from.
// Layer: tests (proxy). The backend is a closed local port: every read fails fast, with a reason
// that differs from the one the test starts with, so "read again" is observable.
#include "policy/source_check.hpp"
#include "proxy/backend/column_learner.hpp"
#include "proxy/log.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <doctest/doctest.h>

#include <mutex>

using namespace meshgate;
namespace asio = boost::asio;

namespace {

uint16_t closed_port()
{
    asio::io_context io;
    asio::ip::tcp::acceptor a(io, {asio::ip::make_address("127.0.0.1"), 0});
    return a.local_endpoint().port();  // closed when `a` goes
}

config::SnapshotPtr make_snapshot(uint16_t port)
{
    auto s = std::make_shared<config::Snapshot>();
    s->generation = 7;
    config::Backend b;
    b.name = "wh";
    b.host = "127.0.0.1";
    b.port = port;
    b.database = "db";
    b.user = "svc";
    b.tls = config::TlsMode::Disable;
    b.connect_timeout_ms = 2000;
    s->backends["wh"] = b;
    auto& d = s->domains["dom"];
    d.name = "dom";
    d.backend = "wh";
    for (const char* name : {"a", "b"}) {
        config::Product p;
        p.domain = "dom";
        p.name = name;
        p.source_schema = "public";
        p.source_relation = name;
        p.unavailable = "its backend wh cannot be reached (at start)";
        d.products[name] = p;
    }
    return s;
}

policy::Deny deny_of(const config::Snapshot& s, const std::string& product)
{
    const auto e = policy::unavailable_error(s.domains.at("dom").products.at(product), s);
    policy::Deny d;
    d.sqlstate = e.sqlstate;
    d.message = e.message;
    return d;
}

struct Server {
    std::mutex m;
    config::SnapshotPtr current;
    bool refuse = false;
    int published = 0;
    config::SnapshotPtr get()
    {
        std::lock_guard l(m);
        return current;
    }
    bool publish(const config::SnapshotPtr& expected, config::SnapshotPtr next)
    {
        std::lock_guard l(m);
        if (refuse || current != expected) {
            return false;
        }
        current = std::move(next);
        ++published;
        return true;
    }
};

config::SnapshotPtr retry(proxy::ColumnRelearner& r, const policy::Deny& d, config::SnapshotPtr s)
{
    asio::io_context io;
    config::SnapshotPtr out;
    asio::co_spawn(io, r.retry(d, s), [&](std::exception_ptr e, config::SnapshotPtr v) {
        REQUIRE_FALSE(e);
        out = std::move(v);
    });
    io.run();
    return out;
}

}  // namespace

TEST_SUITE("proxy.column_relearn") {
TEST_CASE("the refusal names exactly one unavailable product")
{
    const auto s = make_snapshot(1);
    const auto d = deny_of(*s, "a");
    CHECK(proxy::unavailable_products_of(d, *s) == std::vector<std::string>{"dom.a"});
    auto other = d;
    other.sqlstate = "42501";
    CHECK(proxy::unavailable_products_of(other, *s).empty());
    other = d;
    other.message += " ";
    CHECK(proxy::unavailable_products_of(other, *s).empty());
}

TEST_CASE("read again at the first use, then not again within the interval; reset allows it")
{
    proxy::set_log_level(proxy::LogLevel::Off);
    Server srv;
    srv.current = make_snapshot(closed_port());
    proxy::ColumnRelearner r([&] { return srv.get(); },
                             [&](const config::SnapshotPtr& e, config::SnapshotPtr n) {
                                 return srv.publish(e, std::move(n));
                             },
                             std::chrono::hours(1), std::chrono::milliseconds(3000));
    int prepared = 0;
    r.set_prepare([&](config::Snapshot& s) -> asio::awaitable<void> {
        CHECK(s.domains.at("dom").products.at("a").unavailable.find("(at start)") ==
              std::string::npos);
        ++prepared;
        co_return;
    });
    const auto first = srv.get();
    auto fresh = retry(r, deny_of(*first, "a"), first);
    CHECK(r.reads() == 1);
    CHECK(prepared == 1);  // once, on the changed snapshot, before it was published
    REQUIRE(fresh != nullptr);  // the reason changed: "(at start)" -> the connect error
    CHECK(srv.published == 1);
    CHECK(srv.get() == fresh);
    CHECK(fresh->generation == first->generation);
    const auto& a = fresh->domains.at("dom").products.at("a");
    CHECK(a.unavailable.find("its backend wh cannot be reached") == 0);
    CHECK(a.unavailable != first->domains.at("dom").products.at("a").unavailable);
    // Only the product the statement read was read again.
    CHECK(fresh->domains.at("dom").products.at("b").unavailable ==
          first->domains.at("dom").products.at("b").unavailable);

    // The next statement on it, within the interval: no read, no new snapshot.
    CHECK(retry(r, deny_of(*fresh, "a"), fresh) == nullptr);
    CHECK(r.reads() == 1);
    CHECK(prepared == 1);
    // Another product has its own first use.
    CHECK(retry(r, deny_of(*fresh, "b"), fresh) != nullptr);
    CHECK(r.reads() == 2);
    // After a reload (reset) the product may be read again; same reason now: nothing published.
    r.reset();
    const auto cur = srv.get();
    CHECK(retry(r, deny_of(*cur, "a"), cur) == nullptr);
    CHECK(r.reads() == 3);
    CHECK(srv.published == 2);
    proxy::set_log_level(proxy::LogLevel::Info);
}

TEST_CASE("a reload that came first wins: the statement is decided on the reload's snapshot")
{
    proxy::set_log_level(proxy::LogLevel::Off);
    Server srv;
    const auto old = make_snapshot(closed_port());
    srv.current = make_snapshot(closed_port());  // "the reload"
    proxy::ColumnRelearner r([&] { return srv.get(); },
                             [&](const config::SnapshotPtr& e, config::SnapshotPtr n) {
                                 return srv.publish(e, std::move(n));
                             },
                             std::chrono::hours(1), std::chrono::milliseconds(3000));
    const auto reloaded = srv.get();
    CHECK(retry(r, deny_of(*old, "a"), old) == reloaded);
    CHECK(srv.published == 0);
    CHECK(srv.get() == reloaded);
    proxy::set_log_level(proxy::LogLevel::Info);
}

TEST_CASE("background refresh: only products on backends that were up, on its own clock")
{
    proxy::set_log_level(proxy::LogLevel::Off);
    Server srv;
    srv.current = make_snapshot(closed_port());
    proxy::ColumnRelearner r([&] { return srv.get(); },
                             [&](const config::SnapshotPtr& e, config::SnapshotPtr n) {
                                 return srv.publish(e, std::move(n));
                             },
                             std::chrono::hours(1), std::chrono::milliseconds(3000));
    auto run = [&](std::vector<std::string> up) {
        asio::io_context io;
        asio::co_spawn(io, r.refresh(std::move(up)), [](std::exception_ptr e) { REQUIRE_FALSE(e); });
        io.run();
    };
    run({"other"});
    CHECK(r.reads() == 0);
    run({"wh"});
    CHECK(r.reads() == 2);  // dom.a and dom.b
    CHECK(srv.published == 1);
    run({"wh"});
    CHECK(r.reads() == 2);  // not due again within the interval
    // A statement's first use is not delayed by the background read.
    const auto cur = srv.get();
    CHECK(retry(r, deny_of(*cur, "a"), cur) == nullptr);  // same reason: nothing new
    CHECK(r.reads() == 3);
    proxy::set_log_level(proxy::LogLevel::Info);
}
}
