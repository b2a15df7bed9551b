// A small strict RFC 8259 JSON parser into a value tree, for JOSE headers, JWT claims and JWKS
// files. Layer: auth (pure, std only).
//
// Why not policy/audit/json_object: that one only checks an audit line and hands back the
// top-level members as raw text; auth needs decoded strings and nested values, and auth may not
// depend on policy (dependencies point inward).
#pragma once

#include "common/error.hpp"

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace meshgate::auth {

/// Bounds on what parse_json accepts; every JSON input meshgate parses comes from outside.
struct JsonLimits {
    std::size_t max_bytes = 64 * 1024;  // whole text
    int max_depth = 16;                 // nested arrays/objects (top-level container = 1)
    std::size_t max_members = 4096;     // members of one object / elements of one array
};

/// One JSON value. Objects keep their members in document order; keys are unique (the parser
/// refuses duplicates, so a lookup can never pick "the other" value than a different parser).
class JsonValue {
public:
    struct Null {};
    /// A number keeps its exact text (RFC 8259 grammar) and its value as a double.
    struct Number {
        std::string text;
        double value = 0;
    };
    using Array = std::vector<JsonValue>;
    using Object = std::vector<std::pair<std::string, JsonValue>>;

    JsonValue() = default;
    explicit JsonValue(Null) {}
    explicit JsonValue(bool b) : v_(b) {}
    explicit JsonValue(Number n) : v_(std::move(n)) {}
    explicit JsonValue(std::string s) : v_(std::move(s)) {}
    explicit JsonValue(Array a) : v_(std::move(a)) {}
    explicit JsonValue(Object o) : v_(std::move(o)) {}

    bool is_null() const { return std::holds_alternative<Null>(v_); }
    bool is_bool() const { return std::holds_alternative<bool>(v_); }
    bool is_number() const { return std::holds_alternative<Number>(v_); }
    bool is_string() const { return std::holds_alternative<std::string>(v_); }
    bool is_array() const { return std::holds_alternative<Array>(v_); }
    bool is_object() const { return std::holds_alternative<Object>(v_); }

    /// Accessors; calling one on a value of another kind is a programmer error (asserted).
    bool as_bool() const;
    const Number& as_number() const;
    const std::string& as_string() const;
    const Array& as_array() const;
    const Object& as_object() const;

    /// The member `key` of an object, or nullptr when absent or when this is not an object.
    const JsonValue* find(std::string_view key) const;

    /// "null", "boolean", "number", "string", "array" or "object", for messages.
    std::string_view kind_name() const;

private:
    std::variant<Null, bool, Number, std::string, Array, Object> v_;
};

/// Parses `text` as exactly one JSON value (RFC 8259), surrounded by optional JSON whitespace.
/// Strict: no BOM, no comments, no trailing commas, no leading zeros, no NaN/Infinity, numbers
/// that overflow a double refused, strings must be well-formed UTF-8 (no overlong forms, no
/// surrogates) with no raw control characters, `\u` escapes must pair surrogates correctly,
/// duplicate keys (after unescaping) refused, and `limits` enforced before any work.
/// Errors are SQLSTATE 22P02 with a byte offset in the message; the text is never echoed.
Result<JsonValue> parse_json(std::string_view text, const JsonLimits& limits = {});

/// True when `text` is well-formed UTF-8 (RFC 3629: no overlong forms, no surrogates, nothing
/// above U+10FFFF). NUL is well-formed; callers that refuse it check separately.
bool is_valid_utf8(std::string_view text);

}  // namespace meshgate::auth
