// MapReader: one YAML mapping read strictly — duplicate and unknown keys are errors.
// Layer: config (yaml-cpp).
#pragma once

#include "config/yaml_reader.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace meshgate::config {

/// Reads a mapping. On construction it reports: a value that is not a map (null counts as an
/// empty map), keys that are not strings, keys given twice (yaml-cpp would silently use one), and
/// keys outside `known` with a "did you mean" suggestion. A typo must never silently disable a
/// policy, so every unknown key is an error.
class MapReader {
public:
    struct Entry {
        std::string key;
        YAML::Mark key_mark;
        YamlValue value;
    };

    /// Strict map: keys must be among `known`. `path` names it in messages ("listen.tls").
    MapReader(YamlReader& reader, const YamlValue& value, std::string path,
              std::vector<std::string_view> known);
    /// Free-form map (backends, users, products...): any string key, still no duplicates.
    MapReader(YamlReader& reader, const YamlValue& value, std::string path);

    bool is_map() const { return is_map_; }
    const std::string& path() const { return path_; }
    const YamlValue& self() const { return self_; }
    /// Every valid entry in file order (duplicates after the first are dropped).
    const std::vector<Entry>& entries() const { return entries_; }

    /// The value under `key` if the key is present (even when its value is null).
    std::optional<YamlValue> get(std::string_view key) const;
    /// The value under `key` if present and not null.
    std::optional<YamlValue> value(std::string_view key) const;
    /// Like value(), but reports "missing key" at the map when absent or null.
    std::optional<YamlValue> required(std::string_view key);
    /// Like get() (a null value counts as present), but reports "missing key" when absent.
    std::optional<YamlValue> required_key(std::string_view key);
    std::string path_of(std::string_view key) const;

    // Typed shortcuts for optional keys: absent or null leaves `out` unchanged.
    void read_string(std::string_view key, std::string& out);
    void read_bool(std::string_view key, bool& out);
    template <class Int>
    void read_int(std::string_view key, Int& out, int64_t min, int64_t max)
    {
        if (const auto v = value(key)) {
            if (const auto i = reader_.integer(*v, path_of(key), min, max)) {
                out = static_cast<Int>(*i);
            }
        }
    }
    void read_string_list(std::string_view key, std::vector<std::string>& out);
    /// A required non-empty string; nullopt (and an error) when missing.
    std::optional<std::string> required_string(std::string_view key);

private:
    void scan(bool strict, const std::vector<std::string_view>& known);

    YamlReader& reader_;
    YamlValue self_;
    std::string path_;
    bool is_map_ = false;
    std::vector<Entry> entries_;
};

}  // namespace meshgate::config
