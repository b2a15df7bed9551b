// ScramAttributeReader. Layer: auth (pure).
#include "auth/scram_attribute_reader.hpp"

#include "auth/ok.hpp"

#include <string>

namespace meshgate::auth {

bool is_scram_printable(std::string_view s)
{
    for (const char c : s) {
        if (c < 0x21 || c > 0x7e || c == ',') {
            return false;
        }
    }
    return true;
}

Error malformed_scram(std::string detail)
{
    Error e = make_error("08P01", "malformed SCRAM message");
    e.detail = std::move(detail);
    return e;
}

Result<std::pair<char, std::string_view>> ScramAttributeReader::read_any()
{
    if (pos_ >= text_.size()) {
        return malformed_scram("Attribute expected, but found end of string.");
    }
    const char name = text_[pos_];
    if (!((name >= 'a' && name <= 'z') || (name >= 'A' && name <= 'Z'))) {
        return malformed_scram("Attribute expected, but found invalid character.");
    }
    if (pos_ + 1 >= text_.size() || text_[pos_ + 1] != '=') {
        return malformed_scram(std::string("Expected character \"=\" for attribute \"") + name +
                               "\".");
    }
    const std::size_t begin = pos_ + 2;
    const std::size_t comma = text_.find(',', begin);
    const std::size_t end = comma == std::string_view::npos ? text_.size() : comma;
    pos_ = comma == std::string_view::npos ? text_.size() : comma + 1;
    comma_pending_ = comma != std::string_view::npos;
    return std::pair<char, std::string_view>{name, text_.substr(begin, end - begin)};
}

Result<std::string_view> ScramAttributeReader::read(char name)
{
    if (pos_ >= text_.size()) {
        return malformed_scram(std::string("Expected attribute \"") + name +
                               "\" but found end of string.");
    }
    if (text_[pos_] != name) {
        return malformed_scram(std::string("Expected attribute \"") + name +
                               "\" but found another one.");
    }
    auto attr = read_any();
    if (!attr) {
        return attr.error();
    }
    return ok(attr->second);
}

}  // namespace meshgate::auth
