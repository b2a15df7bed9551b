// reg* casts, to_reg* and OID / object-name introspection functions never name or confirm a
// warehouse's physical objects (SPEC §3 Catalog, issue 4 item 4). Layer: tests (policy).
#include "policy/catalog/virtual_relation.hpp"
#include "policy/decide.hpp"
#include "policy/function_policy.hpp"
#include "policy/oid_guard.hpp"
#include "policy/rewrite_cache.hpp"
#include "support/fixtures.hpp"

#include <doctest/doctest.h>

#include <string>

namespace fixtures = meshgate::policy::fixtures;
namespace policy = meshgate::policy;

namespace {

std::string rewritten(const std::string& sql)
{
    const auto d = fixtures::decide_as("alice", sql, "fraud");
    if (!d.is_allow()) {
        FAIL_CHECK("denied: " << sql << " (" << d.deny().sqlstate << " " << d.deny().message << ")");
        return "";
    }
    const auto out = d.allow().rewritten();
    CHECK_MESSAGE(fixtures::parses(out), out);
    return out;
}

std::string denied(const std::string& sql)
{
    const auto d = fixtures::decide_as("alice", sql, "fraud");
    if (!d.is_deny()) {
        FAIL_CHECK("allowed: " << sql << " -> " << d.allow().rewritten());
        return "";
    }
    return d.deny().sqlstate;
}

std::string oid_of(const std::string& address)
{
    return std::to_string(policy::catalog::object_ids(fixtures::snapshot()).relations.at(address));
}

std::string oid_of_domain(const std::string& domain)
{
    return std::to_string(policy::catalog::object_ids(fixtures::snapshot()).namespaces.at(domain));
}

const std::string kGuard = "OPERATOR(pg_catalog.<) 16384::pg_catalog.oid";

}  // namespace

TEST_CASE("reg* type kinds and the names of their to_reg* functions") {
    using policy::RegKind;
    CHECK(policy::reg_kind("regclass") == RegKind::Relation);
    CHECK(policy::reg_kind("regnamespace") == RegKind::Namespace);
    for (const char* t : {"regtype", "regproc", "regprocedure", "regoper", "regoperator", "regcollation"}) {
        CHECK(policy::reg_kind(t) == RegKind::Guarded);
        CHECK(policy::to_reg_function(t) == std::string("to_") + t);
    }
    for (const char* t : {"regrole", "regconfig", "regdictionary"}) {
        CHECK(policy::reg_kind(t) == RegKind::Harmless);
    }
    CHECK(policy::reg_kind("oid") == RegKind::None);
    CHECK(policy::reg_kind("text") == RegKind::None);
}

TEST_CASE("names in regclass input syntax split like PostgreSQL's") {
    using V = std::vector<std::string>;
    CHECK(policy::split_qualified_name("Sales.Orders") == V{"sales", "orders"});
    CHECK(policy::split_qualified_name(" \"Mixed\"\".x\" . y ") == V{"Mixed\".x", "y"});
    CHECK(policy::split_qualified_name("a.b.c") == V{"a", "b", "c"});
    CHECK_FALSE(policy::split_qualified_name(""));
    CHECK_FALSE(policy::split_qualified_name("a..b"));
    CHECK_FALSE(policy::split_qualified_name("\"open"));
    CHECK_FALSE(policy::split_qualified_name("a b"));
    CHECK_FALSE(policy::split_qualified_name("a\"b"));
}

TEST_CASE("relation and schema names resolve to products, the system, or nothing") {
    using K = policy::NameResolution::Kind;
    const auto& snap = fixtures::snapshot();
    const auto who = fixtures::identity("alice");  // search_path: sales
    auto r = policy::resolve_relation_name("sales.orders", who, snap);
    CHECK(r.kind == K::Product);
    CHECK(std::to_string(r.oid) == oid_of("sales.orders"));
    r = policy::resolve_relation_name("ORDERS", who, snap);  // unqualified, along the search_path
    CHECK(r.kind == K::Product);
    CHECK(std::to_string(r.oid) == oid_of("sales.orders"));
    r = policy::resolve_relation_name("pg_class", who, snap);
    CHECK(r.kind == K::System);
    CHECK(r.qualified == "pg_catalog.\"pg_class\"");
    r = policy::resolve_relation_name("payouts", who, snap);  // never the service account's path
    CHECK(r.kind == K::System);
    CHECK(r.qualified == "pg_catalog.\"payouts\"");
    r = policy::resolve_relation_name("information_schema.tables", who, snap);
    CHECK(r.kind == K::System);
    for (const char* name : {"public.payouts", "sales.nosuch", "mesh.products", "db.sales.orders",
                             "a b", "crm.accounts"}) {
        CAPTURE(std::string(name));
        CHECK(policy::resolve_relation_name(name, who, snap).kind == K::Unknown);
    }
    auto n = policy::resolve_namespace_name("Sales", snap);
    CHECK(n.kind == K::Product);
    CHECK(std::to_string(n.oid) == oid_of_domain("sales"));
    CHECK(policy::resolve_namespace_name("Sales", snap, true).kind == K::Unknown);  // as written
    CHECK(policy::resolve_namespace_name("pg_catalog", snap, true).qualified == "pg_catalog");
    CHECK(policy::resolve_namespace_name("public", snap).kind == K::Unknown);
    CHECK(policy::resolve_namespace_name("crm", snap).kind == K::Unknown);
}

TEST_CASE("reg* casts of OIDs: physical OIDs become NULL, system and synthetic ones pass") {
    for (const char* sql : {"SELECT 16386::regclass", "SELECT CAST(16386 AS pg_catalog.regclass)",
                            "SELECT c.oid::regclass FROM pg_catalog.pg_class c", "SELECT $1::regclass",
                            "SELECT 16390::regtype", "SELECT 16390::regproc", "SELECT 16390::regprocedure",
                            "SELECT 16390::regoper", "SELECT 16390::regoperator", "SELECT 100::regcollation",
                            "SELECT 2200::regnamespace"}) {
        CAPTURE(std::string(sql));
        const auto out = rewritten(sql);
        CHECK(out.find("CASE WHEN") != std::string::npos);
        CHECK(out.find(kGuard) != std::string::npos);
        CHECK(out.find("4026531840") != std::string::npos);
    }
    CHECK(rewritten("SELECT 2200::regnamespace").find("2200::pg_catalog.oid") != std::string::npos);
    // Numeric strings are OIDs: system/synthetic pass unchanged, physical ones are NULL.
    CHECK(rewritten("SELECT '1259'::regclass") == "SELECT '1259'::pg_catalog.regclass");
    CHECK(rewritten("SELECT '" + oid_of("sales.orders") + "'::regclass") ==
          "SELECT '" + oid_of("sales.orders") + "'::pg_catalog.regclass");
    CHECK(rewritten("SELECT '16386'::regclass") == "SELECT NULL::pg_catalog.regclass");
    CHECK(rewritten("SELECT '2200'::regnamespace") == "SELECT NULL::pg_catalog.regnamespace");
    // Roles and text search objects are no warehouse tables.
    CHECK(rewritten("SELECT 10::regrole, 'english'::regconfig") ==
          "SELECT 10::pg_catalog.regrole, 'english'::pg_catalog.regconfig");
}

TEST_CASE("reg* casts of names: products, the system, or 42P01") {
    CHECK(rewritten("SELECT 'sales.orders'::regclass") ==
          "SELECT (" + oid_of("sales.orders") + ")::pg_catalog.oid::pg_catalog.regclass");
    CHECK(rewritten("SELECT 'customers'::regclass") ==
          "SELECT (" + oid_of("sales.customers") + ")::pg_catalog.oid::pg_catalog.regclass");
    CHECK(rewritten("SELECT 'sales'::regnamespace") ==
          "SELECT (" + oid_of_domain("sales") + ")::pg_catalog.oid::pg_catalog.regnamespace");
    CHECK(rewritten("SELECT 'pg_class'::regclass") ==
          "SELECT 'pg_catalog.\"pg_class\"'::pg_catalog.regclass");
    CHECK(rewritten("SELECT 'pg_catalog.pg_type'::pg_catalog.regclass") ==
          "SELECT '\"pg_catalog\".\"pg_type\"'::pg_catalog.regclass");
    CHECK(rewritten("SELECT regclass 'payouts'") ==
          "SELECT 'pg_catalog.\"payouts\"'::pg_catalog.regclass");
    CHECK(denied("SELECT 'public.payouts'::regclass") == "42P01");
    CHECK(denied("SELECT CAST('crm.accounts' AS regclass)") == "42P01");
    CHECK(denied("SELECT 'sales.nosuch'::regclass") == "42P01");
    CHECK(denied("SELECT 'public'::regnamespace") == "3F000");
    CHECK(denied("SELECT '{public.payouts}'::regclass[]") == "0A000");
    // Types, functions, operators: looked up with to_reg* and guarded, so a physical object is
    // NULL exactly like a missing one.
    const auto t = rewritten("SELECT 'public.payouts'::regtype");
    CHECK(t.find("pg_catalog.to_regtype('public.payouts')") != std::string::npos);
    CHECK(t.find(kGuard) != std::string::npos);
    CHECK(rewritten("SELECT 'public.f()'::regprocedure").find("pg_catalog.to_regprocedure(") !=
          std::string::npos);
    // A non-constant text goes through oid (never a name lookup).
    const auto x = rewritten("SELECT ('public.' || 'payouts')::regclass");
    CHECK(x.find("::pg_catalog.oid") != std::string::npos);
    CHECK(x.find(kGuard) != std::string::npos);
}

TEST_CASE("untyped literals compared with reg* values become casts (no regclassin lookup)") {
    CHECK(denied("SELECT 1259::regclass = 'public.payouts'") == "42P01");
    CHECK(denied("SELECT 'public.payouts' = 'pg_class'::regclass") == "42P01");
    CHECK(denied("SELECT 1 WHERE to_regclass('pg_class') IN ('pg_type', 'crm.accounts')") == "42P01");
    CHECK(denied("SELECT 'public'::regnamespace IS DISTINCT FROM 'x'") == "3F000");
    const auto out = rewritten("SELECT c.oid FROM pg_catalog.pg_class c WHERE c.oid::regclass = 'sales.orders'");
    CHECK(out.find("(" + oid_of("sales.orders") + ")::pg_catalog.oid::pg_catalog.regclass") != std::string::npos);
    const auto t = rewritten("SELECT 23::regtype = 'public.t'");
    CHECK(t.find("pg_catalog.to_regtype('public.t')") != std::string::npos);
    for (const char* sql : {"SELECT COALESCE(1259::regclass, 'public.payouts')",
                            "SELECT GREATEST('pg_class'::regclass, 'public.payouts')",
                            "SELECT ARRAY[1259::regclass, 'public.payouts']",
                            "SELECT CASE WHEN true THEN 1259::regclass ELSE 'public.payouts' END",
                            "SELECT CASE 1259::regclass WHEN 'public.payouts' THEN 1 END",
                            "SELECT 1259::regclass UNION SELECT 'public.payouts'",
                            "SELECT 'public.payouts' UNION ALL (SELECT 1 UNION SELECT 2) UNION SELECT to_regclass('x')",
                            "VALUES (1259::regclass), ('public.payouts')",
                            "SELECT * FROM (VALUES ('public.payouts'), (1259::regclass)) v(x)"}) {
        CAPTURE(std::string(sql));
        CHECK(denied(sql) == "42P01");
    }
    // Bind parameters meeting a reg* value go through oid (no name lookup of the bound text).
    for (const char* sql : {"SELECT 1259::regclass = $1", "SELECT COALESCE($1, 1259::regclass)",
                            "SELECT 1 WHERE pg_typeof(1) = $1"}) {
        CAPTURE(std::string(sql));
        const auto d = fixtures::decide_as("alice", sql, "fraud", policy::Protocol::Extended);
        REQUIRE(d.is_allow());
        CHECK_MESSAGE(d.allow().rewritten().find("$1::pg_catalog.oid") != std::string::npos,
                      d.allow().rewritten());
    }
    CHECK(rewritten("SELECT pg_typeof(1) = 'public.payouts_t'").find("pg_catalog.to_regtype('public.payouts_t')") !=
          std::string::npos);
    // Other comparisons keep their literals as they are.
    CHECK(rewritten("SELECT 1 FROM pg_catalog.pg_class c WHERE c.oid = '1259'").find("'1259'") != std::string::npos);
}

TEST_CASE("reg* type OIDs a Parse may not declare") {
    for (uint32_t t : {24u, 2202u, 2203u, 2204u, 2205u, 2206u, 4096u, 4089u, 3734u, 3769u, 4191u,
                       2210u, 2211u}) {
        CHECK(policy::is_name_lookup_type_oid(t));
    }
    for (uint32_t t : {0u, 23u, 25u, 26u, 1043u, 2249u}) {
        CHECK_FALSE(policy::is_name_lookup_type_oid(t));
    }
}

TEST_CASE("to_reg* functions") {
    CHECK(rewritten("SELECT to_regclass('sales.orders')") ==
          "SELECT (" + oid_of("sales.orders") + ")::pg_catalog.oid::pg_catalog.regclass");
    CHECK(rewritten("SELECT to_regclass('public.payouts')") == "SELECT NULL::pg_catalog.regclass");
    CHECK(rewritten("SELECT to_regclass('pg_type')") ==
          "SELECT pg_catalog.to_regclass('pg_catalog.\"pg_type\"')");
    CHECK(rewritten("SELECT to_regnamespace('crm')") == "SELECT NULL::pg_catalog.regnamespace");
    for (const char* sql : {"SELECT to_regclass(c.relname::text) FROM pg_catalog.pg_class c",
                            "SELECT to_regtype('public.t')", "SELECT to_regproc('public.f')",
                            "SELECT to_regprocedure('public.f()')", "SELECT to_regoper('public.+')",
                            "SELECT to_regoperator('+(int,int)')", "SELECT to_regcollation('x')",
                            "SELECT pg_filenode_relation(0, 16386)"}) {
        CAPTURE(std::string(sql));
        const auto out = rewritten(sql);
        CHECK(out.find("CASE WHEN") != std::string::npos);
        CHECK(out.find(kGuard) != std::string::npos);
    }
}

TEST_CASE("OID-taking introspection functions get their OID argument guarded") {
    const char* rows[] = {
        "SELECT pg_get_indexdef(16390)", "SELECT pg_get_indexdef(16390, 1, true)",
        "SELECT pg_get_constraintdef(16391)", "SELECT pg_get_constraintdef(16391, true)",
        "SELECT pg_get_viewdef(16392)", "SELECT pg_get_viewdef(16392, true)",
        "SELECT pg_get_triggerdef(16393)", "SELECT pg_get_ruledef(16394)",
        "SELECT pg_get_partkeydef(16386)", "SELECT pg_get_expr(NULL, 16386)",
        "SELECT format_type(16388, NULL)", "SELECT pg_describe_object(1259, 16386, 0)",
        "SELECT pg_identify_object(1259, 16386, 0)", "SELECT pg_identify_object_as_address(1259, 16386, 0)",
        "SELECT * FROM pg_partition_tree(16386)", "SELECT * FROM pg_partition_ancestors(16386)",
        "SELECT pg_partition_root(16386)", "SELECT pg_relation_size(16386)",
        "SELECT pg_relation_size(16386, 'main')", "SELECT pg_total_relation_size(16386)",
        "SELECT pg_table_size(16386)", "SELECT pg_indexes_size(16386)",
        "SELECT pg_relation_filenode(16386)", "SELECT pg_relation_filepath(16386)",
        "SELECT has_table_privilege(16386, 'select')", "SELECT has_table_privilege('bob', 16386, 'select')",
        "SELECT has_column_privilege(16386, 1::int2, 'select')",
        "SELECT has_any_column_privilege(16386, 'select')", "SELECT has_schema_privilege(16385, 'usage')",
        "SELECT has_sequence_privilege(16387, 'usage')", "SELECT has_function_privilege(16389, 'execute')",
        "SELECT has_type_privilege(16388, 'usage')", "SELECT pg_get_functiondef(16389)",
        "SELECT pg_get_function_arguments(16389)", "SELECT pg_type_is_visible(16388)",
        "SELECT pg_function_is_visible(16389)", "SELECT row_security_active(16386)",
        "SELECT pg_get_indexdef(i.indexrelid) FROM pg_catalog.pg_index i",
        "SELECT format_type(a.atttypid, a.atttypmod) FROM pg_catalog.pg_attribute a"};
    for (const char* sql : rows) {
        CAPTURE(std::string(sql));
        const auto out = rewritten(sql);
        CHECK(out.find("CASE WHEN") != std::string::npos);
        CHECK(out.find(kGuard) != std::string::npos);
        CHECK(fixtures::count(out, "16384::pg_catalog.oid") == 1);
    }
    CHECK(denied("SELECT pg_get_serial_sequence('16386', 'id')") == "0A000");
    // Names computed per row (Metabase's privilege query) are looked up with to_regclass and
    // guarded; OIDs computed per row stay OIDs.
    const auto m = rewritten("SELECT has_table_privilege(current_user, '\"' || t.schemaname || '\".\"' || "
                             "t.tablename || '\"', 'SELECT') FROM pg_catalog.pg_tables t");
    CHECK(m.find("pg_catalog.to_regclass(") != std::string::npos);
    CHECK(m.find(kGuard) != std::string::npos);
    CHECK(rewritten("SELECT has_schema_privilege(n.nspname, 'USAGE') FROM pg_catalog.pg_namespace n")
              .find("pg_catalog.to_regnamespace(") != std::string::npos);
    // Named arguments and other call forms cannot be guarded: refused.
    CHECK(denied("SELECT pg_get_viewdef(view => 16392)") == "0A000");
    CHECK(denied("SELECT pg_get_viewdef(VARIADIC ARRAY[16392])") == "0A000");
}

TEST_CASE("name-taking size and privilege functions: products, the system, or 42P01") {
    const auto orders = oid_of("sales.orders");
    CHECK(rewritten("SELECT pg_relation_size('sales.orders')") ==
          "SELECT pg_catalog.pg_relation_size((" + orders + ")::pg_catalog.oid)");
    // Privileges on a product: SELECT when the caller may read it (answered by meshgate).
    const auto priv = rewritten("SELECT has_table_privilege('orders', 'select')");
    CHECK(priv.find("FROM (SELECT COALESCE(") != std::string::npos);
    CHECK(priv.find("v.k IN (") != std::string::npos);
    CHECK(priv.find(orders + ")::pg_catalog.oid::pg_catalog.text") != std::string::npos);
    CHECK(priv.find(kGuard) != std::string::npos);
    const auto as_bob = rewritten("SELECT has_table_privilege('bob', 'sales.orders', 'select')");
    CHECK(as_bob.find("v.k IN (") == std::string::npos);
    CHECK(rewritten("SELECT has_table_privilege(current_user, 'sales.orders', 'select')").find("v.k IN (") !=
          std::string::npos);
    CHECK(rewritten("SELECT pg_get_serial_sequence('sales.orders', 'id')") == "SELECT NULL::pg_catalog.text");
    CHECK(rewritten("SELECT has_schema_privilege('sales', 'usage')") ==
          "SELECT pg_catalog.has_schema_privilege((" + oid_of_domain("sales") + ")::pg_catalog.oid, 'usage')");
    CHECK(rewritten("SELECT has_schema_privilege('pg_catalog', 'usage')") ==
          "SELECT pg_catalog.has_schema_privilege('pg_catalog', 'usage')");
    CHECK(rewritten("SELECT pg_relation_size('pg_class')") ==
          "SELECT pg_catalog.pg_relation_size('pg_catalog.\"pg_class\"')");
    for (const char* sql : {"SELECT pg_relation_size('public.payouts')",
                            "SELECT pg_total_relation_size('crm.accounts')",
                            "SELECT has_table_privilege('public.payouts', 'select')",
                            "SELECT has_column_privilege('public.payouts', 'id', 'select')",
                            "SELECT has_any_column_privilege('bob', 'public.payouts', 'select')",
                            "SELECT has_sequence_privilege('public.payouts_id_seq', 'usage')",
                            "SELECT pg_get_viewdef('public.v')", "SELECT pg_get_serial_sequence('public.payouts', 'id')",
                            "SELECT * FROM pg_partition_tree('public.payouts')"}) {
        CAPTURE(std::string(sql));
        CHECK(denied(sql) == "42P01");
    }
    CHECK(denied("SELECT has_schema_privilege('public', 'usage')") == "3F000");
    CHECK(denied("SELECT pg_get_serial_sequence(c.relname::text, 'id') FROM pg_catalog.pg_class c") ==
          "0A000");
    // Functions and types by name: looked up with to_reg* and guarded.
    CHECK(rewritten("SELECT has_function_privilege('public.f()', 'execute')")
              .find("pg_catalog.to_regprocedure('public.f()')") != std::string::npos);
    CHECK(rewritten("SELECT has_type_privilege('public.t', 'usage')")
              .find("pg_catalog.to_regtype('public.t')") != std::string::npos);
}

TEST_CASE("the reg* I/O functions and pg_get_object_address are refused") {
    for (const char* name : {"regclassin", "regclassout", "regtypein", "regprocedurerecv",
                             "regnamespacesend", "regclass", "pg_get_object_address",
                             "brin_summarize_new_values", "gin_clean_pending_list"}) {
        CAPTURE(std::string(name));
        CHECK(policy::is_denied_catalog_function(name));
    }
    for (const char* name : {"regexp_replace", "regr_slope", "to_regclass", "format_type"}) {
        CAPTURE(std::string(name));
        CHECK_FALSE(policy::is_denied_catalog_function(name));
    }
    CHECK(denied("SELECT regclassin('public.payouts')") == "42501");
    CHECK(denied("SELECT pg_catalog.regclass('public.payouts'::text)") == "42501");
    CHECK(denied("SELECT * FROM pg_get_object_address('table', '{public,payouts}', '{}')") == "42501");
}

TEST_CASE("tableoid of a virtual catalog relation is the catalog's OID") {
    const auto out = rewritten("SELECT pgc.oid, pgc.tableoid FROM pg_catalog.pg_class pgc "
                               "UNION ALL SELECT t.oid, t.tableoid FROM pg_type t");
    CHECK(out.find("'pg_catalog.pg_class'::pg_catalog.regclass::pg_catalog.oid") != std::string::npos);
    CHECK(out.find("'pg_catalog.pg_type'::pg_catalog.regclass::pg_catalog.oid") != std::string::npos);
    CHECK(out.find(".tableoid") == std::string::npos);
}

TEST_CASE("pgjdbc's _pg_expandarray field selection passes, others stay refused") {
    CHECK(fixtures::decide_as("alice", "SELECT (information_schema._pg_expandarray(i.indkey)).n "
                                       "FROM pg_catalog.pg_index i", "fraud").is_allow());
    CHECK(denied("SELECT (information_schema._pg_expandarray(i.indkey)).secret FROM pg_catalog.pg_index i") ==
          "0A000");
    CHECK(denied("SELECT (pg_catalog.now()).x") == "0A000");
}

TEST_CASE("pgjdbc getPrimaryKeys: (result.keys).x of a FROM subquery's _pg_expandarray column") {
    const std::string inner =
        "SELECT ct.relname AS table_name, information_schema._pg_expandarray(i.indkey) AS KEYS, "
        "a.attnum AS a_attnum FROM pg_catalog.pg_class ct JOIN pg_catalog.pg_attribute a ON "
        "(ct.oid = a.attrelid) JOIN pg_catalog.pg_index i ON (a.attrelid = i.indrelid) "
        "WHERE i.indisprimary";
    CHECK(fixtures::decide_as("alice",
                              "SELECT result.table_name FROM (" + inner +
                                  ") result WHERE result.a_attnum = (result.KEYS).x "
                                  "ORDER BY result.table_name",
                              "fraud")
              .is_allow());
    // Any other field, another column, an unqualified or shadowed name stays refused.
    CHECK(denied("SELECT 1 FROM (" + inner + ") result WHERE (result.keys).secret = 1") == "0A000");
    CHECK(denied("SELECT 1 FROM (" + inner + ") result WHERE (result.a_attnum).x = 1") == "0A000");
    CHECK(denied("SELECT 1 FROM (" + inner + ") result WHERE (keys).x = 1") == "0A000");
    CHECK(denied("SELECT 1 FROM (" + inner + ") result WHERE EXISTS (SELECT 1 FROM "
                 "pg_catalog.pg_class result WHERE (result.keys).x = 1)") == "0A000");
    // A column alias list renames the subquery's columns: not followed.
    CHECK(denied("SELECT 1 FROM (" + inner + ") result(a, keys, c) WHERE (result.keys).x = 1") ==
          "0A000");
}

TEST_CASE("guarded rewrites are stable through the rewrite cache") {
    // Each distinct constant keeps its own decision (the cache keeps reg* and pg_* constants).
    policy::RewriteCache cache;
    const auto& snap = fixtures::snapshot();
    const auto who = fixtures::identity("alice", "fraud");
    for (int round = 0; round < 2; ++round) {
        auto a = cache.decide("SELECT 'sales.orders'::regclass", who, snap, policy::Protocol::Simple);
        REQUIRE(a.is_allow());
        CHECK(a.allow().rewritten().find(oid_of("sales.orders")) != std::string::npos);
        auto b = cache.decide("SELECT 'public.payouts'::regclass", who, snap, policy::Protocol::Simple);
        REQUIRE(b.is_deny());
        CHECK(b.deny().sqlstate == "42P01");
        auto c = cache.decide("SELECT format_type(16388, NULL)", who, snap, policy::Protocol::Simple);
        REQUIRE(c.is_allow());
        CHECK(c.allow().rewritten().find(kGuard) != std::string::npos);
    }
}
