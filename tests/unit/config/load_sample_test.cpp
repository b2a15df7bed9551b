// The complete sample config (tests/unit/data/config/sample) loads with every field as written.
// Layer: tests (config). Reads the data files through the real Environment.
#include "config/load.hpp"

#include "config/fake_environment.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace meshgate::config;
using meshgate::config::testing::dump;

namespace {

const std::string kSample = std::string(MESHGATE_TEST_DATA) + "/config/sample";

const MaskPolicy* mask_named(const Product& p, const std::string& name)
{
    for (const auto& m : p.masks) {
        if (m.name == name) {
            return &m;
        }
    }
    return nullptr;
}

}  // namespace

TEST_SUITE("config.sample") {
TEST_CASE("the sample config loads from disk without errors or warnings")
{
    const auto r = load_config(kSample + "/meshgate.yaml");
    INFO(dump(r.errors));
    INFO(dump(r.warnings));
    REQUIRE(r.errors.empty());
    REQUIRE(r.snapshot != nullptr);
    CHECK(r.warnings.empty());
    CHECK(r.snapshot->generation == 0);
    CHECK(r.snapshot->config_file == kSample + "/meshgate.yaml");
    CHECK(r.snapshot->domains_dir == kSample + "/domains");
}

TEST_CASE("the sample's main file sections are read as written")
{
    const auto r = load_config(kSample + "/meshgate.yaml");
    REQUIRE(r.snapshot != nullptr);
    const Snapshot& s = *r.snapshot;

    SUBCASE("listen, admin, audit and limits")
    {
        CHECK(s.listen.host == "0.0.0.0");
        CHECK(s.listen.port == 6432);
        CHECK(s.listen.max_client_connections == 10000);
        REQUIRE(s.listen.tls.has_value());
        CHECK(s.listen.tls->cert_file == kSample + "/tls/server.crt");
        CHECK(s.listen.tls->key_file == kSample + "/tls/server.key");
        CHECK(s.listen.tls->client_ca_file == kSample + "/tls/ca.crt");
        CHECK(s.listen.tls->require);
        CHECK(s.admin.host == "127.0.0.1");
        CHECK(s.admin.port == 9187);
        CHECK(s.admin.enabled);
        CHECK(s.audit.path == kSample + "/audit.jsonl");
        CHECK_FALSE(s.audit.log_literals);
        CHECK(s.limits.max_startup_packet == 10000);
        CHECK(s.limits.max_message == 67108864u);
        CHECK(s.limits.auth_timeout_ms == 30000);
        CHECK(s.limits.idle_timeout_ms == 600000);
        CHECK(s.limits.statement_timeout_ms == 0);
        CHECK_FALSE(s.jwt.has_value());
    }
    SUBCASE("secrets come from files, without their trailing newline")
    {
        CHECK(s.hash_key == "sample-hash-key-0123456789abcdef");
        REQUIRE(s.backends.count("sales_pg") == 1);
        REQUIRE(s.backends.count("marketing_pg") == 1);
        CHECK(s.backends.at("sales_pg").password == "sales-secret");
        CHECK(s.backends.at("marketing_pg").password == "marketing-secret");
    }
    SUBCASE("backends and routing")
    {
        CHECK(s.backends.size() == 2);
        const Backend& b = s.backends.at("sales_pg");
        CHECK(b.name == "sales_pg");
        CHECK(b.host == "127.0.0.1");
        CHECK(b.port == 5432);
        CHECK(b.database == "sales");
        CHECK(b.user == "meshgate");
        CHECK(b.tls == TlsMode::Prefer);
        CHECK(b.pool_size == 20);
        CHECK(b.connect_timeout_ms == 5000);
        const Backend& m = s.backends.at("marketing_pg");
        CHECK(m.port == 5433);
        CHECK(m.database == "marketing");
        CHECK(m.tls == TlsMode::Disable);
        CHECK(s.catalog_backend == "sales_pg");
        CHECK_FALSE(s.federation_backend.has_value());
        CHECK(s.pool_mode == PoolMode::Session);
    }
    SUBCASE("users with groups, attributes, search_path and limits")
    {
        CHECK(s.users.size() == 5);
        const User& alice = s.users.at("alice");
        CHECK(alice.name == "alice");
        CHECK(alice.password_verifier.rfind("SCRAM-SHA-256$4096:K9gGyX8OAK8aH8Myj6djqQ==$",
                                            0) == 0);
        CHECK(alice.groups == std::vector<std::string>{"analysts"});
        REQUIRE(alice.attributes.count("region") == 1);
        CHECK(std::get<std::string>(alice.attributes.at("region")) == "EU");
        REQUIRE(alice.attributes.count("purposes") == 1);
        CHECK(std::get<std::vector<std::string>>(alice.attributes.at("purposes")) ==
              std::vector<std::string>{"fraud", "marketing"});
        CHECK(alice.search_path == std::vector<std::string>{"sales"});
        CHECK(alice.max_connections == 0);
        const User& bob = s.users.at("bob");
        CHECK(bob.search_path == std::vector<std::string>{"marketing", "sales"});
        CHECK(bob.max_connections == 5);
        CHECK(s.users.at("dave").groups ==
              std::vector<std::string>{"analysts", "privacy-officers", "finance"});
    }
    SUBCASE("allowed functions and global policies")
    {
        CHECK(s.allowed_functions == std::vector<std::string>{"util.normalize_phone"});
        REQUIRE(s.global_masks.size() == 2);
        const MaskPolicy& email = s.global_masks[0];
        CHECK(email.name == "pii-email");
        CHECK(email.global);
        CHECK(email.column.empty());
        CHECK(email.tags == std::vector<std::string>{"pii.email"});
        CHECK(email.with.kind == MaskSpec::Kind::Hash);
        REQUIRE(email.except.size() == 1);
        CHECK(email.except[0].to_string() == "group:privacy-officers");
        CHECK(email.origin.file == kSample + "/meshgate.yaml");
        CHECK(email.origin.line == 60);
        CHECK(email.origin.column == 5);
        const MaskPolicy& pci = s.global_masks[1];
        CHECK(pci.name == "pci");
        CHECK(pci.with.kind == MaskSpec::Kind::Partial);
        CHECK(pci.with.keep_first == 0);
        CHECK(pci.with.keep_last == 4);
        CHECK(pci.with.fill == "*");
        CHECK(pci.except[0].to_string() == "group:finance");
    }
}

TEST_CASE("the sample's sales domain is read as written")
{
    const auto r = load_config(kSample + "/meshgate.yaml");
    REQUIRE(r.snapshot != nullptr);
    const Snapshot& s = *r.snapshot;
    REQUIRE(s.domains.count("sales") == 1);
    const Domain& d = s.domains.at("sales");
    CHECK(d.name == "sales");
    CHECK(d.description == "Web shop orders and customers");
    REQUIRE(d.owners.size() == 1);
    CHECK(d.owners[0].kind == Principal::Kind::Group);
    CHECK(d.owners[0].name == "sales-data-team");
    CHECK(d.backend == "sales_pg");
    CHECK(d.origin.file == kSample + "/domains/sales.yaml");
    CHECK(d.origin.line == 2);
    CHECK(d.products.size() == 2);

    const Product* c = s.find_product("sales", "customers");
    REQUIRE(c != nullptr);
    CHECK(c->address() == "sales.customers");
    CHECK(c->domain == "sales");
    CHECK(c->source_schema == "public");
    CHECK(c->source_relation == "customers");
    CHECK(c->description == "One row per customer");
    CHECK_FALSE(c->expose_declared);
    REQUIRE(c->columns.size() == 2);
    CHECK(c->columns[0].name == "email");  // file order, not sorted
    CHECK(c->columns[0].tags == std::vector<std::string>{"pii.email"});
    CHECK(c->columns[0].description == "Login e-mail");
    CHECK(c->columns[1].name == "card_number");
    CHECK(c->columns[1].tags == std::vector<std::string>{"pci"});
    CHECK(c->declared("email") == &c->columns[0]);
    CHECK(c->declared("phone") == nullptr);
    REQUIRE(c->access.has_value());
    REQUIRE(c->access->allow.size() == 2);
    CHECK(c->access->allow[0].to_string() == "group:analysts");
    CHECK(c->access->allow[1].to_string() == "group:sales-data-team");
    REQUIRE(c->access->deny.size() == 1);
    CHECK(c->access->deny[0].kind == Principal::Kind::User);
    CHECK(c->access->deny[0].name == "mallory");
    CHECK(c->purposes == std::vector<std::string>{"fraud", "marketing"});
    REQUIRE(c->row_filters.size() == 1);
    CHECK(c->row_filters[0].name == "own-region");
    CHECK(c->row_filters[0].where == "region = @user.region");
    CHECK(c->row_filters[0].except[0].to_string() == "group:sales-data-team");
    CHECK(c->row_filters[0].origin.line == 19);
    CHECK(c->row_filters[0].origin.column == 9);
    REQUIRE(c->masks.size() == 1);
    CHECK(c->masks[0].name == "hide-phone");
    CHECK(c->masks[0].column == "phone");
    CHECK(c->masks[0].with.kind == MaskSpec::Kind::Null);
    CHECK_FALSE(c->masks[0].global);
    CHECK(c->origin.line == 7);
    CHECK(c->origin.column == 3);

    const Product* o = s.find_product("sales", "orders");
    REQUIRE(o != nullptr);
    CHECK(o->source_relation == "orders");
    REQUIRE(o->access.has_value());
    CHECK(o->access->allow.size() == 1);
    CHECK(o->access->deny.empty());
    CHECK(o->purposes.empty());
    CHECK(o->masks.empty());
    CHECK(o->physical_columns.empty());  // learned from the backend later
}

TEST_CASE("the sample's marketing domain holds every mask kind")
{
    const auto r = load_config(kSample + "/meshgate.yaml");
    REQUIRE(r.snapshot != nullptr);
    const Product* campaigns = r.snapshot->find_product("marketing", "campaigns");
    REQUIRE(campaigns != nullptr);
    CHECK(campaigns->source_schema == "public");
    CHECK(campaigns->tags == std::vector<std::string>{"gold"});
    CHECK(campaigns->access->allow[0].kind == Principal::Kind::Everyone);

    const Product* a = r.snapshot->find_product("marketing", "audience");
    REQUIRE(a != nullptr);
    CHECK(a->source_schema == "crm");
    CHECK(a->source_relation == "audience_members");
    CHECK(a->expose_declared);
    REQUIRE(a->columns.size() == 7);
    const std::vector<std::string> order = {"member_id", "email",   "phone",    "birth_date",
                                            "income",    "segment", "signup_ts"};
    for (std::size_t i = 0; i < order.size(); ++i) {
        CAPTURE(i);
        CHECK(a->columns[i].name == order[i]);
    }
    CHECK(a->access->allow[1].kind == Principal::Kind::Attr);
    CHECK(a->access->allow[1].name == "region");
    CHECK(a->access->allow[1].value == "EU");
    CHECK(a->row_filters.size() == 2);
    CHECK(a->row_filters[0].description ==
          "Only members who consented, in the user's purposes");
    CHECK(a->row_filters[1].where == "segment <> 'internal'");
    CHECK(a->row_filters[1].description.empty());

    REQUIRE(a->masks.size() == 6);
    const MaskPolicy* phone = mask_named(*a, "phone-digits");
    REQUIRE(phone != nullptr);
    CHECK(phone->with.kind == MaskSpec::Kind::Regex);
    CHECK(phone->with.pattern == "[0-9]");
    CHECK(phone->with.replace == "x");
    CHECK(mask_named(*a, "birth-year")->with.truncate_unit == "year");
    CHECK(mask_named(*a, "income-band")->with.kind == MaskSpec::Kind::Round);
    CHECK(mask_named(*a, "income-band")->with.round_step == "1000");
    CHECK(mask_named(*a, "segment-label")->with.kind == MaskSpec::Kind::Constant);
    CHECK(mask_named(*a, "segment-label")->with.constant == "redacted");
    CHECK_FALSE(mask_named(*a, "segment-label")->with.constant_is_null);
    CHECK(mask_named(*a, "signup-month")->with.truncate_unit == "month");
    CHECK(mask_named(*a, "member-hash")->with.kind == MaskSpec::Kind::Hash);
}

}  // TEST_SUITE
