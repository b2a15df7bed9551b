// MapReader: strict YAML mapping reads. Layer: config (yaml-cpp).
#include "config/map_reader.hpp"

#include "config/suggest.hpp"

namespace meshgate::config {

MapReader::MapReader(YamlReader& reader, const YamlValue& value, std::string path,
                     std::vector<std::string_view> known)
    : reader_(reader), self_(value), path_(std::move(path))
{
    scan(true, known);
}

MapReader::MapReader(YamlReader& reader, const YamlValue& value, std::string path)
    : reader_(reader), self_(value), path_(std::move(path))
{
    scan(false, {});
}

std::string MapReader::path_of(std::string_view key) const
{
    return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
}

void MapReader::scan(bool strict, const std::vector<std::string_view>& known)
{
    const YAML::Node& node = self_.node;
    if (node.IsNull()) {
        is_map_ = true;  // "admin:" with nothing under it: an empty map
        return;
    }
    if (!node.IsMap()) {
        reader_.error(self_, (path_.empty() ? std::string("top level") : path_) +
                                 ": expected a map, got " + std::string(kind_name(node)));
        return;
    }
    is_map_ = true;
    const std::string where = path_.empty() ? std::string("top level") : path_;
    for (const auto& kv : node) {
        const YAML::Node& key = kv.first;
        const YAML::Mark key_mark = key.Mark();
        if (!key.IsScalar()) {
            reader_.error(key_mark, "a key in " + where + " is " + std::string(kind_name(key)) +
                                        ", expected a string");
            continue;
        }
        const std::string& name = key.Scalar();
        bool duplicate = false;
        for (const auto& e : entries_) {
            if (e.key == name) {
                reader_.error(key_mark, "duplicate key \"" + name + "\" in " + where +
                                            " (first given at line " +
                                            std::to_string(e.key_mark.line + 1) + ")");
                duplicate = true;
                break;
            }
        }
        if (duplicate) {
            continue;
        }
        if (strict) {
            bool is_known = false;
            for (const auto k : known) {
                is_known = is_known || k == name;
            }
            if (!is_known) {
                reader_.error(key_mark, "unknown key \"" + name + "\" in " + where +
                                            did_you_mean(name, known));
                continue;
            }
        }
        const YAML::Node& v = kv.second;
        // An empty value's mark points at the next token; report it at its key instead.
        const YAML::Mark mark = v.IsNull() || v.Mark().is_null() ? key_mark : v.Mark();
        entries_.push_back(Entry{name, key_mark, YamlValue{v, mark, key_mark}});
    }
}

std::optional<YamlValue> MapReader::get(std::string_view key) const
{
    for (const auto& e : entries_) {
        if (e.key == key) {
            return e.value;
        }
    }
    return std::nullopt;
}

std::optional<YamlValue> MapReader::value(std::string_view key) const
{
    auto v = get(key);
    if (v && v->node.IsNull()) {
        return std::nullopt;
    }
    return v;
}

std::optional<YamlValue> MapReader::required(std::string_view key)
{
    auto v = value(key);
    if (!v && is_map_) {
        const auto present = get(key);
        reader_.error(present ? present->mark : self_.key_mark,
                      (path_.empty() ? std::string("top level") : path_) +
                          ": missing required key \"" + std::string(key) + "\"");
    }
    return v;
}

std::optional<YamlValue> MapReader::required_key(std::string_view key)
{
    auto v = get(key);
    if (!v && is_map_) {
        reader_.error(self_.key_mark, (path_.empty() ? std::string("top level") : path_) +
                                          ": missing required key \"" + std::string(key) + "\"");
    }
    return v;
}

void MapReader::read_string(std::string_view key, std::string& out)
{
    if (const auto v = value(key)) {
        if (auto s = reader_.string(*v, path_of(key))) {
            out = std::move(*s);
        }
    }
}

void MapReader::read_bool(std::string_view key, bool& out)
{
    if (const auto v = value(key)) {
        if (const auto b = reader_.boolean(*v, path_of(key))) {
            out = *b;
        }
    }
}

void MapReader::read_string_list(std::string_view key, std::vector<std::string>& out)
{
    if (const auto v = value(key)) {
        if (auto l = reader_.string_list(*v, path_of(key))) {
            out = std::move(*l);
        }
    }
}

std::optional<std::string> MapReader::required_string(std::string_view key)
{
    const auto v = required(key);
    if (!v) {
        return std::nullopt;
    }
    return reader_.non_empty_string(*v, path_of(key));
}

}  // namespace meshgate::config
