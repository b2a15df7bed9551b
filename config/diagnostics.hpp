// Diagnostics: the errors and warnings collected while loading, in the order found.
// Layer: config (pure).
#pragma once

#include "config/config_error.hpp"

#include <string>
#include <vector>

namespace meshgate::config {

/// Collects every problem; loading never stops at the first one.
class Diagnostics {
public:
    void error(SourceLocation where, std::string message);
    void warning(SourceLocation where, std::string message);

    bool has_errors() const { return !errors_.empty(); }
    std::size_t error_count() const { return errors_.size(); }
    std::vector<ConfigError>& errors() { return errors_; }
    std::vector<ConfigError>& warnings() { return warnings_; }

private:
    std::vector<ConfigError> errors_;
    std::vector<ConfigError> warnings_;
};

}  // namespace meshgate::config
