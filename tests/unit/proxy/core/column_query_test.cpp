// Unit tests of the column-learning query text: identifier quoting and literal escaping.
#include "proxy/backend/column_learner.hpp"

#include <doctest/doctest.h>

using meshgate::proxy::column_query;
using meshgate::proxy::quote_identifier;

TEST_SUITE("proxy.column_learner") {
TEST_CASE("identifiers are always quoted and embedded quotes doubled") {
    CHECK(quote_identifier("customers") == "\"customers\"");
    CHECK(quote_identifier("Mixed Case") == "\"Mixed Case\"");
    CHECK(quote_identifier("we\"ird") == "\"we\"\"ird\"");
}

TEST_CASE("the source name reaches the server only inside one escaped E'' literal") {
    const auto sql = column_query("public", "x'); DROP TABLE t; --\\");
    REQUIRE(sql.has_value());
    // The quote is doubled and the backslash doubled, so the literal cannot end early.
    CHECK(sql->find("to_regclass(E'\"public\".\"x''); DROP TABLE t; --\\\\\"')") !=
          std::string::npos);
}

TEST_CASE("a plain source gives the qualified, quoted name") {
    const auto sql = column_query("public", "orders");
    REQUIRE(sql.has_value());
    CHECK(sql->find("to_regclass(E'\"public\".\"orders\"')") != std::string::npos);
    CHECK(sql->find("ORDER BY a.attnum") != std::string::npos);
    CHECK(sql->find("NOT a.attisdropped") != std::string::npos);
}

TEST_CASE("a source without schema is looked up by the relation name alone") {
    const auto sql = column_query("", "orders");
    REQUIRE(sql.has_value());
    CHECK(sql->find("to_regclass(E'\"orders\"')") != std::string::npos);
}

TEST_CASE("names with a NUL byte or an empty relation are refused") {
    CHECK_FALSE(column_query("public", std::string("a\0b", 3)).has_value());
    CHECK_FALSE(column_query(std::string("p\0", 2), "t").has_value());
    CHECK_FALSE(column_query("public", "").has_value());
}
}
