// Statement normalization over pg_query_scan tokens. Layer: policy/sql.
#include "policy/sql/normalize.hpp"

#include "policy/sha256.hpp"
#include "policy/sql/pg_handles.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>

namespace meshgate::policy::sql {

namespace {

struct Tok {
    int kind;
    int keyword;   // PgQuery__KeywordKind
    size_t start;
    size_t end;
};

bool is_comment(int kind)
{
    return kind == PG_QUERY__TOKEN__SQL_COMMENT || kind == PG_QUERY__TOKEN__C_COMMENT;
}

/// The tokens of `sql` without comments; false when it does not scan or holds a NUL byte.
bool scan_tokens(std::string_view sql, std::vector<Tok>& out)
{
    if (sql.find('\0') != std::string_view::npos) {
        return false;
    }
    const std::string text(sql);
    Scan scan(text.c_str());
    if (scan.get().error != nullptr) {
        return false;
    }
    auto tree = unpack(scan);
    if (!tree) {
        return false;
    }
    out.clear();
    out.reserve(tree->n_tokens);
    // Every byte must belong to a token or be whitespace between tokens: the scanner reports
    // some tokens (U&'...') with an empty range, and such text must never silently vanish from
    // a key.
    size_t at = 0;
    auto only_space = [&](size_t from, size_t to) {
        for (size_t k = from; k < to; ++k) {
            const char c = sql[k];
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r' && c != '\f' && c != '\v') {
                return false;
            }
        }
        return true;
    };
    for (size_t i = 0; i < tree->n_tokens; ++i) {
        const auto* t = tree->tokens[i];
        if (t == nullptr || t->start < 0 || t->end <= t->start || size_t(t->start) < at ||
            size_t(t->end) > sql.size() || !only_space(at, size_t(t->start))) {
            return false;
        }
        at = size_t(t->end);
        if (!is_comment(t->token)) {
            out.push_back(Tok{t->token, t->keyword_kind, size_t(t->start), size_t(t->end)});
        }
    }
    return only_space(at, sql.size());
}

bool is_constant(int kind)
{
    return kind == PG_QUERY__TOKEN__ICONST || kind == PG_QUERY__TOKEN__FCONST ||
           kind == PG_QUERY__TOKEN__SCONST || kind == PG_QUERY__TOKEN__BCONST ||
           kind == PG_QUERY__TOKEN__XCONST;
}

bool is_number(int kind)
{
    return kind == PG_QUERY__TOKEN__ICONST || kind == PG_QUERY__TOKEN__FCONST;
}

bool is_name(const Tok& t)
{
    return t.kind == PG_QUERY__TOKEN__IDENT ||
           t.keyword != PG_QUERY__KEYWORD_KIND__NO_KEYWORD;
}

/// Tokens after which an expression starts, so a constant there is a plain value that a
/// parameter may stand for. After anything else (a type name, a keyword such as ZONE or
/// INTERVAL, a `)`) a constant may be part of a typed literal and stays.
bool starts_expression(int kind)
{
    switch (kind) {
    case PG_QUERY__TOKEN__ASCII_40:  // (
    case PG_QUERY__TOKEN__ASCII_44:  // ,
    case PG_QUERY__TOKEN__ASCII_91:  // [
    case PG_QUERY__TOKEN__ASCII_58:  // :
    case PG_QUERY__TOKEN__ASCII_37:  // %
    case PG_QUERY__TOKEN__ASCII_42:  // *
    case PG_QUERY__TOKEN__ASCII_43:  // +
    case PG_QUERY__TOKEN__ASCII_45:  // -
    case PG_QUERY__TOKEN__ASCII_47:  // /
    case PG_QUERY__TOKEN__ASCII_60:  // <
    case PG_QUERY__TOKEN__ASCII_61:  // =
    case PG_QUERY__TOKEN__ASCII_62:  // >
    case PG_QUERY__TOKEN__ASCII_94:  // ^
    case PG_QUERY__TOKEN__Op:
    case PG_QUERY__TOKEN__LESS_EQUALS:
    case PG_QUERY__TOKEN__GREATER_EQUALS:
    case PG_QUERY__TOKEN__NOT_EQUALS:
    case PG_QUERY__TOKEN__EQUALS_GREATER:
    case PG_QUERY__TOKEN__COLON_EQUALS:
    case PG_QUERY__TOKEN__SELECT:
    case PG_QUERY__TOKEN__WHERE:
    case PG_QUERY__TOKEN__AND:
    case PG_QUERY__TOKEN__OR:
    case PG_QUERY__TOKEN__NOT:
    case PG_QUERY__TOKEN__CASE:
    case PG_QUERY__TOKEN__WHEN:
    case PG_QUERY__TOKEN__THEN:
    case PG_QUERY__TOKEN__ELSE:
    case PG_QUERY__TOKEN__LIMIT:
    case PG_QUERY__TOKEN__OFFSET:
    case PG_QUERY__TOKEN__HAVING:
    case PG_QUERY__TOKEN__ON:
    case PG_QUERY__TOKEN__BETWEEN:
    case PG_QUERY__TOKEN__LIKE:
    case PG_QUERY__TOKEN__ILIKE:
    case PG_QUERY__TOKEN__FROM:
    case PG_QUERY__TOKEN__FOR:
    case PG_QUERY__TOKEN__ESCAPE:
        return true;
    default:
        return false;
    }
}

/// Tokens that end an ORDER BY / GROUP BY / PARTITION BY list at the list's own depth.
bool ends_list(int kind)
{
    switch (kind) {
    case PG_QUERY__TOKEN__LIMIT:
    case PG_QUERY__TOKEN__OFFSET:
    case PG_QUERY__TOKEN__FETCH:
    case PG_QUERY__TOKEN__HAVING:
    case PG_QUERY__TOKEN__WINDOW:
    case PG_QUERY__TOKEN__FOR:
    case PG_QUERY__TOKEN__UNION:
    case PG_QUERY__TOKEN__INTERSECT:
    case PG_QUERY__TOKEN__EXCEPT:
    case PG_QUERY__TOKEN__ROWS:
    case PG_QUERY__TOKEN__RANGE:
    case PG_QUERY__TOKEN__GROUPS:
    case PG_QUERY__TOKEN__ASCII_59:  // ;
        return true;
    default:
        return false;
    }
}

/// A name token as PostgreSQL reads it: quoted exact, unquoted folded to lower case.
std::string name_text(std::string_view s)
{
    if (s.size() >= 2 && s.front() == '"' && s.back() == '"') {
        return std::string(s.substr(1, s.size() - 2));
    }
    std::string out(s);
    for (auto& c : out) {
        c = char(std::tolower(static_cast<unsigned char>(c)));
    }
    return out;
}

bool is_reg_type(const std::string& n)
{
    static const std::array<std::string_view, 12> kRegTypes = {
        "regclass",  "regproc", "regprocedure", "regoper",     "regoperator",   "regtype",
        "regrole",   "regnamespace", "regconfig", "regdictionary", "regcollation", "oid"};
    return std::find(kRegTypes.begin(), kRegTypes.end(), n) != kRegTypes.end();
}

/// Functions whose constant arguments name objects, settings or files, so the constant's value
/// may matter to a policy: their statements keep every constant in the cache key.
bool is_sensitive_function(const std::string& n)
{
    static const std::array<std::string_view, 15> kPrefixes = {
        "pg_",       "to_reg",    "has_",     "lo_",     "dblink",
        "set_config", "current_setting", "nextval", "currval", "setval",
        "query_to",  "table_to",  "schema_to", "database_to", "cursor_to"};
    for (auto p : kPrefixes) {
        if (n.compare(0, p.size(), p) == 0) {
            return true;
        }
    }
    return n.find("xml") != std::string::npos || n.find("xpath") != std::string::npos;
}

/// `$n` number of a PARAM token text; 0 when malformed or absurdly large.
int param_number(std::string_view text)
{
    if (text.size() < 2 || text.size() > 7 || text.front() != '$') {
        return 0;
    }
    int n = 0;
    const auto r = std::from_chars(text.data() + 1, text.data() + text.size(), n);
    return r.ec == std::errc() && r.ptr == text.data() + text.size() ? n : 0;
}

bool is_ident_char(char c)
{
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '$' ||
           static_cast<unsigned char>(c) >= 0x80;
}

struct Normalized {
    bool ok = false;
    std::string text;
    std::vector<std::string_view> literals;
    int first_placeholder = 1;
    bool cacheable = false;
};

/// keep_unsafe = false: every constant becomes a placeholder (audit). true: only constants that
/// a parameter may stand for without changing the statement or the policy's view of it.
Normalized normalize(std::string_view sql, bool cache)
{
    Normalized out;
    std::vector<Tok> toks;
    if (!scan_tokens(sql, toks)) {
        return out;
    }
    auto slice = [&](const Tok& t) { return sql.substr(t.start, t.end - t.start); };
    int max_param = 0;
    bool keep_all = false;
    bool params_ok = true;
    for (size_t i = 0; i < toks.size(); ++i) {
        const auto& t = toks[i];
        if (t.kind == PG_QUERY__TOKEN__PARAM) {
            const int n = param_number(slice(t));
            if (n <= 0) {
                params_ok = false;
            }
            max_param = std::max(max_param, n);
        } else if (cache && is_name(t)) {
            const auto n = name_text(slice(t));
            const bool call = i + 1 < toks.size() && toks[i + 1].kind == PG_QUERY__TOKEN__ASCII_40;
            if (is_reg_type(n) || (call && is_sensitive_function(n))) {
                keep_all = true;
            }
        }
    }
    out.first_placeholder = max_param + 1;
    if (cache && !toks.empty()) {
        const int k = toks.front().kind;
        bool one_statement = true;
        for (size_t i = 0; i + 1 < toks.size(); ++i) {
            if (toks[i].kind == PG_QUERY__TOKEN__ASCII_59) {
                one_statement = false;
            }
        }
        out.cacheable = params_ok && one_statement &&
                        (k == PG_QUERY__TOKEN__SELECT || k == PG_QUERY__TOKEN__WITH ||
                         k == PG_QUERY__TOKEN__VALUES || k == PG_QUERY__TOKEN__TABLE ||
                         k == PG_QUERY__TOKEN__ASCII_40);
    }

    // Open parentheses: true when constants inside stay (type modifiers, keyword calls).
    std::vector<bool> parens;
    // Depths of the open ORDER BY / GROUP BY / PARTITION BY / DISTINCT ON lists.
    std::vector<size_t> lists;
    // After `::` or AS a type name follows: 1 = expecting a name, 2 = just after one (a `(`
    // now opens its type modifiers), 0 = elsewhere.
    int type_state = 0;
    out.text.reserve(sql.size() + 8);
    // The key keeps the client's adjacency: one space where the client had whitespace or a
    // comment, none where tokens touched (`n'x'` is a national string, `n 'x'` a typed literal),
    // so the key lexes to the client's tokens. Placeholders get a space where `$k` would run
    // into a neighbour (`SELECT'a'` -> `SELECT $1`, `'a'5` -> `$1 5`).
    size_t prev_end = 0;
    bool after_placeholder = false;
    auto identish = [](char c) { return is_ident_char(c) || c == '\'' || c == '"' || c == '.'; };
    auto emit = [&](const Tok& t) {
        const auto s = slice(t);
        if (!out.text.empty() &&
            (t.start > prev_end || (after_placeholder && !s.empty() && identish(s.front())))) {
            out.text += ' ';
        }
        out.text.append(s);
        prev_end = t.end;
        after_placeholder = false;
    };
    auto placeholder = [&](std::string_view literal, size_t start, size_t end) {
        out.literals.push_back(literal);
        if (!out.text.empty() && (start > prev_end || identish(out.text.back()))) {
            out.text += ' ';
        }
        out.text += '$';
        out.text += std::to_string(out.first_placeholder + int(out.literals.size()) - 1);
        prev_end = end;
        after_placeholder = true;
    };
    auto kept_here = [&]() {
        return keep_all || !lists.empty() || (!parens.empty() && parens.back());
    };
    for (size_t i = 0; i < toks.size(); ++i) {
        const auto& t = toks[i];
        const int prev = i > 0 ? toks[i - 1].kind : -1;
        const int was_type_state = type_state;
        type_state = 0;
        switch (t.kind) {
        case PG_QUERY__TOKEN__ASCII_40: {  // (
            bool keep = !parens.empty() && parens.back();
            const int next = i + 1 < toks.size() ? toks[i + 1].kind : -1;
            const bool subquery = next == PG_QUERY__TOKEN__SELECT ||
                                  next == PG_QUERY__TOKEN__WITH ||
                                  next == PG_QUERY__TOKEN__VALUES ||
                                  next == PG_QUERY__TOKEN__TABLE;
            if (!subquery && i > 0 && is_name(toks[i - 1]) &&
                toks[i - 1].keyword != PG_QUERY__KEYWORD_KIND__NO_KEYWORD &&
                toks[i - 1].keyword != PG_QUERY__KEYWORD_KIND__RESERVED_KEYWORD) {
                keep = true;  // varchar(10), numeric(10,2), interval(3), coalesce(x, 0), ...
            }
            if (was_type_state == 2) {
                keep = true;  // x::mytype(3), CAST(x AS foo(3))
            }
            parens.push_back(keep);
            if (prev == PG_QUERY__TOKEN__ON && i > 1 &&
                toks[i - 2].kind == PG_QUERY__TOKEN__DISTINCT) {
                lists.push_back(parens.size());
            }
            emit(t);
            continue;
        }
        case PG_QUERY__TOKEN__ASCII_41:  // )
            if (!parens.empty()) {
                parens.pop_back();
            }
            while (!lists.empty() && lists.back() > parens.size()) {
                lists.pop_back();
            }
            emit(t);
            continue;
        case PG_QUERY__TOKEN__BY:
            if (prev == PG_QUERY__TOKEN__ORDER || prev == PG_QUERY__TOKEN__GROUP_P ||
                prev == PG_QUERY__TOKEN__PARTITION) {
                if (!lists.empty() && lists.back() == parens.size()) {
                    lists.pop_back();
                }
                lists.push_back(parens.size());
            }
            emit(t);
            continue;
        case PG_QUERY__TOKEN__TYPECAST:
        case PG_QUERY__TOKEN__AS:
            type_state = 1;
            emit(t);
            continue;
        default:
            break;
        }
        if (was_type_state == 1 && is_name(t)) {
            type_state = 2;
        } else if (was_type_state == 2 && t.kind == PG_QUERY__TOKEN__ASCII_46) {
            type_state = 1;  // schema.type
        }
        if (ends_list(t.kind)) {
            while (!lists.empty() && lists.back() == parens.size()) {
                lists.pop_back();
            }
        }
        // Unary minus before a number: the sign belongs to the constant.
        if (t.kind == PG_QUERY__TOKEN__ASCII_45 && i + 1 < toks.size() &&
            is_number(toks[i + 1].kind) &&
            (i == 0 || starts_expression(prev)) &&
            !(i + 2 < toks.size() && toks[i + 2].kind == PG_QUERY__TOKEN__TYPECAST) &&
            (!cache || (i > 0 && !kept_here()))) {
            placeholder(sql.substr(t.start, toks[i + 1].end - t.start), t.start, toks[i + 1].end);
            ++i;
            continue;
        }
        const bool audit_constant = !cache && t.kind == PG_QUERY__TOKEN__USCONST;
        if (is_constant(t.kind) || audit_constant) {
            if (!cache || (i > 0 && starts_expression(prev) && !kept_here())) {
                placeholder(slice(t), t.start, t.end);
                continue;
            }
        }
        emit(t);
    }
    out.ok = true;
    return out;
}

}  // namespace

CacheKey normalize_for_cache(std::string_view sql)
{
    auto n = normalize(sql, true);
    CacheKey k;
    if (!n.ok) {
        return k;
    }
    k.text = std::move(n.text);
    k.literals = std::move(n.literals);
    k.first_placeholder = n.first_placeholder;
    k.cacheable = n.cacheable;
    return k;
}

AuditText normalize_for_audit(std::string_view sql)
{
    auto n = normalize(sql, false);
    AuditText a;
    if (!n.ok) {
        return a;
    }
    const auto digest = sha256(n.text);
    a.fingerprint = to_hex(digest.data(), 8);
    a.statement = std::move(n.text);
    return a;
}

bool same_tokens(std::string_view a, std::string_view b)
{
    std::vector<Tok> ta;
    std::vector<Tok> tb;
    if (!scan_tokens(a, ta) || !scan_tokens(b, tb) || ta.size() != tb.size()) {
        return false;
    }
    for (size_t i = 0; i < ta.size(); ++i) {
        if (ta[i].kind != tb[i].kind ||
            a.substr(ta[i].start, ta[i].end - ta[i].start) !=
                b.substr(tb[i].start, tb[i].end - tb[i].start)) {
            return false;
        }
    }
    return true;
}

namespace {

/// JSON parse tree of `sql` without `"location":N` members; empty on error.
std::string tree_without_locations(std::string_view sql)
{
    if (sql.find('\0') != std::string_view::npos) {
        return {};
    }
    const std::string text(sql);
    JsonParse parse(text.c_str());
    if (parse.get().error != nullptr || parse.get().parse_tree == nullptr) {
        return {};
    }
    // A `"location":` with an unescaped quote can only be a member name: inside a JSON string
    // every quote is escaped.
    const std::string_view tree = parse.get().parse_tree;
    constexpr std::string_view kKey = "\"location\":";
    std::string out;
    out.reserve(tree.size());
    size_t at = 0;
    for (size_t pos; (pos = tree.find(kKey, at)) != std::string_view::npos;) {
        out.append(tree.substr(at, pos - at));
        size_t end = pos + kKey.size();
        while (end < tree.size() && (tree[end] == '-' || std::isdigit(static_cast<unsigned char>(tree[end])) != 0)) {
            ++end;
        }
        out += '#';
        at = end;
    }
    out.append(tree.substr(at));
    return out;
}

}  // namespace

bool same_statement(std::string_view a, std::string_view b)
{
    if (same_tokens(a, b)) {
        return true;
    }
    const auto ta = tree_without_locations(a);
    return !ta.empty() && ta == tree_without_locations(b);
}

bool make_template(std::string_view rewritten, int first_placeholder, size_t n_literals,
                   SqlTemplate& out)
{
    std::vector<Tok> toks;
    if (!scan_tokens(rewritten, toks)) {
        return false;
    }
    out.pieces.clear();
    out.slots.clear();
    size_t at = 0;
    for (const auto& t : toks) {
        if (t.kind != PG_QUERY__TOKEN__PARAM) {
            continue;
        }
        const int n = param_number(rewritten.substr(t.start, t.end - t.start));
        if (n <= 0) {
            return false;
        }
        if (n < first_placeholder) {
            continue;  // the client's own parameter
        }
        const size_t slot = size_t(n - first_placeholder);
        if (slot >= n_literals) {
            return false;
        }
        out.pieces.emplace_back(rewritten.substr(at, t.start - at));
        out.slots.push_back(slot);
        at = t.end;
    }
    out.pieces.emplace_back(rewritten.substr(at));
    return true;
}

std::string splice(const SqlTemplate& t, const std::vector<std::string_view>& literals)
{
    size_t size = 0;
    for (const auto& p : t.pieces) {
        size += p.size();
    }
    for (auto s : t.slots) {
        size += literals[s].size() + 2;
    }
    std::string out;
    out.reserve(size);
    for (size_t i = 0; i < t.slots.size(); ++i) {
        out += t.pieces[i];
        if (t.slots[i] >= literals.size()) {
            return {};  // not this template's constants (callers check the count first)
        }
        const auto lit = literals[t.slots[i]];
        // Keep the literal its own token: `=-5` would lex as the operator `=-`, `x'1'` as a
        // bit string, `-` before `-5` as a comment.
        if (!out.empty()) {
            const char c = out.back();
            if (c != ' ' && c != '(' && c != '[' && c != ',' && c != '\n' && c != '\t') {
                out += ' ';
            }
        }
        out += lit;
        const auto& next = t.pieces[i + 1];
        if (!next.empty() && (is_ident_char(next.front()) || next.front() == '\'' ||
                              next.front() == '.' || next.front() == '"')) {
            out += ' ';
        }
    }
    out += t.pieces.back();
    return out;
}

}  // namespace meshgate::policy::sql
