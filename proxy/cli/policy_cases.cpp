// Policy cases: strict parsing of a case file, judging decisions and rows, the report lines.
// Layer: proxy (edge), pure (no I/O besides reading the case file in load_cases).
#include "proxy/cli/policy_cases.hpp"

#include "config/diagnostics.hpp"
#include "config/map_reader.hpp"
#include "config/suggest.hpp"
#include "config/yaml_reader.hpp"

#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/yaml.h>

#include <cctype>
#include <fstream>
#include <set>
#include <sstream>
#include <variant>

namespace meshgate::cli {

namespace {

const std::vector<std::string_view> kCaseKeys = {
    "name", "user", "purpose", "sql", "expect", "sqlstate", "rewritten_contains", "rows"};

// A file holds one YAML document; syntax errors carry the parser's line and column.
std::optional<config::YamlValue> parse_yaml(config::YamlReader& r, std::string_view text)
{
    try {
        std::vector<YAML::Node> docs = YAML::LoadAll(std::string(text));
        if (docs.empty() || (docs.size() == 1 && docs[0].IsNull())) {
            r.error(YAML::Mark::null_mark(), "the file holds no cases");
            return std::nullopt;
        }
        if (docs.size() > 1) {
            r.error(docs[1].Mark(), "the file holds " + std::to_string(docs.size()) +
                                        " YAML documents; only one list of cases is allowed");
            return std::nullopt;
        }
        YAML::Mark mark = docs[0].Mark();
        if (mark.is_null()) {
            mark = YAML::Mark();
        }
        return config::YamlValue{docs[0], mark, mark};
    } catch (const YAML::DeepRecursion& e) {
        r.error(e.mark, "YAML nesting is too deep");
    } catch (const YAML::Exception& e) {
        r.error(e.mark, "YAML syntax error: " + e.msg);
    } catch (const std::exception& e) {
        r.error(YAML::Mark::null_mark(), std::string("cannot parse YAML: ") + e.what());
    }
    return std::nullopt;
}

bool is_sqlstate(const std::string& s)
{
    if (s.size() != 5) {
        return false;
    }
    for (char c : s) {
        if (!(std::isdigit(static_cast<unsigned char>(c)) ||
              std::isupper(static_cast<unsigned char>(c)))) {
            return false;
        }
    }
    return true;
}

// A plain (unquoted) YAML scalar: yaml-cpp tags those "?", quoted ones "!".
bool is_plain(const YAML::Node& n) { return n.Tag() == "?"; }

std::optional<Cell> read_cell(config::YamlReader& r, const config::YamlValue& v,
                              const std::string& path)
{
    if (v.node.IsNull()) {
        return Cell{};
    }
    if (!v.node.IsScalar()) {
        r.error(v, path + ": expected a value or null, got " +
                       std::string(config::kind_name(v.node)));
        return std::nullopt;
    }
    std::string text = v.node.Scalar();
    if (is_plain(v.node)) {
        if (text == "true" || text == "True" || text == "TRUE") {
            return Cell{"t"};
        }
        if (text == "false" || text == "False" || text == "FALSE") {
            return Cell{"f"};
        }
    }
    return Cell{std::move(text)};
}

std::optional<std::vector<Row>> read_rows(config::YamlReader& r, const config::YamlValue& v,
                                          const std::string& path)
{
    auto rows = r.sequence(v, path);
    if (!rows) {
        return std::nullopt;
    }
    std::vector<Row> out;
    bool ok = true;
    for (std::size_t i = 0; i < rows->size(); ++i) {
        const std::string row_path = path + "[" + std::to_string(i) + "]";
        const auto& rv = (*rows)[i];
        if (!rv.node.IsSequence()) {
            r.error(rv, row_path + ": a row must be a list of values, e.g. [1, EU, null]; got " +
                            std::string(config::kind_name(rv.node)));
            ok = false;
            continue;
        }
        auto cells = r.sequence(rv, row_path);
        Row row;
        for (std::size_t j = 0; cells && j < cells->size(); ++j) {
            auto cell = read_cell(r, (*cells)[j], row_path + "[" + std::to_string(j) + "]");
            if (!cell) {
                ok = false;
                continue;
            }
            row.push_back(std::move(*cell));
        }
        out.push_back(std::move(row));
    }
    if (!ok) {
        return std::nullopt;
    }
    return out;
}

std::optional<PolicyCase> read_case(config::YamlReader& r, const config::YamlValue& item,
                                    std::size_t index)
{
    std::string path = "case #" + std::to_string(index + 1);
    if (item.node.IsMap()) {
        // Name the case in messages when its name is readable.
        const YAML::Node name = item.node["name"];
        if (name.IsDefined() && name.IsScalar() && !name.Scalar().empty() &&
            name.Scalar().size() <= 80) {
            path += " (\"" + name.Scalar() + "\")";
        }
    }
    if (!item.node.IsMap()) {
        r.error(item, path + ": expected a map with name, user, sql and expect; got " +
                          std::string(config::kind_name(item.node)));
        return std::nullopt;
    }
    const std::size_t errors_before = r.diagnostics().error_count();
    config::MapReader m(r, item, path, kCaseKeys);
    PolicyCase c;
    c.where = r.at(item.mark);
    if (auto v = m.required("name")) {
        if (auto s = r.non_empty_string(*v, m.path_of("name"))) {
            c.name = *s;
        }
    }
    if (auto v = m.required("user")) {
        c.user_at = r.at(*v);
        if (auto s = r.non_empty_string(*v, m.path_of("user"))) {
            c.user = *s;
        }
    }
    if (auto v = m.value("purpose")) {
        if (auto s = r.non_empty_string(*v, m.path_of("purpose"))) {
            c.purpose = *s;
        }
    }
    if (auto v = m.required("sql")) {
        if (auto s = r.non_empty_string(*v, m.path_of("sql"))) {
            if (s->find_first_not_of(" \t\r\n") == std::string::npos) {
                r.error(*v, m.path_of("sql") + ": must not be blank");
            }
            c.sql = *s;
        }
    }
    std::optional<config::YamlValue> expect_at;
    if (auto v = m.required("expect")) {
        expect_at = v;
        if (auto s = r.choice(*v, m.path_of("expect"), {"allow", "deny"})) {
            c.expect_allow = *s == "allow";
        }
    }
    if (auto v = m.value("sqlstate")) {
        if (auto s = r.string(*v, m.path_of("sqlstate"))) {
            if (!is_sqlstate(*s)) {
                r.error(*v, m.path_of("sqlstate") + ": \"" + *s +
                                "\" is not a SQLSTATE (five digits or capital letters, e.g. "
                                "\"42501\"; quote it)");
            } else if (c.expect_allow) {
                r.error(*v, m.path_of("sqlstate") + ": only a deny case has a SQLSTATE");
            } else {
                c.sqlstate = *s;
            }
        }
    }
    if (auto v = m.value("rewritten_contains")) {
        if (auto l = r.string_list(*v, m.path_of("rewritten_contains"))) {
            if (expect_at && !c.expect_allow) {
                r.error(*v, m.path_of("rewritten_contains") +
                                ": a deny case has no rewritten SQL");
            }
            c.rewritten_contains = *l;
        }
    }
    if (auto v = m.get("rows")) {
        if (v->node.IsNull()) {
            r.error(*v, m.path_of("rows") + ": expected a list of rows (use [] for no rows)");
        } else if (auto rows = read_rows(r, *v, m.path_of("rows"))) {
            if (expect_at && !c.expect_allow) {
                r.error(*v, m.path_of("rows") + ": a deny case returns no rows");
            }
            c.rows = std::move(*rows);
        }
    }
    if (r.diagnostics().error_count() != errors_before) {
        return std::nullopt;
    }
    return c;
}

}  // namespace

CaseFile parse_cases(std::string_view text, const std::string& file)
{
    config::Diagnostics diag;
    config::YamlReader r(file, diag);
    CaseFile out;
    if (auto doc = parse_yaml(r, text)) {
        if (!doc->node.IsSequence()) {
            r.error(*doc, "top level: expected a list of cases (\"- name: ...\"), got " +
                              std::string(config::kind_name(doc->node)));
        } else if (auto items = r.sequence(*doc, "cases")) {
            if (items->empty()) {
                r.error(*doc, "the file holds no cases");
            }
            std::map<std::string, int> first_line;
            for (std::size_t i = 0; i < items->size(); ++i) {
                auto c = read_case(r, (*items)[i], i);
                if (!c) {
                    continue;
                }
                auto [it, fresh] = first_line.emplace(c->name, c->where.line);
                if (!fresh) {
                    r.error((*items)[i], "case #" + std::to_string(i + 1) + ": duplicate name \"" +
                                             c->name + "\" (first given at line " +
                                             std::to_string(it->second) + ")");
                    continue;
                }
                out.cases.push_back(std::move(*c));
            }
        }
    }
    out.errors = std::move(diag.errors());
    if (!out.errors.empty()) {
        out.cases.clear();
    }
    return out;
}

CaseFile load_cases(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        CaseFile out;
        out.errors.push_back(config::ConfigError{config::SourceLocation{path, 0, 0},
                                                 "cannot read the case file"});
        return out;
    }
    std::ostringstream text;
    text << in.rdbuf();
    return parse_cases(text.str(), path);
}

std::vector<config::ConfigError> check_users(const std::vector<PolicyCase>& cases,
                                             const config::Snapshot& snap)
{
    std::vector<std::string_view> names;
    for (const auto& [name, user] : snap.users) {
        names.push_back(name);
    }
    std::vector<config::ConfigError> out;
    for (const auto& c : cases) {
        if (snap.users.count(c.user) == 0) {
            out.push_back(config::ConfigError{
                c.user_at, "case \"" + c.name + "\": user \"" + c.user +
                               "\" is not in the configuration" +
                               config::did_you_mean(c.user, names)});
        }
    }
    return out;
}

std::string format_row(const Row& row)
{
    std::string out = "[";
    for (std::size_t i = 0; i < row.size(); ++i) {
        if (i != 0) {
            out += ", ";
        }
        if (!row[i]) {
            out += "null";
            continue;
        }
        out += '"';
        for (unsigned char ch : *row[i]) {
            if (ch == '"' || ch == '\\') {
                out += '\\';
                out += static_cast<char>(ch);
            } else if (ch == '\n') {
                out += "\\n";
            } else if (ch == '\t') {
                out += "\\t";
            } else if (ch < 0x20 || ch == 0x7f) {
                static const char* hex = "0123456789abcdef";
                out += "\\x";
                out += hex[ch >> 4];
                out += hex[ch & 15];
            } else {
                out += static_cast<char>(ch);
            }
        }
        out += '"';
    }
    return out + "]";
}

std::string diff_rows(const std::vector<Row>& expected, const std::vector<Row>& actual)
{
    const auto count = [](std::size_t n) {
        return std::to_string(n) + (n == 1 ? " row" : " rows");
    };
    const std::size_t common = std::min(expected.size(), actual.size());
    for (std::size_t i = 0; i < common; ++i) {
        if (expected[i] != actual[i]) {
            std::string s = "row " + std::to_string(i + 1) + ": expected " +
                            format_row(expected[i]) + ", got " + format_row(actual[i]);
            if (expected.size() != actual.size()) {
                s += " (expected " + count(expected.size()) + ", got " + count(actual.size()) +
                     ")";
            }
            return s;
        }
    }
    if (expected.size() > actual.size()) {
        return "expected " + count(expected.size()) + ", got " + count(actual.size()) +
               "; first missing: " + format_row(expected[common]);
    }
    if (actual.size() > expected.size()) {
        return "expected " + count(expected.size()) + ", got " + count(actual.size()) +
               "; first extra: " + format_row(actual[common]);
    }
    return "";
}

std::string redact_for_display(const std::string& sql)
{
    std::string out;
    std::size_t i = 0;
    while (i < sql.size()) {
        if (sql[i] == '\'') {
            std::size_t j = i + 1;
            while (j < sql.size() && std::isxdigit(static_cast<unsigned char>(sql[j]))) {
                ++j;
            }
            if (j < sql.size() && sql[j] == '\'' && j - i - 1 >= 64) {
                out += "'<redacted>'";
                i = j + 1;
                continue;
            }
        }
        out += sql[i++];
    }
    return out;
}

std::optional<LiveResult> answered_by_meshgate(const policy::Allow& allow)
{
    LiveResult out;
    for (const auto& step : allow.steps) {
        if (std::holds_alternative<policy::Forward>(step)) {
            return std::nullopt;
        }
        if (const auto* show = std::get_if<policy::ShowLocal>(&step)) {
            out.columns = {show->name};
            out.rows = {Row{show->value}};
        }
    }
    return out;
}

CaseOutcome judge(const PolicyCase& c, const policy::Decision& d,
                  const std::optional<LiveResult>& live)
{
    CaseOutcome o;
    if (c.expect_allow && d.is_deny()) {
        const auto& deny = d.deny();
        o.differences.push_back("expected allow, got deny (SQLSTATE " + deny.sqlstate + ": " +
                                deny.message + ")");
        return o;
    }
    if (!c.expect_allow && d.is_allow()) {
        o.differences.push_back(
            "expected deny" + (c.sqlstate ? " (SQLSTATE " + *c.sqlstate + ")" : std::string()) +
            ", got allow");
        const std::string sql = d.allow().rewritten();
        if (!sql.empty()) {
            o.details.push_back("rewritten SQL: " + redact_for_display(sql));
        }
        return o;
    }
    if (d.is_deny()) {
        const auto& deny = d.deny();
        if (c.sqlstate && *c.sqlstate != deny.sqlstate) {
            o.differences.push_back("expected SQLSTATE " + *c.sqlstate + ", got " +
                                    deny.sqlstate + " (" + deny.message + ")");
        }
        o.passed = o.differences.empty();
        return o;
    }
    const std::string sql = d.allow().rewritten();
    for (const auto& f : c.rewritten_contains) {
        if (sql.find(f) == std::string::npos) {
            o.differences.push_back("rewritten SQL lacks \"" + f + "\"");
        }
    }
    if (!o.differences.empty()) {
        o.details.push_back("rewritten SQL: " + redact_for_display(sql));
    }
    if (c.rows) {
        if (!live) {
            o.notes.push_back("rows not compared without --live");
        } else if (live->error) {
            o.differences.push_back("running the rewritten SQL failed: " + *live->error);
        } else if (auto diff = diff_rows(*c.rows, live->rows); !diff.empty()) {
            o.differences.push_back("rows differ: " + diff);
        }
    }
    o.passed = o.differences.empty();
    return o;
}

std::string format_outcome(const PolicyCase& c, const CaseOutcome& o)
{
    std::string line = (o.passed ? "PASS  " : "FAIL  ") + c.name;
    if (!o.differences.empty()) {
        line += ": ";
        for (std::size_t i = 0; i < o.differences.size(); ++i) {
            line += (i == 0 ? "" : "; ") + o.differences[i];
        }
    }
    for (const auto& n : o.notes) {
        line += "  (" + n + ")";
    }
    line += "\n";
    if (!o.passed) {
        line += "      at " + c.where.to_string() + "\n";
    }
    for (const auto& d : o.details) {
        line += "      " + d + "\n";
    }
    return line;
}

std::string format_summary(std::size_t passed, std::size_t failed)
{
    return std::to_string(passed) + " passed, " + std::to_string(failed) + " failed";
}

}  // namespace meshgate::cli
