// Access and purpose checks. Layer: policy (pure).
#include "policy/access_check.hpp"

#include "policy/principal_match.hpp"

#include <algorithm>

namespace meshgate::policy {

namespace {

std::string describe(const config::Principal& p)
{
    using Kind = config::Principal::Kind;
    switch (p.kind) {
    case Kind::User:
        return "user " + p.name;
    case Kind::Group:
        return "group " + p.name;
    case Kind::Attr:
        return "attribute " + p.name + "=" + p.value;
    case Kind::Everyone:
        return "everyone";
    }
    return "principal";
}

std::string or_list(const std::vector<std::string>& items)
{
    std::string out;
    for (size_t i = 0; i < items.size(); ++i) {
        if (i > 0) {
            out += i + 1 == items.size() ? " or " : ", ";
        }
        out += items[i];
    }
    return out;
}

std::vector<std::string> user_purposes(const Identity& who)
{
    const auto it = who.attributes.find("purposes");
    if (it == who.attributes.end()) {
        return {};
    }
    if (const auto* s = std::get_if<std::string>(&it->second)) {
        return {*s};
    }
    return std::get<std::vector<std::string>>(it->second);
}

}  // namespace

std::string origin_of(const config::SourceLocation& where, bool global)
{
    const auto at = where.to_string();
    return global ? "global (" + at + ")" : at;
}

Error permission_denied(const config::Product& product, const std::string& reason)
{
    return make_error("42501",
                      "permission denied for data product " + product.address() + " (" + reason + ")");
}

Result<std::vector<AppliedPolicy>> check_access(const config::Product& product, const Identity& who)
{
    std::vector<AppliedPolicy> applied;
    if (!product.access) {
        return permission_denied(product, "policy access: the product has no access policy, so "
                                          "nobody may read it");
    }
    if (const auto* d = first_match(product.access->deny, who)) {
        if (d->kind == config::Principal::Kind::User) {
            return permission_denied(product, "policy access: user " + who.user + " is denied");
        }
        return permission_denied(product, "policy access: " + describe(*d) + " is denied");
    }
    if (first_match(product.access->allow, who) == nullptr) {
        return permission_denied(product, "policy access: user " + who.user + " is not allowed");
    }
    applied.push_back({"access", "access", product.address(), origin_of(product.origin, false)});

    if (!product.purposes.empty()) {
        const auto wanted = or_list(product.purposes);
        if (!who.purpose || who.purpose->empty()) {
            return permission_denied(product,
                                     "requires purpose " + wanted + ": SET meshgate.purpose");
        }
        const auto& p = *who.purpose;
        if (std::find(product.purposes.begin(), product.purposes.end(), p) ==
            product.purposes.end()) {
            return permission_denied(product, "purpose " + p + " is not allowed: requires purpose " +
                                                  wanted);
        }
        const auto mine = user_purposes(who);
        if (std::find(mine.begin(), mine.end(), p) == mine.end()) {
            return permission_denied(product,
                                     "purpose " + p + " is not granted to user " + who.user);
        }
        applied.push_back({"purpose " + p, "purpose", product.address(),
                           origin_of(product.origin, false)});
    }
    return applied;
}

}  // namespace meshgate::policy
