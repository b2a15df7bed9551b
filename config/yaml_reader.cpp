// YamlReader: typed reads with error collection. Layer: config (yaml-cpp).
#include "config/yaml_reader.hpp"

#include "config/suggest.hpp"

#include <charconv>

namespace meshgate::config {

std::string_view kind_name(const YAML::Node& node)
{
    switch (node.Type()) {
        case YAML::NodeType::Null:
            return "null";
        case YAML::NodeType::Scalar:
            return "a scalar";
        case YAML::NodeType::Sequence:
            return "a list";
        case YAML::NodeType::Map:
            return "a map";
        case YAML::NodeType::Undefined:
            break;
    }
    return "nothing";
}

YamlReader::YamlReader(std::string file, Diagnostics& diagnostics)
    : file_(std::move(file)), diagnostics_(diagnostics)
{
}

SourceLocation YamlReader::at(const YAML::Mark& mark) const
{
    // yaml-cpp marks are 0-based; a null mark (-1) means "somewhere in this file".
    if (mark.is_null() || mark.line < 0) {
        return SourceLocation{file_, 0, 0};
    }
    return SourceLocation{file_, mark.line + 1, mark.column + 1};
}

void YamlReader::error(const YAML::Mark& mark, std::string message)
{
    diagnostics_.error(at(mark), std::move(message));
}

void YamlReader::warning(const YAML::Mark& mark, std::string message)
{
    diagnostics_.warning(at(mark), std::move(message));
}

std::optional<std::string> YamlReader::string(const YamlValue& v, std::string_view path)
{
    if (!v.node.IsScalar()) {
        // Never echo the value: it may be a secret.
        error(v, std::string(path) + ": expected a string, got " + std::string(kind_name(v.node)));
        return std::nullopt;
    }
    return v.node.Scalar();
}

std::optional<std::string> YamlReader::non_empty_string(const YamlValue& v, std::string_view path)
{
    auto s = string(v, path);
    if (s && s->empty()) {
        error(v, std::string(path) + ": must not be empty");
        return std::nullopt;
    }
    return s;
}

std::optional<int64_t> YamlReader::integer(const YamlValue& v, std::string_view path, int64_t min,
                                           int64_t max)
{
    const std::string range = std::to_string(min) + ".." + std::to_string(max);
    if (!v.node.IsScalar()) {
        error(v, std::string(path) + ": expected an integer in " + range + ", got " +
                     std::string(kind_name(v.node)));
        return std::nullopt;
    }
    const std::string& text = v.node.Scalar();
    int64_t out = 0;
    const char* begin = text.data();
    const char* end = text.data() + text.size();
    // from_chars accepts '-' but not '+', hex or spaces: exactly plain decimal.
    const auto [ptr, ec] = std::from_chars(begin, end, out);
    if (text.empty() || ec != std::errc() || ptr != end) {
        error(v,
              std::string(path) + ": expected an integer in " + range + ", got \"" + text + "\"");
        return std::nullopt;
    }
    if (out < min || out > max) {
        error(v, std::string(path) + ": " + text + " is out of range " + range);
        return std::nullopt;
    }
    return out;
}

std::optional<bool> YamlReader::boolean(const YamlValue& v, std::string_view path)
{
    if (v.node.IsScalar()) {
        const std::string& t = v.node.Scalar();
        if (t == "true" || t == "True" || t == "TRUE") {
            return true;
        }
        if (t == "false" || t == "False" || t == "FALSE") {
            return false;
        }
        error(v, std::string(path) + ": expected true or false, got \"" + t + "\"");
        return std::nullopt;
    }
    error(v, std::string(path) + ": expected true or false, got " + std::string(kind_name(v.node)));
    return std::nullopt;
}

std::optional<std::string> YamlReader::choice(const YamlValue& v, std::string_view path,
                                              const std::vector<std::string_view>& choices)
{
    std::string list;
    for (const auto c : choices) {
        list += list.empty() ? std::string(c) : " | " + std::string(c);
    }
    if (!v.node.IsScalar()) {
        error(v, std::string(path) + ": expected one of " + list + ", got " +
                     std::string(kind_name(v.node)));
        return std::nullopt;
    }
    const std::string& t = v.node.Scalar();
    for (const auto c : choices) {
        if (t == c) {
            return t;
        }
    }
    error(v,
          std::string(path) + ": \"" + t + "\" is not one of " + list + did_you_mean(t, choices));
    return std::nullopt;
}

std::optional<std::vector<YamlValue>> YamlReader::sequence(const YamlValue& v,
                                                           std::string_view path)
{
    if (!v.node.IsSequence()) {
        error(v, std::string(path) + ": expected a list, got " + std::string(kind_name(v.node)));
        return std::nullopt;
    }
    std::vector<YamlValue> out;
    out.reserve(v.node.size());
    for (const auto& item : v.node) {
        const YAML::Mark mark = item.Mark().is_null() ? v.mark : item.Mark();
        out.push_back(YamlValue{item, mark, mark});
    }
    return out;
}

std::optional<std::vector<std::string>> YamlReader::string_list(const YamlValue& v,
                                                                std::string_view path)
{
    const auto items = sequence(v, path);
    if (!items) {
        return std::nullopt;
    }
    std::vector<std::string> out;
    bool ok = true;
    for (std::size_t i = 0; i < items->size(); ++i) {
        const auto item_path = std::string(path) + "[" + std::to_string(i) + "]";
        auto s = non_empty_string((*items)[i], item_path);
        if (s) {
            out.push_back(std::move(*s));
        } else {
            ok = false;
        }
    }
    if (!ok) {
        return std::nullopt;
    }
    return out;
}

}  // namespace meshgate::config
