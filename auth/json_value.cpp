// Strict recursive-descent JSON parser (RFC 8259) with size, depth and width limits.
// Layer: auth (pure, std only).
#include "auth/json_value.hpp"

#include "auth/ok.hpp"
#include "auth/utf8.hpp"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <set>
#include <system_error>

namespace meshgate::auth {

bool JsonValue::as_bool() const
{
    MESHGATE_ASSERT(is_bool());
    return std::get<bool>(v_);
}

const JsonValue::Number& JsonValue::as_number() const
{
    MESHGATE_ASSERT(is_number());
    return std::get<Number>(v_);
}

const std::string& JsonValue::as_string() const
{
    MESHGATE_ASSERT(is_string());
    return std::get<std::string>(v_);
}

const JsonValue::Array& JsonValue::as_array() const
{
    MESHGATE_ASSERT(is_array());
    return std::get<Array>(v_);
}

const JsonValue::Object& JsonValue::as_object() const
{
    MESHGATE_ASSERT(is_object());
    return std::get<Object>(v_);
}

const JsonValue* JsonValue::find(std::string_view key) const
{
    if (!is_object()) {
        return nullptr;
    }
    for (const auto& [k, v] : std::get<Object>(v_)) {
        if (k == key) {
            return &v;
        }
    }
    return nullptr;
}

std::string_view JsonValue::kind_name() const
{
    switch (v_.index()) {
        case 0:
            return "null";
        case 1:
            return "boolean";
        case 2:
            return "number";
        case 3:
            return "string";
        case 4:
            return "array";
        default:
            return "object";
    }
}

namespace {

/// Length of the well-formed UTF-8 sequence (RFC 3629) at the start of `t`, or 0.
std::size_t utf8_sequence_length(std::string_view t)
{
    const auto b = [&](std::size_t i) { return static_cast<unsigned char>(t[i]); };
    if (t.empty()) {
        return 0;
    }
    const unsigned char c = b(0);
    if (c < 0x80) {
        return 1;
    }
    std::size_t len = 0;
    unsigned char lo = 0x80;
    unsigned char hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) {
        len = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        if (c == 0xE0) {
            lo = 0xA0;  // no overlong forms
        } else if (c == 0xED) {
            hi = 0x9F;  // no surrogates
        }
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        if (c == 0xF0) {
            lo = 0x90;
        } else if (c == 0xF4) {
            hi = 0x8F;  // nothing above U+10FFFF
        }
    } else {
        return 0;
    }
    if (t.size() < len) {
        return 0;
    }
    if (b(1) < lo || b(1) > hi) {
        return 0;
    }
    for (std::size_t i = 2; i < len; ++i) {
        if (b(i) < 0x80 || b(i) > 0xBF) {
            return 0;
        }
    }
    return len;
}

class Parser {
public:
    Parser(std::string_view text, const JsonLimits& limits) : text_(text), limits_(limits) {}

    Result<JsonValue> parse_document()
    {
        skip_ws();
        auto v = parse_value(0);
        if (!v) {
            return v;
        }
        skip_ws();
        if (pos_ != text_.size()) {
            return fail("trailing data after the JSON value");
        }
        return v;
    }

private:
    Error fail(std::string_view why) const
    {
        return make_error("22P02",
                          "invalid JSON at byte " + std::to_string(pos_) + ": " + std::string(why));
    }

    bool at_end() const { return pos_ >= text_.size(); }
    unsigned char peek() const { return static_cast<unsigned char>(text_[pos_]); }

    void skip_ws()
    {
        // RFC 8259 §2: exactly these four bytes are whitespace.
        while (!at_end() && (peek() == ' ' || peek() == '\t' || peek() == '\n' || peek() == '\r')) {
            ++pos_;
        }
    }

    bool consume_literal(std::string_view lit)
    {
        if (text_.substr(pos_, lit.size()) == lit) {
            pos_ += lit.size();
            return true;
        }
        return false;
    }

    Result<JsonValue> parse_value(int depth)
    {
        if (at_end()) {
            return fail("unexpected end of input");
        }
        switch (peek()) {
            case '{':
                return parse_object(depth + 1);
            case '[':
                return parse_array(depth + 1);
            case '"': {
                auto s = parse_string();
                if (!s) {
                    return s.error();
                }
                return JsonValue(std::move(*s));
            }
            case 't':
                if (consume_literal("true")) {
                    return JsonValue(true);
                }
                return fail("invalid literal");
            case 'f':
                if (consume_literal("false")) {
                    return JsonValue(false);
                }
                return fail("invalid literal");
            case 'n':
                if (consume_literal("null")) {
                    return JsonValue(JsonValue::Null{});
                }
                return fail("invalid literal");
            default:
                if (peek() == '-' || (peek() >= '0' && peek() <= '9')) {
                    return parse_number();
                }
                return fail("unexpected character");
        }
    }

    Result<JsonValue> parse_object(int depth)
    {
        if (depth > limits_.max_depth) {
            return fail("nesting too deep");
        }
        ++pos_;  // '{'
        JsonValue::Object members;
        std::set<std::string, std::less<>> seen;
        skip_ws();
        if (!at_end() && peek() == '}') {
            ++pos_;
            return JsonValue(std::move(members));
        }
        for (;;) {
            skip_ws();
            if (at_end() || peek() != '"') {
                return fail("expected a string key");
            }
            auto key = parse_string();
            if (!key) {
                return key.error();
            }
            // Two parsers that disagree on which duplicate wins is a classic token-confusion
            // hole; refuse duplicates outright.
            if (!seen.insert(*key).second) {
                return fail("duplicate key");
            }
            skip_ws();
            if (at_end() || peek() != ':') {
                return fail("expected ':'");
            }
            ++pos_;
            skip_ws();
            auto value = parse_value(depth);
            if (!value) {
                return value;
            }
            if (members.size() >= limits_.max_members) {
                return fail("too many object members");
            }
            members.emplace_back(std::move(*key), std::move(*value));
            skip_ws();
            if (at_end()) {
                return fail("unexpected end of input in an object");
            }
            if (peek() == ',') {
                ++pos_;
                continue;
            }
            if (peek() == '}') {
                ++pos_;
                return JsonValue(std::move(members));
            }
            return fail("expected ',' or '}'");
        }
    }

    Result<JsonValue> parse_array(int depth)
    {
        if (depth > limits_.max_depth) {
            return fail("nesting too deep");
        }
        ++pos_;  // '['
        JsonValue::Array elements;
        skip_ws();
        if (!at_end() && peek() == ']') {
            ++pos_;
            return JsonValue(std::move(elements));
        }
        for (;;) {
            skip_ws();
            auto value = parse_value(depth);
            if (!value) {
                return value;
            }
            if (elements.size() >= limits_.max_members) {
                return fail("too many array elements");
            }
            elements.push_back(std::move(*value));
            skip_ws();
            if (at_end()) {
                return fail("unexpected end of input in an array");
            }
            if (peek() == ',') {
                ++pos_;
                continue;
            }
            if (peek() == ']') {
                ++pos_;
                return JsonValue(std::move(elements));
            }
            return fail("expected ',' or ']'");
        }
    }

    static bool is_digit(unsigned char c) { return c >= '0' && c <= '9'; }

    Result<JsonValue> parse_number()
    {
        const std::size_t start = pos_;
        if (peek() == '-') {
            ++pos_;
        }
        if (at_end() || !is_digit(peek())) {
            return fail("invalid number");
        }
        if (peek() == '0') {
            ++pos_;
            if (!at_end() && is_digit(peek())) {
                return fail("leading zero in a number");
            }
        } else {
            while (!at_end() && is_digit(peek())) {
                ++pos_;
            }
        }
        if (!at_end() && peek() == '.') {
            ++pos_;
            if (at_end() || !is_digit(peek())) {
                return fail("invalid fraction");
            }
            while (!at_end() && is_digit(peek())) {
                ++pos_;
            }
        }
        if (!at_end() && (peek() == 'e' || peek() == 'E')) {
            ++pos_;
            if (!at_end() && (peek() == '+' || peek() == '-')) {
                ++pos_;
            }
            if (at_end() || !is_digit(peek())) {
                return fail("invalid exponent");
            }
            while (!at_end() && is_digit(peek())) {
                ++pos_;
            }
        }
        JsonValue::Number n;
        n.text = std::string(text_.substr(start, pos_ - start));
        // from_chars is locale-independent (strtod is not). It reports out-of-range for values
        // beyond a double; refuse those rather than silently turning 1e999 into infinity.
        const char* first = n.text.data();
        const char* last = first + n.text.size();
        const auto [ptr, ec] = std::from_chars(first, last, n.value);
        if (ec == std::errc::result_out_of_range) {
            // Underflow (1e-999) is harmless as 0; overflow is not. from_chars reports both.
            bool tiny = false;
            for (const char* p = first; p != last; ++p) {
                if (*p == 'e' || *p == 'E') {
                    tiny = p + 1 != last && p[1] == '-';
                }
            }
            if (!tiny) {
                return fail("number out of range");
            }
            n.value = 0;
        } else if (ec != std::errc{} || ptr != last || !std::isfinite(n.value)) {
            return fail("invalid number");
        }
        return JsonValue(std::move(n));
    }

    Result<unsigned> parse_hex4()
    {
        if (text_.size() - pos_ < 4) {
            return fail("short \\u escape");
        }
        unsigned v = 0;
        for (int i = 0; i < 4; ++i) {
            const unsigned char c = peek();
            v <<= 4;
            if (c >= '0' && c <= '9') {
                v |= c - '0';
            } else if (c >= 'a' && c <= 'f') {
                v |= c - 'a' + 10;
            } else if (c >= 'A' && c <= 'F') {
                v |= c - 'A' + 10;
            } else {
                return fail("invalid \\u escape");
            }
            ++pos_;
        }
        return v;
    }

    Result<std::string> parse_string()
    {
        ++pos_;  // opening quote
        std::string out;
        for (;;) {
            if (at_end()) {
                return fail("unterminated string");
            }
            const unsigned char c = peek();
            if (c == '"') {
                ++pos_;
                return ok(std::move(out));
            }
            if (c < 0x20) {
                return fail("raw control character in a string");
            }
            if (c == '\\') {
                ++pos_;
                if (at_end()) {
                    return fail("unterminated escape");
                }
                const unsigned char e = peek();
                ++pos_;
                switch (e) {
                    case '"':
                        out.push_back('"');
                        break;
                    case '\\':
                        out.push_back('\\');
                        break;
                    case '/':
                        out.push_back('/');
                        break;
                    case 'b':
                        out.push_back('\b');
                        break;
                    case 'f':
                        out.push_back('\f');
                        break;
                    case 'n':
                        out.push_back('\n');
                        break;
                    case 'r':
                        out.push_back('\r');
                        break;
                    case 't':
                        out.push_back('\t');
                        break;
                    case 'u': {
                        auto hi = parse_hex4();
                        if (!hi) {
                            return hi.error();
                        }
                        std::uint32_t cp = *hi;
                        if (cp >= 0xDC00 && cp <= 0xDFFF) {
                            return fail("lone low surrogate escape");
                        }
                        if (cp >= 0xD800 && cp <= 0xDBFF) {
                            if (!consume_literal("\\u")) {
                                return fail("lone high surrogate escape");
                            }
                            auto lo = parse_hex4();
                            if (!lo) {
                                return lo.error();
                            }
                            if (*lo < 0xDC00 || *lo > 0xDFFF) {
                                return fail("invalid surrogate pair");
                            }
                            cp = 0x10000 + ((cp - 0xD800) << 10) + (*lo - 0xDC00);
                        }
                        append_utf8(out, static_cast<char32_t>(cp));
                        break;
                    }
                    default:
                        return fail("invalid escape");
                }
                continue;
            }
            const std::size_t len = utf8_sequence_length(text_.substr(pos_));
            if (len == 0) {
                return fail("invalid UTF-8 in a string");
            }
            out.append(text_.substr(pos_, len));
            pos_ += len;
        }
    }

    std::string_view text_;
    const JsonLimits& limits_;
    std::size_t pos_ = 0;
};

}  // namespace

bool is_valid_utf8(std::string_view text)
{
    for (std::size_t i = 0; i < text.size();) {
        const std::size_t len = utf8_sequence_length(text.substr(i));
        if (len == 0) {
            return false;
        }
        i += len;
    }
    return true;
}

Result<JsonValue> parse_json(std::string_view text, const JsonLimits& limits)
{
    if (text.size() > limits.max_bytes) {
        return make_error("22P02", "invalid JSON: " + std::to_string(text.size()) +
                                       " bytes exceed the limit of " +
                                       std::to_string(limits.max_bytes));
    }
    return Parser(text, limits).parse_document();
}

}  // namespace meshgate::auth
