// A virtual catalog relation as data: typed columns and rows of constants, optionally followed
// by real rows of a system catalog, rendered as one SELECT over an inline VALUES list (SPEC §3
// Catalog). Layer: policy (pure).
#pragma once

#include "common/error.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace meshgate::policy::catalog {

/// One value of a virtual row. Literal text is in the column type's input syntax; Expr is SQL
/// meshgate wrote itself (never text from a client or a value from the warehouse).
struct Cell {
    enum class Kind { Null, Literal, Expr };
    Kind kind = Kind::Null;
    std::string text;

    static Cell null() { return {}; }
    static Cell lit(std::string t) { return {Kind::Literal, std::move(t)}; }
    static Cell expr(std::string t) { return {Kind::Expr, std::move(t)}; }
    static Cell boolean(bool b) { return lit(b ? "true" : "false"); }
    static Cell integer(int64_t v) { return lit(std::to_string(v)); }
    /// A one-dimensional array literal (`{"a","b"}`), elements quoted for array input.
    static Cell array(const std::vector<std::string>& items);
    /// A JSON string (`"text"` with JSON escapes), for building jsonb literals.
    static std::string json_string(std::string_view s);

    bool operator==(const Cell&) const = default;
};

struct CatalogColumn {
    std::string name;
    std::string type;   // schema-qualified SQL type written by meshgate (`pg_catalog.text[]`)
};

struct CatalogTable {
    std::vector<CatalogColumn> columns;
    std::vector<std::vector<Cell>> rows;
    /// Optional `SELECT <the same columns> FROM <real catalog> WHERE <system rows only>`,
    /// appended with UNION ALL (the rows of pg_catalog / information_schema themselves).
    std::string real_rows;

    /// Index of column `name`; columns.size() when absent.
    size_t column(std::string_view name) const;
    /// The cell of column `name` in row `row` (tests and builders); a Null cell when absent.
    const Cell& at(size_t row, std::string_view name) const;
};

/// `SELECT * FROM (VALUES (<cell>::<type>, ...), ...) AS meshgate_catalog("c1", ...)`; an empty
/// table is one row of typed NULLs under `WHERE false`, so the column types stay exact. Every
/// cell is cast to its column's type. Refuses (22021) text holding a NUL byte.
Result<std::string> render(const CatalogTable& table);

}  // namespace meshgate::policy::catalog
