// Source drift checks of learned columns. Layer: policy (pure).
#include "policy/source_check.hpp"

#include "policy/sql/row_filter_check.hpp"

#include <algorithm>
#include <cctype>

namespace meshgate::policy {

namespace {

const config::Column* find_column(const config::Product& p, const std::string& name)
{
    for (const auto& c : p.physical_columns) {
        if (c.name == name) {
            return &c;
        }
    }
    return nullptr;
}

std::string lower(std::string_view s)
{
    std::string out(s);
    for (char& c : out) {
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return out;
}

bool starts_with(const std::string& s, std::string_view prefix)
{
    return s.compare(0, prefix.size(), prefix) == 0;
}

std::string source_name(const config::Product& p)
{
    return p.source_schema.empty() ? p.source_relation : p.source_schema + "." + p.source_relation;
}

// The mask kinds that only work on some types; nullptr = any type.
const char* type_need(const config::MaskSpec& m, const std::string& type)
{
    using K = config::MaskSpec::Kind;
    if (m.kind == K::Round && !is_numeric_type(type)) {
        return "a number";
    }
    if (m.kind == K::Truncate && !is_datetime_type(type)) {
        return "a date or timestamp";
    }
    return nullptr;
}

std::string kind_name(const config::MaskSpec& m)
{
    return m.kind == config::MaskSpec::Kind::Round ? "round" : "truncate";
}

void add(std::vector<SourceProblem>& out, const std::string& column, std::string what)
{
    for (const auto& p : out) {
        if (p.what == what) {
            return;
        }
    }
    out.push_back(SourceProblem{column, std::move(what)});
}

}  // namespace

bool is_numeric_type(std::string_view type)
{
    const std::string t = lower(type);
    if (!t.empty() && t.back() == ']') {
        return false;  // an array
    }
    return t == "smallint" || t == "integer" || t == "bigint" || t == "real" ||
           t == "double precision" || t == "numeric" || starts_with(t, "numeric(");
}

bool is_datetime_type(std::string_view type)
{
    const std::string t = lower(type);
    if (!t.empty() && t.back() == ']') {
        return false;  // an array
    }
    return t == "date" || starts_with(t, "timestamp");
}

std::vector<SourceProblem> source_problems(const config::Product& product,
                                           const config::Snapshot& snap)
{
    std::vector<SourceProblem> out;
    if (product.physical_columns.empty()) {
        return out;
    }
    for (const auto& decl : product.columns) {
        if (find_column(product, decl.name) != nullptr) {
            continue;
        }
        std::string what = "has no column " + decl.name + " (declared";
        if (!decl.tags.empty()) {
            what += " with tags";
            for (size_t i = 0; i < decl.tags.size(); ++i) {
                what += (i == 0 ? " " : ", ") + decl.tags[i];
            }
        }
        add(out, decl.name, what + ")");
    }
    for (const auto& m : product.masks) {
        if (m.column.empty()) {
            continue;
        }
        const auto* c = find_column(product, m.column);
        if (c == nullptr) {
            add(out, m.column, "has no column " + m.column + " (masked by " + m.name + ")");
        }
    }
    for (const auto& f : product.row_filters) {
        auto cols = sql::check_row_filter(f, product, snap);
        if (!cols) {
            continue;  // a config error, reported by validate()
        }
        for (const auto& name : *cols) {
            if (find_column(product, name) == nullptr) {
                add(out, name, "has no column " + name + " (used by row filter " + f.name + ")");
            }
        }
    }
    // Every mask that may apply to a column, for any user, must suit the column's type.
    for (const auto& c : product.physical_columns) {
        const auto* decl = product.declared(c.name);
        for (const auto* list : {&snap.global_masks, &product.masks}) {
            for (const auto& m : *list) {
                bool on = !m.column.empty() && m.column == c.name;
                if (!on && decl != nullptr) {
                    for (const auto& t : m.tags) {
                        if (std::find(decl->tags.begin(), decl->tags.end(), t) != decl->tags.end()) {
                            on = true;
                        }
                    }
                }
                if (!on) {
                    continue;
                }
                if (const char* need = type_need(m.with, c.type)) {
                    add(out, c.name,
                        "has column " + c.name + " of type " + c.type + ", but mask " + m.name +
                            " (" + kind_name(m.with) + ") needs " + need);
                }
            }
        }
    }
    return out;
}

std::string describe_source_problems(const config::Product& product, const std::string& backend,
                                     const std::vector<SourceProblem>& problems)
{
    std::string out = "its source " + source_name(product) + " on backend " + backend + " ";
    for (size_t i = 0; i < problems.size(); ++i) {
        if (i > 0) {
            out += "; ";
        }
        std::string what = problems[i].what;
        // "has no column a (...); has no column b (...)" reads better as "...; no column b (...)"
        if (i > 0 && starts_with(what, "has ")) {
            what = what.substr(4);
        }
        out += what;
    }
    return out;
}

Error unavailable_error(const config::Product& product, const config::Snapshot& snap)
{
    std::string owners;
    std::string file = product.origin.file;
    if (auto d = snap.domains.find(product.domain); d != snap.domains.end()) {
        for (const auto& o : d->second.owners) {
            owners += (owners.empty() ? "" : ", ") + o.to_string();
        }
        if (file.empty()) {
            file = d->second.origin.file;
        }
    }
    // Clients see the domain file's name, not where the server keeps it.
    if (const auto slash = file.find_last_of('/'); slash != std::string::npos) {
        file = "domains/" + file.substr(slash + 1);
    }
    Error e = make_error("55000", "data product " + product.address() + " is unavailable: " +
                                      product.unavailable + "; the owners of domain " +
                                      product.domain + (owners.empty() ? "" : " (" + owners + ")") +
                                      " must restore the source or update " +
                                      (file.empty() ? "the domain file" : file));
    e.detail = "meshgate refuses statements on a data product whose source is missing or no "
               "longer matches its domain file, rather than return a wrong or unmasked answer.";
    e.hint = "meshgate reads the source again on reload, at the next use and every few seconds; "
             "`meshgate check --live` lists every unavailable product.";
    return e;
}

}  // namespace meshgate::policy
