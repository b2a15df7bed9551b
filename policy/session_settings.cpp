// Session settings allowlists. Layer: policy (pure).
#include "policy/session_settings.hpp"

#include "policy/quote.hpp"

#include <algorithm>
#include <array>
#include <cctype>

namespace meshgate::policy {

std::string lower_ascii(std::string_view s)
{
    std::string out(s);
    for (auto& c : out) {
        if (c >= 'A' && c <= 'Z') {
            c = char(c - 'A' + 'a');
        }
    }
    return out;
}

namespace {

constexpr std::array<std::string_view, 13> kForwarded = {
    "application_name",   "datestyle",
    "timezone",           "intervalstyle",
    "extra_float_digits", "client_encoding",
    "statement_timeout",  "lock_timeout",
    "idle_in_transaction_session_timeout",
    "default_transaction_read_only",
    "bytea_output",       "standard_conforming_strings",
    "names"};  // SET NAMES 'x' is client_encoding

constexpr std::array<std::string_view, 14> kShowOnly = {
    "server_version",          "server_version_num",     "server_encoding",
    "transaction_isolation",   "transaction_read_only",  "default_transaction_isolation",
    "integer_datetimes",       "max_identifier_length",  "lc_collate",
    "lc_ctype",                "lc_messages",            "lc_monetary",
    "lc_numeric",              "lc_time"};

template <size_t N>
bool in(const std::array<std::string_view, N>& list, std::string_view name)
{
    return std::find(list.begin(), list.end(), name) != list.end();
}

}  // namespace

bool is_forwarded_setting(std::string_view name) { return in(kForwarded, name); }

bool is_showable_setting(std::string_view name)
{
    return in(kForwarded, name) || in(kShowOnly, name);
}

Result<void> check_forwarded_value(std::string_view name, const std::vector<std::string>& values)
{
    if (name == "standard_conforming_strings") {
        for (const auto& v : values) {
            const auto l = lower_ascii(v);
            if (l != "on" && l != "true" && l != "1" && l != "yes") {
                return make_error("42501",
                                  "standard_conforming_strings cannot be turned off through "
                                  "meshgate (backslash escapes would make the backend read "
                                  "statements differently from the policy engine)");
            }
        }
    }
    if (name == "client_encoding" || name == "names") {
        // An allowlist, compared the way PostgreSQL compares encoding names (every character
        // that is not a letter or digit ignored, case folded): any other client encoding can
        // hide quote or backslash bytes inside multibyte characters, so the backend would read
        // the statement differently from the policy engine (e.g. GBK's 0xbf5c).
        for (const auto& v : values) {
            std::string clean;
            for (const char c : v) {
                if (std::isalnum(static_cast<unsigned char>(c)) != 0) {
                    clean.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
                }
            }
            if (clean != "utf8" && clean != "unicode" && clean != "sqlascii") {
                Error e = make_error("42501", "client_encoding " + v +
                                                  " is not supported through meshgate");
                e.detail = "meshgate accepts the client encodings UTF8 and SQL_ASCII: in other "
                           "encodings a character can hide quote and backslash bytes.";
                return e;
            }
        }
    }
    return {};
}

std::string format_search_path(const std::vector<std::string>& path)
{
    std::string out;
    for (const auto& p : path) {
        if (!out.empty()) {
            out += ", ";
        }
        out += display_identifier(p);
    }
    return out;
}

std::optional<std::vector<std::string>> parse_search_path_list(std::string_view text)
{
    std::vector<std::string> out;
    size_t i = 0;
    auto skip_space = [&] {
        while (i < text.size() && (text[i] == ' ' || text[i] == '\t' || text[i] == '\n' ||
                                   text[i] == '\r')) {
            ++i;
        }
    };
    skip_space();
    if (i == text.size()) {
        return out;
    }
    while (true) {
        skip_space();
        std::string name;
        if (i < text.size() && text[i] == '"') {
            ++i;
            while (true) {
                if (i >= text.size()) {
                    return std::nullopt;
                }
                if (text[i] == '"') {
                    if (i + 1 < text.size() && text[i + 1] == '"') {
                        name += '"';
                        i += 2;
                        continue;
                    }
                    ++i;
                    break;
                }
                name += text[i++];
            }
            if (name.empty()) {
                return std::nullopt;
            }
        } else {
            while (i < text.size() && text[i] != ',' && text[i] != ' ' && text[i] != '\t' &&
                   text[i] != '"') {
                name += text[i++];
            }
            if (name.empty()) {
                return std::nullopt;
            }
            name = lower_ascii(name);
        }
        out.push_back(std::move(name));
        skip_space();
        if (i == text.size()) {
            return out;
        }
        if (text[i] != ',') {
            return std::nullopt;
        }
        ++i;
    }
}

}  // namespace meshgate::policy
