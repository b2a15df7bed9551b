// random_bytes over OpenSSL RAND_bytes. Layer: auth.
#include "auth/random.hpp"

#include "common/error.hpp"

#include <openssl/rand.h>

#include <algorithm>
#include <climits>

namespace meshgate::auth {

std::string random_bytes(std::size_t n)
{
    std::string out(n, '\0');
    std::size_t done = 0;
    while (done < n) {
        const std::size_t chunk = std::min<std::size_t>(n - done, INT_MAX);
        const int rc = RAND_bytes(reinterpret_cast<unsigned char*>(out.data() + done),
                                  static_cast<int>(chunk));
        MESHGATE_ASSERT(rc == 1);
        done += chunk;
    }
    return out;
}

}  // namespace meshgate::auth
