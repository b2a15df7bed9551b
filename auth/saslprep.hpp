// SASLprep (RFC 4013) of SCRAM passwords the way PostgreSQL applies it. Layer: auth (pure).
#pragma once

#include "common/error.hpp"

#include <string>
#include <string_view>

namespace meshgate::auth {

/// Strict SASLprep of `password` (UTF-8), following PostgreSQL's pg_saslprep step by step:
/// pure ASCII is returned unchanged (PostgreSQL skips every step for it, so even ASCII control
/// characters pass); otherwise map (non-ASCII spaces to U+0020, "commonly mapped to nothing"
/// removed), normalize (NFKC), refuse prohibited and unassigned (Unicode 3.2) code points, and
/// check the bidi rules. Invalid UTF-8 gives SQLSTATE 22021; a prohibited or unassigned code
/// point or a bidi violation gives 22023. Messages never quote the password.
Result<std::string> saslprep(std::string_view password);

/// The bytes that go into SCRAM's Hi() for `password`: saslprep(password) when that succeeds,
/// and the raw bytes otherwise. This is exactly what PostgreSQL does in both the server
/// (pg_be_scram_build_secret) and libpq, so verifiers and proofs stay compatible with it.
std::string prepare_scram_password(std::string_view password);

}  // namespace meshgate::auth
