// AuditWriter: queueing, refusal when full or failing, recovery, chain resume and rotation.
// Threads are synchronised with condition variables, never sleeps. Layer: tests (proxy/audit).
#include "proxy/audit/audit_writer.hpp"

#include "policy/audit/hash_chain.hpp"
#include "proxy/audit/file_sink.hpp"

#include <doctest/doctest.h>

#include <unistd.h>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>

using namespace meshgate;
using namespace meshgate::proxy;
using namespace std::chrono_literals;

namespace {

class FixedClock final : public WallClock {
public:
    std::chrono::system_clock::time_point now() const override
    {
        return std::chrono::system_clock::time_point(std::chrono::seconds(1790000000));
    }
};

/// An in-memory sink whose writes can fail or block, shared with the test through `State`.
struct SinkState {
    std::mutex m;
    std::condition_variable cv;
    std::string data;
    bool fail = false;
    bool block = false;     // write() waits while true
    bool in_write = false;  // a write() is waiting on `block`
    int opens = 0;
    int syncs = 0;
};

class FakeSink final : public AuditSink {
public:
    explicit FakeSink(std::shared_ptr<SinkState> s, bool rotatable = true)
        : s_(std::move(s)), rotatable_(rotatable)
    {
    }
    Result<SinkTail> open() override
    {
        std::lock_guard lock(s_->m);
        ++s_->opens;
        if (s_->fail) {
            return Error("58030", "cannot open fake");
        }
        SinkTail t;
        if (!s_->data.empty()) {
            t.empty = false;
            t.terminated = s_->data.back() == '\n';
            std::string_view body(s_->data);
            if (t.terminated) {
                body.remove_suffix(1);
            }
            const auto nl = body.rfind('\n');
            t.last_line = std::string(nl == std::string_view::npos ? body : body.substr(nl + 1));
        }
        return t;
    }
    Result<void> write(std::string_view bytes) override
    {
        std::unique_lock lock(s_->m);
        s_->in_write = true;
        s_->cv.notify_all();
        s_->cv.wait(lock, [&] { return !s_->block; });
        s_->in_write = false;
        if (s_->fail) {
            return Error("58030", "disk full");
        }
        s_->data.append(bytes);
        s_->cv.notify_all();
        return {};
    }
    Result<void> sync() override
    {
        std::lock_guard lock(s_->m);
        ++s_->syncs;
        return {};
    }
    bool rotatable() const override { return rotatable_; }
    std::string name() const override { return "fake"; }

private:
    std::shared_ptr<SinkState> s_;
    bool rotatable_;
};

audit::AuditEvent statement(int i)
{
    audit::AuditEvent e;
    e.kind = audit::EventKind::Statement;
    e.session = "s1";
    e.user = "alice";
    e.client = "127.0.0.1:1";
    e.statement = "SELECT " + std::to_string(i);
    e.decision = audit::StatementDecision::Allow;
    return e;
}

std::string snapshot(const std::shared_ptr<SinkState>& s)
{
    std::lock_guard lock(s->m);
    return s->data;
}

void set(const std::shared_ptr<SinkState>& s, bool SinkState::*field, bool value)
{
    {
        std::lock_guard lock(s->m);
        (*s).*field = value;
    }
    s->cv.notify_all();
}

void wait_in_write(const std::shared_ptr<SinkState>& s)
{
    std::unique_lock lock(s->m);
    REQUIRE(s->cv.wait_for(lock, 5s, [&] { return s->in_write; }));
}

std::string read_file(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

struct TempDir {
    std::filesystem::path path;
    TempDir()
    {
        char tmpl[] = "/tmp/meshgate-audit-test.XXXXXX";
        REQUIRE(::mkdtemp(tmpl) != nullptr);
        path = tmpl;
    }
    ~TempDir() { std::filesystem::remove_all(path); }
};

}  // namespace

TEST_SUITE("proxy.audit_writer")
{
    TEST_CASE("events are written as a verifiable chain after a start marker, stamped by the clock")
    {
        auto s = std::make_shared<SinkState>();
        FixedClock clock;
        AuditWriter w(std::make_unique<FakeSink>(s), clock);
        REQUIRE(w.start().has_value());
        CHECK(w.healthy());
        for (int i = 0; i < 20; ++i) {
            CHECK(w.submit(statement(i)));
        }
        REQUIRE(w.flush(5s));
        const auto text = snapshot(s);
        const auto r = audit::verify(text);
        CHECK(r.ok);
        CHECK(r.lines == 21);
        CHECK(text.find("\"event\":\"audit\"") < text.find("\"event\":\"statement\""));
        CHECK(text.find("\"ts\":\"2026-09-21T14:13:20.000000Z") !=
              std::string::npos);  // 1790000000 s
        CHECK(text.find("\"statement\":\"SELECT 19\"") != std::string::npos);
        CHECK(w.stats().lines_written == 21);
        CHECK(s->syncs >= 1);
    }

    TEST_CASE("a full queue refuses new events and reservations with SQLSTATE 58030")
    {
        auto s = std::make_shared<SinkState>();
        FixedClock clock;
        AuditWriter::Options o;
        o.max_queue = 3;
        o.max_batch = 1;
        AuditWriter w(std::make_unique<FakeSink>(s), clock, o);
        REQUIRE(w.start().has_value());
        set(s, &SinkState::block, true);
        REQUIRE(w.submit(statement(1)));
        wait_in_write(s);  // event 1 is in flight: depth 1
        CHECK(w.submit(statement(2)));
        auto slot = w.reserve();
        REQUIRE(slot.has_value());  // depth 3 = max
        CHECK_FALSE(w.submit(statement(4)));
        CHECK_FALSE(w.reserve().has_value());
        const auto err = w.unavailable_error();
        CHECK(err.sqlstate == "58030");
        CHECK(err.message == "audit log unavailable: the audit queue is full");
        CHECK(w.stats().refused == 2);
        CHECK(w.stats().queue_depth == 3);
        CHECK(w.healthy());  // overload is not a broken log

        // A reserved place is always honoured, then everything drains in order.
        slot->commit(statement(3));
        set(s, &SinkState::block, false);
        REQUIRE(w.flush(5s));
        const auto text = snapshot(s);
        CHECK(audit::verify(text).ok);
        CHECK(text.find("SELECT 1\"") < text.find("SELECT 2\""));
        CHECK(text.find("SELECT 2\"") < text.find("SELECT 3\""));
        CHECK(w.stats().queue_depth == 0);
    }

    TEST_CASE("a dropped reservation gives its place back")
    {
        auto s = std::make_shared<SinkState>();
        FixedClock clock;
        AuditWriter::Options o;
        o.max_queue = 1;
        AuditWriter w(std::make_unique<FakeSink>(s), clock, o);
        REQUIRE(w.start().has_value());
        {
            auto slot = w.reserve();
            REQUIRE(slot.has_value());
            CHECK_FALSE(w.reserve().has_value());
        }
        CHECK(w.reserve().has_value());
    }

    TEST_CASE("a failing log refuses statements, keeps queued events and recovers on reopen")
    {
        auto s = std::make_shared<SinkState>();
        FixedClock clock;
        AuditWriter::Options o;
        o.retry_interval = 1h;  // only reopen() triggers the retry: no timing in the test
        AuditWriter w(std::make_unique<FakeSink>(s), clock, o);
        REQUIRE(w.start().has_value());
        set(s, &SinkState::fail, true);
        REQUIRE(w.submit(statement(1)));
        CHECK_FALSE(w.flush(5s));
        CHECK_FALSE(w.healthy());
        CHECK(w.problem() == "disk full");
        CHECK_FALSE(w.submit(statement(2)));
        CHECK_FALSE(w.reserve().has_value());
        CHECK(w.unavailable_error().message == "audit log unavailable: disk full");
        CHECK(w.stats().write_failures >= 1);

        set(s, &SinkState::fail, false);
        w.reopen();
        // flush() returns at once while unhealthy, so wait for the recovery itself.
        {
            std::unique_lock lock(s->m);
            REQUIRE(s->cv.wait_for(lock, 5s,
                                   [&] { return s->data.find("SELECT 1") != std::string::npos; }));
        }
        REQUIRE(w.flush(5s));
        CHECK(w.healthy());
        CHECK(w.submit(statement(3)));
        REQUIRE(w.flush(5s));
        const auto text = snapshot(s);
        CHECK(audit::verify(text).ok);
        CHECK(text.find("SELECT 1") != std::string::npos);
        CHECK(text.find("SELECT 3") != std::string::npos);
    }

    TEST_CASE("a writer that cannot open its log does not start")
    {
        auto s = std::make_shared<SinkState>();
        s->fail = true;
        FixedClock clock;
        AuditWriter w(std::make_unique<FakeSink>(s), clock);
        const auto r = w.start();
        REQUIRE_FALSE(r.has_value());
        CHECK(r.error().message == "cannot open fake");
        CHECK_FALSE(w.healthy());
        CHECK_FALSE(w.submit(statement(1)));
    }

    TEST_CASE("reopen is a no-op for stdout-like sinks")
    {
        auto s = std::make_shared<SinkState>();
        FixedClock clock;
        AuditWriter w(std::make_unique<FakeSink>(s, false), clock);
        REQUIRE(w.start().has_value());
        w.reopen();
        REQUIRE(w.submit(statement(1)));
        REQUIRE(w.flush(5s));
        CHECK(s->opens == 1);
        CHECK(audit::verify(snapshot(s)).lines == 2);
    }

    TEST_CASE("a file log resumes its chain across restarts and survives rotation")
    {
        TempDir dir;
        const std::string path = (dir.path / "audit.jsonl").string();
        FixedClock clock;
        {
            AuditWriter w(std::make_unique<FileSink>(path), clock);
            REQUIRE(w.start().has_value());
            CHECK(w.submit(statement(1)));
            REQUIRE(w.flush(5s));
        }
        {
            AuditWriter w(std::make_unique<FileSink>(path), clock);
            REQUIRE(w.start().has_value());
            CHECK(w.submit(statement(2)));
            REQUIRE(w.flush(5s));

            // logrotate: rename, then SIGHUP -> reopen() onto a new, empty file.
            std::filesystem::rename(path, path + ".1");
            w.reopen();
            CHECK(w.submit(statement(3)));
            REQUIRE(w.flush(5s));
        }
        const auto old_file = read_file(path + ".1");
        const auto new_file = read_file(path);
        const auto r_old = audit::verify(old_file);
        CHECK(r_old.ok);
        CHECK(r_old.lines == 4);  // start marker, 1, restart marker, 2
        CHECK(old_file.find("the chain continues from seq 2") != std::string::npos);
        const auto r_new = audit::verify(new_file);
        CHECK(r_new.ok);
        CHECK(r_new.first_seq == 5);
        CHECK(new_file.find("\"file_start\":true") != std::string::npos);
        CHECK(audit::verify(old_file + new_file).ok);
    }

    TEST_CASE("a file whose last line is cut gets a new chain after it, and verify reports the cut")
    {
        TempDir dir;
        const std::string path = (dir.path / "audit.jsonl").string();
        FixedClock clock;
        {
            AuditWriter w(std::make_unique<FileSink>(path), clock);
            REQUIRE(w.start().has_value());
            CHECK(w.submit(statement(1)));
            REQUIRE(w.flush(5s));
        }
        const auto before = read_file(path);
        std::filesystem::resize_file(path, before.size() - 10);  // a crash mid-write
        {
            AuditWriter w(std::make_unique<FileSink>(path), clock);
            REQUIRE(w.start().has_value());
            CHECK(w.submit(statement(2)));
            REQUIRE(w.flush(5s));
        }
        const auto text = read_file(path);
        const auto r = audit::verify(text);
        CHECK_FALSE(r.ok);
        CHECK(r.first_bad_line == 2);
        // The lines after the broken one form a new intact chain announced by a marker.
        const auto third = text.find('\n', text.find('\n') + 1) + 1;
        const auto rest = text.substr(third);
        CHECK(rest.starts_with("{\"seq\":1,"));
        CHECK(rest.find("new chain: the audit log") != std::string::npos);
        CHECK(audit::verify(rest).ok);
    }

    TEST_CASE("a log path that cannot be opened is an error naming the path")
    {
        FileSink sink("/nonexistent-dir/audit.jsonl");
        const auto r = sink.open();
        REQUIRE_FALSE(r.has_value());
        CHECK(r.error().sqlstate == "58030");
        CHECK(r.error().message.find("/nonexistent-dir/audit.jsonl") != std::string::npos);
    }

    TEST_CASE("a writer kept running after a failed start refuses until its log opens, then writes")
    {
        auto s = std::make_shared<SinkState>();
        s->fail = true;
        FixedClock clock;
        AuditWriter::Options o;
        o.retry_interval = 1h;  // only reopen() triggers the retry
        AuditWriter w(std::make_unique<FakeSink>(s), clock, o);
        const auto r = w.start(true);
        REQUIRE_FALSE(r.has_value());
        CHECK_FALSE(w.healthy());
        CHECK_FALSE(w.reserve().has_value());
        CHECK(w.unavailable_error().sqlstate == "58030");
        CHECK(w.unavailable_error().message == "audit log unavailable: cannot open fake");

        set(s, &SinkState::fail, false);
        w.reopen();
        {
            std::unique_lock lock(s->m);
            REQUIRE(s->cv.wait_for(lock, 5s, [&] { return !s->data.empty(); }));
        }
        // The marker is written before the writer turns healthy: wait for that too.
        for (int i = 0; i < 500 && !w.healthy(); ++i) {
            std::this_thread::sleep_for(10ms);
        }
        REQUIRE(w.healthy());
        REQUIRE(w.submit(statement(7)));
        REQUIRE(w.flush(5s));
        const auto text = snapshot(s);
        CHECK(audit::verify(text).ok);
        CHECK(text.find("SELECT 7") != std::string::npos);
    }
}
