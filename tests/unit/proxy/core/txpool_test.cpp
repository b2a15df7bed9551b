// Unit tests of transaction pool mode's pure parts: backend statement names, the settings
// tracker (what a client SET, as PostgreSQL keeps it), and hidden ResponseQueue entries.
#include "proxy/session/response_queue.hpp"
#include "proxy/session/txpool.hpp"

#include <doctest/doctest.h>

using meshgate::proxy::Awaited;
using meshgate::proxy::ResponseQueue;
using meshgate::proxy::txpool::append_statement;
using meshgate::proxy::txpool::backend_statement_name;
using meshgate::proxy::txpool::SettingsTracker;
using meshgate::proxy::txpool::statement_key;
using Outcome = ResponseQueue::Outcome;

TEST_SUITE("proxy.txpool") {
TEST_CASE("backend statement names depend on text and parameter types only") {
    const auto a = backend_statement_name("SELECT $1", {23});
    CHECK(a == backend_statement_name("SELECT $1", {23}));
    CHECK(a != backend_statement_name("SELECT $1", {25}));
    CHECK(a != backend_statement_name("SELECT $1 ", {23}));
    CHECK(a != backend_statement_name("SELECT $1", {}));
    CHECK(a.rfind("mg_", 0) == 0);
    CHECK(a.size() == 3 + 32);
    CHECK(statement_key("SELECT 1", {23, 25}) != statement_key("SELECT 1", {23}));
    // No ambiguity between text and type list.
    CHECK(statement_key("a", {1}) != statement_key("a1", {}));
}

TEST_CASE("append_statement separates with a newline so a line comment ends") {
    std::string s;
    append_statement(s, "SET a = 1 -- note");
    append_statement(s, "SET b = 2");
    CHECK(s == "SET a = 1 -- note;\nSET b = 2");
}

TEST_CASE("a SET outside a transaction counts once its cycle ends without error") {
    SettingsTracker t;
    t.begin_cycle('I');
    t.on_command("SET DateStyle = 'SQL, DMY'", "SET");
    t.on_command("SET application_name TO 'x'", "SET");
    CHECK(t.script().empty());
    t.end_cycle(false, 'I');
    CHECK(t.script() == "SET DateStyle = 'SQL, DMY';\nSET application_name TO 'x'");
    CHECK(t.take_touched());
    CHECK_FALSE(t.take_uncertain());
    // A later SET of the same setting replaces the earlier one (names compare as PostgreSQL's).
    t.on_command("set datestyle = 'ISO'", "SET");
    t.end_cycle(false, 'I');
    CHECK(t.script() == "SET application_name TO 'x';\nset datestyle = 'ISO'");
}

TEST_CASE("an error in the cycle rolls back its implicit transaction's SETs") {
    SettingsTracker t;
    t.on_command("SET TimeZone = 'UTC'", "SET");
    t.end_cycle(true, 'I');
    CHECK(t.script().empty());
    CHECK(t.take_uncertain());
}

TEST_CASE("inside a block: COMMIT keeps, ROLLBACK drops, SET LOCAL never stays") {
    SettingsTracker t;
    t.on_command("BEGIN", "BEGIN");
    t.on_command("SET statement_timeout = '5s'", "SET");
    t.on_command("SET LOCAL TimeZone = 'UTC'", "SET");
    t.end_cycle(false, 'T');
    CHECK(t.script().empty());
    t.on_command("COMMIT", "COMMIT");
    t.end_cycle(false, 'I');
    CHECK(t.script() == "SET statement_timeout = '5s'");

    t.begin_cycle('I');
    t.on_command("BEGIN", "BEGIN");
    t.on_command("SET DateStyle = 'German'", "SET");
    t.on_command("ROLLBACK", "ROLLBACK");
    t.end_cycle(false, 'I');
    CHECK(t.script() == "SET statement_timeout = '5s'");
    // COMMIT of a failed block answers ROLLBACK.
    t.on_command("BEGIN", "BEGIN");
    t.on_command("SET DateStyle = 'German'", "SET");
    t.end_cycle(true, 'E');
    t.on_command("COMMIT", "ROLLBACK");
    t.end_cycle(false, 'I');
    CHECK(t.script() == "SET statement_timeout = '5s'");
}

TEST_CASE("SETs before BEGIN in the same message belong to the block") {
    SettingsTracker t;
    t.on_command("SET DateStyle = 'German'", "SET");
    t.on_command("BEGIN", "BEGIN");
    t.on_command("ROLLBACK", "ROLLBACK");
    t.end_cycle(false, 'I');
    CHECK(t.script().empty());
}

TEST_CASE("RESET, RESET ALL, SET TO DEFAULT and DISCARD ALL forget and force a replay") {
    SettingsTracker t;
    t.on_command("SET DateStyle = 'German'", "SET");
    t.on_command("SET TimeZone = 'UTC'", "SET");
    t.end_cycle(false, 'I');
    (void)t.take_uncertain();
    t.on_command("RESET datestyle", "RESET");
    t.end_cycle(false, 'I');
    CHECK(t.script() == "SET TimeZone = 'UTC'");
    CHECK(t.take_uncertain());
    t.on_command("SET TimeZone TO DEFAULT", "SET");
    t.end_cycle(false, 'I');
    CHECK(t.script().empty());
    t.on_command("SET TimeZone = 'UTC'", "SET");
    t.on_command("RESET ALL", "RESET");
    t.end_cycle(false, 'I');
    CHECK(t.script().empty());
    t.on_command("SET TimeZone = 'UTC'", "SET");
    t.end_cycle(false, 'I');
    (void)t.take_uncertain();
    t.on_command("DISCARD ALL", "DISCARD ALL");
    t.end_cycle(false, 'I');
    CHECK(t.script().empty());
    CHECK(t.take_uncertain());
}

TEST_CASE("a SET meshgate cannot parse makes the connection's settings unknown") {
    SettingsTracker t;
    t.on_command("SELECT 1", "SET");
    CHECK(t.take_uncertain());
    CHECK(t.script().empty());
}

TEST_CASE("ROLLBACK TO SAVEPOINT after a SET leaves the settings uncertain") {
    SettingsTracker t;
    t.on_command("BEGIN", "BEGIN");
    t.on_command("SAVEPOINT s", "SAVEPOINT");
    t.on_command("SET DateStyle = 'German'", "SET");
    t.on_command("ROLLBACK TO SAVEPOINT s", "ROLLBACK");
    t.end_cycle(false, 'T');
    CHECK(t.take_uncertain());
}

TEST_CASE("SELECTs and other tags change nothing") {
    SettingsTracker t;
    t.on_command("SELECT 1", "SELECT 1");
    t.on_command("PREPARE p AS SELECT 1", "PREPARE");
    t.end_cycle(false, 'I');
    CHECK(t.script().empty());
    CHECK_FALSE(t.take_touched());
    CHECK_FALSE(t.take_uncertain());
}
}

TEST_SUITE("proxy.response_queue.hidden") {
TEST_CASE("a hidden Parse completes without reaching the client and runs its callback") {
    ResponseQueue q;
    int done = 0;
    q.hidden(Awaited::Parse, [&] { ++done; });
    q.expect(Awaited::Bind, "", [&] { done += 10; });
    q.expect(Awaited::Execute, "SELECT 1");
    q.expect(Awaited::Sync);
    CHECK(q.front_hidden());
    CHECK(q.on_backend('1') == Outcome::Hidden);
    CHECK(done == 1);
    CHECK_FALSE(q.front_hidden());
    CHECK(q.on_backend('2') == Outcome::Completed);
    CHECK(done == 11);
    CHECK(q.front_note() == "SELECT 1");
    CHECK(q.on_backend('D') == Outcome::Pass);
    CHECK(q.on_backend('C') == Outcome::Completed);
    CHECK(q.front_note().empty());
    CHECK(q.on_backend('Z') == Outcome::Ready);
    CHECK(q.empty());
}

TEST_CASE("a failing hidden Parse drops what follows and never runs the callbacks") {
    ResponseQueue q;
    int done = 0;
    q.hidden(Awaited::Parse, [&] { ++done; });
    q.expect(Awaited::Bind, "", [&] { ++done; });
    q.local(Awaited::Close, [](std::string& out) { out += "[3]"; });
    q.expect(Awaited::Sync);
    CHECK(q.on_backend('E') == Outcome::Failed);
    std::string out;
    q.emit_local(out);
    CHECK(out.empty());
    CHECK(q.on_backend('Z') == Outcome::Ready);
    CHECK(done == 0);
}
}
