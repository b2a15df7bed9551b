// Readers shared by the main and domain file readers: principals, tags, secrets, paths.
// Layer: config (yaml-cpp; files and environment only through Environment).
#pragma once

#include "config/load.hpp"
#include "config/map_reader.hpp"
#include "config/model.hpp"
#include "config/yaml_reader.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace meshgate::config {

/// What every reader of one load needs besides its file.
struct LoadContext {
    const Environment& env;
    std::string config_dir;  // directory of the main file; "" = the current directory
};

/// `p` relative to the config file's directory (absolute paths and "" unchanged).
std::string resolve_path(const std::string& config_dir, const std::string& p);

/// A list of principals (`[group:analysts, user:bob]`); every bad item is reported.
std::optional<std::vector<Principal>> read_principals(YamlReader& r, const YamlValue& v,
                                                      std::string_view path);

/// True for a tag: `[a-z0-9][a-z0-9_.:-]*`. Tags are matched exactly, so mixed case (which would
/// silently escape a global mask on the lower-case tag) is refused.
bool is_tag(std::string_view tag);

/// A list of tags, each checked with is_tag().
std::optional<std::vector<std::string>> read_tags(YamlReader& r, const YamlValue& v,
                                                  std::string_view path);

/// A policy or backend name: `[A-Za-z0-9_.-]+`, at most 63 bytes.
bool is_simple_name(std::string_view name);

/// A secret that may be given as `<base>` (inline: allowed with a warning), `<base>_env`
/// (environment variable) or `<base>_file` (file, trailing newline removed). At most one form
/// may be given. Returns nullopt when none is given or on error (reported); `*found` tells them
/// apart and `*where` is where the secret was configured.
std::optional<std::string> read_secret(YamlReader& r, const MapReader& m, std::string_view base,
                                       const LoadContext& ctx, bool* found, YAML::Mark* where);

}  // namespace meshgate::config
