// Out-of-line members of the configuration snapshot types (locations, principals, masks, lookups).
// Layer: config (pure data).
#include "config/model.hpp"

namespace meshgate::config {

const char* tls_mode_name(TlsMode m)
{
    switch (m) {
    case TlsMode::Disable:
        return "disable";
    case TlsMode::Prefer:
        return "prefer";
    case TlsMode::Require:
        return "require";
    case TlsMode::VerifyFull:
        return "verify-full";
    }
    return "require";  // unreachable: every mode is named above
}

std::string SourceLocation::to_string() const
{
    std::string out = file.empty() ? std::string("<config>") : file;
    if (line > 0) {
        out += ':' + std::to_string(line);
        if (column > 0) {
            out += ':' + std::to_string(column);
        }
    }
    return out;
}

std::string Principal::to_string() const
{
    switch (kind) {
        case Kind::User:
            return "user:" + name;
        case Kind::Group:
            return "group:" + name;
        case Kind::Attr:
            return "attr:" + name + "=" + value;
        case Kind::Everyone:
            return "everyone";
    }
    return "everyone";
}

int MaskSpec::strength() const
{
    // null > constant > hash > regex > partial > round/truncate (SPEC §4, "Combining").
    switch (kind) {
        case Kind::Null:
            return 6;
        case Kind::Constant:
            return 5;
        case Kind::Hash:
            return 4;
        case Kind::Regex:
            return 3;
        case Kind::Partial:
            return 2;
        case Kind::Round:
        case Kind::Truncate:
            return 1;
    }
    // An out-of-range kind is a bug; treat it as the strongest so nothing leaks.
    return 6;
}

namespace {

std::string quoted(const std::string& text)
{
    std::string out = "'";
    for (char c : text) {
        if (c == '\'') {
            out += "''";
        } else {
            out += c;
        }
    }
    return out + "'";
}

}  // namespace

std::string MaskSpec::describe() const
{
    switch (kind) {
        case Kind::Null:
            return "null";
        case Kind::Constant:
            return constant_is_null ? "constant(null)" : "constant(" + quoted(constant) + ")";
        case Kind::Hash:
            return "hash";
        case Kind::Regex:
            return "regex(pattern=" + quoted(pattern) + ", replace=" + quoted(replace) + ")";
        case Kind::Partial: {
            std::string args;
            auto add = [&args](const std::string& part) {
                args += args.empty() ? part : ", " + part;
            };
            if (keep_first != 0) {
                add("keep_first=" + std::to_string(keep_first));
            }
            if (keep_last != 0) {
                add("keep_last=" + std::to_string(keep_last));
            }
            if (fill != "*") {
                add("fill=" + quoted(fill));
            }
            return "partial(" + args + ")";
        }
        case Kind::Round:
            return "round(" + round_step + ")";
        case Kind::Truncate:
            return "truncate(" + truncate_unit + ")";
    }
    return "null";
}

const ColumnDecl* Product::declared(const std::string& column) const
{
    for (const auto& c : columns) {
        if (c.name == column) {
            return &c;
        }
    }
    return nullptr;
}

const Product* Snapshot::find_product(const std::string& domain, const std::string& product) const
{
    const auto d = domains.find(domain);
    if (d == domains.end()) {
        return nullptr;
    }
    const auto p = d->second.products.find(product);
    return p == d->second.products.end() ? nullptr : &p->second;
}

Product* Snapshot::find_product_mut(const std::string& domain, const std::string& product)
{
    const auto d = domains.find(domain);
    if (d == domains.end()) {
        return nullptr;
    }
    const auto p = d->second.products.find(product);
    return p == d->second.products.end() ? nullptr : &p->second;
}

}  // namespace meshgate::config
