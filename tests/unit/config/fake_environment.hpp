// A fake config::Environment for unit tests: variables and files from maps, nothing from the OS.
// Layer: tests (config).
#pragma once

#include "config/load.hpp"

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace meshgate::config::testing {

/// Environment variables and files held in maps; list_yaml lists the files under `dir/`.
struct FakeEnvironment {
    std::map<std::string, std::string> vars;
    std::map<std::string, std::string> files;

    Environment env() const
    {
        // Copies, so the Environment outlives this object safely.
        auto v = std::make_shared<std::map<std::string, std::string>>(vars);
        auto f = std::make_shared<std::map<std::string, std::string>>(files);
        Environment e;
        e.getenv = [v](const std::string& name) -> std::optional<std::string> {
            const auto it = v->find(name);
            return it == v->end() ? std::nullopt : std::optional<std::string>(it->second);
        };
        e.read_file = [f](const std::string& path) -> std::optional<std::string> {
            const auto it = f->find(path);
            return it == f->end() ? std::nullopt : std::optional<std::string>(it->second);
        };
        e.list_yaml = [f](const std::string& dir) {
            std::vector<std::string> out;
            std::string prefix = dir;
            if (!prefix.empty() && prefix.back() != '/') {
                prefix += '/';
            }
            for (const auto& [path, text] : *f) {
                if (path.rfind(prefix, 0) == 0 &&
                    path.find('/', prefix.size()) == std::string::npos && path.size() > 5 &&
                    path.compare(path.size() - 5, 5, ".yaml") == 0) {
                    out.push_back(path.substr(prefix.size()));
                }
            }
            return out;
        };
        return e;
    }
};

/// The first error whose message contains `needle`, or nullptr.
inline const ConfigError* find_message(const std::vector<ConfigError>& list,
                                       const std::string& needle)
{
    for (const auto& e : list) {
        if (e.message.find(needle) != std::string::npos) {
            return &e;
        }
    }
    return nullptr;
}

/// All errors as one string, for failure messages.
inline std::string dump(const std::vector<ConfigError>& list)
{
    std::string out;
    for (const auto& e : list) {
        out += e.to_string() + "\n";
    }
    return out;
}

}  // namespace meshgate::config::testing
