// SASLprep (RFC 4013 over RFC 3454) with NFKC, step for step as PostgreSQL's
// src/common/saslprep.c, so that non-ASCII passwords hash to the same verifier. Layer: auth.
#include "auth/saslprep.hpp"

#include "auth/ok.hpp"
#include "auth/saslprep_tables.hpp"
#include "auth/utf8.hpp"

#include <algorithm>
#include <optional>
#include <vector>

namespace meshgate::auth {
namespace {

namespace t = saslprep_tables;

// PostgreSQL refuses longer passwords in SASLprep (MAX_PASSWORD_LENGTH).
constexpr std::size_t kMaxPasswordLength = 1024;

constexpr char32_t kSBase = 0xAC00, kLBase = 0x1100, kVBase = 0x1161, kTBase = 0x11A7;
constexpr char32_t kLCount = 19, kVCount = 21, kTCount = 28;
constexpr char32_t kNCount = kVCount * kTCount, kSCount = kLCount * kNCount;

bool in_table(char32_t cp, std::span<const t::CodeRange> table)
{
    const auto it = std::upper_bound(table.begin(), table.end(), cp,
                                     [](char32_t c, const t::CodeRange& r) { return c < r.first; });
    return it != table.begin() && cp <= std::prev(it)->last;
}

std::uint8_t combining_class(char32_t cp)
{
    const auto& table = t::kCombiningClass;
    const auto it = std::upper_bound(
        table.begin(), table.end(), cp,
        [](char32_t c, const t::CombiningClass& r) { return c < r.first; });
    if (it != table.begin() && cp <= std::prev(it)->last) {
        return std::prev(it)->ccc;
    }
    return 0;
}

// Strict UTF-8 (no overlongs, surrogates or code points above U+10FFFF).
std::optional<std::vector<char32_t>> decode_utf8(std::string_view s)
{
    std::vector<char32_t> out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size();) {
        const auto b0 = static_cast<unsigned char>(s[i]);
        std::size_t len = 0;
        char32_t cp = 0;
        char32_t min = 0;
        if (b0 < 0x80) {
            len = 1;
            cp = b0;
        } else if ((b0 & 0xE0) == 0xC0) {
            len = 2;
            cp = b0 & 0x1F;
            min = 0x80;
        } else if ((b0 & 0xF0) == 0xE0) {
            len = 3;
            cp = b0 & 0x0F;
            min = 0x800;
        } else if ((b0 & 0xF8) == 0xF0) {
            len = 4;
            cp = b0 & 0x07;
            min = 0x10000;
        } else {
            return std::nullopt;
        }
        if (i + len > s.size()) {
            return std::nullopt;
        }
        for (std::size_t k = 1; k < len; ++k) {
            const auto b = static_cast<unsigned char>(s[i + k]);
            if ((b & 0xC0) != 0x80) {
                return std::nullopt;
            }
            cp = (cp << 6) | (b & 0x3F);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
            return std::nullopt;
        }
        out.push_back(cp);
        i += len;
    }
    return out;
}

std::string encode_utf8(const std::vector<char32_t>& cps)
{
    std::string out;
    for (const char32_t cp : cps) {
        append_utf8(out, cp);
    }
    return out;
}

void decompose(char32_t cp, std::vector<char32_t>& out)
{
    if (cp >= kSBase && cp < kSBase + kSCount) {
        const char32_t s = cp - kSBase;
        out.push_back(kLBase + s / kNCount);
        out.push_back(kVBase + (s % kNCount) / kTCount);
        if (s % kTCount != 0) {
            out.push_back(kTBase + s % kTCount);
        }
        return;
    }
    const auto& table = t::kDecomposition;
    const auto it = std::lower_bound(
        table.begin(), table.end(), cp,
        [](const t::Decomposition& d, char32_t c) { return d.code < c; });
    if (it != table.end() && it->code == cp) {
        // The table holds full decompositions already (no recursion needed).
        const auto data = t::kDecompositionData.subspan(it->offset, it->length);
        out.insert(out.end(), data.begin(), data.end());
        return;
    }
    out.push_back(cp);
}

std::optional<char32_t> compose_pair(char32_t a, char32_t b)
{
    if (a >= kLBase && a < kLBase + kLCount && b >= kVBase && b < kVBase + kVCount) {
        return kSBase + ((a - kLBase) * kVCount + (b - kVBase)) * kTCount;
    }
    if (a >= kSBase && a < kSBase + kSCount && (a - kSBase) % kTCount == 0 && b > kTBase &&
        b < kTBase + kTCount) {
        return a + (b - kTBase);
    }
    const auto& table = t::kComposition;
    const auto it = std::lower_bound(table.begin(), table.end(), std::pair{a, b},
                                     [](const t::Composition& c, std::pair<char32_t, char32_t> k) {
                                         return std::pair{c.first, c.second} < k;
                                     });
    if (it != table.end() && it->first == a && it->second == b) {
        return it->composite;
    }
    return std::nullopt;
}

// Unicode normalization form KC (UAX #15): full compatibility decomposition, canonical
// ordering, canonical composition.
std::vector<char32_t> nfkc(const std::vector<char32_t>& in)
{
    std::vector<char32_t> d;
    d.reserve(in.size());
    for (const char32_t cp : in) {
        decompose(cp, d);
    }
    // Canonical ordering: stable sort of each run of non-starters by combining class.
    for (std::size_t i = 1; i < d.size(); ++i) {
        const auto cc = combining_class(d[i]);
        if (cc == 0) {
            continue;
        }
        std::size_t j = i;
        while (j > 0 && combining_class(d[j - 1]) > cc) {
            std::swap(d[j - 1], d[j]);
            --j;
        }
    }
    if (d.empty()) {
        return d;
    }
    std::vector<char32_t> out;
    out.reserve(d.size());
    out.push_back(d[0]);
    std::size_t starter = 0;
    // A string that begins with a non-starter has no starter to compose with yet.
    int last_class = combining_class(d[0]) == 0 ? 0 : 256;
    bool have_starter = last_class == 0;
    for (std::size_t i = 1; i < d.size(); ++i) {
        const int cc = combining_class(d[i]);
        if (have_starter && (last_class < cc || last_class == 0)) {
            if (const auto c = compose_pair(out[starter], d[i])) {
                out[starter] = *c;
                continue;
            }
        }
        if (cc == 0) {
            starter = out.size();
            have_starter = true;
        }
        last_class = cc;
        out.push_back(d[i]);
    }
    return out;
}

Error refused(std::string why)
{
    return make_error("22023", "password refused by SASLprep: " + std::move(why));
}

}  // namespace

Result<std::string> saslprep(std::string_view password)
{
    if (password.size() > kMaxPasswordLength) {
        return refused("longer than 1024 bytes");
    }
    if (std::all_of(password.begin(), password.end(),
                    [](char c) { return static_cast<unsigned char>(c) < 0x80; })) {
        // PostgreSQL returns pure ASCII untouched, skipping even the prohibition of control
        // characters; so do we, or ASCII passwords would stop matching.
        return ok(std::string(password));
    }
    auto input = decode_utf8(password);
    if (!input) {
        return make_error("22021", "password refused by SASLprep: invalid UTF-8");
    }

    // 1) Map: non-ASCII spaces to U+0020, "commonly mapped to nothing" removed.
    std::vector<char32_t> mapped;
    mapped.reserve(input->size());
    for (const char32_t cp : *input) {
        if (in_table(cp, t::kNonAsciiSpace)) {
            mapped.push_back(U' ');
        } else if (!in_table(cp, t::kMappedToNothing)) {
            mapped.push_back(cp);
        }
    }
    if (mapped.empty()) {
        return refused("empty after mapping");
    }

    // 2) Normalize.
    const std::vector<char32_t> out = nfkc(mapped);

    // 3) Prohibit (RFC 4013 §2.3) and refuse code points unassigned in Unicode 3.2 (§2.5), then
    // 4) the bidi rules (RFC 3454 §6): with any RandALCat character, no LCat character, and
    //    RandALCat characters first and last.
    // RFC 3454 applies steps 3 and 4 to the normalized string; PostgreSQL applies them to the
    // mapped input before normalization (saslprep.c loops over input_chars). The two differ,
    // e.g. for U+0340 (prohibited by C.8, normalized to the allowed U+0300), and a verifier is
    // only useful if it matches PostgreSQL's, so we follow PostgreSQL. Checked against a real
    // PostgreSQL 15 server with thousands of random passwords (see saslprep_test.cpp).
    for (const char32_t cp : mapped) {
        if (in_table(cp, t::kProhibited)) {
            return refused("prohibited character");
        }
        if (in_table(cp, t::kUnassigned)) {
            return refused("unassigned code point");
        }
    }
    if (std::any_of(mapped.begin(), mapped.end(),
                    [](char32_t c) { return in_table(c, t::kRandAL); })) {
        if (std::any_of(mapped.begin(), mapped.end(),
                        [](char32_t c) { return in_table(c, t::kL); }) ||
            !in_table(mapped.front(), t::kRandAL) || !in_table(mapped.back(), t::kRandAL)) {
            return refused("bidirectional text rules violated");
        }
    }
    return ok(encode_utf8(out));
}

std::string prepare_scram_password(std::string_view password)
{
    auto prepared = saslprep(password);
    if (prepared) {
        return std::move(*prepared);
    }
    // PostgreSQL (server and libpq alike) falls back to the raw bytes when SASLprep refuses a
    // password; doing the same keeps verifiers interchangeable with pg_authid.
    return std::string(password);
}

}  // namespace meshgate::auth
