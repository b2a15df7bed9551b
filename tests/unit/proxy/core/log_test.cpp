// Unit tests of the stderr logger's line format: escaping, quoting, redaction.
#include "proxy/log.hpp"

#include <doctest/doctest.h>

using meshgate::proxy::format_log_line;
using meshgate::proxy::LogLevel;

TEST_SUITE("proxy.log") {
TEST_CASE("a line holds the level, the message and key=value fields in order") {
    CHECK(format_log_line(LogLevel::Info, "backend connected", {{"backend", "sales_pg"},
                                                                 {"port", 5432}}) ==
          "INFO backend connected backend=sales_pg port=5432");
}

TEST_CASE("values with spaces, quotes or equals signs are quoted and escaped") {
    CHECK(format_log_line(LogLevel::Warn, "m", {{"error", "no such \"table\" a=b"}}) ==
          "WARN m error=\"no such \\\"table\\\" a=b\"");
    CHECK(format_log_line(LogLevel::Warn, "m", {{"empty", ""}}) == "WARN m empty=\"\"");
}

TEST_CASE("newlines from a peer cannot start a forged log line") {
    const auto line = format_log_line(LogLevel::Error, "msg\nINFO fake",
                                      {{"error", "x\n2026-01-01T00:00:00Z INFO forged"}});
    CHECK(line.find('\n') == std::string::npos);
    CHECK(line == "ERROR msg\\nINFO fake error=\"x\\n2026-01-01T00:00:00Z INFO forged\"");
}

TEST_CASE("fields named like secrets are redacted whatever their value") {
    const auto line = format_log_line(LogLevel::Info, "login",
                                      {{"password", "hunter2"}, {"hash_key", "k"},
                                       {"user", "alice"}});
    CHECK(line.find("hunter2") == std::string::npos);
    CHECK(line == "INFO login password=[redacted] hash_key=[redacted] user=alice");
}

TEST_CASE("log levels parse from their names and filter lower levels") {
    LogLevel l = LogLevel::Info;
    REQUIRE(meshgate::proxy::parse_log_level("WARN", l));
    CHECK(l == LogLevel::Warn);
    CHECK_FALSE(meshgate::proxy::parse_log_level("loud", l));
    CHECK(l == LogLevel::Warn);
    meshgate::proxy::set_log_level(LogLevel::Warn);
    CHECK_FALSE(meshgate::proxy::log_enabled(LogLevel::Info));
    CHECK(meshgate::proxy::log_enabled(LogLevel::Error));
    meshgate::proxy::set_log_level(LogLevel::Info);
}
}

TEST_SUITE("proxy.log.json") {
TEST_CASE("a JSON line holds level, msg and the fields as strings, escaped and redacted") {
    using meshgate::proxy::format_log_json;
    CHECK(format_log_json(LogLevel::Info, "backend up", {{"backend", "pg"}, {"port", 5432}}) ==
          "\"level\":\"info\",\"msg\":\"backend up\",\"backend\":\"pg\",\"port\":\"5432\"");
    const auto line = format_log_json(LogLevel::Error, "a \"b\"\n", {{"password", "hunter2"},
                                                                     {"msg", "x\\y\x01"}});
    CHECK(line == "\"level\":\"error\",\"msg\":\"a \\\"b\\\"\\u000a\",\"password\":\"[redacted]\","
                  "\"field_msg\":\"x\\\\y\\u0001\"");
    CHECK(line.find("hunter2") == std::string::npos);
}
}
