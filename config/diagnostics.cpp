// Diagnostics collection. Layer: config (pure).
#include "config/diagnostics.hpp"

#include <utility>

namespace meshgate::config {

void Diagnostics::error(SourceLocation where, std::string message)
{
    errors_.push_back(
        ConfigError{std::move(where), std::move(message), ConfigError::Severity::Error});
}

void Diagnostics::warning(SourceLocation where, std::string message)
{
    warnings_.push_back(
        ConfigError{std::move(where), std::move(message), ConfigError::Severity::Warning});
}

}  // namespace meshgate::config
