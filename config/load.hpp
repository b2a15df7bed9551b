// load_config(): meshgate.yaml + domains/*.yaml -> an immutable Snapshot, or every error found.
// Layer: config (yaml-cpp + std; all file and environment access goes through Environment).
#pragma once

#include "config/config_error.hpp"
#include "config/model.hpp"

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace meshgate::config {

/// Everything the loader reads from outside the YAML text, so tests can substitute it.
struct Environment {
    /// Value of an environment variable (`*_env` secrets); nullopt = unset.
    std::function<std::optional<std::string>(const std::string&)> getenv;
    /// Whole content of a file (`*_file` secrets, the config and domain files); nullopt = cannot
    /// read it (missing, not a regular file, unreadable, or larger than 64 MiB).
    std::function<std::optional<std::string>(const std::string&)> read_file;
    /// File names (not paths) of the `*.yaml` files directly in `dir`, sorted; hidden files
    /// (leading '.') are skipped. Empty when the directory is missing or unreadable.
    std::function<std::vector<std::string>(const std::string& dir)> list_yaml;

    /// The real process environment and file system.
    static Environment system();
};

/// The result of a load: a snapshot, or the complete list of errors (never just the first).
struct LoadResult {
    std::shared_ptr<Snapshot> snapshot;  // null when errors is non-empty
    std::vector<ConfigError> errors;
    std::vector<ConfigError> warnings;  // e.g. inline secrets; never fatal

    bool ok() const { return snapshot != nullptr; }
};

/// Loads the main config file at `path` and every `*.yaml` in its `domains_dir` (relative to the
/// directory of `path`). Relative paths inside the config (TLS files, `*_file` secrets, audit
/// path, JWKS) are resolved against the directory of `path`. The snapshot's generation is 0
/// (the proxy numbers snapshots) and its `config_file` is `path`. Never throws on bad input.
LoadResult load_config(const std::string& path, const Environment& env = Environment::system());

/// As load_config, from text: `main_yaml` is the main file named `main_name` (used in messages
/// and as the base of relative paths), `domain_files` maps each domain file's name (e.g.
/// "domains/sales.yaml"; its stem must equal the domain it defines) to its text; the main file's
/// `domains_dir` is validated but not listed. `env` is used only for `*_env` and `*_file` secrets.
LoadResult load_config_text(const std::string& main_yaml, const std::string& main_name,
                            const std::map<std::string, std::string>& domain_files,
                            const Environment& env);

}  // namespace meshgate::config
