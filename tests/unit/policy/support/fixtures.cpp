// Policy test fixtures. Layer: tests (policy).
#include "fixtures.hpp"

#include <pg_query.h>

namespace meshgate::policy::fixtures {

namespace {

using config::Principal;

Principal user(std::string n) { return {Principal::Kind::User, std::move(n), {}}; }
Principal group(std::string n) { return {Principal::Kind::Group, std::move(n), {}}; }
Principal everyone() { return {Principal::Kind::Everyone, {}, {}}; }

config::SourceLocation at(std::string file, int line)
{
    return {std::move(file), line, 3};
}

config::MaskSpec spec(config::MaskSpec::Kind k)
{
    config::MaskSpec s;
    s.kind = k;
    return s;
}

config::MaskPolicy domain_mask(std::string name, std::string column, config::MaskSpec with,
                               std::vector<Principal> except = {})
{
    config::MaskPolicy m;
    m.name = std::move(name);
    m.column = std::move(column);
    m.with = std::move(with);
    m.except = std::move(except);
    m.origin = at("domains/x.yaml", 40);
    return m;
}

config::User make_user(std::string name, std::vector<std::string> groups,
                       std::map<std::string, config::AttributeValue> attrs,
                       std::vector<std::string> path = {"sales"})
{
    config::User u;
    u.name = std::move(name);
    u.groups = std::move(groups);
    u.attributes = std::move(attrs);
    u.search_path = std::move(path);
    return u;
}

config::Product customers()
{
    config::Product p;
    p.domain = "sales";
    p.name = "customers";
    p.source_schema = "public";
    p.source_relation = "customers";
    p.columns = {{"email", "Login e-mail", {"pii.email"}}, {"card_number", "", {"pci"}}};
    p.access = config::Access{{group("analysts"), group("sales-data-team")}, {user("mallory")}};
    p.purposes = {"fraud", "marketing"};
    p.row_filters = {row_filter("own-region", "region = @user.region", {group("sales-data-team")},
                                at("domains/sales.yaml", 22))};
    auto hide = domain_mask("hide-phone", "phone", spec(config::MaskSpec::Kind::Null),
                            {group("sales-data-team")});
    hide.origin = at("domains/sales.yaml", 26);
    p.masks = {hide};
    p.physical_columns = {{"id", "integer"},
                          {"name", "text"},
                          {"email", "text"},
                          {"phone", "text"},
                          {"card_number", "text"},
                          {"region", "text"},
                          {"balance", "numeric(10,2)"},
                          {"created_at", "timestamp with time zone"}};
    p.origin = at("domains/sales.yaml", 5);
    return p;
}

config::Product orders()
{
    config::Product p;
    p.domain = "sales";
    p.name = "orders";
    p.source_schema = "public";
    p.source_relation = "orders";
    p.access = config::Access{{group("analysts"), group("sales-data-team")}, {}};
    p.physical_columns = {{"id", "integer"},
                          {"customer_id", "integer"},
                          {"total", "numeric(10,2)"},
                          {"ordered_at", "timestamp with time zone"}};
    p.origin = at("domains/sales.yaml", 30);
    return p;
}

config::Product simple(std::string domain, std::string name, std::vector<config::Column> cols,
                       std::vector<Principal> allow)
{
    config::Product p;
    p.domain = std::move(domain);
    p.name = name;
    p.source_schema = "public";
    p.source_relation = name;
    p.access = config::Access{std::move(allow), {}};
    p.physical_columns = std::move(cols);
    p.origin = at("domains/" + p.domain + ".yaml", 8);
    return p;
}

}  // namespace

config::RowFilter row_filter(std::string name, std::string where,
                             std::vector<config::Principal> except, config::SourceLocation origin)
{
    config::RowFilter f;
    f.name = std::move(name);
    f.where = std::move(where);
    f.except = std::move(except);
    f.origin = std::move(origin);
    return f;
}

config::Snapshot make_snapshot()
{
    config::Snapshot s;
    s.hash_key = "test-hash-key";
    s.catalog_backend = "sales_pg";
    s.backends["sales_pg"].name = "sales_pg";
    s.backends["marketing_pg"].name = "marketing_pg";
    s.backends["bench_pg"].name = "bench_pg";
    s.allowed_functions = {"public.safe_fn"};

    config::MaskPolicy pii;
    pii.name = "pii-email";
    pii.tags = {"pii.email"};
    pii.with = spec(config::MaskSpec::Kind::Hash);
    pii.except = {group("privacy-officers")};
    pii.global = true;
    pii.origin = at("meshgate.yaml", 31);
    config::MaskPolicy pci;
    pci.name = "pci";
    pci.tags = {"pci"};
    pci.with = spec(config::MaskSpec::Kind::Partial);
    pci.with.keep_last = 4;
    pci.except = {group("finance")};
    pci.global = true;
    pci.origin = at("meshgate.yaml", 34);
    s.global_masks = {pii, pci};

    auto& sales = s.domains["sales"];
    sales.name = "sales";
    sales.backend = "sales_pg";
    sales.products["customers"] = customers();
    sales.products["orders"] = orders();
    auto unknown = simple("sales", "prospects", {}, {group("analysts")});
    sales.products["prospects"] = unknown;
    auto declared = simple("sales", "leads",
                           {{"id", "integer"}, {"secret_score", "integer"}, {"name", "text"}},
                           {group("analysts")});
    declared.expose_declared = true;
    declared.columns = {{"name", "", {}}, {"id", "", {}}};
    sales.products["leads"] = declared;
    auto closed = simple("sales", "vault", {{"id", "integer"}}, {});
    closed.access.reset();
    sales.products["vault"] = closed;

    // One column per mask kind, plus one carrying two masks (strongest must win).
    auto lab = simple("sales", "mask_lab",
                      {{"c_null", "text"},
                       {"c_const", "text"},
                       {"c_hash", "text"},
                       {"c_regex", "text"},
                       {"c_partial", "text"},
                       {"c_round", "numeric(10,2)"},
                       {"c_trunc", "timestamp with time zone"},
                       {"c_multi", "text"},
                       {"plain", "integer"}},
                      {everyone()});
    auto constant = spec(config::MaskSpec::Kind::Constant);
    constant.constant = "it's hidden";
    auto regex = spec(config::MaskSpec::Kind::Regex);
    regex.pattern = "[0-9]";
    regex.replace = "#";
    auto partial = spec(config::MaskSpec::Kind::Partial);
    partial.keep_first = 2;
    partial.keep_last = 1;
    partial.fill = "x";
    auto round = spec(config::MaskSpec::Kind::Round);
    round.round_step = "100";
    auto trunc = spec(config::MaskSpec::Kind::Truncate);
    trunc.truncate_unit = "month";
    lab.masks = {domain_mask("m-null", "c_null", spec(config::MaskSpec::Kind::Null)),
                 domain_mask("m-const", "c_const", constant),
                 domain_mask("m-hash", "c_hash", spec(config::MaskSpec::Kind::Hash)),
                 domain_mask("m-regex", "c_regex", regex),
                 domain_mask("m-partial", "c_partial", partial),
                 domain_mask("m-round", "c_round", round),
                 domain_mask("m-trunc", "c_trunc", trunc),
                 domain_mask("m-multi-partial", "c_multi", partial),
                 domain_mask("m-multi-hash", "c_multi", spec(config::MaskSpec::Kind::Hash)),
                 domain_mask("m-multi-regex", "c_multi", regex)};
    sales.products["mask_lab"] = lab;

    auto& mkt = s.domains["marketing"];
    mkt.name = "marketing";
    mkt.backend = "marketing_pg";
    mkt.products["campaigns"] = simple(
        "marketing", "campaigns",
        {{"id", "integer"}, {"name", "text"}, {"region", "text"}, {"budget", "numeric"}},
        {group("analysts"), group("marketing-team")});
    // Same product name as in sales, to test search_path order.
    mkt.products["orders"] = simple("marketing", "orders", {{"id", "integer"}, {"channel", "text"}},
                                    {everyone()});

    auto& bench = s.domains["bench"];
    bench.name = "bench";
    bench.backend = "bench_pg";
    bench.products["pgbench_accounts"] = simple(
        "bench", "pgbench_accounts",
        {{"aid", "integer"}, {"bid", "integer"}, {"abalance", "integer"}, {"filler", "character(84)"}},
        {everyone()});

    s.users["alice"] = make_user("alice", {"analysts"},
                                 {{"region", std::string("EU")},
                                  {"purposes", std::vector<std::string>{"fraud", "marketing"}}});
    s.users["bob"] = make_user("bob", {"sales-data-team"},
                               {{"region", std::string("US")},
                                {"purposes", std::vector<std::string>{"fraud"}}});
    s.users["mallory"] = make_user("mallory", {"analysts"},
                                   {{"region", std::string("EU")},
                                    {"purposes", std::vector<std::string>{"fraud"}}});
    s.users["carol"] = make_user("carol", {"analysts", "privacy-officers", "finance"},
                                 {{"region", std::string("EU")},
                                  {"purposes", std::vector<std::string>{"fraud"}}});
    s.users["dave"] = make_user("dave", {"analysts"},
                                {{"purposes", std::vector<std::string>{"fraud"}}});
    s.users["erin"] = make_user("erin", {"marketing-team"}, {}, {"marketing"});
    s.users["bench"] = make_user("bench", {}, {}, {"bench"});
    return s;
}

const config::Snapshot& snapshot()
{
    static const config::Snapshot snap = make_snapshot();
    return snap;
}

Identity identity(const std::string& user)
{
    const auto& users = snapshot().users;
    const auto it = users.find(user);
    if (it == users.end()) {
        Identity who;
        who.user = user;
        return who;
    }
    return Identity::of(it->second);
}

Identity identity(const std::string& user, const std::string& purpose)
{
    auto who = identity(user);
    if (!purpose.empty()) {
        who.purpose = purpose;
    }
    return who;
}

Decision decide_as(const std::string& user, const std::string& sql, const std::string& purpose,
                   Protocol protocol)
{
    return decide(sql, identity(user, purpose), snapshot(), protocol);
}

bool parses(const std::string& sql)
{
    auto r = pg_query_parse(sql.c_str());
    const bool ok = r.error == nullptr;
    pg_query_free_parse_result(r);
    return ok;
}

std::string json_tree(const std::string& sql)
{
    auto r = pg_query_parse(sql.c_str());
    std::string out = r.error == nullptr && r.parse_tree != nullptr ? r.parse_tree : "";
    pg_query_free_parse_result(r);
    return out;
}

size_t count(const std::string& hay, const std::string& needle)
{
    size_t n = 0;
    for (size_t at = hay.find(needle); at != std::string::npos;
         at = hay.find(needle, at + needle.size())) {
        ++n;
    }
    return n;
}

}  // namespace meshgate::policy::fixtures
