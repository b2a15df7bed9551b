// Statement classes, multi-statement messages, extended protocol, settings. Layer: tests (policy).
#include "policy/decide.hpp"
#include "support/fixtures.hpp"

#include <doctest/doctest.h>

using namespace meshgate::policy;

namespace {
bool has(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }
}  // namespace

TEST_SUITE("policy.statements") {
TEST_CASE("writes, DDL and privileged statements are refused with 42501 naming the kind") {
    struct Row {
        const char* sql;
        const char* kind;
    };
    const Row rows[] = {
        {"INSERT INTO sales.orders VALUES (1)", "INSERT"},
        {"UPDATE sales.orders SET total = 0", "UPDATE"},
        {"DELETE FROM sales.orders", "DELETE"},
        {"CREATE TABLE t (a int)", "CREATE TABLE"},
        {"DROP TABLE public.customers", "DROP"},
        {"TRUNCATE sales.orders", "TRUNCATE"},
        {"GRANT SELECT ON public.customers TO alice", "GRANT"},
        {"DO $$ BEGIN END $$", "DO"},
        {"CALL p()", "CALL"},
        {"COPY public.customers FROM STDIN", "COPY ... FROM"},
        {"COPY public.customers TO '/tmp/x'", "COPY ... TO a file or program"},
        {"LOAD 'x'", "LOAD"},
        {"VACUUM", "VACUUM"},
        {"SELECT * INTO t FROM sales.orders", "SELECT INTO"},
        {"SELECT * FROM sales.orders FOR UPDATE", "FOR UPDATE"},
        {"SELECT * FROM sales.orders FOR SHARE", "FOR UPDATE/SHARE"},
        {"WITH x AS (DELETE FROM sales.orders RETURNING *) SELECT * FROM x", "data-modifying"},
        {"SET ROLE postgres", "SET ROLE"},
        {"SET SESSION AUTHORIZATION postgres", "SET SESSION AUTHORIZATION"},
        {"SET work_mem = '1GB'", "work_mem"},
        {"PREPARE TRANSACTION 'x'", "PREPARE TRANSACTION"},
        {"COMMIT PREPARED 'x'", "COMMIT PREPARED"},
        {"SET standard_conforming_strings = off", "standard_conforming_strings"},
        {"SET client_encoding = 'SJIS'", "SJIS"},
        {"SHOW ALL", "SHOW all"},
    };
    for (const auto& r : rows) {
        CAPTURE(std::string(r.sql));
        const auto d = fixtures::decide_as("alice", r.sql, "fraud");
        REQUIRE(d.is_deny());
        CHECK(d.deny().sqlstate == "42501");
        CHECK(has(d.deny().message, r.kind));
    }
}

TEST_CASE("statements meshgate does not support are refused, never passed") {
    const char* rows[] = {"LISTEN x", "UNLISTEN x", "NOTIFY x", "CHECKPOINT", "ALTER SYSTEM SET work_mem = 1",
                          "CREATE EXTENSION dblink", "SECURITY LABEL ON TABLE t IS 'x'", "REINDEX TABLE t",
                          "CLUSTER t", "LOCK TABLE t", "IMPORT FOREIGN SCHEMA x FROM SERVER s INTO y",
                          "REFRESH MATERIALIZED VIEW v", "COMMENT ON TABLE t IS 'x'", "REASSIGN OWNED BY a TO b"};
    for (const auto* sql : rows) {
        CAPTURE(std::string(sql));
        const auto d = fixtures::decide_as("alice", sql);
        REQUIRE(d.is_deny());
        CHECK((d.deny().sqlstate == "0A000" || d.deny().sqlstate == "42501"));
    }
}

TEST_CASE("transaction control is forwarded as sent and flagged") {
    const char* rows[] = {"BEGIN", "START TRANSACTION ISOLATION LEVEL SERIALIZABLE", "COMMIT",
                          "ROLLBACK", "SAVEPOINT s", "RELEASE SAVEPOINT s", "ROLLBACK TO s",
                          "BEGIN READ ONLY"};
    for (const auto* sql : rows) {
        CAPTURE(std::string(sql));
        const auto d = fixtures::decide_as("alice", sql);
        REQUIRE(d.is_allow());
        REQUIRE(d.allow().steps.size() == 1);
        const auto* f = std::get_if<Forward>(&d.allow().steps[0]);
        REQUIRE(f != nullptr);
        CHECK(f->transaction_control);
        CHECK(f->sql == sql);
        CHECK(d.allow().backend == "sales_pg");
    }
}

TEST_CASE("allowlisted settings are forwarded as sent, SET LOCAL included") {
    const char* rows[] = {"SET application_name = 'psql'", "SET DateStyle TO ISO, MDY",
                          "SET TIME ZONE 'UTC'", "SET LOCAL statement_timeout = 1000",
                          "RESET extra_float_digits", "SHOW server_version",
                          "SHOW TRANSACTION ISOLATION LEVEL", "SET client_encoding = 'UTF8'",
                          "SET standard_conforming_strings = on",
                          "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ"};
    for (const auto* sql : rows) {
        CAPTURE(std::string(sql));
        const auto d = fixtures::decide_as("alice", sql);
        REQUIRE(d.is_allow());
        REQUIRE(d.allow().steps.size() == 1);
        const auto* f = std::get_if<Forward>(&d.allow().steps[0]);
        REQUIRE(f != nullptr);
        CHECK(f->sql == sql);
    }
}

TEST_CASE("search_path and meshgate.purpose are kept locally and never forwarded") {
    const auto d = fixtures::decide_as("alice", "SHOW search_path; RESET search_path; SHOW meshgate.purpose",
                                       "fraud");
    REQUIRE(d.is_allow());
    REQUIRE(d.allow().steps.size() == 3);
    const auto* show = std::get_if<ShowLocal>(&d.allow().steps[0]);
    REQUIRE(show != nullptr);
    CHECK(show->value == "sales");
    const auto* reset = std::get_if<SetLocal>(&d.allow().steps[1]);
    REQUIRE(reset != nullptr);
    CHECK_FALSE(reset->value.has_value());
    CHECK(reset->command_tag == "RESET");
    const auto* purpose = std::get_if<ShowLocal>(&d.allow().steps[2]);
    REQUIRE(purpose != nullptr);
    CHECK(purpose->value == "fraud");
    CHECK(d.allow().backend.empty());
}

TEST_CASE("DISCARD ALL is forwarded and silently resets meshgate's own settings") {
    const auto d = fixtures::decide_as("alice", "DISCARD ALL");
    REQUIRE(d.is_allow());
    REQUIRE(d.allow().steps.size() == 3);
    CHECK(std::holds_alternative<Forward>(d.allow().steps[0]));
    const auto* a = std::get_if<SetLocal>(&d.allow().steps[1]);
    REQUIRE(a != nullptr);
    CHECK(a->command_tag.empty());
}

TEST_CASE("one refused statement refuses the whole message") {
    const auto d = fixtures::decide_as("alice", "SELECT 1; DELETE FROM sales.orders; SELECT 2");
    REQUIRE(d.is_deny());
    CHECK(d.deny().sqlstate == "42501");
    CHECK(has(d.deny().message, "DELETE"));
}

TEST_CASE("each statement of a simple query is decided in order") {
    const auto d = fixtures::decide_as("alice", "SELECT 1; SELECT id FROM sales.orders;BEGIN");
    REQUIRE(d.is_allow());
    REQUIRE(d.allow().steps.size() == 3);
    CHECK(std::get<Forward>(d.allow().steps[0]).sql == "SELECT 1");
    CHECK(has(std::get<Forward>(d.allow().steps[1]).sql, "public.orders"));
    CHECK(std::get<Forward>(d.allow().steps[2]).transaction_control);
}

TEST_CASE("syntax errors are 42601 with the 1-based cursor position") {
    const auto d = fixtures::decide_as("alice", "SELECT FROM WHERE");
    REQUIRE(d.is_deny());
    CHECK(d.deny().sqlstate == "42601");
    CHECK(d.deny().position == 13);
}

TEST_CASE("the extended protocol takes one statement and keeps $n parameters") {
    const auto many = fixtures::decide_as("alice", "SELECT 1; SELECT 2", "", Protocol::Extended);
    REQUIRE(many.is_deny());
    CHECK(many.deny().sqlstate == "42601");
    CHECK(many.deny().message == "cannot insert multiple commands into a prepared statement");

    const auto one = fixtures::decide_as("alice", "SELECT id, $2::text FROM sales.customers WHERE id = $1",
                                         "fraud", Protocol::Extended);
    REQUIRE(one.is_allow());
    const auto sql = one.allow().rewritten();
    CHECK(has(sql, "WHERE id OPERATOR(pg_catalog.=) $1"));
    CHECK(has(sql, "$2::pg_catalog.text"));
}

TEST_CASE("statements without products forward the text exactly as sent") {
    const std::string sql = "select  1 /* keep me */ ,  'x', current_date, $$y$$";
    const auto d = fixtures::decide_as("alice", sql);
    REQUIRE(d.is_allow());
    CHECK(d.allow().rewritten() == sql);
    CHECK(d.allow().catalog_only);
    CHECK(d.allow().backend == "sales_pg");
}

TEST_CASE("an empty message forwards as is") {
    const auto d = fixtures::decide_as("alice", "  ");
    REQUIRE(d.is_allow());
    CHECK(d.allow().steps.size() == 1);
}

TEST_CASE("a NUL byte inside the text is refused") {
    const auto d = decide(std::string_view("SELECT 1\0; DELETE FROM x", 25),
                          fixtures::identity("alice"), fixtures::snapshot());
    CHECK(d.is_deny());
}
}

TEST_SUITE("policy.statements") {
TEST_CASE("SET LOCAL of a meshgate-kept setting is refused rather than kept past the transaction") {
    const auto d = fixtures::decide_as("alice", "SET LOCAL search_path TO marketing");
    REQUIRE(d.is_deny());
    CHECK(d.deny().sqlstate == "0A000");
}

TEST_CASE("RESET search_path in a message restores the configured path for later statements") {
    const auto d = fixtures::decide_as(
        "alice", "SET search_path TO marketing; RESET search_path; SELECT * FROM customers", "fraud");
    REQUIRE(d.is_allow());
    CHECK(d.allow().products == std::vector<std::string>{"sales.customers"});
}

TEST_CASE("a denial lists the products the message touched before it") {
    const auto d = fixtures::decide_as("alice", "SELECT * FROM sales.orders; SELECT * FROM sales.vault");
    REQUIRE(d.is_deny());
    CHECK(d.deny().products == std::vector<std::string>{"sales.orders"});
}
}
