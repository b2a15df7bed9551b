// Rendering of virtual catalog relations to SQL. Layer: policy (pure).
#include "policy/catalog/catalog_table.hpp"

#include "policy/quote.hpp"

#include <cstdio>

namespace meshgate::policy::catalog {

Cell Cell::array(const std::vector<std::string>& items)
{
    // Array input syntax: every element double-quoted, `"` and `\` backslash-escaped. The
    // whole text then becomes a standard-conforming string literal, so backslashes stay as is.
    std::string out = "{";
    for (size_t i = 0; i < items.size(); ++i) {
        out += i == 0 ? "\"" : ",\"";
        for (char c : items[i]) {
            if (c == '"' || c == '\\') {
                out += '\\';
            }
            out += c;
        }
        out += '"';
    }
    out += '}';
    return lit(std::move(out));
}

std::string Cell::json_string(std::string_view s)
{
    std::string out = "\"";
    for (unsigned char c : s) {
        switch (c) {
        case '"':
            out += "\\\"";
            break;
        case '\\':
            out += "\\\\";
            break;
        case '\n':
            out += "\\n";
            break;
        case '\r':
            out += "\\r";
            break;
        case '\t':
            out += "\\t";
            break;
        default:
            if (c < 0x20) {
                char buf[8];
                std::snprintf(buf, sizeof buf, "\\u%04x", c);
                out += buf;
            } else {
                out += char(c);
            }
        }
    }
    out += '"';
    return out;
}

size_t CatalogTable::column(std::string_view name) const
{
    for (size_t i = 0; i < columns.size(); ++i) {
        if (columns[i].name == name) {
            return i;
        }
    }
    return columns.size();
}

const Cell& CatalogTable::at(size_t row, std::string_view name) const
{
    static const Cell kNull;
    const size_t c = column(name);
    if (row >= rows.size() || c >= rows[row].size()) {
        return kNull;
    }
    return rows[row][c];
}

namespace {

Result<std::string> render_cell(const Cell& cell, const std::string& type)
{
    switch (cell.kind) {
    case Cell::Kind::Null:
        return text_ok("NULL::" + type);
    case Cell::Kind::Expr:
        return text_ok("CAST((" + cell.text + ") AS " + type + ")");
    case Cell::Kind::Literal:
        break;
    }
    auto q = quote_literal(cell.text);
    if (!q) {
        return make_error("22021", "a catalog value holds a NUL byte");
    }
    return text_ok(*q + "::" + type);
}

}  // namespace

Result<std::string> render(const CatalogTable& t)
{
    std::string names;
    for (const auto& c : t.columns) {
        auto q = quote_identifier(c.name);
        if (!q) {
            return q.error();
        }
        names += names.empty() ? *q : ", " + *q;
    }
    std::string values;
    const std::vector<std::vector<Cell>> typed_nulls = {std::vector<Cell>(t.columns.size())};
    const auto& rows = t.rows.empty() ? typed_nulls : t.rows;
    for (const auto& row : rows) {
        if (row.size() != t.columns.size()) {
            return make_error("XX000", "a virtual catalog row has the wrong number of columns");
        }
        std::string r;
        for (size_t i = 0; i < row.size(); ++i) {
            auto cell = render_cell(row[i], t.columns[i].type);
            if (!cell) {
                return cell.error();
            }
            r += i == 0 ? *cell : ", " + *cell;
        }
        values += values.empty() ? "(" + r + ")" : ", (" + r + ")";
    }
    std::string sql = "SELECT * FROM (VALUES " + values + ") AS meshgate_catalog(" + names + ")";
    if (t.rows.empty()) {
        sql += " WHERE false";
    }
    if (!t.real_rows.empty()) {
        sql += " UNION ALL " + t.real_rows;
    }
    return text_ok(std::move(sql));
}

}  // namespace meshgate::policy::catalog
