// What PostgreSQL's catalogs say about a column type that meshgate learned as format_type text
// ("numeric(10,2)", "character varying(40)", "text[]"): type OID, typmod, storage, and the
// information_schema spelling. Layer: policy (pure).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace meshgate::policy::catalog {

struct TypeInfo {
    uint32_t oid = 25;              // pg_type OID; 25 (text) for a type meshgate does not know
    int32_t typmod = -1;
    int16_t len = -1;               // typlen
    bool byval = false;
    char align = 'i';
    char storage = 'x';
    uint32_t collation = 0;         // 100 (default) for collatable types
    int32_t ndims = 0;              // 1 for arrays
    bool known = false;             // false: a type meshgate cannot map (user-defined, ...)
    std::string udt_name;           // pg_type.typname ("int4", "varchar", "_text")
    std::string data_type;          // information_schema.columns.data_type
    std::optional<int64_t> char_max_length;     // character(n) / character varying(n)
    std::optional<int64_t> char_octet_length;
    std::optional<int64_t> numeric_precision;
    std::optional<int64_t> numeric_radix;
    std::optional<int64_t> numeric_scale;
    std::optional<int64_t> datetime_precision;
};

/// Maps format_type output to the built-in type it names. Unknown types (user-defined enums,
/// domains, extension types) map to `known = false`, OID 25 and data_type "USER-DEFINED": the
/// catalog then shows them as text rather than refusing the whole product.
TypeInfo type_info(std::string_view format_type);

}  // namespace meshgate::policy::catalog
