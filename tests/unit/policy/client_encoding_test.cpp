// SET client_encoding / SET NAMES: only encodings in which the policy engine and the backend
// read the same statement bytes (UTF8, SQL_ASCII) pass, under every spelling PostgreSQL accepts.
#include "policy/decide.hpp"
#include "support/fixtures.hpp"

#include <doctest/doctest.h>

#include <string>

namespace fixtures = meshgate::policy::fixtures;

TEST_CASE("client encodings that can hide quote or backslash bytes are refused in every spelling") {
    // PostgreSQL ignores every character that is not a letter or digit in an encoding name and
    // knows many aliases; each of these selects a multibyte encoding whose trailing bytes can be
    // 0x5c or 0x27 on the backend.
    const char* rows[] = {
        "SET client_encoding = 'WIN936'",        "SET client_encoding = 'g_b_k'",
        "SET client_encoding = 'WIN932'",        "SET client_encoding = 'WIN949'",
        "SET client_encoding = 'WIN950'",        "SET client_encoding = 'windows936'",
        "SET client_encoding = 'SHIFT-JIS-2004'", "SET client_encoding = 'Big 5'",
        "SET client_encoding = 'U_H_C'",         "SET client_encoding TO 'GB18030'",
        "SET NAMES 'GBK'",                       "SET client_encoding = 'latin1'",
        "SET SESSION client_encoding = 'S.J.I.S'",
    };
    for (const auto* sql : rows) {
        CAPTURE(std::string(sql));
        const auto d = fixtures::decide_as("alice", sql, "fraud");
        REQUIRE(d.is_deny());
        CHECK(d.deny().sqlstate == "42501");
        CHECK(d.deny().message.find("client_encoding") != std::string::npos);
    }
}

TEST_CASE("UTF8 and SQL_ASCII in PostgreSQL's spellings are forwarded") {
    const char* rows[] = {"SET client_encoding = 'UTF8'", "SET client_encoding = 'utf-8'",
                          "SET client_encoding = 'Unicode'", "SET client_encoding = 'SQL_ASCII'",
                          "SET NAMES 'UTF8'", "RESET client_encoding",
                          "SET client_encoding TO DEFAULT"};
    for (const auto* sql : rows) {
        CAPTURE(std::string(sql));
        const auto d = fixtures::decide_as("alice", sql, "fraud");
        CHECK(d.is_allow());
    }
}
