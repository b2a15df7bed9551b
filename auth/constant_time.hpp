// Comparisons of secrets whose running time does not depend on where they differ. Layer: auth.
#pragma once

#include <string_view>

namespace meshgate::auth {

/// True when `a` and `b` hold the same bytes. The lengths are compared first (lengths of
/// proofs, keys and signatures are public); the contents with CRYPTO_memcmp.
bool constant_time_equal(std::string_view a, std::string_view b);

}  // namespace meshgate::auth
