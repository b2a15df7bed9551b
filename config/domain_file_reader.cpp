// Domain files: products, columns, access, purposes, row filters, masks. Layer: config (yaml-cpp).
#include "config/domain_file_reader.hpp"

#include "config/identifier.hpp"
#include "config/map_reader.hpp"
#include "config/mask_spec_reader.hpp"
#include "config/suggest.hpp"
#include "config/value_readers.hpp"

#include <set>

namespace meshgate::config {

namespace {

/// A name on the backend: `[A-Za-z_][A-Za-z0-9_$]*`, at most 63 bytes. Kept exactly as written
/// (mixed case allowed); the policy layer quotes it.
bool is_relation_part(std::string_view s)
{
    if (s.empty() || s.size() > kMaxIdentifierLength) {
        return false;
    }
    for (std::size_t i = 0; i < s.size(); ++i) {
        const char c = s[i];
        const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
        if (!(alpha || (i > 0 && ((c >= '0' && c <= '9') || c == '$')))) {
            return false;
        }
    }
    return true;
}

bool read_source(YamlReader& r, const YamlValue& v, const std::string& path, Product& p)
{
    const auto s = r.non_empty_string(v, path);
    if (!s) {
        return false;
    }
    const auto dot = s->find('.');
    std::string schema = "public";
    std::string relation = *s;
    if (dot != std::string::npos) {
        schema = s->substr(0, dot);
        relation = s->substr(dot + 1);
    }
    if (!is_relation_part(schema) || !is_relation_part(relation)) {
        r.error(v,
                path + ": \"" + *s + "\" is not a relation (expected schema.relation or relation)");
        return false;
    }
    p.source_schema = schema;
    p.source_relation = relation;
    return true;
}

void read_columns(YamlReader& r, const YamlValue& v, const std::string& path, Product& p)
{
    MapReader m(r, v, path);
    for (const auto& e : m.entries()) {
        if (!is_sql_identifier(e.key)) {
            r.error(e.key_mark, path + ": \"" + e.key +
                                    "\" is not a valid column name (lower case SQL identifier "
                                    "[a-z_][a-z0-9_$]*, at most 63 bytes)");
            continue;
        }
        ColumnDecl c;
        c.name = e.key;
        MapReader cm(r, e.value, path + "." + e.key, {"tags", "description"});
        if (const auto t = cm.value("tags")) {
            if (auto tags = read_tags(r, *t, cm.path_of("tags"))) {
                c.tags = std::move(*tags);
            }
        }
        cm.read_string("description", c.description);
        p.columns.push_back(std::move(c));
    }
}

void read_access(YamlReader& r, const YamlValue& v, const std::string& path, Product& p)
{
    MapReader m(r, v, path, {"allow", "deny"});
    if (!m.is_map()) {
        return;
    }
    Access access;
    if (const auto a = m.value("allow")) {
        if (auto l = read_principals(r, *a, m.path_of("allow"))) {
            access.allow = std::move(*l);
        }
    }
    if (const auto d = m.value("deny")) {
        if (auto l = read_principals(r, *d, m.path_of("deny"))) {
            access.deny = std::move(*l);
        }
    }
    if (access.allow.empty()) {
        r.warning(v.key_mark, path + ": no principal is allowed; nobody can read this product");
    }
    p.access = std::move(access);
}

/// Checks a policy name: well formed and unique among the product's row filters and masks.
bool check_policy_name(YamlReader& r, const YamlValue& v, const std::string& path,
                       const std::string& name, std::set<std::string>& seen)
{
    if (!is_simple_name(name)) {
        r.error(v, path + ": \"" + name + "\" is not a valid policy name (letters, digits, _ . -)");
        return false;
    }
    if (!seen.insert(name).second) {
        r.error(v, path + ": policy \"" + name + "\" is defined twice in this product");
        return false;
    }
    return true;
}

void read_row_filters(YamlReader& r, const YamlValue& v, const std::string& path, Product& p,
                      std::set<std::string>& names)
{
    const auto items = r.sequence(v, path);
    if (!items) {
        return;
    }
    for (std::size_t i = 0; i < items->size(); ++i) {
        const YamlValue& item = (*items)[i];
        const std::string ip = path + "[" + std::to_string(i) + "]";
        MapReader m(r, item, ip, {"name", "description", "where", "except"});
        if (!m.is_map()) {
            continue;
        }
        RowFilter f;
        f.origin = r.at(item);
        bool ok = true;
        if (const auto name = m.required_string("name")) {
            ok = check_policy_name(r, *m.value("name"), m.path_of("name"), *name, names) && ok;
            f.name = *name;
        } else {
            ok = false;
        }
        m.read_string("description", f.description);
        // Kept as written; the policy layer parses it and checks it names only product columns.
        if (const auto where = m.required_string("where")) {
            f.where = *where;
            f.where_origin = r.at(*m.value("where"));
        } else {
            ok = false;
        }
        if (const auto ex = m.value("except")) {
            if (auto l = read_principals(r, *ex, m.path_of("except"))) {
                f.except = std::move(*l);
            } else {
                ok = false;
            }
        }
        if (ok) {
            p.row_filters.push_back(std::move(f));
        }
    }
}

void read_masks(YamlReader& r, const YamlValue& v, const std::string& path, Product& p,
                std::set<std::string>& names)
{
    const auto items = r.sequence(v, path);
    if (!items) {
        return;
    }
    for (std::size_t i = 0; i < items->size(); ++i) {
        const YamlValue& item = (*items)[i];
        const std::string ip = path + "[" + std::to_string(i) + "]";
        MapReader m(r, item, ip, {"name", "description", "column", "with", "except"});
        if (!m.is_map()) {
            continue;
        }
        MaskPolicy mask;
        mask.origin = r.at(item);
        bool ok = true;
        if (const auto name = m.required_string("name")) {
            ok = check_policy_name(r, *m.value("name"), m.path_of("name"), *name, names) && ok;
            mask.name = *name;
        } else {
            ok = false;
        }
        m.read_string("description", mask.description);
        if (const auto column = m.required_string("column")) {
            const auto cv = *m.value("column");
            if (!is_sql_identifier(*column)) {
                r.error(cv, m.path_of("column") + ": \"" + *column +
                                "\" is not a valid column name (lower case SQL identifier)");
                ok = false;
            } else if (p.expose_declared && p.declared(*column) == nullptr) {
                // With expose: declared an undeclared column is invisible; a mask on it is
                // almost surely a typo that would leave the real column unmasked once declared.
                r.error(cv, m.path_of("column") + ": column \"" + *column +
                                "\" is not declared under columns (the product has expose: "
                                "declared)");
                ok = false;
            }
            mask.column = *column;
        } else {
            ok = false;
        }
        if (const auto with = m.required_key("with")) {
            if (auto spec = read_mask_spec(r, *with, m.path_of("with"))) {
                mask.with = *spec;
            } else {
                ok = false;
            }
        } else {
            ok = false;
        }
        if (const auto ex = m.value("except")) {
            if (auto l = read_principals(r, *ex, m.path_of("except"))) {
                mask.except = std::move(*l);
            } else {
                ok = false;
            }
        }
        if (ok) {
            p.masks.push_back(std::move(mask));
        }
    }
}

void read_product(YamlReader& r, const MapReader::Entry& e, Product& p)
{
    const std::string path = "products." + e.key;
    MapReader m(r, e.value, path,
                {"source", "description", "expose", "columns", "access", "purposes", "row_filters",
                 "masks", "tags"});
    if (!m.is_map()) {
        return;
    }
    if (const auto s = m.required("source")) {
        read_source(r, *s, m.path_of("source"), p);
    }
    m.read_string("description", p.description);
    if (const auto x = m.value("expose")) {
        if (const auto mode = r.choice(*x, m.path_of("expose"), {"all", "declared"})) {
            p.expose_declared = *mode == "declared";
        }
    }
    // Columns before masks: a mask's column is checked against the declared ones.
    if (const auto c = m.value("columns")) {
        read_columns(r, *c, m.path_of("columns"), p);
    }
    if (const auto a = m.get("access")) {
        read_access(r, *a, m.path_of("access"), p);
    }
    if (const auto pu = m.value("purposes")) {
        if (const auto items = r.sequence(*pu, m.path_of("purposes"))) {
            for (std::size_t i = 0; i < items->size(); ++i) {
                const auto ip = m.path_of("purposes") + "[" + std::to_string(i) + "]";
                if (auto s = r.non_empty_string((*items)[i], ip)) {
                    p.purposes.push_back(std::move(*s));
                }
            }
        }
    }
    std::set<std::string> names;
    if (const auto f = m.value("row_filters")) {
        read_row_filters(r, *f, m.path_of("row_filters"), p, names);
    }
    if (const auto k = m.value("masks")) {
        read_masks(r, *k, m.path_of("masks"), p, names);
    }
    if (const auto t = m.value("tags")) {
        if (auto tags = read_tags(r, *t, m.path_of("tags"))) {
            p.tags = std::move(*tags);
        }
    }
}

}  // namespace

std::optional<Domain> read_domain_file(YamlReader& r, const YamlValue& root, std::string_view stem,
                                       const Snapshot& snap)
{
    MapReader m(r, root, "", {"domain", "description", "owners", "backend", "products"});
    if (!m.is_map()) {
        return std::nullopt;
    }
    Domain d;
    bool usable = true;
    const auto name_v = m.required("domain");
    if (const auto name = name_v ? r.non_empty_string(*name_v, "domain") : std::nullopt) {
        d.name = *name;
        d.origin = r.at(*name_v);
        if (!is_sql_identifier(*name)) {
            r.error(*name_v, "domain: \"" + *name +
                                 "\" is not a valid domain name (lower case SQL identifier "
                                 "[a-z_][a-z0-9_$]*, at most 63 bytes)");
            usable = false;
        } else if (is_reserved_domain_name(*name)) {
            r.error(*name_v, "domain: \"" + *name +
                                 "\" is reserved (mesh, public, pg_catalog, information_schema "
                                 "and pg_* cannot be domains)");
            usable = false;
        } else if (*name != stem) {
            // One file per domain, named after it: a file cannot define (or override) another
            // domain's products.
            r.error(*name_v, "domain: this file may only define domain \"" + std::string(stem) +
                                 "\" (its file name), not \"" + *name + "\"");
            usable = false;
        }
    } else {
        usable = false;
    }
    m.read_string("description", d.description);
    if (const auto o = m.value("owners")) {
        if (auto l = read_principals(r, *o, "owners")) {
            d.owners = std::move(*l);
        }
    }
    if (const auto b = m.required("backend")) {
        if (const auto name = r.non_empty_string(*b, "backend")) {
            d.backend = *name;
            if (snap.backends.count(*name) == 0) {
                std::vector<std::string_view> known;
                for (const auto& [k, unused] : snap.backends) {
                    known.push_back(k);
                }
                r.error(*b, "backend: \"" + *name + "\" is not a configured backend" +
                                did_you_mean(*name, known));
                usable = false;
            }
        }
    } else {
        usable = false;
    }
    if (const auto ps = m.value("products")) {
        MapReader pm(r, *ps, "products");
        for (const auto& e : pm.entries()) {
            if (!is_sql_identifier(e.key)) {
                r.error(e.key_mark, "products: \"" + e.key +
                                        "\" is not a valid product name (lower case SQL "
                                        "identifier [a-z_][a-z0-9_$]*, at most 63 bytes)");
                continue;
            }
            Product p;
            p.domain = d.name;
            p.name = e.key;
            p.origin = r.at(e.key_mark);
            read_product(r, e, p);
            d.products.emplace(e.key, std::move(p));
        }
    }
    if (!usable) {
        return std::nullopt;
    }
    return d;
}

}  // namespace meshgate::config
