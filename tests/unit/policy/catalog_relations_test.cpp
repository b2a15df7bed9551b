// The virtual catalog relations: mesh.* rows per caller, introspection rows, rendering and the
// rewrite that inlines them. Layer: tests (policy).
#include "policy/catalog/catalog_table.hpp"
#include "policy/catalog/type_info.hpp"
#include "policy/catalog/virtual_relation.hpp"
#include "policy/decide.hpp"
#include "support/fixtures.hpp"

#include <doctest/doctest.h>

#include <set>

using namespace meshgate;
using namespace meshgate::policy;
using namespace meshgate::policy::catalog;
namespace fixtures = meshgate::policy::fixtures;

namespace {

bool has(const std::string& hay, const std::string& needle)
{
    return hay.find(needle) != std::string::npos;
}

// The row of `t` whose `key` columns hold `values` (literal cells), or -1.
int find_row(const CatalogTable& t, std::vector<std::pair<std::string, std::string>> where)
{
    for (size_t r = 0; r < t.rows.size(); ++r) {
        bool all = true;
        for (const auto& [col, val] : where) {
            const auto& c = t.at(r, col);
            all = all && c.kind == Cell::Kind::Literal && c.text == val;
        }
        if (all) {
            return int(r);
        }
    }
    return -1;
}

void check_shape(const CatalogTable& t)
{
    for (const auto& row : t.rows) {
        REQUIRE(row.size() == t.columns.size());
    }
    auto sql = render(t);
    REQUIRE(sql.has_value());
    CHECK(fixtures::parses(*sql));
}

}  // namespace

TEST_SUITE("policy.catalog") {
TEST_CASE("mesh.products lists every product for everyone with accessible per user and purpose") {
    const auto& snap = fixtures::snapshot();
    size_t products = 0;
    for (const auto& [d, dom] : snap.domains) {
        products += dom.products.size();
    }
    struct Row {
        const char* user;
        const char* purpose;
        const char* address;
        bool accessible;
    };
    const Row rows[] = {
        {"alice", "", "sales.customers", false},       // purpose required
        {"alice", "fraud", "sales.customers", true},
        {"mallory", "fraud", "sales.customers", false}, // denied by name
        {"alice", "", "sales.orders", true},
        {"alice", "", "sales.vault", false},            // no access policy: nobody
        {"erin", "", "sales.orders", false},
        {"erin", "", "marketing.orders", true},
    };
    for (const auto& r : rows) {
        CAPTURE(r.user);
        CAPTURE(r.address);
        const auto who = *r.purpose ? fixtures::identity(r.user, r.purpose) : fixtures::identity(r.user);
        const auto t = mesh_products(who, snap);
        check_shape(t);
        CHECK(t.rows.size() == products);
        const int i = find_row(t, {{"address", r.address}});
        REQUIRE(i >= 0);
        CHECK(t.at(size_t(i), "accessible").text == (r.accessible ? "true" : "false"));
    }
}

TEST_CASE("mesh.columns says which mask applies to the caller, by kind only") {
    const auto& snap = fixtures::snapshot();
    const auto alice = mesh_columns(fixtures::identity("alice"), snap);
    const auto carol = mesh_columns(fixtures::identity("carol"), snap);
    check_shape(alice);
    const std::vector<std::pair<std::string, std::string>> email = {
        {"domain", "sales"}, {"product", "customers"}, {"column_name", "email"}};
    const int a = find_row(alice, email);
    const int c = find_row(carol, email);
    REQUIRE(a >= 0);
    REQUIRE(c >= 0);
    CHECK(alice.at(size_t(a), "masked").text == "true");
    CHECK(alice.at(size_t(a), "mask").text == "hash");
    CHECK(alice.at(size_t(a), "tags").text == "{\"pii.email\"}");
    CHECK(alice.at(size_t(a), "data_type").text == "text");
    CHECK(carol.at(size_t(c), "masked").text == "false");   // privacy-officers are exempt
    CHECK(carol.at(size_t(c), "mask").kind == Cell::Kind::Null);
    // Mask parameters never appear: the constant, the pattern, the hash key.
    auto sql = render(mesh_columns(fixtures::identity("alice"), snap));
    REQUIRE(sql.has_value());
    CHECK_FALSE(has(*sql, "it''s hidden"));
    CHECK_FALSE(has(*sql, "[0-9]"));
    CHECK_FALSE(has(*sql, snap.hash_key));
    const int k = find_row(alice, {{"product", "mask_lab"}, {"column_name", "c_const"}});
    REQUIRE(k >= 0);
    CHECK(alice.at(size_t(k), "mask").text == "constant");
    // expose: declared hides undeclared columns from the catalog too.
    CHECK(find_row(alice, {{"product", "leads"}, {"column_name", "secret_score"}}) < 0);
    CHECK(find_row(alice, {{"product", "leads"}, {"column_name", "name"}}) >= 0);
}

TEST_CASE("mesh.policies and mesh.whoami describe the caller") {
    const auto& snap = fixtures::snapshot();
    const auto bob = mesh_policies(fixtures::identity("bob"), snap);
    const auto alice = mesh_policies(fixtures::identity("alice"), snap);
    check_shape(bob);
    const std::vector<std::pair<std::string, std::string>> filter = {
        {"product", "customers"}, {"policy", "own-region"}};
    REQUIRE(find_row(bob, filter) >= 0);
    CHECK(bob.at(size_t(find_row(bob, filter)), "applies_to_me").text == "false");
    CHECK(alice.at(size_t(find_row(alice, filter)), "applies_to_me").text == "true");
    CHECK(find_row(alice, {{"product", "customers"}, {"policy", "pii-email"}}) >= 0);
    CHECK(find_row(alice, {{"product", "orders"}, {"policy", "pii-email"}}) < 0);

    const auto who = mesh_whoami(fixtures::identity("alice", "fraud"), snap);
    check_shape(who);
    REQUIRE(who.rows.size() == 1);
    CHECK(who.at(0, "user_name").text == "alice");
    CHECK(who.at(0, "groups").text == "{\"analysts\"}");
    CHECK(who.at(0, "purpose").text == "fraud");
    CHECK(who.at(0, "attributes").text == "{\"purposes\": [\"fraud\", \"marketing\"], \"region\": \"EU\"}");
    CHECK(mesh_whoami(fixtures::identity("alice"), snap).at(0, "purpose").kind == Cell::Kind::Null);
}

TEST_CASE("introspection relations list accessible products only, with stable unique OIDs") {
    const auto& snap = fixtures::snapshot();
    const auto alice = fixtures::identity("alice");
    const auto tables = info_tables(alice, snap);
    check_shape(tables);
    CHECK(find_row(tables, {{"table_schema", "sales"}, {"table_name", "orders"}}) >= 0);
    CHECK(find_row(tables, {{"table_schema", "sales"}, {"table_name", "customers"}}) < 0);  // no purpose
    CHECK(find_row(tables, {{"table_schema", "sales"}, {"table_name", "vault"}}) < 0);
    const auto with_purpose = info_tables(fixtures::identity("alice", "fraud"), snap);
    CHECK(find_row(with_purpose, {{"table_schema", "sales"}, {"table_name", "customers"}}) >= 0);
    CHECK(has(tables.real_rows, "information_schema.tables"));
    CHECK(has(tables.real_rows, "'pg_catalog', 'information_schema'"));

    const auto ids = object_ids(snap);
    std::set<uint32_t> seen;
    for (const auto* m : {&ids.namespaces, &ids.relations}) {
        for (const auto& entry : *m) {
            const std::string& name = entry.first;  // clang 14: CAPTURE cannot take a binding
            const uint32_t id = entry.second;
            CAPTURE(name);
            CHECK(id >= 0xF0000000u);
            CHECK(seen.insert(id).second);
        }
    }
    CHECK(object_ids(snap).relations == ids.relations);

    const auto cls = pg_class(fixtures::identity("alice", "fraud"), snap);
    check_shape(cls);
    const int c = find_row(cls, {{"relname", "customers"}});
    REQUIRE(c >= 0);
    CHECK(cls.at(size_t(c), "oid").text == std::to_string(ids.relations.at("sales.customers")));
    CHECK(cls.at(size_t(c), "relnamespace").text == std::to_string(ids.namespaces.at("sales")));
    CHECK(cls.at(size_t(c), "relkind").text == "r");
    CHECK(cls.at(size_t(c), "relnatts").text == "8");

    const auto att = pg_attribute(fixtures::identity("alice", "fraud"), snap);
    check_shape(att);
    const auto oid = std::to_string(ids.relations.at("sales.customers"));
    const int b = find_row(att, {{"attrelid", oid}, {"attname", "balance"}});
    REQUIRE(b >= 0);
    CHECK(att.at(size_t(b), "atttypid").text == "1700");
    CHECK(att.at(size_t(b), "atttypmod").text == std::to_string(((10 << 16) | 2) + 4));
    CHECK(att.at(size_t(b), "attnum").text == "7");

    const auto cols = info_columns(fixtures::identity("alice", "fraud"), snap);
    check_shape(cols);
    const int e = find_row(cols, {{"table_name", "customers"}, {"column_name", "created_at"}});
    REQUIRE(e >= 0);
    CHECK(cols.at(size_t(e), "data_type").text == "timestamp with time zone");
    CHECK(cols.at(size_t(e), "udt_name").text == "timestamptz");
    CHECK(cols.at(size_t(e), "ordinal_position").text == "8");

    for (auto* build : {&info_schemata, &pg_namespace, &pg_description, &pg_tables, &pg_statistic_ext}) {
        check_shape(build(alice, snap));
    }
    CHECK(pg_statistic_ext(alice, snap).rows.empty());
    using V = VirtualRelation;
    for (auto r : {V::PgViews, V::PgMatviews, V::PgIndexes, V::PgSequences, V::PgStatUserTables}) {
        CAPTURE(virtual_relation_name(r));
        const auto t = system_only(r);
        CHECK(t.columns.size() >= 4);
        CHECK(t.rows.empty());
        check_shape(t);
        // Only the system schemas' own rows, or none at all.
        CHECK((t.real_rows.empty() || has(t.real_rows, "IN ('pg_catalog', 'information_schema')")));
    }
    CHECK(system_only(V::PgStatUserTables).columns.size() == 23);
}

TEST_CASE("relations naming a warehouse's objects keep only the system schemas' rows") {
    using V = VirtualRelation;
    for (const char* name : {"pg_type", "pg_constraint", "pg_proc", "pg_index", "pg_trigger",
                             "pg_attrdef", "pg_policies", "pg_rules"}) {
        CAPTURE(name);
        REQUIRE(find_virtual_relation("pg_catalog", name).has_value());
    }
    for (const char* name : {"views", "table_constraints", "key_column_usage", "triggers",
                             "role_table_grants", "column_privileges", "routines", "sequences"}) {
        CAPTURE(name);
        REQUIRE(find_virtual_relation("information_schema", name).has_value());
    }
    // Relations that name nothing of a warehouse's schemas stay real.
    CHECK_FALSE(find_virtual_relation("pg_catalog", "pg_roles").has_value());
    CHECK_FALSE(find_virtual_relation("pg_catalog", "pg_am").has_value());
    CHECK_FALSE(find_virtual_relation("information_schema", "sql_features").has_value());
    size_t n = 0;
    for (int i = kFirstSystemRelation;; ++i) {
        const auto r = V(i);
        if (system_relation_name(r) == "virtual relation") {
            break;
        }
        ++n;
        CAPTURE(system_relation_name(r));
        const auto t = system_only(r);
        CHECK(t.rows.empty());
        CHECK_FALSE(t.real_rows.empty());
        CHECK((has(t.real_rows, "'pg_catalog', 'information_schema'") || has(t.real_rows, "< 16384")));
        check_shape(t);
        const auto d = fixtures::decide_as(
            "alice", "SELECT * FROM " + system_relation_name(r));
        REQUIRE(d.is_allow());
        CHECK(fixtures::parses(d.allow().rewritten()));
    }
    CHECK(n > 50);
}

TEST_CASE("type_info maps format_type spellings to OIDs and typmods") {
    struct Row {
        const char* text;
        uint32_t oid;
        int32_t typmod;
        const char* data_type;
    };
    const Row rows[] = {
        {"integer", 23, -1, "integer"},
        {"character varying(40)", 1043, 44, "character varying"},
        {"character(84)", 1042, 88, "character"},
        {"numeric", 1700, -1, "numeric"},
        {"timestamp(3) with time zone", 1184, 3, "timestamp with time zone"},
        {"text[]", 1009, -1, "ARRAY"},
        {"mood", 25, -1, "USER-DEFINED"},
        {"numeric(10", 25, -1, "USER-DEFINED"},
    };
    for (const auto& r : rows) {
        CAPTURE(r.text);
        const auto t = type_info(r.text);
        CHECK(t.oid == r.oid);
        CHECK(t.typmod == r.typmod);
        CHECK(t.data_type == r.data_type);
    }
}

TEST_CASE("an empty virtual relation keeps its column types") {
    CatalogTable t;
    t.columns = {{"a", "pg_catalog.text"}, {"b", "pg_catalog.bool"}};
    auto sql = render(t);
    REQUIRE(sql.has_value());
    CHECK(has(*sql, "NULL::pg_catalog.text"));
    CHECK(has(*sql, "NULL::pg_catalog.bool"));
    CHECK(has(*sql, "WHERE false"));
    CHECK(fixtures::parses(*sql));
    t.rows.push_back({Cell::lit("x'); DROP TABLE t; --"), Cell::boolean(true)});
    sql = render(t);
    REQUIRE(sql.has_value());
    CHECK(has(*sql, "'x''); DROP TABLE t; --'::pg_catalog.text"));
    CHECK(fixtures::count(fixtures::json_tree(*sql), "\"SelectStmt\"") == 2);  // the outer SELECT and the VALUES list
    t.rows.back()[0] = Cell::lit(std::string("a\0b", 3));
    CHECK_FALSE(render(t).has_value());
    CHECK(Cell::array({"a\"b", "c\\d", ""}).text == "{\"a\\\"b\",\"c\\\\d\",\"\"}");
}

TEST_CASE("catalog statements are rewritten to inline VALUES and run on the catalog backend") {
    const char* queries[] = {
        "SELECT address, accessible FROM mesh.products WHERE domain = 'sales' ORDER BY 1",
        "SELECT p.address, c.column_name FROM mesh.products p JOIN mesh.columns c USING (domain, product)",
        "SELECT * FROM mesh.whoami",
        "TABLE mesh.domains",
        "SELECT * FROM information_schema.tables WHERE table_schema = 'sales'",
        "SELECT n.nspname, c.relname FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace",
        "SELECT * FROM pg_class c, pg_class dc WHERE c.oid = dc.oid",
        "SELECT * FROM pg_catalog.pg_statistic_ext WHERE stxrelid = '1'",
    };
    for (const auto* q : queries) {
        CAPTURE(std::string(q));
        const auto d = fixtures::decide_as("alice", q);
        REQUIRE(d.is_allow());
        CHECK(d.allow().catalog_only);
        CHECK(d.allow().backend == "sales_pg");
        const auto sql = d.allow().rewritten();
        CHECK(fixtures::parses(sql));
        CHECK(has(sql, "VALUES"));
        CHECK_FALSE(has(sql, "FROM mesh."));
        CHECK_FALSE(has(sql, "public"));
    }
    const auto d = fixtures::decide_as("alice", "SELECT * FROM pg_class c, pg_class dc");
    REQUIRE(d.is_allow());
    CHECK(fixtures::count(d.allow().rewritten(), " meshgate_catalog(") == 2);
}

TEST_CASE("a join of a catalog relation with a product runs on the product's backend") {
    const auto d = fixtures::decide_as(
        "alice", "SELECT p.address, count(*) FROM mesh.products p, marketing.campaigns c "
                 "WHERE p.address = 'marketing.campaigns' GROUP BY 1");
    REQUIRE(d.is_allow());
    CHECK(d.allow().backend == "marketing_pg");
    CHECK(fixtures::parses(d.allow().rewritten()));
}

TEST_CASE("unknown mesh relations are 42P01; catalog relations in a mesh search_path resolve") {
    for (const char* q : {"SELECT * FROM mesh.nosuch", "SELECT * FROM mesh.pg_class"}) {
        CAPTURE(std::string(q));
        const auto d = fixtures::decide_as("alice", q);
        REQUIRE(d.is_deny());
        CHECK(d.deny().sqlstate == "42P01");
    }
    auto who = fixtures::identity("alice");
    who.search_path = {"mesh"};
    const auto d = decide("SELECT * FROM products", who, fixtures::snapshot());
    REQUIRE(d.is_allow());
    CHECK(has(d.allow().rewritten(), "VALUES"));
    const auto no_path = fixtures::decide_as("alice", "SELECT * FROM products");
    REQUIRE(no_path.is_deny());
    CHECK(no_path.deny().sqlstate == "42P01");
}
}

#include "policy/rewrite_cache.hpp"

TEST_SUITE("policy.catalog") {
TEST_CASE("the rewrite cache keeps catalog answers per identity and purpose") {
    RewriteCache cache;
    const auto& snap = fixtures::snapshot();
    const std::string q = "SELECT accessible FROM mesh.products WHERE address = 'sales.customers'";
    struct Row {
        const char* user;
        const char* purpose;
        bool accessible;
    };
    // Each identity twice: the second decision may come from the cache and must not differ.
    const Row rows[] = {{"alice", "", false}, {"alice", "fraud", true}, {"mallory", "fraud", false},
                        {"alice", "fraud", true}, {"alice", "", false}, {"bob", "fraud", true}};
    for (int round = 0; round < 2; ++round) {
        for (const auto& r : rows) {
            CAPTURE(r.user);
            CAPTURE(r.purpose);
            const auto who = *r.purpose ? fixtures::identity(r.user, r.purpose) : fixtures::identity(r.user);
            const auto cached = cache.decide(q, who, snap, Protocol::Simple);
            const auto fresh = decide(q, who, snap);
            REQUIRE(cached.is_allow());
            REQUIRE(fresh.is_allow());
            CHECK(cached.allow().rewritten() == fresh.allow().rewritten());
            // The products row of sales.customers carries this caller's verdict.
            const std::string verdict = r.accessible ? "'true'" : "'false'";
            const auto sql = fresh.allow().rewritten();
            const auto at = sql.find("'sales.customers'");
            REQUIRE(at != std::string::npos);
            CHECK(sql.substr(at, sql.find(')', at) - at).find(verdict) != std::string::npos);
        }
    }
}

TEST_CASE("COPY and EXPLAIN of a catalog relation are rewritten like a SELECT") {
    for (const char* q : {"COPY mesh.products TO STDOUT", "COPY (SELECT * FROM mesh.columns) TO STDOUT",
                          "EXPLAIN SELECT * FROM pg_catalog.pg_class"}) {
        CAPTURE(std::string(q));
        const auto d = fixtures::decide_as("alice", q);
        REQUIRE(d.is_allow());
        CHECK(has(d.allow().rewritten(), "VALUES"));
        CHECK(fixtures::parses(d.allow().rewritten()));
    }
}
}

TEST_SUITE("policy.catalog") {
TEST_CASE("description and visibility functions read the virtual catalogs") {
    const auto& snap = fixtures::snapshot();
    const auto ids = object_ids(snap);
    const auto d = fixtures::decide_as(
        "alice", "SELECT c.relname, obj_description(c.oid, 'pg_class'), pg_catalog.col_description(c.oid, 1), "
                 "pg_table_is_visible(c.oid) FROM pg_catalog.pg_class c");
    REQUIRE(d.is_allow());
    const auto sql = d.allow().rewritten();
    CAPTURE(sql);
    CHECK(fixtures::parses(sql));
    CHECK_FALSE(has(sql, "obj_description("));
    CHECK_FALSE(has(sql, "col_description("));
    CHECK(has(sql, "AS obj_description"));   // the result column keeps the function's name
    // pg_class (the outer one, the visibility check and the classoid lookup) and pg_description
    // twice, all inline.
    CHECK(fixtures::count(sql, " meshgate_catalog(") == 4);
    // Visible: sales.orders (alice's search_path is sales); not marketing's products.
    CHECK(has(sql, std::to_string(ids.relations.at("sales.orders"))));
    CHECK_FALSE(has(sql, "IN (" + std::to_string(ids.relations.at("marketing.campaigns"))));
    // The real function still answers for the system catalogs, once, never rewritten again.
    CHECK(fixtures::count(sql, "pg_table_is_visible(") == 1);

    // Through the rewrite cache (constants spliced into a template) the answer is the same.
    RewriteCache cache;
    for (const char* oid : {"11", "2200", "4026531841", "11"}) {
        const std::string q = std::string("SELECT obj_description(") + oid +
                              ", 'pg_namespace'), pg_table_is_visible(" + oid + ")";
        CAPTURE(q);
        const auto who = fixtures::identity("alice");
        const auto cached = cache.decide(q, who, snap, Protocol::Simple);
        const auto fresh = decide(q, who, snap);
        REQUIRE(cached.is_allow());
        REQUIRE(fresh.is_allow());
        CHECK(cached.allow().rewritten() == fresh.allow().rewritten());
    }
    // Constant arguments are grafted the same way.
    const auto named = fixtures::decide_as("alice", "SELECT obj_description(11, 'pg_namespace'), "
                                                    "obj_description(11)");
    REQUIRE(named.is_allow());
    CHECK_FALSE(has(named.allow().rewritten(), "obj_description("));
}
}

TEST_SUITE("policy.catalog") {
TEST_CASE("current_schema and current_schemas answer meshgate's search_path over domains") {
    auto who = fixtures::identity("alice");
    who.search_path = {"marketing", "nosuch", "sales"};
    const auto d = decide("SELECT current_schemas(true), current_schemas(false), current_schema",
                          who, fixtures::snapshot());
    REQUIRE(d.is_allow());
    const auto sql = d.allow().rewritten();
    CAPTURE(sql);
    CHECK(fixtures::parses(sql));
    CHECK_FALSE(has(sql, "current_schemas("));
    CHECK_FALSE(has(sql, "current_schema("));
    CHECK(has(sql, "ARRAY['pg_catalog', 'marketing', 'sales']"));
    CHECK(has(sql, "ARRAY['marketing', 'sales']"));
    CHECK_FALSE(has(sql, "nosuch"));
    // The CURRENT_SCHEMA keyword (a SQLValueFunction) and the call are both answered.
    const auto k = decide("SELECT current_schema, current_schema()", who, fixtures::snapshot());
    REQUIRE(k.is_allow());
    CHECK(fixtures::count(k.allow().rewritten(), "(ARRAY['marketing', 'sales']") == 2);
}
}
