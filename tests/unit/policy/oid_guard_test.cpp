// reg* casts, to_reg* and OID / object-name introspection functions never name or confirm a
// warehouse's physical objects (SPEC §3 Catalog, issue 4 item 4). Layer: tests (policy).
#include "policy/catalog/virtual_relation.hpp"
#include "policy/decide.hpp"
#include "policy/function_policy.hpp"
#include "policy/oid_guard.hpp"
#include "support/fixtures.hpp"

#include <doctest/doctest.h>

#include <string>

namespace fixtures = meshgate::policy::fixtures;
namespace policy = meshgate::policy;

namespace {

std::string rewritten(const std::string& sql)
{
    const auto d = fixtures::decide_as("alice", sql, "fraud");
    REQUIRE_MESSAGE(d.is_allow(), sql);
    const auto out = d.allow().rewritten();
    CHECK(fixtures::parses(out));
    return out;
}

std::string oid_of(const std::string& address)
{
    return std::to_string(policy::catalog::object_ids(fixtures::snapshot()).relations.at(address));
}

}  // namespace

TEST_CASE("probe") {
    for (const char* sql : {"SELECT 16386::regclass", "SELECT 'sales.orders'::regclass",
                            "SELECT 'pg_class'::regclass", "SELECT to_regclass('x.y')",
                            "SELECT pg_get_indexdef(c.oid) FROM pg_catalog.pg_class c",
                            "SELECT has_table_privilege('sales.orders', 'select')",
                            "SELECT format_type(atttypid, atttypmod) FROM pg_attribute",
                            "SELECT * FROM pg_partition_tree(16386)",
                            "SELECT 'int4'::regtype, to_regtype('text')"}) {
        MESSAGE(sql << "\n  -> " << rewritten(sql));
    }
}
