// Who is asking, in which session context: the input of every policy decision besides the SQL.
// Layer: policy (pure).
#pragma once

#include "config/model.hpp"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace meshgate::policy {

/// The authenticated user and the session settings meshgate interprets itself.
struct Identity {
    std::string user;
    std::vector<std::string> groups;
    std::map<std::string, config::AttributeValue> attributes;
    std::optional<std::string> purpose;       // SET meshgate.purpose / -c meshgate.purpose=...
    std::vector<std::string> search_path;     // domains, in order; SET search_path / -c search_path

    /// Identity of a configured user with its configured groups, attributes and search_path.
    static Identity of(const config::User& user);

    /// Equal identities get equal decisions under one snapshot.
    bool operator==(const Identity&) const = default;
};

}  // namespace meshgate::policy
