// SQL quoting for generated text. Layer: policy (pure).
#include "policy/quote.hpp"

namespace meshgate::policy {

namespace {

Result<std::string> quote_with(std::string_view text, char q)
{
    std::string out;
    out.reserve(text.size() + 2);
    out += q;
    for (char c : text) {
        if (c == '\0') {
            return make_error("22021", "invalid byte sequence: NUL byte in a generated SQL literal");
        }
        if (c == q) {
            out += q;
        }
        out += c;
    }
    out += q;
    return text_ok(std::move(out));
}

}  // namespace

Result<std::string> quote_identifier(std::string_view name) { return quote_with(name, '"'); }

Result<std::string> quote_literal(std::string_view text) { return quote_with(text, '\''); }

Result<std::string> quote_text_array(const std::vector<std::string>& items)
{
    std::string out = "ARRAY[";
    bool first = true;
    for (const auto& item : items) {
        auto q = quote_literal(item);
        if (!q) {
            return q.error();
        }
        if (!first) {
            out += ',';
        }
        first = false;
        out += *q;
    }
    out += "]::text[]";
    return text_ok(std::move(out));
}

std::string display_identifier(std::string_view name)
{
    bool bare = !name.empty() && ((name[0] >= 'a' && name[0] <= 'z') || name[0] == '_');
    for (char c : name) {
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) {
            bare = false;
        }
    }
    if (bare) {
        return std::string(name);
    }
    std::string out = "\"";
    for (char c : name) {
        if (c == '"') {
            out += '"';
        }
        out += c;
    }
    return out + "\"";
}

}  // namespace meshgate::policy
