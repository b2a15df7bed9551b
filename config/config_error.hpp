// ConfigError: one problem found in the configuration, with the file, line and column it is at.
// Layer: config (pure data).
#pragma once

#include "config/model.hpp"

#include <string>

namespace meshgate::config {

/// A config error or warning. Errors make the load fail; warnings (e.g. an inline secret) do not.
struct ConfigError {
    enum class Severity { Error, Warning };

    SourceLocation where;
    std::string message;
    Severity severity = Severity::Error;

    /// "domains/sales.yaml:12:7: error: unknown key ..." (or "...: warning: ..."), as compilers
    /// print.
    std::string to_string() const;
};

}  // namespace meshgate::config
