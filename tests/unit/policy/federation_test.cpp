// Federation: relation names on the federation backend, routing of statements that span
// backends, the postgres_fdw plan and the sync statements. Layer: tests (policy).
#include "policy/federation.hpp"

#include "policy/decide.hpp"
#include "support/fixtures.hpp"

#include <doctest/doctest.h>

#include <set>

using namespace meshgate;
using namespace meshgate::policy;

namespace {

config::Snapshot federated_snapshot(const std::string& fed = "fed_pg")
{
    auto s = fixtures::make_snapshot();
    s.backends[fed].name = fed;
    s.backends[fed].host = "10.0.0.9";
    s.federation_backend = fed;
    for (auto& [name, b] : s.backends) {
        b.host = "10.0.0." + std::to_string(name.size());
        b.database = name + "_db";
        b.user = "svc_" + name;
        b.password = "pw-" + name + "-'secret";
    }
    return s;
}

Decision decide_on(const config::Snapshot& snap, const std::string& user, const std::string& sql,
                   const std::string& purpose = "")
{
    auto who = purpose.empty() ? fixtures::identity(user) : fixtures::identity(user, purpose);
    return decide(sql, who, snap);
}

// Every occurrence of `from` replaced by `to`.
std::string replace_all(std::string s, const std::string& from, const std::string& to)
{
    size_t at = 0;
    while ((at = s.find(from, at)) != std::string::npos) {
        s.replace(at, from.size(), to);
        at += to.size();
    }
    return s;
}

}  // namespace

TEST_SUITE("policy.federation") {
TEST_CASE("names: server and schema per backend, one foreign table per source, 63-byte limit") {
    CHECK(federation_server("sales_pg") == "meshgate_sales_pg");
    CHECK(federation_schema("sales_pg") == "meshgate_sales_pg");
    CHECK(foreign_table_name("public", "customers") == "public.customers");
    CHECK(foreign_table_name("Sales", "Big Table") == "Sales.Big Table");
    const std::string a(60, 'a');
    const std::string b = a + "x";
    const std::string c = a + "y";
    CHECK(fit_identifier(a) == a);
    const auto fb = foreign_table_name("public", b);
    const auto fc = foreign_table_name("public", c);
    CHECK(fb.size() == kMaxIdentifierBytes);
    CHECK(fc.size() == kMaxIdentifierBytes);
    CHECK(fb != fc);
    CHECK(fb == foreign_table_name("public", b));  // stable
    CHECK(federation_server(std::string(80, 'z')).size() == kMaxIdentifierBytes);
    // A multi-byte character is never cut in half.
    std::string utf8(45, 'q');
    for (int i = 0; i < 20; ++i) {
        utf8 += "\xc3\xa9";
    }
    const auto fu = fit_identifier(utf8);
    CHECK(fu.size() <= kMaxIdentifierBytes);
    CHECK(fu.substr(0, 45) == std::string(45, 'q'));
    CHECK(fu[45] == '_');
}

TEST_CASE("federated_source: the foreign table, or the source itself on the federation backend") {
    const auto snap = federated_snapshot("marketing_pg");
    const auto& sales = snap.domains.at("sales");
    const auto& mkt = snap.domains.at("marketing");
    CHECK(federated_source(snap, sales, sales.products.at("customers")) ==
          RelationName{"meshgate_sales_pg", "public.customers"});
    const auto& campaigns = mkt.products.begin()->second;
    CHECK(federated_source(snap, mkt, campaigns) ==
          RelationName{campaigns.source_schema, campaigns.source_relation});
}

TEST_CASE("routing: spanning backends runs on the federation backend, rewritten as on one") {
    const auto fed = federated_snapshot();
    // The same snapshot with every domain on one backend: the reference rewrite.
    auto one = fed;
    for (auto& [n, d] : one.domains) {
        d.backend = "sales_pg";
    }
    const char* sqls[] = {
        "SELECT * FROM sales.customers c JOIN marketing.campaigns m ON true",
        "SELECT c.email, o.id FROM sales.customers c, sales.orders o, marketing.campaigns m "
        "WHERE o.id = c.id",
        "SELECT * FROM sales.orders; SELECT * FROM marketing.campaigns",
        "SELECT count(*) FROM (SELECT * FROM marketing.campaigns) x WHERE EXISTS "
        "(SELECT 1 FROM sales.customers WHERE length(email) > 3)",
    };
    size_t allowed = 0;
    for (const char* purpose : {"", "fraud"}) {
        for (const char* sql : sqls) {
            CAPTURE(std::string(sql));
            CAPTURE(std::string(purpose));
            const auto d = decide_on(fed, "alice", sql, purpose);
            const auto ref = decide_on(one, "alice", sql, purpose);
            REQUIRE(d.is_allow() == ref.is_allow());
            if (!d.is_allow()) {
                CHECK(d.deny().sqlstate == ref.deny().sqlstate);
                CHECK(d.deny().message == ref.deny().message);
                continue;
            }
            ++allowed;
            CHECK(d.allow().backend == "fed_pg");
            CHECK_FALSE(d.allow().catalog_only);
            CHECK(d.allow().products == ref.allow().products);
            CHECK(d.allow().policies.size() == ref.allow().policies.size());
            std::string got = d.allow().rewritten();
            for (const auto& [dn, dom] : fed.domains) {
                for (const auto& [pn, p] : dom.products) {
                    const auto rel = federated_source(fed, dom, p);
                    got = replace_all(got, rel.schema + ".\"" + rel.relation + "\"",
                                      p.source_schema + "." + p.source_relation);
                }
            }
            CHECK(got == ref.allow().rewritten());
            CHECK(d.allow().rewritten().find("meshgate_sales_pg.\"public.") != std::string::npos);
            CHECK(d.allow().rewritten().find("meshgate_marketing_pg.") != std::string::npos);
        }
    }
    CHECK(allowed == 5);  // without a purpose only the statements without sales.customers
}

TEST_CASE("routing: one backend stays there even with federation; masks and filters kept") {
    const auto fed = federated_snapshot();
    const auto d = decide_on(fed, "alice", "SELECT * FROM sales.customers", "fraud");
    REQUIRE(d.is_allow());
    CHECK(d.allow().backend == "sales_pg");
    CHECK(d.allow().rewritten().find("meshgate_sales_pg") == std::string::npos);
    CHECK(d.allow().rewritten().find("public.customers") != std::string::npos);
    const auto cat = decide_on(fed, "alice", "SELECT 1");
    REQUIRE(cat.is_allow());
    CHECK(cat.allow().backend == "sales_pg");
    CHECK(cat.allow().catalog_only);
}

TEST_CASE("routing: without federation 0A000 names the backends; unavailable federation 55000") {
    auto snap = federated_snapshot();
    snap.federation_backend.reset();
    const std::string sql = "SELECT * FROM sales.orders JOIN marketing.campaigns ON true";
    auto d = decide_on(snap, "alice", sql);
    REQUIRE(d.is_deny());
    CHECK(d.deny().sqlstate == "0A000");
    CHECK(d.deny().message.find("sales_pg") != std::string::npos);
    CHECK(d.deny().message.find("marketing_pg") != std::string::npos);

    auto down = federated_snapshot();
    down.federation_unavailable = "cannot connect to backend fed_pg";
    d = decide_on(down, "alice", sql);
    REQUIRE(d.is_deny());
    CHECK(d.deny().sqlstate == "55000");
    CHECK(d.deny().message.find("fed_pg") != std::string::npos);
    CHECK(d.deny().detail == down.federation_unavailable);

    // A denial on one product stays a denial through federation (no access: 42501).
    const auto fed = federated_snapshot();
    d = decide_on(fed, "mallory", "SELECT * FROM sales.customers JOIN marketing.campaigns ON true");
    REQUIRE(d.is_deny());
    CHECK(d.deny().sqlstate == "42501");
}

TEST_CASE("routing: BEGIN and START TRANSACTION are marked, so the session can defer them") {
    struct Row {
        const char* sql;
        const char* opens;
    };
    const Row rows[] = {{"BEGIN", "BEGIN"},
                        {"begin isolation level serializable", "BEGIN"},
                        {"START TRANSACTION READ ONLY", "START TRANSACTION"},
                        {"COMMIT", ""},
                        {"ROLLBACK", ""},
                        {"SAVEPOINT a", ""}};
    for (const auto& r : rows) {
        CAPTURE(std::string(r.sql));
        const auto d = fixtures::decide_as("alice", r.sql);
        REQUIRE(d.is_allow());
        REQUIRE(d.allow().steps.size() == 1);
        const auto* f = std::get_if<Forward>(&d.allow().steps[0]);
        REQUIRE(f != nullptr);
        CHECK(f->transaction_control);
        CHECK(f->opens_transaction == r.opens);
        CHECK(d.allow().catalog_only);
    }
}

TEST_CASE("plan: one server, mapping and schema per other backend, one table per source") {
    const auto snap = federated_snapshot();
    auto plan = plan_federation(snap);
    REQUIRE(plan.has_value());
    CHECK(plan->backend == "fed_pg");
    std::set<std::string> servers;
    for (const auto& s : plan->servers) {
        servers.insert(s.name);
        CHECK(s.create_sql.find("postgres_fdw") != std::string::npos);
        CHECK(s.create_sql.find("secret") == std::string::npos);  // no password in it
        CHECK(s.mapping_sql.find("'pw-" + s.backend + "-''secret'") != std::string::npos);
        CHECK(s.mapping_sql.find("'svc_" + s.backend + "'") != std::string::npos);
        CHECK(s.create_sql.find("dbname '" + s.backend + "_db'") != std::string::npos);
    }
    std::set<std::string> expected;
    size_t products = 0;
    for (const auto& [dn, d] : snap.domains) {
        expected.insert("meshgate_" + d.backend);
        products += d.products.size();
    }
    CHECK(servers == expected);
    size_t planned = 0;
    for (const auto& t : plan->tables) {
        planned += t.products.size();
        CHECK(t.schema == t.server);
        CHECK(t.create_sql.find("SERVER \"" + t.server + "\"") != std::string::npos);
        CHECK(t.create_sql.find("table_name '" + t.remote_relation + "'") != std::string::npos);
        for (const auto& c : t.columns) {
            CHECK(t.create_sql.find("\"" + c.name + "\" " + c.type) != std::string::npos);
        }
    }
    CHECK(planned + plan->notes.size() == products);

    // A domain on the federation backend needs no foreign objects.
    const auto on_sales = federated_snapshot("sales_pg");
    auto p2 = plan_federation(on_sales);
    REQUIRE(p2.has_value());
    for (const auto& s : p2->servers) {
        CHECK(s.backend != "sales_pg");
    }
    for (const auto& t : p2->tables) {
        CHECK(t.backend != "sales_pg");
    }
    auto none = snap;
    none.federation_backend.reset();
    CHECK_FALSE(plan_federation(none).has_value());
}

TEST_CASE("plan: unknown columns and undeclarable types leave the product out") {
    auto snap = federated_snapshot();
    auto& customers = snap.domains.at("sales").products.at("customers");
    customers.physical_columns.clear();
    auto& orders = snap.domains.at("sales").products.at("orders");
    orders.physical_columns.back().type = "text); DROP TABLE x; --";
    auto plan = plan_federation(snap);
    REQUIRE(plan.has_value());
    for (const auto& t : plan->tables) {
        CHECK(t.products.front() != "sales.customers");
        CHECK(t.products.front() != "sales.orders");
    }
    CHECK(plan->notes.size() >= 2);
}

TEST_CASE("sync: from nothing, in step, changed, removed, foreign objects") {
    auto snap = federated_snapshot();
    auto plan = plan_federation(snap);
    REQUIRE(plan.has_value());
    auto fresh = sync_statements(*plan, {});
    REQUIRE(fresh.has_value());
    size_t creates = 0;
    for (const auto& s : *fresh) {
        creates += s.sql.rfind("CREATE FOREIGN TABLE", 0) == 0 ? 1 : 0;
        CHECK(s.log.find("secret") == std::string::npos);
    }
    CHECK(creates == plan->tables.size());

    // The state the fresh sync leaves: only the user mappings are made again.
    FederationState st;
    for (const auto& s : plan->servers) {
        st.servers.push_back({s.name, "meshgate:" + s.signature});
    }
    st.schemas = plan->schemas;
    for (const auto& t : plan->tables) {
        st.tables.push_back({t.schema, t.name, 'f', "meshgate:" + t.signature});
    }
    auto same = sync_statements(*plan, st);
    REQUIRE(same.has_value());
    CHECK(same->size() == 2 * plan->servers.size());
    for (const auto& s : *same) {
        CHECK(s.sql.find("USER MAPPING") != std::string::npos);
    }

    // A changed column list: that table dropped and created again, nothing else.
    auto changed = snap;
    auto& orders = changed.domains.at("sales").products.at("orders");
    orders.physical_columns.push_back({"added_col", "integer"});
    auto plan2 = plan_federation(changed);
    REQUIRE(plan2.has_value());
    auto diff = sync_statements(*plan2, st);
    REQUIRE(diff.has_value());
    std::vector<std::string> ddl;
    for (const auto& s : *diff) {
        if (s.sql.find("USER MAPPING") == std::string::npos) {
            ddl.push_back(s.sql);
        }
    }
    REQUIRE(ddl.size() == 3);
    CHECK(ddl[0] == "DROP FOREIGN TABLE IF EXISTS \"meshgate_sales_pg\".\"public.orders\"");
    CHECK(ddl[1].find("\"added_col\" integer") != std::string::npos);
    CHECK(ddl[2].rfind("COMMENT ON FOREIGN TABLE", 0) == 0);

    // A backend no longer federated: its server and schema dropped; a stray table dropped.
    auto stale = st;
    stale.servers.push_back({"meshgate_old_pg", "meshgate:x"});
    stale.schemas.push_back("meshgate_old_pg");
    stale.tables.push_back({"meshgate_sales_pg", "public.gone", 'f', "meshgate:y"});
    auto gone = sync_statements(*plan, stale);
    REQUIRE(gone.has_value());
    std::set<std::string> sqls;
    for (const auto& s : *gone) {
        sqls.insert(s.sql);
    }
    CHECK(sqls.count("DROP SERVER IF EXISTS \"meshgate_old_pg\" CASCADE") == 1);
    CHECK(sqls.count("DROP SCHEMA IF EXISTS \"meshgate_old_pg\" CASCADE") == 1);
    CHECK(sqls.count("DROP FOREIGN TABLE IF EXISTS \"meshgate_sales_pg\".\"public.gone\"") == 1);

    // A server whose definition changed (host moved): dropped and created with its schema.
    auto moved = snap;
    moved.backends.at("marketing_pg").host = "10.9.9.9";
    auto plan3 = plan_federation(moved);
    REQUIRE(plan3.has_value());
    auto re = sync_statements(*plan3, st);
    REQUIRE(re.has_value());
    bool dropped = false;
    bool recreated = false;
    for (const auto& s : *re) {
        dropped |= s.sql == "DROP SERVER IF EXISTS \"meshgate_marketing_pg\" CASCADE";
        recreated |= s.sql.find("CREATE SERVER \"meshgate_marketing_pg\"") == 0 &&
                     s.sql.find("10.9.9.9") != std::string::npos;
    }
    CHECK(dropped);
    CHECK(recreated);

    // Something meshgate did not create in its schema: refused, nothing dropped blindly.
    auto alien = st;
    alien.tables.push_back({"meshgate_sales_pg", "precious", 'r', ""});
    auto refused = sync_statements(*plan, alien);
    REQUIRE_FALSE(refused.has_value());
    CHECK(refused.error().message.find("precious") != std::string::npos);
}

TEST_CASE("state rows: servers, schemas, relations") {
    const auto st = federation_state_from_rows({{"s", "", "meshgate_a", "", "meshgate:1"},
                                                {"n", "meshgate_a", "", "", ""},
                                                {"t", "meshgate_a", "public.x", "f", "c"},
                                                {"bad"}});
    REQUIRE(st.servers.size() == 1);
    CHECK(st.servers[0].comment == "meshgate:1");
    CHECK(st.schemas == std::vector<std::string>{"meshgate_a"});
    REQUIRE(st.tables.size() == 1);
    CHECK(st.tables[0].kind == 'f');
    CHECK(st.tables[0].name == "public.x");
}
}
