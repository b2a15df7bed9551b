// Mask expressions. Layer: policy (pure).
#include "policy/mask_expression.hpp"

#include "policy/quote.hpp"
#include "policy/sha256.hpp"

#include <array>

namespace meshgate::policy {

namespace {

bool is_numeric_step(std::string_view s)
{
    // Unsigned decimal: digits, optionally one '.' followed by digits; must not be zero.
    size_t i = 0;
    bool digits = false;
    bool nonzero = false;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
        digits = true;
        nonzero = nonzero || s[i] != '0';
        ++i;
    }
    if (i < s.size() && s[i] == '.') {
        ++i;
        bool frac = false;
        while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
            frac = true;
            nonzero = nonzero || s[i] != '0';
            ++i;
        }
        digits = digits && frac;
    }
    return digits && nonzero && i == s.size();
}

bool is_truncate_unit(std::string_view u)
{
    static constexpr std::array<std::string_view, 13> kUnits = {
        "microseconds", "milliseconds", "second", "minute",  "hour",    "day",       "week",
        "month",        "quarter",      "year",   "decade",  "century", "millennium"};
    for (auto k : kUnits) {
        if (k == u) {
            return true;
        }
    }
    return false;
}

}  // namespace

bool is_plain_type_name(std::string_view type)
{
    if (type.empty()) {
        return false;
    }
    bool in_quotes = false;
    for (char c : type) {
        const auto u = static_cast<unsigned char>(c);
        if (c == '"') {
            in_quotes = !in_quotes;
            continue;
        }
        if (in_quotes) {
            if (u == 0) {
                return false;
            }
            continue;  // a quoted identifier may hold anything but NUL; `""` toggles twice
        }
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                        c == '_' || c == ' ' || c == ',' || c == '.' || c == '(' || c == ')' ||
                        c == '[' || c == ']' || u >= 0x80;
        if (!ok) {
            return false;
        }
    }
    return !in_quotes;
}

int mask_strength(const config::MaskSpec& spec)
{
    using K = config::MaskSpec::Kind;
    switch (spec.kind) {
    case K::Null:
        return 6;
    case K::Constant:
        return 5;
    case K::Hash:
        return 4;
    case K::Regex:
        return 3;
    case K::Partial:
        return 2;
    case K::Round:
    case K::Truncate:
        return 1;
    }
    return 6;  // unknown kind: strongest, so a bug can never weaken a mask
}

Result<std::string> mask_expression(const config::MaskSpec& spec, std::string_view column,
                                    std::string_view type, std::string_view hash_key)
{
    using K = config::MaskSpec::Kind;
    auto col = quote_identifier(column);
    if (!col) {
        return col.error();
    }
    const bool needs_type = spec.kind == K::Null || spec.kind == K::Constant ||
                            spec.kind == K::Round || spec.kind == K::Truncate;
    if (needs_type && !is_plain_type_name(type)) {
        return make_error("55000", "the type of column " + std::string(column) +
                                       " is not known or not usable in a mask");
    }
    const std::string t(type);
    const std::string text = "(" + *col + ")::pg_catalog.text";
    switch (spec.kind) {
    case K::Null:
        return text_ok("NULL::" + t);
    case K::Constant: {
        if (spec.constant_is_null) {
            return text_ok("NULL::" + t);
        }
        auto v = quote_literal(spec.constant);
        if (!v) {
            return v.error();
        }
        return text_ok("CAST(" + *v + " AS " + t + ")");
    }
    case K::Hash: {
        if (hash_key.empty()) {
            // Without a key the "keyed" hash is a plain digest anyone can recompute from guesses.
            return make_error("55000", "the keyed-hash mask has no key (secrets.hash_key_env)");
        }
        const auto pads = hmac_sha256_pads(hash_key);
        // HMAC-SHA-256(key, text) = H(opad || H(ipad || text)), with built-ins only (no pgcrypto).
        // Each pad sits in a scalar subquery: the planner makes it an InitPlan, and EXPLAIN
        // (any format, without VERBOSE, which meshgate refuses) prints `$n` for it wherever the
        // mask shows up in a Filter, Sort Key or Group Key, never the key material.
        return text_ok("pg_catalog.encode(pg_catalog.sha256((SELECT pg_catalog.decode('" +
               pads.opad_hex + "', 'hex')) OPERATOR(pg_catalog.||) pg_catalog.sha256((SELECT "
               "pg_catalog.decode('" + pads.ipad_hex + "', 'hex')) OPERATOR(pg_catalog.||) "
               "pg_catalog.convert_to(" + text + ", 'UTF8'))), 'hex')");
    }
    case K::Regex: {
        auto p = quote_literal(spec.pattern);
        auto r = quote_literal(spec.replace);
        if (!p) {
            return p.error();
        }
        if (!r) {
            return r.error();
        }
        return text_ok("pg_catalog.regexp_replace(" + text + ", " + *p + ", " + *r + ", 'g')");
    }
    case K::Partial: {
        if (spec.keep_first < 0 || spec.keep_last < 0 || spec.fill.empty()) {
            return make_error("22023", "partial mask needs keep_first/keep_last >= 0 and a fill");
        }
        auto fill = quote_literal(spec.fill);
        if (!fill) {
            return fill.error();
        }
        const auto f = std::to_string(spec.keep_first);
        const auto l = std::to_string(spec.keep_last);
        const auto keep = std::to_string(int64_t(spec.keep_first) + spec.keep_last);
        const auto len = "pg_catalog.length(" + text + ")";
        // Values no longer than what is kept become all fill, so a short value never shows whole.
        return text_ok("CASE WHEN " + len + " <= " + keep + " THEN pg_catalog.repeat(" + *fill + ", " +
               len + ") ELSE pg_catalog.left(" + text + ", " + f + ") || pg_catalog.repeat(" +
               *fill + ", " + len + " - " + keep + ") || pg_catalog.right(" + text + ", " + l +
               ") END");
    }
    case K::Round:
        if (!is_numeric_step(spec.round_step)) {
            return make_error("22023", "round mask step must be a positive number, not \"" +
                                           spec.round_step + "\"");
        }
        return text_ok("(pg_catalog.floor((" + *col + ")::pg_catalog.numeric / " + spec.round_step +
               ") * " + spec.round_step + ")::" + t);
    case K::Truncate: {
        if (!is_truncate_unit(spec.truncate_unit)) {
            return make_error("22023", "truncate mask unit \"" + spec.truncate_unit +
                                           "\" is not a date_trunc unit");
        }
        return text_ok("pg_catalog.date_trunc('" + spec.truncate_unit + "', " + *col + ")::" + t);
    }
    }
    return make_error("XX000", "unknown mask kind");
}

}  // namespace meshgate::policy
