// Principal parsing. Layer: config (pure).
#include "config/principal_parser.hpp"

#include "config/suggest.hpp"

namespace meshgate::config {

namespace {

constexpr std::string_view kForms = "user:NAME, group:NAME, attr:KEY=VALUE or everyone";

Error bad(std::string message) { return make_error("F0000", std::move(message)); }

/// A user, group or attribute value name: non-empty, no control characters, and no leading or
/// trailing space (a stray space would silently match nobody).
bool is_name(std::string_view s)
{
    if (s.empty() || s.front() == ' ' || s.back() == ' ') {
        return false;
    }
    for (const char c : s) {
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
            return false;
        }
    }
    return true;
}

}  // namespace

bool is_attribute_key(std::string_view key)
{
    if (key.empty() || key.size() > 63) {
        return false;
    }
    for (std::size_t i = 0; i < key.size(); ++i) {
        const char c = key[i];
        const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
        if (!(alpha || (i > 0 && c >= '0' && c <= '9'))) {
            return false;
        }
    }
    return true;
}

Result<Principal> parse_principal(std::string_view text)
{
    if (text == "everyone") {
        return Principal{Principal::Kind::Everyone, {}, {}};
    }
    const auto colon = text.find(':');
    if (colon == std::string_view::npos) {
        return bad("\"" + std::string(text) + "\" is not a principal (expected " +
                   std::string(kForms) + ")" + did_you_mean(text, {"everyone"}));
    }
    const auto prefix = text.substr(0, colon);
    const auto rest = text.substr(colon + 1);
    if (prefix == "user" || prefix == "group") {
        if (!is_name(rest)) {
            return bad("\"" + std::string(text) + "\": " + std::string(prefix) +
                       " name must be non-empty, without control characters or surrounding spaces");
        }
        const auto kind = prefix == "user" ? Principal::Kind::User : Principal::Kind::Group;
        return Principal{kind, std::string(rest), {}};
    }
    if (prefix == "attr") {
        const auto eq = rest.find('=');
        if (eq == std::string_view::npos) {
            return bad("\"" + std::string(text) + "\": expected attr:KEY=VALUE");
        }
        const auto key = rest.substr(0, eq);
        const auto value = rest.substr(eq + 1);
        if (!is_attribute_key(key)) {
            return bad("\"" + std::string(text) +
                       "\": attribute key must match [A-Za-z_][A-Za-z0-9_]*");
        }
        if (!is_name(value)) {
            return bad("\"" + std::string(text) +
                       "\": attribute value must be non-empty, without control characters or "
                       "surrounding spaces");
        }
        return Principal{Principal::Kind::Attr, std::string(key), std::string(value)};
    }
    return bad("\"" + std::string(text) + "\" is not a principal (expected " + std::string(kForms) +
               ")" + did_you_mean(prefix, {"user", "group", "attr"}));
}

}  // namespace meshgate::config
