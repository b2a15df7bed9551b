// 'D' DataRow (backend): one result row. meshgate streams rows untouched; this type exists for
// tests, the fake backend and meshgate's own answers. Layer: proxy/wire (pure).
#pragma once

#include "common/error.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace meshgate::wire {

/// DataRow: one value per column, in the format RowDescription announced (nullopt = NULL).
struct DataRow {
    static constexpr char kTag = 'D';
    std::vector<std::optional<std::string>> values;
    friend bool operator==(const DataRow&, const DataRow&) = default;
};

/// Decodes a DataRow body. Refuses a negative column count or one larger than the bytes that
/// follow, a value length below -1 or past the end, and trailing bytes.
Result<DataRow> decode_data_row(std::string_view body);

/// Appends the whole tagged frame. At most 32767 columns (int16 count).
void encode(const DataRow& m, std::string& out);

}  // namespace meshgate::wire
