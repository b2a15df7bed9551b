// Unit tests of StartupSettings: which StartupMessage parameters a session accepts and how.
#include "proxy/session/startup_settings.hpp"

#include <doctest/doctest.h>

using meshgate::proxy::forwarded_setting_name;
using meshgate::proxy::parse_search_path;
using meshgate::proxy::parse_startup_settings;
using meshgate::proxy::set_statement;
using meshgate::wire::StartupMessage;

namespace {

StartupMessage startup(std::vector<std::pair<std::string, std::string>> params,
                       uint32_t protocol = meshgate::wire::kProtocolVersion3)
{
    StartupMessage m;
    m.protocol = protocol;
    m.parameters = std::move(params);
    return m;
}

}  // namespace

TEST_SUITE("proxy.startup_settings") {
TEST_CASE("a plain psql startup gives user, database and application name") {
    const auto s = parse_startup_settings(
        startup({{"user", "alice"}, {"database", "mesh"}, {"application_name", "psql"}}));
    REQUIRE(s.has_value());
    CHECK(s->user == "alice");
    CHECK(s->database == "mesh");
    CHECK(s->application_name == "psql");
    CHECK(s->client_encoding == "UTF8");
    CHECK_FALSE(s->search_path.has_value());
    CHECK_FALSE(s->purpose.has_value());
    CHECK_FALSE(s->negotiate_protocol);
    REQUIRE(s->forwarded.size() == 1);
    CHECK(s->forwarded[0] == std::pair<std::string, std::string>{"application_name", "psql"});
}

TEST_CASE("the database defaults to the user name") {
    const auto s = parse_startup_settings(startup({{"user", "bob"}}));
    REQUIRE(s.has_value());
    CHECK(s->database == "bob");
}

TEST_CASE("a startup packet without user is refused with 28000") {
    const auto s = parse_startup_settings(startup({{"database", "mesh"}}));
    REQUIRE_FALSE(s.has_value());
    CHECK(s.error().sqlstate == "28000");
}

TEST_CASE("options set search_path and purpose for meshgate, in both switch forms") {
    const auto s = parse_startup_settings(startup(
        {{"user", "alice"},
         {"options", "-c search_path=Sales,\"Marketing\" --meshgate.purpose=fraud"}}));
    REQUIRE(s.has_value());
    REQUIRE(s->search_path.has_value());
    CHECK(*s->search_path == std::vector<std::string>{"sales", "Marketing"});
    CHECK(s->purpose == std::optional<std::string>("fraud"));
    CHECK(s->forwarded.empty());
}

TEST_CASE("a backslash escapes a space inside an options value") {
    const auto s = parse_startup_settings(
        startup({{"user", "alice"}, {"options", "-c DateStyle=ISO,\\ DMY -cTimeZone=UTC"}}));
    REQUIRE(s.has_value());
    CHECK(s->forwarded_value("DateStyle") == std::optional<std::string>("ISO, DMY"));
    CHECK(s->forwarded_value("TimeZone") == std::optional<std::string>("UTC"));
}

TEST_CASE("JDBC's startup parameters are forwarded with canonical names") {
    const auto s = parse_startup_settings(startup({{"user", "alice"},
                                                   {"database", "mesh"},
                                                   {"client_encoding", "UTF8"},
                                                   {"DateStyle", "ISO"},
                                                   {"TimeZone", "Europe/Berlin"},
                                                   {"extra_float_digits", "2"},
                                                   {"search_path", "sales"}}));
    REQUIRE(s.has_value());
    CHECK(s->forwarded_value("DateStyle") == std::optional<std::string>("ISO"));
    CHECK(s->forwarded_value("TimeZone") == std::optional<std::string>("Europe/Berlin"));
    CHECK(s->forwarded_value("extra_float_digits") == std::optional<std::string>("2"));
    CHECK(s->search_path == std::optional<std::vector<std::string>>({"sales"}));
}

TEST_CASE("client encodings other than UTF8 and SQL_ASCII are refused") {
    struct Row {
        const char* value;
        bool ok;
        const char* canonical;
    };
    const Row rows[] = {{"UTF8", true, "UTF8"},       {"utf-8", true, "UTF8"},
                        {"unicode", true, "UTF8"},    {"SQL_ASCII", true, "SQL_ASCII"},
                        {"SJIS", false, ""},          {"GBK", false, ""},
                        {"LATIN1", false, ""},        {"", false, ""}};
    for (const auto& r : rows) {
        CAPTURE(r.value);
        const auto s = parse_startup_settings(startup({{"user", "a"}, {"client_encoding", r.value}}));
        CHECK(s.has_value() == r.ok);
        if (r.ok) {
            CHECK(s->client_encoding == r.canonical);
        } else {
            CHECK(s.error().sqlstate == "22023");
        }
    }
}

TEST_CASE("settings that change identity or visibility are refused with 42501") {
    for (const char* name : {"role", "session_authorization", "row_security", "myext.setting"}) {
        CAPTURE(name);
        const auto s = parse_startup_settings(startup({{"user", "a"}, {name, "x"}}));
        REQUIRE_FALSE(s.has_value());
        CHECK(s.error().sqlstate == "42501");
    }
    const auto via_options =
        parse_startup_settings(startup({{"user", "a"}, {"options", "-c role=postgres"}}));
    REQUIRE_FALSE(via_options.has_value());
    CHECK(via_options.error().sqlstate == "42501");
}

TEST_CASE("an unknown setting is refused with 42704 as PostgreSQL does") {
    const auto s = parse_startup_settings(startup({{"user", "a"}, {"no_such_thing", "1"}}));
    REQUIRE_FALSE(s.has_value());
    CHECK(s.error().sqlstate == "42704");
}

TEST_CASE("server switches in options other than -c and -- are refused") {
    for (const char* opt : {"-D /tmp", "-F", "-c", "-c novalue"}) {
        CAPTURE(opt);
        const auto s = parse_startup_settings(startup({{"user", "a"}, {"options", opt}}));
        REQUIRE_FALSE(s.has_value());
        CHECK(s.error().sqlstate == "42601");
    }
}

TEST_CASE("replication connections are refused, replication=false is fine") {
    const auto on = parse_startup_settings(startup({{"user", "a"}, {"replication", "database"}}));
    REQUIRE_FALSE(on.has_value());
    CHECK(on.error().sqlstate == "0A000");
    CHECK(parse_startup_settings(startup({{"user", "a"}, {"replication", "false"}})).has_value());
}

TEST_CASE("protocol 3.2 and _pq_ options ask for NegotiateProtocolVersion") {
    const auto s = parse_startup_settings(
        startup({{"user", "a"}, {"_pq_.compression", "on"}}, (3u << 16) | 2u));
    REQUIRE(s.has_value());
    CHECK(s->negotiate_protocol);
    CHECK(s->unrecognized_protocol_options == std::vector<std::string>{"_pq_.compression"});
}

TEST_CASE("search_path lists fold unquoted names and keep quoted ones") {
    const auto p = parse_search_path(" Sales , \"My \"\"Domain\"\"\",x");
    REQUIRE(p.has_value());
    CHECK(*p == std::vector<std::string>{"sales", "My \"Domain\"", "x"});
    CHECK(parse_search_path("")->empty());
    CHECK_FALSE(parse_search_path("a,,b").has_value());
    CHECK_FALSE(parse_search_path("\"open").has_value());
    CHECK_FALSE(parse_search_path("a b").has_value());
}

TEST_CASE("forwarded names are matched case-insensitively and canonicalised") {
    CHECK(forwarded_setting_name("datestyle") == std::optional<std::string>("DateStyle"));
    CHECK(forwarded_setting_name("TIMEZONE") == std::optional<std::string>("TimeZone"));
    CHECK(forwarded_setting_name("statement-timeout") ==
          std::optional<std::string>("statement_timeout"));
    CHECK_FALSE(forwarded_setting_name("search_path").has_value());
    CHECK_FALSE(forwarded_setting_name("role").has_value());
}

TEST_CASE("SET statements quote values as escape strings so nothing breaks out") {
    CHECK(set_statement("application_name", "psql") == "SET application_name = E'psql'");
    CHECK(set_statement("application_name", "a'b\\c") == "SET application_name = E'a''b\\\\c'");
    CHECK(set_statement("application_name", "x'; DROP TABLE t; --") ==
          "SET application_name = E'x''; DROP TABLE t; --'");
}
}
