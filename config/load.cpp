// load_config / load_config_text: parse the main and domain files, cross-check, build a Snapshot.
// Layer: config (yaml-cpp).
#include "config/load.hpp"

#include "config/diagnostics.hpp"
#include "config/domain_file_reader.hpp"
#include "config/main_file_reader.hpp"
#include "config/suggest.hpp"
#include "config/value_readers.hpp"
#include "config/yaml_reader.hpp"

#include <yaml-cpp/depthguard.h>

#include <filesystem>
#include <set>

namespace meshgate::config {

namespace {

struct DomainFile {
    std::string name;                 // as shown in messages and used for the stem
    std::optional<std::string> text;  // nullopt: could not be read
};

/// Parses one YAML file into its single document. Syntax errors are reported with the parser's
/// line and column; a second document is refused (it would be silently ignored otherwise).
std::optional<YamlValue> parse_yaml(YamlReader& r, const std::string& text)
{
    try {
        std::vector<YAML::Node> docs = YAML::LoadAll(text);
        if (docs.empty() || (docs.size() == 1 && docs[0].IsNull())) {
            r.error(YAML::Mark::null_mark(), "the file is empty");
            return std::nullopt;
        }
        if (docs.size() > 1) {
            const YAML::Mark m = docs[1].Mark();
            r.error(m, "the file holds " + std::to_string(docs.size()) +
                           " YAML documents; only one is allowed");
            return std::nullopt;
        }
        YAML::Mark mark = docs[0].Mark();
        if (mark.is_null()) {
            mark = YAML::Mark();
        }
        return YamlValue{docs[0], mark, mark};
    } catch (const YAML::DeepRecursion& e) {
        // yaml-cpp 0.7 labels this "bad file"; say what it is.
        r.error(e.mark, "YAML nesting is too deep");
    } catch (const YAML::Exception& e) {
        r.error(e.mark, "YAML syntax error: " + e.msg);
    } catch (const std::exception& e) {
        r.error(YAML::Mark::null_mark(), std::string("cannot parse YAML: ") + e.what());
    }
    return std::nullopt;
}

/// "domains/sales.yaml" -> "sales".
std::string stem_of(const std::string& name) { return std::filesystem::path(name).stem().string(); }

/// Warns about column tags that are one typo away from a tag some global mask binds: such a
/// column would escape the mask it was meant to get.
void warn_near_miss_tags(Diagnostics& diag, const Snapshot& snap)
{
    std::set<std::string> bound;
    for (const auto& m : snap.global_masks) {
        bound.insert(m.tags.begin(), m.tags.end());
    }
    const std::vector<std::string_view> candidates(bound.begin(), bound.end());
    for (const auto& [dn, d] : snap.domains) {
        for (const auto& [pn, p] : d.products) {
            for (const auto& c : p.columns) {
                for (const auto& t : c.tags) {
                    // Short tags ("pii", "pci") are legitimately one letter apart.
                    if (bound.count(t) != 0 || t.size() < 5) {
                        continue;
                    }
                    if (const auto near = closest_match(t, candidates)) {
                        diag.warning(p.origin, "column " + p.address() + "." + c.name +
                                                   " has tag \"" + t +
                                                   "\", which no global policy binds (did you "
                                                   "mean \"" +
                                                   *near + "\"?)");
                    }
                }
            }
        }
    }
}

/// The first mask (global, then domain) that uses the keyed hash, if any.
const MaskPolicy* first_hash_mask(const Snapshot& snap)
{
    for (const auto& m : snap.global_masks) {
        if (m.with.kind == MaskSpec::Kind::Hash) {
            return &m;
        }
    }
    for (const auto& [dn, d] : snap.domains) {
        for (const auto& [pn, p] : d.products) {
            for (const auto& m : p.masks) {
                if (m.with.kind == MaskSpec::Kind::Hash) {
                    return &m;
                }
            }
        }
    }
    return nullptr;
}

/// Runs a reader; the readers never throw on bad input, so an exception here is a bug. Report it
/// as a config error (the load fails closed) instead of taking the process down on a reload.
template <class F>
void guarded(YamlReader& r, F&& read)
{
    try {
        read();
    } catch (const std::exception& e) {
        r.error(YAML::Mark::null_mark(), std::string("internal error while reading: ") + e.what());
    }
}

using DomainSource = std::function<std::vector<DomainFile>(const std::optional<std::string>& dir)>;

LoadResult load_impl(const std::string& main_yaml, const std::string& main_name,
                     const Environment& env, const DomainSource& domain_source, bool listed)
{
    Diagnostics diag;
    auto snap = std::make_shared<Snapshot>();
    snap->config_file = main_name;
    const LoadContext ctx{env, std::filesystem::path(main_name).parent_path().string()};

    YamlReader main_reader(main_name, diag);
    MainFileInfo info;
    if (const auto root = parse_yaml(main_reader, main_yaml)) {
        guarded(main_reader, [&] { info = read_main_file(main_reader, *root, ctx, *snap); });
    }

    std::map<std::string, std::string> domain_file_of;  // domain -> file that defined it
    const auto files = domain_source(info.domains_dir);
    if (listed && files.empty() && !diag.has_errors()) {
        // Not an error (a gate may start before domains ship), but every query will be refused.
        diag.warning(SourceLocation{main_name, 0, 0},
                     info.domains_dir ? "no *.yaml domain files in " + *info.domains_dir
                                      : std::string("domains_dir is not set; no data products "
                                                    "are configured"));
    }
    for (const auto& file : files) {
        YamlReader r(file.name, diag);
        if (!file.text) {
            r.error(YAML::Mark::null_mark(), "cannot read domain file");
            continue;
        }
        const auto root = parse_yaml(r, *file.text);
        if (!root) {
            continue;
        }
        std::optional<Domain> domain;
        guarded(r, [&] { domain = read_domain_file(r, *root, stem_of(file.name), *snap); });
        if (!domain) {
            continue;
        }
        const auto [it, inserted] = domain_file_of.emplace(domain->name, file.name);
        if (!inserted) {
            diag.error(domain->origin,
                       "domain \"" + domain->name + "\" is already defined in " + it->second);
            continue;
        }
        snap->domains.emplace(domain->name, std::move(*domain));
    }

    if (const MaskPolicy* m = first_hash_mask(*snap);
        m && snap->hash_key.empty() && !info.hash_key_given) {
        diag.error(m->origin, "mask \"" + m->name +
                                  "\" uses hash, but no hash key is configured (set "
                                  "secrets.hash_key_env or secrets.hash_key_file)");
    }
    for (const auto& e : info.search_path_entries) {
        if (snap->domains.count(e.domain) == 0 && e.domain != "mesh") {
            diag.warning(e.where, "search_path names \"" + e.domain + "\", which is not a domain");
        }
    }
    warn_near_miss_tags(diag, *snap);

    LoadResult out;
    out.errors = std::move(diag.errors());
    out.warnings = std::move(diag.warnings());
    if (out.errors.empty()) {
        out.snapshot = std::move(snap);
    }
    return out;
}

}  // namespace

LoadResult load_config(const std::string& path, const Environment& env)
{
    const auto text = env.read_file ? env.read_file(path) : std::nullopt;
    if (!text) {
        LoadResult out;
        out.errors.push_back(ConfigError{SourceLocation{path, 0, 0}, "cannot read config file",
                                         ConfigError::Severity::Error});
        return out;
    }
    return load_impl(
        *text, path, env,
        [&env](const std::optional<std::string>& dir) {
            std::vector<DomainFile> files;
            if (!dir) {
                return files;
            }
            const auto names = env.list_yaml ? env.list_yaml(*dir) : std::vector<std::string>{};
            for (const auto& name : names) {
                const std::string p = (std::filesystem::path(*dir) / name).string();
                files.push_back(DomainFile{p, env.read_file(p)});
            }
            return files;
        },
        true);
}

LoadResult load_config_text(const std::string& main_yaml, const std::string& main_name,
                            const std::map<std::string, std::string>& domain_files,
                            const Environment& env)
{
    return load_impl(
        main_yaml, main_name, env,
        [&domain_files](const std::optional<std::string>&) {
            std::vector<DomainFile> files;
            for (const auto& [name, text] : domain_files) {
                files.push_back(DomainFile{name, text});
            }
            return files;
        },
        false);
}

}  // namespace meshgate::config
