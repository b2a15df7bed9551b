// Shared readers: principals, tags, secrets, paths. Layer: config (yaml-cpp).
#include "config/value_readers.hpp"

#include "config/principal_parser.hpp"

#include <filesystem>

namespace meshgate::config {

std::string resolve_path(const std::string& config_dir, const std::string& p)
{
    if (p.empty()) {
        return p;
    }
    const std::filesystem::path path(p);
    if (path.is_absolute()) {
        return p;
    }
    std::string out = (std::filesystem::path(config_dir) / path).lexically_normal().string();
    // "domains/" and "domains" are the same directory; keep one spelling for messages.
    while (out.size() > 1 && out.back() == '/') {
        out.pop_back();
    }
    return out;
}

std::optional<std::vector<Principal>> read_principals(YamlReader& r, const YamlValue& v,
                                                      std::string_view path)
{
    const auto items = r.sequence(v, path);
    if (!items) {
        return std::nullopt;
    }
    std::vector<Principal> out;
    bool ok = true;
    for (std::size_t i = 0; i < items->size(); ++i) {
        const YamlValue& item = (*items)[i];
        const std::string item_path = std::string(path) + "[" + std::to_string(i) + "]";
        if (!item.node.IsScalar()) {
            // "[user: bob]" is a one-entry map in YAML, not the principal "user:bob".
            r.error(item, item_path +
                              ": expected a principal string (user:NAME, group:NAME, "
                              "attr:KEY=VALUE or everyone), got " +
                              std::string(kind_name(item.node)) +
                              (item.node.IsMap() ? " (write user:NAME without a space)" : ""));
            ok = false;
            continue;
        }
        auto p = parse_principal(item.node.Scalar());
        if (!p) {
            r.error(item, item_path + ": " + p.error().message);
            ok = false;
            continue;
        }
        out.push_back(std::move(*p));
    }
    if (!ok) {
        return std::nullopt;
    }
    return out;
}

bool is_tag(std::string_view tag)
{
    if (tag.empty() || tag.size() > 128) {
        return false;
    }
    for (std::size_t i = 0; i < tag.size(); ++i) {
        const char c = tag[i];
        const bool alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
        const bool punct = c == '_' || c == '.' || c == ':' || c == '-';
        if (!(alnum || (i > 0 && punct))) {
            return false;
        }
    }
    return true;
}

std::optional<std::vector<std::string>> read_tags(YamlReader& r, const YamlValue& v,
                                                  std::string_view path)
{
    const auto items = r.sequence(v, path);
    if (!items) {
        return std::nullopt;
    }
    std::vector<std::string> out;
    bool ok = true;
    for (std::size_t i = 0; i < items->size(); ++i) {
        const YamlValue& item = (*items)[i];
        const std::string item_path = std::string(path) + "[" + std::to_string(i) + "]";
        auto s = r.string(item, item_path);
        if (!s) {
            ok = false;
            continue;
        }
        if (!is_tag(*s)) {
            r.error(item, item_path + ": \"" + *s +
                              "\" is not a valid tag (lower case letters, digits and _ . : -)");
            ok = false;
            continue;
        }
        out.push_back(std::move(*s));
    }
    if (!ok) {
        return std::nullopt;
    }
    return out;
}

bool is_simple_name(std::string_view name)
{
    if (name.empty() || name.size() > 63) {
        return false;
    }
    for (const char c : name) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                        (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
        if (!ok) {
            return false;
        }
    }
    return true;
}

namespace {

bool is_env_name(std::string_view name)
{
    if (name.empty()) {
        return false;
    }
    for (std::size_t i = 0; i < name.size(); ++i) {
        const char c = name[i];
        const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
        if (!(alpha || (i > 0 && c >= '0' && c <= '9'))) {
            return false;
        }
    }
    return true;
}

}  // namespace

std::optional<std::string> read_secret(YamlReader& r, const MapReader& m, std::string_view base,
                                       const LoadContext& ctx, bool* found, YAML::Mark* where)
{
    const std::string inline_key(base);
    const std::string env_key = inline_key + "_env";
    const std::string file_key = inline_key + "_file";
    const auto inline_v = m.value(inline_key);
    const auto env_v = m.value(env_key);
    const auto file_v = m.value(file_key);
    *found = inline_v || env_v || file_v;
    const int given = (inline_v ? 1 : 0) + (env_v ? 1 : 0) + (file_v ? 1 : 0);
    if (given == 0) {
        return std::nullopt;
    }
    const YamlValue& first = inline_v ? *inline_v : env_v ? *env_v : *file_v;
    *where = first.mark;
    if (given > 1) {
        r.error(first, m.path_of(inline_key) + ": give only one of " + inline_key + ", " + env_key +
                           " or " + file_key);
        return std::nullopt;
    }
    if (inline_v) {
        auto s = r.non_empty_string(*inline_v, m.path_of(inline_key));
        if (s) {
            r.warning(inline_v->mark, m.path_of(inline_key) +
                                          ": secret given inline in the config file; use " +
                                          env_key + " or " + file_key + " in production");
        }
        return s;
    }
    if (env_v) {
        const auto name = r.non_empty_string(*env_v, m.path_of(env_key));
        if (!name) {
            return std::nullopt;
        }
        if (!is_env_name(*name)) {
            r.error(*env_v,
                    m.path_of(env_key) + ": \"" + *name + "\" is not an environment variable name");
            return std::nullopt;
        }
        auto value = ctx.env.getenv ? ctx.env.getenv(*name) : std::nullopt;
        if (!value) {
            r.error(*env_v, m.path_of(env_key) + ": environment variable " + *name + " is not set");
            return std::nullopt;
        }
        if (value->empty()) {
            r.error(*env_v, m.path_of(env_key) + ": environment variable " + *name + " is empty");
            return std::nullopt;
        }
        return value;
    }
    const auto file = r.non_empty_string(*file_v, m.path_of(file_key));
    if (!file) {
        return std::nullopt;
    }
    const std::string resolved = resolve_path(ctx.config_dir, *file);
    auto content = ctx.env.read_file ? ctx.env.read_file(resolved) : std::nullopt;
    if (!content) {
        r.error(*file_v, m.path_of(file_key) + ": cannot read " + resolved);
        return std::nullopt;
    }
    // Secret files conventionally end with a newline that is not part of the secret.
    while (!content->empty() && (content->back() == '\n' || content->back() == '\r')) {
        content->pop_back();
    }
    if (content->empty()) {
        r.error(*file_v, m.path_of(file_key) + ": " + resolved + " is empty");
        return std::nullopt;
    }
    return content;
}

}  // namespace meshgate::config
