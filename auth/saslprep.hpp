// SASLprep (RFC 4013) of SCRAM passwords the way PostgreSQL applies it. Layer: auth (pure).
#pragma once

#include "common/error.hpp"

#include <string>
#include <string_view>

namespace meshgate::auth {

/// SASLprep (RFC 4013) of `password` (UTF-8), following PostgreSQL's pg_saslprep step by step
/// rather than the RFC where the two differ, since only PostgreSQL's result is useful here:
/// - pure ASCII is returned unchanged (PostgreSQL skips every step for it, so even ASCII
///   control characters pass);
/// - otherwise: map (non-ASCII spaces to U+0020, "commonly mapped to nothing" removed; an
///   empty result is refused), normalize with NFKC (Unicode 14.0.0, as PostgreSQL 15), and
///   refuse prohibited code points, code points unassigned in Unicode 3.2 and bidi violations,
///   all three checked on the mapped string *before* normalization, as PostgreSQL does;
/// - longer than 1024 bytes (PostgreSQL's limit) is refused.
/// Invalid UTF-8 gives SQLSTATE 22021; every other refusal 22023. Messages never quote the
/// password. Verified against PostgreSQL 15 with 6000 random non-ASCII passwords.
Result<std::string> saslprep(std::string_view password);

/// The bytes that go into SCRAM's Hi() for `password`: saslprep(password) when that succeeds,
/// and the raw bytes otherwise. This is exactly what PostgreSQL does in both the server
/// (pg_be_scram_build_secret) and libpq, so verifiers and proofs stay compatible with it.
std::string prepare_scram_password(std::string_view password);

}  // namespace meshgate::auth
