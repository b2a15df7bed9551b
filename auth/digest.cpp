// Digest helpers over OpenSSL one-shot EVP calls. A failing digest call means a broken OpenSSL
// installation, not a peer's doing, so it is an invariant (MESHGATE_ASSERT). Layer: auth.
#include "auth/digest.hpp"

#include "common/error.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <climits>

namespace meshgate::auth {
namespace {

const unsigned char* bytes_of(std::string_view s)
{
    return reinterpret_cast<const unsigned char*>(s.data());
}

std::string evp_digest(const EVP_MD* md, std::string_view data)
{
    MESHGATE_ASSERT(md != nullptr);
    std::string out(static_cast<std::size_t>(EVP_MD_get_size(md)), '\0');
    unsigned int len = 0;
    const int rc = EVP_Digest(data.data(), data.size(),
                              reinterpret_cast<unsigned char*>(out.data()), &len, md, nullptr);
    MESHGATE_ASSERT(rc == 1 && len == out.size());
    return out;
}

}  // namespace

std::string sha256(std::string_view data)
{
    return evp_digest(EVP_sha256(), data);
}

std::string md5(std::string_view data)
{
    return evp_digest(EVP_md5(), data);
}

std::string hmac_sha256(std::string_view key, std::string_view data)
{
    MESHGATE_ASSERT(key.size() <= INT_MAX);
    std::string out(kSha256Length, '\0');
    unsigned int len = 0;
    // HMAC() is OpenSSL 3's non-deprecated one-shot; a non-null buffer is written in place.
    const unsigned char* rc =
        HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), bytes_of(data), data.size(),
             reinterpret_cast<unsigned char*>(out.data()), &len);
    MESHGATE_ASSERT(rc != nullptr && len == kSha256Length);
    return out;
}

std::string pbkdf2_hmac_sha256(std::string_view password, std::string_view salt, int iterations)
{
    MESHGATE_ASSERT(iterations >= 1);
    MESHGATE_ASSERT(password.size() <= INT_MAX && salt.size() <= INT_MAX);
    std::string out(kSha256Length, '\0');
    const int rc = PKCS5_PBKDF2_HMAC(password.data(), static_cast<int>(password.size()),
                                     bytes_of(salt), static_cast<int>(salt.size()), iterations,
                                     EVP_sha256(), static_cast<int>(out.size()),
                                     reinterpret_cast<unsigned char*>(out.data()));
    MESHGATE_ASSERT(rc == 1);
    return out;
}

std::string to_hex(std::string_view bytes)
{
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string out;
    out.reserve(bytes.size() * 2);
    for (const char c : bytes) {
        const auto b = static_cast<unsigned char>(c);
        out.push_back(kDigits[b >> 4]);
        out.push_back(kDigits[b & 0x0f]);
    }
    return out;
}

std::string xor_bytes(std::string_view a, std::string_view b)
{
    MESHGATE_ASSERT(a.size() == b.size());
    std::string out(a.size(), '\0');
    for (std::size_t i = 0; i < a.size(); ++i) {
        out[i] = static_cast<char>(static_cast<unsigned char>(a[i]) ^
                                   static_cast<unsigned char>(b[i]));
    }
    return out;
}

}  // namespace meshgate::auth
