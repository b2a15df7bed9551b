// 'T' RowDescription (backend): the columns of the rows that follow. Layer: proxy/wire (pure).
#pragma once

#include "common/error.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace meshgate::wire {

/// RowDescription: one Field per result column.
struct RowDescription {
    static constexpr char kTag = 'T';

    /// A column: name, source table OID and attribute number (0 when not a table column), type
    /// OID, type size (negative = variable), type modifier, and format (0 text, 1 binary).
    struct Field {
        std::string name;
        uint32_t table_oid = 0;
        int16_t column_attr = 0;
        uint32_t type_oid = 0;
        int16_t type_size = 0;
        int32_t type_modifier = -1;
        int16_t format = 0;
        friend bool operator==(const Field&, const Field&) = default;
    };

    std::vector<Field> fields;
    friend bool operator==(const RowDescription&, const RowDescription&) = default;
};

/// Decodes a RowDescription body. Refuses a negative field count or one larger than the bytes
/// that follow, a truncated field, a format other than 0/1, and trailing bytes.
Result<RowDescription> decode_row_description(std::string_view body);

/// Appends the whole tagged frame. At most 32767 fields (int16 count).
void encode(const RowDescription& m, std::string& out);

}  // namespace meshgate::wire
