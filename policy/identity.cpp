// Identity of a configured user. Layer: policy (pure).
#include "policy/identity.hpp"

namespace meshgate::policy {

Identity Identity::of(const config::User& user)
{
    Identity who;
    who.user = user.name;
    who.groups = user.groups;
    who.attributes = user.attributes;
    who.search_path = user.search_path;
    return who;
}

}  // namespace meshgate::policy
