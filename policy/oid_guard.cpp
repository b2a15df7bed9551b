// Object-name and OID introspection guards. Layer: policy (pure).
#include "policy/oid_guard.hpp"

#include "policy/catalog/virtual_relation.hpp"
#include "policy/quote.hpp"

#include <array>
#include <utility>

namespace meshgate::policy {

namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

std::optional<std::string> quoted(std::string_view name)
{
    auto q = quote_identifier(name);
    if (!q) {
        return std::nullopt;
    }
    return *q;
}

}  // namespace

RegKind reg_kind(std::string_view t)
{
    if (t == "regclass") {
        return RegKind::Relation;
    }
    if (t == "regnamespace") {
        return RegKind::Namespace;
    }
    if (t == "regtype" || t == "regproc" || t == "regprocedure" || t == "regoper" ||
        t == "regoperator" || t == "regcollation") {
        return RegKind::Guarded;
    }
    if (t == "regrole" || t == "regconfig" || t == "regdictionary") {
        return RegKind::Harmless;
    }
    return RegKind::None;
}

bool is_name_lookup_type_oid(uint32_t t)
{
    static constexpr std::array<uint32_t, 22> kOids = {
        24,   2202, 2203, 2204, 2205, 2206, 4096, 4089, 3734, 3769, 4191,   // regproc ... regcollation
        1008, 2207, 2208, 2209, 2210, 2211, 4097, 4090, 3735, 3770, 4192};  // their arrays
    for (auto o : kOids) {
        if (o == t) {
            return true;
        }
    }
    return false;
}

std::string to_reg_function(std::string_view type_name)
{
    // regtype -> to_regtype, regprocedure -> to_regprocedure, ...
    return "to_" + std::string(type_name);
}

std::optional<std::vector<std::string>> split_qualified_name(std::string_view s)
{
    // As PostgreSQL's SplitIdentifierString with '.': whitespace around parts, "" inside quotes,
    // unquoted parts folded to lower case (ASCII).
    std::vector<std::string> parts;
    size_t i = 0;
    for (;;) {
        while (i < s.size() && is_space(s[i])) {
            ++i;
        }
        std::string part;
        if (i < s.size() && s[i] == '"') {
            ++i;
            bool closed = false;
            while (i < s.size()) {
                if (s[i] == '"') {
                    if (i + 1 < s.size() && s[i + 1] == '"') {
                        part += '"';
                        i += 2;
                        continue;
                    }
                    ++i;
                    closed = true;
                    break;
                }
                part += s[i++];
            }
            if (!closed || part.empty()) {
                return std::nullopt;
            }
        } else {
            while (i < s.size() && s[i] != '.' && !is_space(s[i])) {
                char c = s[i++];
                if (c == '"') {
                    return std::nullopt;
                }
                if (c >= 'A' && c <= 'Z') {
                    c = char(c - 'A' + 'a');
                }
                part += c;
            }
            if (part.empty()) {
                return std::nullopt;
            }
        }
        while (i < s.size() && is_space(s[i])) {
            ++i;
        }
        parts.push_back(std::move(part));
        if (i == s.size()) {
            return parts;
        }
        if (s[i] != '.') {
            return std::nullopt;
        }
        ++i;
    }
}

NameResolution resolve_relation_name(std::string_view text, const Identity& who,
                                     const config::Snapshot& snap)
{
    NameResolution out;
    const auto parts = split_qualified_name(text);
    if (!parts || parts->size() > 2) {
        return out;
    }
    const auto ids = catalog::object_ids(snap);
    auto product_oid = [&](const std::string& domain, const std::string& product) -> uint32_t {
        const auto d = snap.domains.find(domain);
        if (d == snap.domains.end() || !catalog::domain_is_listed(domain) ||
            d->second.products.count(product) == 0) {
            return 0;
        }
        const auto it = ids.relations.find(domain + "." + product);
        return it == ids.relations.end() ? 0 : it->second;
    };
    if (parts->size() == 2) {
        const auto& schema = (*parts)[0];
        const auto& name = (*parts)[1];
        if (schema == "pg_catalog" || schema == "information_schema") {
            auto s = quoted(schema);
            auto n = quoted(name);
            if (s && n) {
                out.kind = NameResolution::Kind::System;
                out.qualified = *s + "." + *n;
            }
            return out;
        }
        if (const auto oid = product_oid(schema, name); oid != 0) {
            out.kind = NameResolution::Kind::Product;
            out.oid = oid;
        }
        return out;
    }
    const auto& name = (*parts)[0];
    // PostgreSQL searches pg_catalog first (implicitly); `pg_*` names are its own.
    if (name.rfind("pg_", 0) != 0) {
        for (const auto& domain : who.search_path) {
            if (const auto oid = product_oid(domain, name); oid != 0) {
                out.kind = NameResolution::Kind::Product;
                out.oid = oid;
                return out;
            }
        }
    }
    // Anything else is looked up in pg_catalog only, never along the service account's
    // search_path (where a warehouse's tables live).
    if (auto n = quoted(name)) {
        out.kind = NameResolution::Kind::System;
        out.qualified = "pg_catalog." + *n;
    }
    return out;
}

NameResolution resolve_namespace_name(std::string_view text, const config::Snapshot& snap,
                                      bool literal)
{
    NameResolution out;
    std::string name;
    if (literal) {
        name = std::string(text);
    } else {
        const auto parts = split_qualified_name(text);
        if (!parts || parts->size() != 1) {
            return out;
        }
        name = (*parts)[0];
    }
    if (name == "pg_catalog" || name == "information_schema" || name == "pg_toast") {
        if (literal) {
            out.kind = NameResolution::Kind::System;
            out.qualified = name;
        } else if (auto n = quoted(name)) {
            out.kind = NameResolution::Kind::System;
            out.qualified = *n;
        }
        return out;
    }
    if (snap.domains.count(name) != 0 && catalog::domain_is_listed(name)) {
        const auto ids = catalog::object_ids(snap);
        if (const auto it = ids.namespaces.find(name); it != ids.namespaces.end()) {
            out.kind = NameResolution::Kind::Product;
            out.oid = it->second;
        }
    }
    return out;
}

std::optional<OidGuard> oid_guard_for(std::string_view f, size_t n)
{
    using Arg = OidGuard::Arg;
    if (n == 0) {
        return std::nullopt;
    }
    // An OID as the first argument.
    static constexpr std::array<std::string_view, 31> kOidFirst = {
        "pg_get_indexdef", "pg_get_constraintdef", "pg_get_triggerdef", "pg_get_ruledef",
        "pg_get_partkeydef", "pg_get_partition_constraintdef", "pg_get_statisticsobjdef",
        "pg_get_statisticsobjdef_columns", "pg_get_statisticsobjdef_expressions",
        "pg_get_functiondef", "pg_get_function_arguments", "pg_get_function_identity_arguments",
        "pg_get_function_result", "pg_get_function_arg_default", "pg_get_function_sqlbody",
        "format_type", "pg_type_is_visible", "pg_function_is_visible", "pg_operator_is_visible",
        "pg_opclass_is_visible", "pg_opfamily_is_visible", "pg_collation_is_visible",
        "pg_conversion_is_visible", "pg_statistics_obj_is_visible", "pg_ts_parser_is_visible",
        "pg_ts_dict_is_visible", "pg_ts_template_is_visible", "pg_ts_config_is_visible",
        "satisfies_hash_partition", "pg_sequence_parameters", "pg_get_publication_tables"};
    for (auto name : kOidFirst) {
        if (f == name) {
            if (f == "pg_get_publication_tables") {
                return std::nullopt;  // takes a publication's name; returns OIDs only
            }
            return OidGuard{Arg::Oid, 0, false};
        }
    }
    // An OID as the second argument (pg_get_expr's relation; the object of pg_describe_object /
    // pg_identify_object*, whose first argument is a system catalog's OID).
    if ((f == "pg_get_expr" || f == "pg_describe_object" || f == "pg_identify_object" ||
         f == "pg_identify_object_as_address") &&
        n >= 2) {
        return OidGuard{Arg::Oid, 1, false};
    }
    // A relation (regclass, or text naming one) as the first argument.
    static constexpr std::array<std::string_view, 19> kRelationFirst = {
        "pg_relation_size", "pg_total_relation_size", "pg_table_size", "pg_indexes_size",
        "pg_relation_filenode", "pg_relation_filepath", "pg_partition_tree",
        "pg_partition_ancestors", "pg_partition_root", "pg_get_viewdef", "pg_get_serial_sequence",
        "pg_get_replica_identity_index", "pg_relation_is_updatable", "pg_column_is_updatable",
        "pg_relation_is_publishable", "pg_index_has_property", "pg_index_column_has_property",
        "pg_sequence_last_value", "row_security_active"};
    for (auto name : kRelationFirst) {
        if (f == name) {
            return OidGuard{Arg::Relation, 0, false};
        }
    }
    // Privilege inquiries: an optional leading role, then the object.
    if (f == "has_table_privilege" || f == "has_sequence_privilege" ||
        f == "has_any_column_privilege") {
        return OidGuard{Arg::Relation, n >= 3 ? size_t(1) : size_t(0), false};
    }
    if (f == "has_column_privilege") {
        return OidGuard{Arg::Relation, n >= 4 ? size_t(1) : size_t(0), false};
    }
    if (f == "has_schema_privilege") {
        return OidGuard{Arg::Namespace, n >= 3 ? size_t(1) : size_t(0), false};
    }
    if (f == "has_function_privilege") {
        return OidGuard{Arg::Function, n >= 3 ? size_t(1) : size_t(0), false};
    }
    if (f == "has_type_privilege") {
        return OidGuard{Arg::Type, n >= 3 ? size_t(1) : size_t(0), false};
    }
    // Functions returning a reg* value whose text is an object's name.
    if (f == "to_regtype" || f == "to_regproc" || f == "to_regprocedure" || f == "to_regoper" ||
        f == "to_regoperator" || f == "to_regcollation" || f == "pg_filenode_relation") {
        return OidGuard{Arg::Oid, 0, true};
    }
    if (f == "to_regclass") {
        return OidGuard{Arg::Relation, 0, true};
    }
    if (f == "to_regnamespace") {
        return OidGuard{Arg::Namespace, 0, true};
    }
    return std::nullopt;
}

}  // namespace meshgate::policy
