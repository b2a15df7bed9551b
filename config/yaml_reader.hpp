// YamlReader: typed, error-collecting reads of yaml-cpp nodes of one file. Layer: config
// (yaml-cpp).
#pragma once

#include "config/diagnostics.hpp"

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace meshgate::config {

/// A node and the place to report problems with it. yaml-cpp gives an empty (null) map value
/// the mark of the token after it, so such values carry their key's mark instead.
struct YamlValue {
    YAML::Node node;
    YAML::Mark mark;      // where to report a problem with the value itself
    YAML::Mark key_mark;  // the key it sits under (or the list item): where "missing key" goes
};

/// Reads scalars, lists and enumerations from one file's nodes. A wrong type or value is
/// reported (with line and column) and gives nullopt; nothing throws.
class YamlReader {
public:
    YamlReader(std::string file, Diagnostics& diagnostics);

    const std::string& file() const { return file_; }
    Diagnostics& diagnostics() { return diagnostics_; }

    SourceLocation at(const YAML::Mark& mark) const;
    SourceLocation at(const YamlValue& value) const { return at(value.mark); }
    void error(const YAML::Mark& mark, std::string message);
    void error(const YamlValue& value, std::string message)
    {
        error(value.mark, std::move(message));
    }
    void warning(const YAML::Mark& mark, std::string message);

    /// A scalar's text. `path` names the value in messages ("backends.sales_pg.host").
    std::optional<std::string> string(const YamlValue& v, std::string_view path);
    /// Like string(), but also refuses an empty text.
    std::optional<std::string> non_empty_string(const YamlValue& v, std::string_view path);
    /// A decimal integer (optional '-', digits) within [min, max].
    std::optional<int64_t> integer(const YamlValue& v, std::string_view path, int64_t min,
                                   int64_t max);
    /// true / false (also True, TRUE, False, FALSE); yes/no/on/off are refused as ambiguous.
    std::optional<bool> boolean(const YamlValue& v, std::string_view path);
    /// One of `choices`, with a suggestion when the text is close to one.
    std::optional<std::string> choice(const YamlValue& v, std::string_view path,
                                      const std::vector<std::string_view>& choices);
    /// A sequence of non-empty scalars (a flow `[a, b]` or block list).
    std::optional<std::vector<std::string>> string_list(const YamlValue& v, std::string_view path);
    /// The items of a sequence, each with its own mark.
    std::optional<std::vector<YamlValue>> sequence(const YamlValue& v, std::string_view path);

private:
    std::string file_;
    Diagnostics& diagnostics_;
};

/// "a string", "a list", "a map", "null": the YAML kind of a node, for messages.
std::string_view kind_name(const YAML::Node& node);

}  // namespace meshgate::config
