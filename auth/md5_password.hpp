// PostgreSQL's legacy md5 password response (AuthenticationMD5Password). Layer: auth.
#pragma once

#include <string>
#include <string_view>

namespace meshgate::auth {

/// The PasswordMessage payload for AuthenticationMD5Password:
/// `"md5" + hex(md5(hex(md5(password + user)) + salt4))`, 35 characters. `salt4` is the 4 raw
/// salt bytes from the server. Only for logging in to backends that still use md5.
std::string md5_password(std::string_view user, std::string_view password, std::string_view salt4);

}  // namespace meshgate::auth
