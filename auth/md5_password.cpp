// md5_password: PostgreSQL's pg_md5_encrypt applied twice, as libpq does. Layer: auth.
#include "auth/md5_password.hpp"

#include "auth/digest.hpp"

namespace meshgate::auth {

std::string md5_password(std::string_view user, std::string_view password, std::string_view salt4)
{
    std::string inner(password);
    inner.append(user);
    std::string outer = to_hex(md5(inner));
    outer.append(salt4);
    return "md5" + to_hex(md5(outer));
}

}  // namespace meshgate::auth
