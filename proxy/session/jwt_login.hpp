// The JWKS of the current configuration, read from `jwt.jwks_file` once per snapshot generation
// and shared by every session. Layer: proxy (I/O edge: reads a file).
#pragma once

#include "auth/jwt.hpp"
#include "common/error.hpp"
#include "config/model.hpp"

#include <memory>

namespace meshgate::proxy {

/// The parsed key set of `snap.jwt->jwks_file`. Read and parsed on the first call for a
/// snapshot generation (start, then after each reload: rotating keys = edit the file and
/// SIGHUP), then served from a process-wide cache; thread-safe. Errors: no `jwt:` section
/// (F0000), unreadable or oversized file (58030), invalid JWKS (F0000, see JwkSet::parse). A
/// failure is not cached, so the next login retries the file.
Result<std::shared_ptr<const auth::JwkSet>> load_jwks(const config::Snapshot& snap);

}  // namespace meshgate::proxy
