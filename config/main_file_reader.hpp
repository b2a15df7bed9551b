// read_main_file(): the sections of meshgate.yaml (SPEC §4) into a Snapshot. Layer: config.
#pragma once

#include "config/model.hpp"
#include "config/value_readers.hpp"
#include "config/yaml_reader.hpp"

#include <optional>
#include <string>
#include <vector>

namespace meshgate::config {

/// What the main file says that matters after the domain files are read.
struct MainFileInfo {
    std::optional<std::string> domains_dir;  // resolved against the config directory
    bool hash_key_given = false;             // secrets.hash_key* present (even if bad)
    struct SearchPathEntry {
        std::string domain;
        SourceLocation where;
    };
    std::vector<SearchPathEntry> search_path_entries;  // checked once domains are known
};

/// Reads every section of the main file's root into `snap`, reporting every problem to the
/// reader's diagnostics. `snap` may be partly filled on error; the caller discards it then.
MainFileInfo read_main_file(YamlReader& r, const YamlValue& root, const LoadContext& ctx,
                            Snapshot& snap);

}  // namespace meshgate::config
