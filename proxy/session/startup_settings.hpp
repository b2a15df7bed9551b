// StartupSettings: what a client's StartupMessage asks for, checked against what meshgate allows.
// Layer: proxy (pure: no sockets; unit-tested in tests/unit/proxy/core/startup_settings_test.cpp).
#pragma once

#include "common/error.hpp"
#include "proxy/wire/codec.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace meshgate::proxy {

/// The session settings from a StartupMessage.
struct StartupSettings {
    std::string user;
    std::string database;                   // as sent (any name is accepted); default: user
    std::string application_name;
    std::string client_encoding = "UTF8";   // canonical: "UTF8" or "SQL_ASCII"
    /// Settings meshgate interprets itself (`-c search_path=…`, `-c meshgate.purpose=…`, or the
    /// `search_path` startup parameter). nullopt: not given, use the user's configured default.
    std::optional<std::vector<std::string>> search_path;
    std::optional<std::string> purpose;
    /// Settings replayed on every backend connection the session uses, in the order given,
    /// with canonical names (e.g. {"DateStyle", "ISO, MDY"}). Includes application_name and
    /// client_encoding when the client sent them.
    std::vector<std::pair<std::string, std::string>> forwarded;
    /// `_pq_.*` protocol options the client asked for (meshgate knows none of them).
    std::vector<std::string> unrecognized_protocol_options;
    /// True when the client asked for a protocol minor version above 0 or for `_pq_` options:
    /// answer NegotiateProtocolVersion (3.0) before authentication.
    bool negotiate_protocol = false;

    /// The value a forwarded setting has in this session, or nullopt.
    std::optional<std::string> forwarded_value(std::string_view canonical_name) const;
};

/// Checks and interprets a StartupMessage. Refused (the session ends with a FATAL error):
/// a missing `user` (28000); `replication` (0A000); a setting (a parameter or an `options`
/// switch) that meshgate does not allow (42501) or that PostgreSQL does not know (42704);
/// `options` switches other than `-c name=value` / `--name=value` (42601); a client_encoding
/// other than UTF8 or SQL_ASCII (22023): meshgate's parser and the backend must read the same
/// characters, and policy literals are UTF-8.
Result<StartupSettings> parse_startup_settings(const wire::StartupMessage& startup);

/// Canonical spelling of a setting meshgate forwards to backends ("datestyle" -> "DateStyle"),
/// or nullopt when the setting is not forwarded. Case-insensitive; '-' reads as '_'.
std::optional<std::string> forwarded_setting_name(std::string_view name);

/// Splits a search_path value as PostgreSQL reads it: comma-separated identifiers, unquoted
/// ones folded to lower case, double-quoted ones exact ("" is a quote). Refuses (42601) an
/// unterminated quote or an empty element.
Result<std::vector<std::string>> parse_search_path(std::string_view value);

/// `SET name = E'value'` with the value quoted as an escape-string literal, safe whatever the
/// backend's standard_conforming_strings is. The name must be a canonical forwarded name.
std::string set_statement(std::string_view canonical_name, std::string_view value);

}  // namespace meshgate::proxy
