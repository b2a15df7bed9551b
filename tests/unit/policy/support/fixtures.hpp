// Policy snapshots and identities built in C++ for the policy unit tests (a sales domain with
// customers/orders, a marketing domain on another backend, a bench domain, a mask lab).
// Layer: tests (policy).
#pragma once

#include "config/model.hpp"
#include "policy/decide.hpp"
#include "policy/identity.hpp"

#include <memory>
#include <string>
#include <vector>

namespace meshgate::policy::fixtures {

/// The shared test snapshot. Users: alice (analysts, region EU, purposes fraud+marketing),
/// bob (sales-data-team), mallory (analysts, denied on customers), carol (analysts,
/// privacy-officers, finance), dave (analysts, no region), erin (marketing-team).
config::Snapshot make_snapshot();
const config::Snapshot& snapshot();

/// The configured identity of `user` (no purpose set).
Identity identity(const std::string& user);
/// Same, with a session purpose.
Identity identity(const std::string& user, const std::string& purpose);

/// Decides `sql` for `user` (optionally with a purpose) against snapshot().
Decision decide_as(const std::string& user, const std::string& sql,
                   const std::string& purpose = "", Protocol protocol = Protocol::Simple);

/// A row filter built by member (robust against new optional fields in the model).
config::RowFilter row_filter(std::string name, std::string where,
                             std::vector<config::Principal> except = {},
                             config::SourceLocation origin = {});

/// True when libpg_query parses `sql` without error.
bool parses(const std::string& sql);
/// libpg_query's JSON parse tree of `sql` ("" on error), for shape checks.
std::string json_tree(const std::string& sql);
/// Number of non-overlapping occurrences of `needle` in `hay`.
size_t count(const std::string& hay, const std::string& needle);

}  // namespace meshgate::policy::fixtures
