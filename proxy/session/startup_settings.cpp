// StartupSettings: validation and interpretation of StartupMessage parameters.
// Layer: proxy (pure).
#include "proxy/session/startup_settings.hpp"

#include <algorithm>
#include <array>
#include <cctype>

namespace meshgate::proxy {
namespace {

std::string lower(std::string_view s)
{
    std::string out(s);
    for (char& c : out) {
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return out;
}

// '-' reads as '_' in setting names, as in PostgreSQL's ParseLongOption.
std::string normalize_name(std::string_view s)
{
    std::string out = lower(s);
    std::replace(out.begin(), out.end(), '-', '_');
    return out;
}

std::string_view trim(std::string_view s)
{
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) {
        s.remove_prefix(1);
    }
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) {
        s.remove_suffix(1);
    }
    return s;
}

struct ForwardedName {
    std::string_view lower;
    std::string_view canonical;
};

// Settings that only change how values are presented or how long statements may run; they
// cannot change what a statement reads. Keep in step with the policy engine's SET allowlist.
constexpr std::array kForwarded{
    ForwardedName{"application_name", "application_name"},
    ForwardedName{"client_encoding", "client_encoding"},
    ForwardedName{"datestyle", "DateStyle"},
    ForwardedName{"timezone", "TimeZone"},
    ForwardedName{"intervalstyle", "IntervalStyle"},
    ForwardedName{"extra_float_digits", "extra_float_digits"},
    ForwardedName{"statement_timeout", "statement_timeout"},
    ForwardedName{"lock_timeout", "lock_timeout"},
    ForwardedName{"idle_in_transaction_session_timeout", "idle_in_transaction_session_timeout"},
    ForwardedName{"bytea_output", "bytea_output"},
};

// Settings PostgreSQL knows that a client might send but that meshgate must not pass on
// (they change identity, visibility or server behaviour); refused with 42501, not 42704.
constexpr std::string_view kKnownRefused[] = {
    "role", "session_authorization", "default_transaction_read_only", "row_security",
    "session_replication_role", "default_tablespace", "temp_tablespaces", "work_mem",
    "standard_conforming_strings", "escape_string_warning", "backslash_quote", "is_superuser"};

// Encodings in which every ASCII byte is the ASCII character, and which the backend passes
// through without conversion, so meshgate's parser and the backend read the same statement.
std::optional<std::string> canonical_encoding(std::string_view value)
{
    std::string v;
    for (char c : trim(value)) {
        if (c != '-' && c != '_') {
            v.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
        }
    }
    if (v == "UTF8" || v == "UNICODE") {
        return "UTF8";
    }
    if (v == "SQLASCII") {
        return "SQL_ASCII";
    }
    return std::nullopt;
}

bool truthy(std::string_view v)
{
    const std::string l = lower(trim(v));
    return !(l == "false" || l == "off" || l == "no" || l == "0" || l.empty());
}

// Applies one setting (from a parameter or an `options` switch) to `out`.
Result<void> apply_setting(std::string_view raw_name, std::string_view value, StartupSettings& out)
{
    const std::string name = normalize_name(raw_name);
    if (name == "search_path") {
        auto path = parse_search_path(value);
        if (!path) {
            return path.error();
        }
        out.search_path = std::move(*path);
        return {};
    }
    if (name == "meshgate.purpose") {
        const std::string_view p = trim(value);
        if (p.empty()) {
            out.purpose.reset();
        } else {
            out.purpose = std::string(p);
        }
        return {};
    }
    if (auto canonical = forwarded_setting_name(name)) {
        std::string v(value);
        if (*canonical == "client_encoding") {
            auto enc = canonical_encoding(value);
            if (!enc) {
                Error e = make_error("22023", "invalid value for parameter \"client_encoding\": \"" +
                                                  std::string(value) + "\"");
                e.detail = "meshgate accepts the client encodings UTF8 and SQL_ASCII.";
                return e;
            }
            out.client_encoding = *enc;
            v = *enc;
        }
        if (*canonical == "application_name") {
            out.application_name = v;
        }
        // A later value for the same setting replaces the earlier one (as PostgreSQL does).
        auto same = [&](const auto& kv) { return kv.first == *canonical; };
        out.forwarded.erase(std::remove_if(out.forwarded.begin(), out.forwarded.end(), same),
                            out.forwarded.end());
        out.forwarded.emplace_back(*canonical, std::move(v));
        return {};
    }
    if (std::find(std::begin(kKnownRefused), std::end(kKnownRefused), name) !=
            std::end(kKnownRefused) ||
        name.find('.') != std::string::npos) {
        return make_error("42501", "parameter \"" + std::string(raw_name) +
                                       "\" cannot be set through meshgate");
    }
    return make_error("42704",
                      "unrecognized configuration parameter \"" + std::string(raw_name) + "\"");
}

// Splits a libpq `options` value into arguments: whitespace separates, a backslash makes the
// next character literal (as PostgreSQL's pg_split_opts).
std::vector<std::string> split_options(std::string_view s)
{
    std::vector<std::string> args;
    std::size_t i = 0;
    while (i < s.size()) {
        while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) {
            ++i;
        }
        if (i >= s.size()) {
            break;
        }
        std::string arg;
        while (i < s.size() && !std::isspace(static_cast<unsigned char>(s[i]))) {
            if (s[i] == '\\' && i + 1 < s.size()) {
                ++i;
            }
            arg.push_back(s[i]);
            ++i;
        }
        args.push_back(std::move(arg));
    }
    return args;
}

Result<void> apply_name_value(std::string_view name_value, StartupSettings& out)
{
    const auto eq = name_value.find('=');
    if (eq == std::string_view::npos || eq == 0) {
        return make_error("42601", "invalid option in startup packet: \"" +
                                       std::string(name_value) + "\" (expected name=value)");
    }
    return apply_setting(name_value.substr(0, eq), name_value.substr(eq + 1), out);
}

Result<void> apply_options(std::string_view options, StartupSettings& out)
{
    const auto args = split_options(options);
    for (std::size_t i = 0; i < args.size(); ++i) {
        std::string_view a = args[i];
        if (a == "-c") {
            if (i + 1 >= args.size()) {
                return make_error("42601", "option -c in startup packet lacks its name=value");
            }
            if (auto r = apply_name_value(args[++i], out); !r) {
                return r;
            }
        } else if (a.size() > 2 && a.substr(0, 2) == "-c") {
            if (auto r = apply_name_value(a.substr(2), out); !r) {
                return r;
            }
        } else if (a.size() > 2 && a.substr(0, 2) == "--") {
            if (auto r = apply_name_value(a.substr(2), out); !r) {
                return r;
            }
        } else {
            // Other postgres switches (-D, -F, -o, -P, ...) configure the server process; none
            // of them is meaningful through a proxy.
            return make_error("42601", "unsupported option in startup packet: \"" +
                                           std::string(a) + "\"");
        }
    }
    return {};
}

}  // namespace

std::optional<std::string> StartupSettings::forwarded_value(std::string_view canonical_name) const
{
    for (const auto& [n, v] : forwarded) {
        if (n == canonical_name) {
            return v;
        }
    }
    return std::nullopt;
}

std::optional<std::string> forwarded_setting_name(std::string_view name)
{
    const std::string n = normalize_name(name);
    for (const auto& f : kForwarded) {
        if (f.lower == n) {
            return std::string(f.canonical);
        }
    }
    return std::nullopt;
}

Result<std::vector<std::string>> parse_search_path(std::string_view value)
{
    std::vector<std::string> out;
    std::size_t i = 0;
    const std::string_view v = trim(value);
    if (v.empty()) {
        return out;
    }
    while (true) {
        while (i < v.size() && std::isspace(static_cast<unsigned char>(v[i]))) {
            ++i;
        }
        std::string item;
        if (i < v.size() && v[i] == '"') {
            ++i;
            bool closed = false;
            while (i < v.size()) {
                if (v[i] == '"') {
                    if (i + 1 < v.size() && v[i + 1] == '"') {
                        item.push_back('"');
                        i += 2;
                        continue;
                    }
                    ++i;
                    closed = true;
                    break;
                }
                item.push_back(v[i++]);
            }
            if (!closed) {
                return make_error("42601", "unterminated quoted identifier in search_path");
            }
            if (item.empty()) {
                return make_error("42601", "zero-length delimited identifier in search_path");
            }
        } else {
            while (i < v.size() && v[i] != ',' && !std::isspace(static_cast<unsigned char>(v[i]))) {
                if (v[i] == '"') {
                    return make_error("42601", "invalid list syntax in search_path");
                }
                item.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(v[i]))));
                ++i;
            }
            if (item.empty()) {
                return make_error("42601", "invalid list syntax in search_path");
            }
        }
        out.push_back(std::move(item));
        while (i < v.size() && std::isspace(static_cast<unsigned char>(v[i]))) {
            ++i;
        }
        if (i >= v.size()) {
            break;
        }
        if (v[i] != ',') {
            return make_error("42601", "invalid list syntax in search_path");
        }
        ++i;
    }
    return out;
}

std::string set_statement(std::string_view canonical_name, std::string_view value)
{
    // An E'' literal means the same whatever standard_conforming_strings the backend has.
    std::string sql = "SET ";
    sql += canonical_name;
    sql += " = E'";
    for (char c : value) {
        if (c == '\'' || c == '\\') {
            sql.push_back(c);
        }
        sql.push_back(c);
    }
    sql += "'";
    return sql;
}

Result<StartupSettings> parse_startup_settings(const wire::StartupMessage& startup)
{
    StartupSettings out;
    if ((startup.protocol & 0xFFFF) != 0) {
        out.negotiate_protocol = true;
    }
    bool have_user = false;
    for (const auto& [name, value] : startup.parameters) {
        if (name == "user") {
            out.user = value;
            have_user = true;
        } else if (name == "database") {
            out.database = value;
        } else if (name == "options") {
            if (auto r = apply_options(value, out); !r) {
                return r.error();
            }
        } else if (name == "replication") {
            if (truthy(value)) {
                return make_error("0A000", "meshgate does not accept replication connections");
            }
        } else if (name.rfind("_pq_.", 0) == 0) {
            out.unrecognized_protocol_options.push_back(name);
            out.negotiate_protocol = true;
        } else if (auto r = apply_setting(name, value, out); !r) {
            return r.error();
        }
    }
    if (!have_user || out.user.empty()) {
        return make_error("28000", "no PostgreSQL user name specified in startup packet");
    }
    if (out.database.empty()) {
        out.database = out.user;
    }
    return out;
}

}  // namespace meshgate::proxy
