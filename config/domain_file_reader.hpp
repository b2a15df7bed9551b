// read_domain_file(): one domains/<domain>.yaml into a Domain (SPEC §4). Layer: config.
#pragma once

#include "config/model.hpp"
#include "config/yaml_reader.hpp"

#include <optional>
#include <string_view>

namespace meshgate::config {

/// Reads a domain file's root. `stem` is the file name without `.yaml`: the file may only define
/// the domain of that name. `snap` supplies the configured backends. Every problem is reported;
/// nullopt when the domain is unusable (its name or backend is wrong), otherwise the domain with
/// the products that read cleanly (the caller fails the load on any error anyway).
std::optional<Domain> read_domain_file(YamlReader& r, const YamlValue& root, std::string_view stem,
                                       const Snapshot& snap);

}  // namespace meshgate::config
