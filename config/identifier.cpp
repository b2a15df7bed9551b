// SQL identifier and reserved-name checks. Layer: config (pure).
#include "config/identifier.hpp"

namespace meshgate::config {

bool is_sql_identifier(std::string_view name)
{
    if (name.empty() || name.size() > kMaxIdentifierLength) {
        return false;
    }
    const auto first = name.front();
    if (!((first >= 'a' && first <= 'z') || first == '_')) {
        return false;
    }
    for (const char c : name) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '$';
        if (!ok) {
            return false;
        }
    }
    return true;
}

bool is_reserved_domain_name(std::string_view name)
{
    return name == "mesh" || name == "pg_catalog" || name == "information_schema" ||
           name == "public" || name.starts_with("pg_");
}

}  // namespace meshgate::config
