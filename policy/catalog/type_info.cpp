// Built-in type facts for the virtual catalogs. Layer: policy (pure).
#include "policy/catalog/type_info.hpp"

#include <array>
#include <charconv>
#include <vector>

namespace meshgate::policy::catalog {

namespace {

struct Builtin {
    std::string_view name;      // format_type spelling without modifiers
    uint32_t oid;
    uint32_t array_oid;
    int16_t len;
    bool byval;
    char align;
    char storage;
    bool collatable;
    std::string_view udt;       // typname
    std::string_view data_type; // information_schema spelling
};

// The types format_type prints for built-in columns (PostgreSQL 15 pg_type.dat).
constexpr std::array<Builtin, 27> kBuiltins = {{
    {"boolean", 16, 1000, 1, true, 'c', 'p', false, "bool", "boolean"},
    {"bytea", 17, 1001, -1, false, 'i', 'x', false, "bytea", "bytea"},
    {"\"char\"", 18, 1002, 1, true, 'c', 'p', false, "char", "\"char\""},
    {"name", 19, 1003, 64, false, 'c', 'p', true, "name", "name"},
    {"bigint", 20, 1016, 8, true, 'd', 'p', false, "int8", "bigint"},
    {"smallint", 21, 1005, 2, true, 's', 'p', false, "int2", "smallint"},
    {"integer", 23, 1007, 4, true, 'i', 'p', false, "int4", "integer"},
    {"text", 25, 1009, -1, false, 'i', 'x', true, "text", "text"},
    {"oid", 26, 1028, 4, true, 'i', 'p', false, "oid", "oid"},
    {"json", 114, 199, -1, false, 'i', 'x', false, "json", "json"},
    {"xml", 142, 143, -1, false, 'i', 'x', false, "xml", "xml"},
    {"real", 700, 1021, 4, true, 'i', 'p', false, "float4", "real"},
    {"double precision", 701, 1022, 8, true, 'd', 'p', false, "float8", "double precision"},
    {"money", 790, 791, 8, true, 'd', 'p', false, "money", "money"},
    {"cidr", 650, 651, -1, false, 'i', 'm', false, "cidr", "cidr"},
    {"inet", 869, 1041, -1, false, 'i', 'm', false, "inet", "inet"},
    {"character", 1042, 1014, -1, false, 'i', 'x', true, "bpchar", "character"},
    {"character varying", 1043, 1015, -1, false, 'i', 'x', true, "varchar", "character varying"},
    {"date", 1082, 1182, 4, true, 'i', 'p', false, "date", "date"},
    {"time without time zone", 1083, 1183, 8, true, 'd', 'p', false, "time", "time without time zone"},
    {"timestamp without time zone", 1114, 1115, 8, true, 'd', 'p', false, "timestamp",
     "timestamp without time zone"},
    {"timestamp with time zone", 1184, 1185, 8, true, 'd', 'p', false, "timestamptz",
     "timestamp with time zone"},
    {"interval", 1186, 1187, 16, false, 'd', 'p', false, "interval", "interval"},
    {"time with time zone", 1266, 1270, 12, false, 'd', 'p', false, "timetz", "time with time zone"},
    {"numeric", 1700, 1231, -1, false, 'i', 'm', false, "numeric", "numeric"},
    {"uuid", 2950, 2951, 16, false, 'c', 'p', false, "uuid", "uuid"},
    {"jsonb", 3802, 3807, -1, false, 'i', 'x', false, "jsonb", "jsonb"},
}};

std::optional<int64_t> number(std::string_view s)
{
    while (!s.empty() && s.front() == ' ') {
        s.remove_prefix(1);
    }
    while (!s.empty() && s.back() == ' ') {
        s.remove_suffix(1);
    }
    int64_t v = 0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || end != s.data() + s.size() || s.empty()) {
        return std::nullopt;
    }
    return v;
}

}  // namespace

TypeInfo type_info(std::string_view text)
{
    TypeInfo out;
    out.udt_name = "text";
    out.data_type = "USER-DEFINED";
    int dims = 0;
    while (text.size() >= 2 && text.substr(text.size() - 2) == "[]") {
        text.remove_suffix(2);
        ++dims;
    }
    // "timestamp(3) with time zone" -> base "timestamp with time zone", modifiers [3].
    std::string base(text);
    std::vector<int64_t> mods;
    if (const auto open = base.find('('); open != std::string::npos) {
        const auto close = base.find(')', open);
        if (close == std::string::npos) {
            return out;
        }
        std::string_view args(base.data() + open + 1, close - open - 1);
        while (!args.empty()) {
            const auto comma = args.find(',');
            const auto n = number(args.substr(0, comma));
            if (!n) {
                return out;
            }
            mods.push_back(*n);
            args = comma == std::string_view::npos ? std::string_view{} : args.substr(comma + 1);
        }
        base.erase(open, close - open + 1);
    }
    const Builtin* b = nullptr;
    for (const auto& c : kBuiltins) {
        if (c.name == base) {
            b = &c;
        }
    }
    if (b == nullptr || dims > 1) {
        return out;
    }
    out.known = true;
    out.collation = b->collatable ? (b->oid == 19 ? 950 : 100) : 0;
    if (dims == 1) {
        out.oid = b->array_oid;
        out.ndims = 1;
        out.len = -1;
        out.byval = false;
        out.align = b->align == 'd' ? 'd' : 'i';
        out.storage = 'x';
        out.udt_name = "_" + std::string(b->udt);
        out.data_type = "ARRAY";
    } else {
        out.oid = b->oid;
        out.len = b->len;
        out.byval = b->byval;
        out.align = b->align;
        out.storage = b->storage;
        out.udt_name = std::string(b->udt);
        out.data_type = std::string(b->data_type);
    }
    // typmod as the type's typmodin computes it (the element's typmod for arrays).
    const int oid = b->oid;
    if ((oid == 1042 || oid == 1043) && mods.size() == 1) {
        out.typmod = int32_t(mods[0] + 4);
    } else if (oid == 1042 && mods.empty()) {
        out.typmod = 5;  // bare "character" is character(1)
    } else if (oid == 1700 && !mods.empty()) {
        const int64_t scale = mods.size() > 1 ? mods[1] : 0;
        out.typmod = int32_t(((mods[0] << 16) | (scale & 0xffff)) + 4);
    } else if ((oid == 1083 || oid == 1114 || oid == 1184 || oid == 1266) && mods.size() == 1) {
        out.typmod = int32_t(mods[0]);
    }
    if (dims == 0) {
        if (oid == 1042 || oid == 1043) {
            if (out.typmod > 0) {
                out.char_max_length = out.typmod - 4;
                out.char_octet_length = (out.typmod - 4) * 4;
            } else {
                out.char_octet_length = 1073741824;
            }
        } else if (oid == 25) {
            out.char_octet_length = 1073741824;
        }
        if (oid == 21 || oid == 23 || oid == 20) {
            out.numeric_precision = oid == 21 ? 16 : oid == 23 ? 32 : 64;
            out.numeric_radix = 2;
            out.numeric_scale = 0;
        } else if (oid == 700 || oid == 701) {
            out.numeric_precision = oid == 700 ? 24 : 53;
            out.numeric_radix = 2;
        } else if (oid == 1700) {
            out.numeric_radix = 10;
            if (!mods.empty()) {
                out.numeric_precision = mods[0];
                out.numeric_scale = mods.size() > 1 ? mods[1] : 0;
            }
        } else if (oid == 1082) {
            out.datetime_precision = 0;
        } else if (oid == 1083 || oid == 1114 || oid == 1184 || oid == 1266 || oid == 1186) {
            out.datetime_precision = out.typmod >= 0 && oid != 1186 ? out.typmod : 6;
        }
    }
    return out;
}

}  // namespace meshgate::policy::catalog
