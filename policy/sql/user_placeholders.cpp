// Row filter placeholders. Layer: policy/sql.
#include "policy/sql/user_placeholders.hpp"

#include "policy/access_check.hpp"
#include "policy/quote.hpp"
#include "policy/sql/pg_handles.hpp"

namespace meshgate::policy::sql {

namespace {

struct Placeholder {
    size_t begin;       // offset of '@'
    size_t end;         // end of the attribute token
    std::string attr;   // "name", "groups" or an attribute key
};

std::string token_name(std::string_view text)
{
    if (text.size() >= 2 && text.front() == '"' && text.back() == '"') {
        std::string out;
        for (size_t i = 1; i + 1 < text.size(); ++i) {
            out += text[i];
            if (text[i] == '"') {
                ++i;  // "" inside a quoted identifier is one "
            }
        }
        return out;
    }
    return std::string(text);
}

Result<std::vector<Placeholder>> find(std::string_view where)
{
    const std::string text(where);
    if (text.find('\0') != std::string::npos) {
        return make_error("42601", "row filter holds a NUL byte");
    }
    Scan scan(text.c_str());
    if (scan.get().error != nullptr) {
        return make_error("42601", std::string("row filter does not scan: ") +
                                       scan.get().error->message);
    }
    auto tree = unpack(scan);
    if (!tree) {
        return make_error("53200", "out of memory");
    }
    std::vector<Placeholder> out;
    const size_t n = tree->n_tokens;
    auto tok = [&](size_t i) { return tree->tokens[i]; };
    auto slice = [&](size_t i) {
        return where.substr(size_t(tok(i)->start), size_t(tok(i)->end - tok(i)->start));
    };
    for (size_t i = 0; i < n; ++i) {
        if (tok(i)->token == PG_QUERY__TOKEN__ASCII_59) {
            return make_error("42601", "a row filter is one expression; it may not hold ';'");
        }
        // '@' lexes as an operator, alone ("@") or as the tail of one ("=@" in "x=@user.y").
        const auto op = slice(i);
        if (tok(i)->token != PG_QUERY__TOKEN__Op || op.empty() || op.back() != '@' || i + 3 >= n) {
            continue;
        }
        const auto* u = tok(i + 1);
        const auto* dot = tok(i + 2);
        const auto* attr = tok(i + 3);
        const bool adjacent = u->start == tok(i)->end && dot->start == u->end &&
                              attr->start == dot->end;
        const bool attr_ok = attr->token == PG_QUERY__TOKEN__IDENT ||
                             attr->keyword_kind != PG_QUERY__KEYWORD_KIND__NO_KEYWORD;
        if (u->token != PG_QUERY__TOKEN__USER || dot->token != PG_QUERY__TOKEN__ASCII_46 ||
            !attr_ok || !adjacent) {
            continue;
        }
        out.push_back({size_t(tok(i)->end) - 1, size_t(attr->end), token_name(slice(i + 3))});
        i += 3;
    }
    return out;
}

}  // namespace

Result<std::vector<std::string>> user_refs_of(std::string_view where)
{
    auto found = find(where);
    if (!found) {
        return found.error();
    }
    std::vector<std::string> out;
    for (const auto& p : *found) {
        out.push_back(p.attr);
    }
    return out;
}

Result<std::string> substitute_user_refs(std::string_view where, const Identity& who,
                                         const config::Product& product,
                                         const config::RowFilter& filter)
{
    auto found = find(where);
    if (!found) {
        auto e = found.error();
        e.message = "row filter " + filter.name + " of " + product.address() + ": " + e.message;
        return e;
    }
    std::string out;
    size_t at = 0;
    for (const auto& p : *found) {
        out.append(where.substr(at, p.begin - at));
        Result<std::string> lit = text_ok(std::string());
        if (p.attr == "name") {
            lit = quote_literal(who.user);
        } else if (p.attr == "groups") {
            lit = quote_text_array(who.groups);
        } else {
            auto it = who.attributes.find(p.attr);
            if (it == who.attributes.end()) {
                return permission_denied(product, "policy " + filter.name + ": user " + who.user +
                                                      " has no attribute " + p.attr);
            }
            if (const auto* s = std::get_if<std::string>(&it->second)) {
                lit = quote_literal(*s);
            } else {
                lit = quote_text_array(std::get<std::vector<std::string>>(it->second));
            }
        }
        if (!lit) {
            return lit.error();
        }
        // Spaces keep the literal a separate token whatever touches the placeholder.
        out += ' ';
        out += *lit;
        out += ' ';
        at = p.end;
    }
    out.append(where.substr(at));
    return text_ok(std::move(out));
}

}  // namespace meshgate::policy::sql
