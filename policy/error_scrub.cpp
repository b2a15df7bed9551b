// Backend error scrubbing. Layer: policy (pure).
#include "policy/error_scrub.hpp"

#include <algorithm>
#include <array>
#include <string_view>

namespace meshgate::policy {

namespace {

std::string field(const BackendMessageFields& fields, char code)
{
    for (const auto& [c, v] : fields) {
        if (c == code) {
            return v;
        }
    }
    return {};
}

bool valid_sqlstate(const std::string& s)
{
    return s.size() == 5 && std::all_of(s.begin(), s.end(), [](char c) {
               return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z');
           });
}

}  // namespace

bool needs_error_scrub(const Allow& allow)
{
    return std::any_of(allow.policies.begin(), allow.policies.end(), [](const AppliedPolicy& p) {
        return p.kind == "mask" || p.kind == "row_filter";
    });
}

bool value_free_sqlstate(const std::string& sqlstate)
{
    if (!valid_sqlstate(sqlstate)) {
        return false;
    }
    // Exact codes first: fixed texts within classes that are otherwise withheld.
    // (22023 invalid_parameter_value is not one: `unit "<value>" not recognized`.)
    if (sqlstate == "22012" ||  // division_by_zero: "division by zero"
        sqlstate == "21000") {  // cardinality_violation: "more than one row returned by ..."
        return true;
    }
    // Classes whose messages are about the statement, its names and types, or the session.
    static constexpr std::array<std::string_view, 20> kClasses = {
        "03",  // SQL statement not yet complete
        "08",  // connection exception
        "0A",  // feature not supported
        "0B",  // invalid transaction initiation
        "0L", "0P",  // invalid grantor / role specification
        "24",  // invalid cursor state
        "25",  // invalid transaction state
        "26",  // invalid SQL statement name
        "28",  // invalid authorization specification
        "2D",  // invalid transaction termination
        "34",  // invalid cursor name
        "3B",  // savepoint exception
        "3D", "3F",  // invalid catalog / schema name
        "40",  // transaction rollback (serialization failure, deadlock)
        "42",  // syntax error or access rule violation (planned before rows are read)
        "53",  // insufficient resources
        "55",  // object not in prerequisite state
        "57",  // operator intervention (cancel, statement timeout, shutdown)
    };
    const auto cls = std::string_view(sqlstate).substr(0, 2);
    return std::find(kClasses.begin(), kClasses.end(), cls) != kClasses.end();
}

std::string withheld_message(const std::string& sqlstate)
{
    const std::string code = valid_sqlstate(sqlstate) ? sqlstate : "XX000";
    return "the backend reported an error (SQLSTATE " + code +
           ") whose text may contain data this user may not see; meshgate withheld it "
           "(it is recorded in the audit log)";
}

ScrubbedMessage scrub_backend_message(const BackendMessageFields& fields, bool protected_context)
{
    ScrubbedMessage out;
    if (!protected_context) {
        out.fields = fields;
        return out;
    }
    const std::string code = field(fields, 'C');
    if (value_free_sqlstate(code)) {
        // The message itself is safe; context fields can still quote function bodies or
        // other statements with values in them.
        for (const auto& f : fields) {
            if (f.first == 'W' || f.first == 'q' || f.first == 'p') {
                out.scrubbed = true;
                continue;
            }
            out.fields.push_back(f);
        }
        return out;
    }
    out.scrubbed = true;
    bool have_c = false;
    for (const auto& f : fields) {
        if (f.first == 'S' || f.first == 'V') {
            out.fields.push_back(f);
        } else if (f.first == 'C') {
            have_c = true;
            out.fields.emplace_back('C', valid_sqlstate(f.second) ? f.second : "XX000");
        }
    }
    if (!have_c) {
        out.fields.emplace_back('C', "XX000");
    }
    out.fields.emplace_back('M', withheld_message(code));
    return out;
}

std::string describe_backend_message(const BackendMessageFields& fields)
{
    std::string out = field(fields, 'M');
    const std::pair<char, const char*> extra[] = {
        {'D', "DETAIL"}, {'H', "HINT"}, {'W', "CONTEXT"}, {'q', "QUERY"}};
    for (const auto& [code, label] : extra) {
        const auto v = field(fields, code);
        if (!v.empty()) {
            out += std::string("; ") + label + ": " + v;
        }
    }
    return out;
}

}  // namespace meshgate::policy
