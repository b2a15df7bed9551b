// `meshgate explain --config F --user U [--purpose P] [--search-path a,b] SQL`: prints the
// decision for one statement as that user: allow/deny, route, products, policies, rewritten SQL.
// Layer: proxy (edge).
#include "config/load.hpp"
#include "policy/audit/json_text.hpp"
#include "policy/decide.hpp"
#include "policy/identity.hpp"
#include "proxy/backend/column_learner.hpp"
#include "proxy/cli/commands.hpp"
#include "proxy/cli/policy_cases.hpp"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <iterator>
#include <optional>
#include <sstream>
#include <string>
#include <variant>
#include <vector>

namespace meshgate::cli {
namespace {

constexpr const char* kUsage =
    "usage: meshgate explain --config FILE --user USER [--purpose P] [--search-path a,b]\n"
    "                        [--no-live] [--timeout-ms N] [--format text|json] SQL | -\n"
    "\n"
    "Shows what meshgate would do with SQL sent by USER: the decision (allow, or deny with\n"
    "its SQLSTATE and message), the backend it runs on, the data products it touches, the\n"
    "policies applied and where they were defined, and the rewritten SQL. Nothing is run.\n"
    "Product columns are learned from the backends first (bounded by --timeout-ms); products\n"
    "on an unreachable backend are then refused, as the proxy would. Key material of the\n"
    "keyed-hash mask in the rewritten SQL is shown as '<redacted>'.\n"
    "\n"
    "options:\n"
    "  --config FILE       main configuration file (required)\n"
    "  --user USER         a user from the configuration (required)\n"
    "  --purpose P         the session's declared purpose (SET meshgate.purpose)\n"
    "  --search-path a,b   the session's search_path over domains (default: the user's)\n"
    "  --no-live           do not contact the backends (every product is then refused)\n"
    "  --timeout-ms N      bound for learning columns from each backend (default 5000)\n"
    "  --format F          text (default) or json (one object on stdout)\n"
    "  --help              this text\n"
    "  SQL                 the statement(s); several arguments are joined with spaces;\n"
    "                      \"-\" reads the SQL from stdin\n"
    "\n"
    "exit status: 0 = allowed, 1 = denied, 2 = usage or configuration error\n"
    "\n"
    "example:\n"
    "  meshgate explain --config meshgate.yaml --user alice --purpose fraud \\\n"
    "      'SELECT email, region FROM sales.customers WHERE id = 42'\n";

struct Options {
    std::string config;
    std::string user;
    std::optional<std::string> purpose;
    std::optional<std::vector<std::string>> search_path;
    bool live = true;
    long timeout_ms = 5000;
    std::string sql;
    bool sql_from_stdin = false;
    bool json = false;
};

std::vector<std::string> split_list(const std::string& s)
{
    std::vector<std::string> out;
    std::string cur;
    for (char c : s) {
        if (c == ',') {
            if (!cur.empty()) {
                out.push_back(cur);
            }
            cur.clear();
        } else if (c != ' ') {
            cur += c;
        }
    }
    if (!cur.empty()) {
        out.push_back(cur);
    }
    return out;
}

// 0 = run, 1 = --help printed, 2 = usage error.
int parse(int argc, char** argv, Options& o)
{
    std::vector<std::string> sql_parts;
    bool options_done = false;
    // argv[0] is the program, argv[1] is "explain".
    for (int i = 2; i < argc; ++i) {
        const std::string a = argv[i];
        if (options_done || a.empty() || a[0] != '-' || a == "-") {
            sql_parts.push_back(a);
            continue;
        }
        if (a == "--") {
            options_done = true;
            continue;
        }
        if (a == "--help" || a == "-h") {
            std::fputs(kUsage, stdout);
            return 1;
        }
        if (a == "--no-live") {
            o.live = false;
            continue;
        }
        const bool takes_value = a == "--config" || a == "-c" || a == "--user" || a == "-u" ||
                                 a == "--purpose" || a == "--search-path" || a == "--timeout-ms" ||
                                 a == "--format";
        if (!takes_value) {
            std::fprintf(stderr, "meshgate explain: unknown option \"%s\"\n\n%s", a.c_str(),
                         kUsage);
            return 2;
        }
        if (i + 1 >= argc) {
            std::fprintf(stderr, "meshgate explain: %s needs a value\n", a.c_str());
            return 2;
        }
        const std::string v = argv[++i];
        if (a == "--config" || a == "-c") {
            o.config = v;
        } else if (a == "--user" || a == "-u") {
            o.user = v;
        } else if (a == "--purpose") {
            o.purpose = v;
        } else if (a == "--search-path") {
            o.search_path = split_list(v);
        } else if (a == "--format") {
            if (v != "text" && v != "json") {
                std::fprintf(stderr, "meshgate explain: --format must be text or json\n");
                return 2;
            }
            o.json = v == "json";
        } else {
            char* end = nullptr;
            o.timeout_ms = std::strtol(v.c_str(), &end, 10);
            if (end == nullptr || *end != '\0' || o.timeout_ms <= 0 || o.timeout_ms > 600000) {
                std::fprintf(stderr, "meshgate explain: --timeout-ms must be 1..600000\n");
                return 2;
            }
        }
    }
    if (o.config.empty() || o.user.empty()) {
        std::fprintf(stderr, "meshgate explain: --config and --user are required\n\n%s", kUsage);
        return 2;
    }
    if (sql_parts.size() == 1 && sql_parts[0] == "-") {
        o.sql_from_stdin = true;
    } else {
        for (const auto& p : sql_parts) {
            o.sql += (o.sql.empty() ? "" : " ") + p;
        }
    }
    if (!o.sql_from_stdin && o.sql.empty()) {
        std::fprintf(stderr, "meshgate explain: no SQL given\n\n%s", kUsage);
        return 2;
    }
    return 0;
}

std::string joined(const std::vector<std::string>& items)
{
    std::string out;
    for (const auto& i : items) {
        out += (out.empty() ? "" : ", ") + i;
    }
    return out;
}

void print_who(const policy::Identity& who)
{
    std::printf("user:     %s (groups: %s; purpose: %s; search_path: %s)\n", who.user.c_str(),
                who.groups.empty() ? "none" : joined(who.groups).c_str(),
                who.purpose ? who.purpose->c_str() : "none",
                who.search_path.empty() ? "none" : joined(who.search_path).c_str());
}

// "global (meshgate.yaml:31:5)" -> global; anything else is a domain file's location.
bool is_global(const policy::AppliedPolicy& p) { return p.origin.rfind("global", 0) == 0; }

void print_allow(const policy::Allow& a)
{
    std::printf("decision: allow\n");
    std::printf("route:    %s\n", a.backend.empty() ? "(none: answered by meshgate)"
                                                     : a.backend.c_str());
    if (a.catalog_only) {
        std::printf("          (catalog only)\n");
    }
    std::string products;
    for (const auto& p : a.products) {
        products += (products.empty() ? "" : ", ") + p;
    }
    std::printf("products: %s\n", products.empty() ? "(none)" : products.c_str());
    if (a.policies.empty()) {
        std::printf("policies: (none)\n");
    } else {
        std::printf("policies:\n");
        for (const auto& p : a.policies) {
            std::printf("  %-10s %-24s on %-28s from %s%s\n", p.kind.c_str(), p.name.c_str(),
                        p.product.c_str(), is_global(p) ? "" : "domain file ", p.origin.c_str());
        }
    }
    bool any_local = false;
    for (const auto& step : a.steps) {
        if (const auto* s = std::get_if<policy::SetLocal>(&step)) {
            if (!any_local) {
                std::printf("handled by meshgate:\n");
                any_local = true;
            }
            std::string value = "(reset to default)";
            if (s->value) {
                value.clear();
                for (const auto& v : *s->value) {
                    value += (value.empty() ? "" : ", ") + v;
                }
            }
            std::printf("  %s %s = %s\n", s->command_tag.c_str(), s->name.c_str(), value.c_str());
        } else if (const auto* sh = std::get_if<policy::ShowLocal>(&step)) {
            if (!any_local) {
                std::printf("handled by meshgate:\n");
                any_local = true;
            }
            std::printf("  SHOW %s -> %s\n", sh->name.c_str(), sh->value.c_str());
        }
    }
    const std::string sql = a.rewritten();
    if (!sql.empty()) {
        std::printf("rewritten SQL:\n%s\n", redact_for_display(sql).c_str());
    }
}

void print_deny(const policy::Deny& d)
{
    std::printf("decision: deny\n");
    std::printf("sqlstate: %s\n", d.sqlstate.c_str());
    std::printf("message:  %s\n", d.message.c_str());
    if (!d.detail.empty()) {
        std::printf("detail:   %s\n", d.detail.c_str());
    }
    if (!d.hint.empty()) {
        std::printf("hint:     %s\n", d.hint.c_str());
    }
    if (d.position > 0) {
        std::printf("position: %d\n", d.position);
    }
    if (!d.products.empty()) {
        std::string products;
        for (const auto& p : d.products) {
            products += (products.empty() ? "" : ", ") + p;
        }
        std::printf("products: %s\n", products.c_str());
    }
}

std::string json_list(const std::vector<std::string>& items)
{
    std::string out = "[";
    for (std::size_t i = 0; i < items.size(); ++i) {
        out += (i == 0 ? "" : ",") + audit::json_string(items[i]);
    }
    return out + "]";
}

std::string json_opt(const std::optional<std::string>& s)
{
    return s ? audit::json_string(*s) : std::string("null");
}

void print_json(const policy::Identity& who, const policy::Decision& d)
{
    std::string out = "{\"user\":" + audit::json_string(who.user) +
                      ",\"groups\":" + json_list(who.groups) +
                      ",\"purpose\":" + json_opt(who.purpose) +
                      ",\"search_path\":" + json_list(who.search_path);
    if (d.is_deny()) {
        const auto& x = d.deny();
        out += ",\"decision\":\"deny\",\"sqlstate\":" + audit::json_string(x.sqlstate) +
               ",\"message\":" + audit::json_string(x.message) +
               ",\"detail\":" + audit::json_string(x.detail) +
               ",\"hint\":" + audit::json_string(x.hint) +
               ",\"position\":" + std::to_string(x.position) +
               ",\"products\":" + json_list(x.products) + "}";
        std::printf("%s\n", out.c_str());
        return;
    }
    const auto& a = d.allow();
    out += ",\"decision\":\"allow\",\"route\":" +
           (a.backend.empty() ? std::string("null") : audit::json_string(a.backend)) +
           ",\"catalog_only\":" + (a.catalog_only ? "true" : "false") +
           ",\"products\":" + json_list(a.products) + ",\"policies\":[";
    for (std::size_t i = 0; i < a.policies.size(); ++i) {
        const auto& p = a.policies[i];
        out += std::string(i == 0 ? "" : ",") + "{\"kind\":" + audit::json_string(p.kind) +
               ",\"name\":" + audit::json_string(p.name) +
               ",\"product\":" + audit::json_string(p.product) +
               ",\"scope\":" + (is_global(p) ? "\"global\"" : "\"domain\"") +
               ",\"origin\":" + audit::json_string(p.origin) + "}";
    }
    out += "],\"handled_by_meshgate\":[";
    bool first = true;
    for (const auto& step : a.steps) {
        std::string item;
        if (const auto* s = std::get_if<policy::SetLocal>(&step)) {
            item = "{\"command\":" + audit::json_string(s->command_tag) +
                   ",\"name\":" + audit::json_string(s->name) +
                   ",\"value\":" + (s->value ? json_list(*s->value) : std::string("null")) + "}";
        } else if (const auto* sh = std::get_if<policy::ShowLocal>(&step)) {
            item = "{\"command\":\"SHOW\",\"name\":" + audit::json_string(sh->name) +
                   ",\"value\":" + audit::json_string(sh->value) + "}";
        } else {
            continue;
        }
        out += (first ? "" : ",") + item;
        first = false;
    }
    const std::string sql = a.rewritten();
    out += "],\"rewritten_sql\":" +
           (sql.empty() ? std::string("null") : audit::json_string(redact_for_display(sql))) + "}";
    std::printf("%s\n", out.c_str());
}

}  // namespace

int run_explain(int argc, char** argv)
{
    Options opt;
    if (int p = parse(argc, argv, opt); p != 0) {
        return p == 1 ? 0 : 2;
    }
    if (opt.sql_from_stdin) {
        opt.sql.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
        if (opt.sql.find_first_not_of(" \t\r\n") == std::string::npos) {
            std::fprintf(stderr, "meshgate explain: no SQL on stdin\n");
            return 2;
        }
    }

    config::LoadResult loaded = config::load_config(opt.config);
    if (!loaded.ok()) {
        for (const auto& e : loaded.errors) {
            std::fprintf(stderr, "%s\n", e.to_string().c_str());
        }
        std::fprintf(stderr, "meshgate explain: the configuration has %zu error(s); run "
                             "`meshgate check --config %s`\n",
                     loaded.errors.size(), opt.config.c_str());
        return 2;
    }
    config::Snapshot& snap = *loaded.snapshot;
    auto user = snap.users.find(opt.user);
    if (user == snap.users.end()) {
        std::fprintf(stderr, "meshgate explain: user \"%s\" is not in the configuration\n",
                     opt.user.c_str());
        return 2;
    }

    if (opt.live) {
        auto learned =
            proxy::learn_columns_blocking(snap, std::chrono::milliseconds(opt.timeout_ms));
        if (!learned) {
            std::fprintf(stderr, "warning: %s\n", learned.error().message.c_str());
        } else {
            for (const auto& w : *learned) {
                std::fprintf(stderr, "warning: %s\n", w.c_str());
            }
        }
    } else {
        std::fprintf(stderr, "warning: --no-live: product columns are unknown, so every "
                             "product is refused\n");
    }

    policy::Identity who = policy::Identity::of(user->second);
    if (opt.purpose) {
        who.purpose = opt.purpose;
    }
    if (opt.search_path) {
        who.search_path = *opt.search_path;
    }
    const policy::Decision d = policy::decide(opt.sql, who, snap);
    if (opt.json) {
        print_json(who, d);
        return d.is_allow() ? 0 : 1;
    }
    print_who(who);
    if (d.is_allow()) {
        print_allow(d.allow());
        return 0;
    }
    print_deny(d.deny());
    return 1;
}

}  // namespace meshgate::cli
