// ConfigError formatting. Layer: config.
#include "config/config_error.hpp"

namespace meshgate::config {

std::string ConfigError::to_string() const
{
    const char* label = severity == Severity::Warning ? "warning" : "error";
    return where.to_string() + ": " + label + ": " + message;
}

}  // namespace meshgate::config
