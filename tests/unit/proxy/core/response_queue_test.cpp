// Unit tests of ResponseQueue: meshgate's own answers keep PostgreSQL's order in a batch.
#include "proxy/session/response_queue.hpp"

#include <doctest/doctest.h>

using meshgate::proxy::Awaited;
using meshgate::proxy::ResponseQueue;
using Outcome = ResponseQueue::Outcome;

namespace {

std::function<void(std::string&)> says(std::string text)
{
    return [text](std::string& out) { out += text; };
}

}  // namespace

TEST_SUITE("proxy.response_queue") {
TEST_CASE("a refused Parse after a forwarded one is answered after ParseComplete") {
    ResponseQueue q;
    q.expect(Awaited::Parse);
    q.local(Awaited::Parse, says("[E]"));
    q.expect(Awaited::Sync);
    std::string out;
    q.emit_local(out);
    CHECK(out.empty());
    REQUIRE(q.awaiting_backend());
    CHECK(q.on_backend('1') == Outcome::Completed);
    q.emit_local(out);
    CHECK(out == "[E]");
    REQUIRE(q.awaiting_backend());
    CHECK(q.on_backend('Z') == Outcome::Ready);
    CHECK(q.empty());
}

TEST_CASE("front_awaits and count_awaiting see only the client's forwarded messages") {
    // The per-Execute audit pairs these counts with its own list: hidden and local entries
    // must not count, and an error drops the forwarded ones up to Sync.
    ResponseQueue q;
    q.hidden(Awaited::Parse);
    q.expect(Awaited::Parse);
    q.expect(Awaited::Bind);
    q.expect(Awaited::Execute);
    q.local(Awaited::Execute, says("[C]"));
    q.expect(Awaited::Bind);
    q.expect(Awaited::Execute);
    q.expect(Awaited::Sync);
    CHECK_FALSE(q.front_awaits(Awaited::Parse));  // the hidden one is first
    CHECK(q.count_awaiting(Awaited::Parse) == 1);
    CHECK(q.count_awaiting(Awaited::Execute) == 2);
    CHECK(q.on_backend('1') == Outcome::Hidden);
    CHECK(q.front_awaits(Awaited::Parse));
    CHECK(q.on_backend('1') == Outcome::Completed);
    CHECK(q.on_backend('2') == Outcome::Completed);
    CHECK(q.front_awaits(Awaited::Execute));
    CHECK(q.on_backend('E') == Outcome::Failed);
    CHECK(q.count_awaiting(Awaited::Execute) == 0);
    CHECK(q.count_awaiting(Awaited::Sync) == 1);
}

TEST_CASE("a local answer is dropped when the backend failed earlier in the batch") {
    ResponseQueue q;
    q.expect(Awaited::Parse);
    q.expect(Awaited::Bind);
    q.local(Awaited::Parse, says("[local error]"));
    q.expect(Awaited::Sync);
    CHECK(q.on_backend('E') == Outcome::Failed);
    std::string out;
    q.emit_local(out);
    CHECK(out.empty());
    REQUIRE(q.awaiting_backend());
    CHECK(q.size() == 1);
    CHECK(q.on_backend('Z') == Outcome::Ready);
    CHECK(q.empty());
}

TEST_CASE("a dropped local answer never runs its effect") {
    ResponseQueue q;
    bool applied = false;
    q.expect(Awaited::Execute);
    q.local(Awaited::Execute, [&](std::string&) { applied = true; });
    q.expect(Awaited::Sync);
    CHECK(q.on_backend('E') == Outcome::Failed);
    std::string out;
    q.emit_local(out);
    CHECK_FALSE(applied);
}

TEST_CASE("rows and notices pass while Execute waits for its completion") {
    ResponseQueue q;
    q.expect(Awaited::Execute);
    for (char tag : {'D', 'D', 'N', 'S', 'A', 'H', 'd', 'c'}) {
        CAPTURE(tag);
        CHECK(q.on_backend(tag) == Outcome::Pass);
    }
    SUBCASE("CommandComplete") { CHECK(q.on_backend('C') == Outcome::Completed); }
    SUBCASE("PortalSuspended") { CHECK(q.on_backend('s') == Outcome::Completed); }
    SUBCASE("EmptyQueryResponse") { CHECK(q.on_backend('I') == Outcome::Completed); }
}

TEST_CASE("Describe of a statement completes after ParameterDescription and RowDescription") {
    ResponseQueue q;
    q.expect(Awaited::Describe);
    q.expect(Awaited::Describe);
    CHECK(q.on_backend('t') == Outcome::Pass);
    CHECK(q.on_backend('T') == Outcome::Completed);
    CHECK(q.on_backend('t') == Outcome::Pass);
    CHECK(q.on_backend('n') == Outcome::Completed);
    CHECK(q.empty());
}

TEST_CASE("a completion nobody waits for is reported as out of step") {
    ResponseQueue q;
    q.expect(Awaited::Parse);
    CHECK(q.on_backend('2') == Outcome::Unexpected);
    CHECK(q.on_backend('Z') == Outcome::Unexpected);
    CHECK(q.on_backend('C') == Outcome::Unexpected);
}

TEST_CASE("a simple Query passes everything until ReadyForQuery, errors included") {
    ResponseQueue q;
    q.expect(Awaited::Query);
    for (char tag : {'T', 'D', 'C', 'E', 'I', 'N'}) {
        CAPTURE(tag);
        const auto o = q.on_backend(tag);
        CHECK((o == Outcome::Pass || o == Outcome::Failed));
    }
    CHECK(q.on_backend('Z') == Outcome::Ready);
    CHECK(q.empty());
}

TEST_CASE("an error at Sync keeps the Sync waiting for ReadyForQuery") {
    ResponseQueue q;
    q.expect(Awaited::Sync);
    CHECK(q.on_backend('E') == Outcome::Failed);
    CHECK(q.size() == 1);
    CHECK(q.on_backend('Z') == Outcome::Ready);
}

TEST_CASE("after a Flush-ended batch fails, has_sync tells there is no Sync yet") {
    ResponseQueue q;
    q.expect(Awaited::Parse);
    q.expect(Awaited::Describe);
    CHECK_FALSE(q.has_sync());
    CHECK(q.on_backend('E') == Outcome::Failed);
    CHECK(q.empty());
}

TEST_CASE("local answers ahead of backend ones are emitted in order at once") {
    ResponseQueue q;
    q.local(Awaited::Parse, says("1"));
    q.local(Awaited::Bind, says("2"));
    q.expect(Awaited::Execute);
    q.local(Awaited::Sync, says("Z"));
    std::string out;
    q.emit_local(out);
    CHECK(out == "12");
    CHECK(q.on_backend('C') == Outcome::Completed);
    q.emit_local(out);
    CHECK(out == "12Z");
    CHECK(q.empty());
}
}
