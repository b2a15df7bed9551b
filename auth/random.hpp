// Cryptographically secure random bytes from OpenSSL's DRBG. Layer: auth.
#pragma once

#include <cstddef>
#include <string>

namespace meshgate::auth {

/// Returns `n` bytes from RAND_bytes. A failing RNG is not something to continue past (nonces
/// and salts would be predictable), so it aborts through MESHGATE_ASSERT.
std::string random_bytes(std::size_t n);

}  // namespace meshgate::auth
