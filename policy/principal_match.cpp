// Principal matching. Layer: policy (pure).
#include "policy/principal_match.hpp"

#include <algorithm>

namespace meshgate::policy {

bool matches(const config::Principal& p, const Identity& who)
{
    using Kind = config::Principal::Kind;
    switch (p.kind) {
    case Kind::Everyone:
        return true;
    case Kind::User:
        return p.name == who.user;
    case Kind::Group:
        return std::find(who.groups.begin(), who.groups.end(), p.name) != who.groups.end();
    case Kind::Attr: {
        const auto it = who.attributes.find(p.name);
        if (it == who.attributes.end()) {
            return false;
        }
        if (const auto* s = std::get_if<std::string>(&it->second)) {
            return *s == p.value;
        }
        const auto& list = std::get<std::vector<std::string>>(it->second);
        return std::find(list.begin(), list.end(), p.value) != list.end();
    }
    }
    return false;  // unknown kind: never matches (an allow cannot be granted by a bug)
}

const config::Principal* first_match(const std::vector<config::Principal>& list, const Identity& who)
{
    for (const auto& p : list) {
        if (matches(p, who)) {
            return &p;
        }
    }
    return nullptr;
}

}  // namespace meshgate::policy
