// Strict JSON object checker for audit lines. Layer: policy (pure).
#include "policy/audit/json_object.hpp"

#include "policy/audit/json_text.hpp"

#include <algorithm>

namespace meshgate::audit {

namespace {

constexpr int kMaxDepth = 32;

class Parser {
public:
    explicit Parser(std::string_view text) : t_(text) {}

    bool object_top(std::vector<JsonMember>& members)
    {
        ws();
        if (!eat('{')) {
            return fail("not a JSON object");
        }
        ws();
        if (eat('}')) {
            return end();
        }
        while (true) {
            ws();
            const std::size_t key_start = i_;
            if (!string()) {
                return false;
            }
            const std::string_view key = t_.substr(key_start + 1, i_ - key_start - 2);
            for (const auto& m : members) {
                if (m.key == key) {
                    return fail("duplicate key \"" + std::string(key) + "\"");
                }
            }
            ws();
            if (!eat(':')) {
                return fail("expected ':'");
            }
            ws();
            const std::size_t value_start = i_;
            if (!value(1)) {
                return false;
            }
            members.push_back({key, t_.substr(value_start, i_ - value_start)});
            ws();
            if (eat(',')) {
                continue;
            }
            if (eat('}')) {
                return end();
            }
            return fail("expected ',' or '}'");
        }
    }

    const std::string& error() const { return error_; }

private:
    bool end()
    {
        ws();
        return i_ == t_.size() ? true : fail("bytes after the JSON object");
    }

    bool fail(std::string what)
    {
        if (error_.empty()) {
            error_ = std::move(what) + " at byte " + std::to_string(i_ + 1);
        }
        return false;
    }

    bool eat(char c)
    {
        if (i_ < t_.size() && t_[i_] == c) {
            ++i_;
            return true;
        }
        return false;
    }

    void ws()
    {
        while (i_ < t_.size() &&
               (t_[i_] == ' ' || t_[i_] == '\t' || t_[i_] == '\n' || t_[i_] == '\r')) {
            ++i_;
        }
    }

    static bool hex(char c)
    {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }

    bool string()
    {
        if (!eat('"')) {
            return fail("expected a string");
        }
        while (i_ < t_.size()) {
            const unsigned char c = static_cast<unsigned char>(t_[i_]);
            if (c == '"') {
                ++i_;
                return true;
            }
            if (c < 0x20) {
                return fail("raw control character in a string");
            }
            if (c == '\\') {
                if (i_ + 1 >= t_.size()) {
                    return fail("cut escape");
                }
                const char e = t_[i_ + 1];
                if (e == 'u') {
                    if (i_ + 6 > t_.size() ||
                        !std::all_of(t_.begin() + i_ + 2, t_.begin() + i_ + 6, hex)) {
                        return fail("bad \\u escape");
                    }
                    i_ += 6;
                    continue;
                }
                if (std::string_view("\"\\/bfnrt").find(e) == std::string_view::npos) {
                    return fail("bad escape");
                }
                i_ += 2;
                continue;
            }
            const std::size_t len = utf8_sequence_length(t_, i_);
            if (len == 0) {
                return fail("invalid UTF-8 in a string");
            }
            i_ += len;
        }
        return fail("unterminated string");
    }

    bool digits()
    {
        const std::size_t start = i_;
        while (i_ < t_.size() && t_[i_] >= '0' && t_[i_] <= '9') {
            ++i_;
        }
        return i_ > start;
    }

    bool number()
    {
        eat('-');
        if (eat('0')) {
            // no leading zeros
        } else if (i_ < t_.size() && t_[i_] >= '1' && t_[i_] <= '9') {
            digits();
        } else {
            return fail("bad number");
        }
        if (eat('.') && !digits()) {
            return fail("bad fraction");
        }
        if (i_ < t_.size() && (t_[i_] == 'e' || t_[i_] == 'E')) {
            ++i_;
            if (!eat('+')) {
                eat('-');
            }
            if (!digits()) {
                return fail("bad exponent");
            }
        }
        return true;
    }

    bool literal(std::string_view word)
    {
        if (t_.substr(i_, word.size()) == word) {
            i_ += word.size();
            return true;
        }
        return fail("bad literal");
    }

    bool value(int depth)
    {
        if (depth > kMaxDepth) {
            return fail("nested too deeply");
        }
        if (i_ >= t_.size()) {
            return fail("missing value");
        }
        switch (t_[i_]) {
            case '"':
                return string();
            case 't':
                return literal("true");
            case 'f':
                return literal("false");
            case 'n':
                return literal("null");
            case '[': {
                ++i_;
                ws();
                if (eat(']')) {
                    return true;
                }
                while (true) {
                    ws();
                    if (!value(depth + 1)) {
                        return false;
                    }
                    ws();
                    if (eat(',')) {
                        continue;
                    }
                    return eat(']') ? true : fail("expected ',' or ']'");
                }
            }
            case '{': {
                ++i_;
                ws();
                if (eat('}')) {
                    return true;
                }
                while (true) {
                    ws();
                    if (!string()) {
                        return false;
                    }
                    ws();
                    if (!eat(':')) {
                        return fail("expected ':'");
                    }
                    ws();
                    if (!value(depth + 1)) {
                        return false;
                    }
                    ws();
                    if (eat(',')) {
                        continue;
                    }
                    return eat('}') ? true : fail("expected ',' or '}'");
                }
            }
            default:
                return number();
        }
    }

    std::string_view t_;
    std::size_t i_ = 0;
    std::string error_;
};

}  // namespace

bool read_json_object(std::string_view text, std::vector<JsonMember>& members, std::string& error)
{
    members.clear();
    Parser p(text);
    if (!p.object_top(members)) {
        error = p.error();
        members.clear();
        return false;
    }
    return true;
}

}  // namespace meshgate::audit
