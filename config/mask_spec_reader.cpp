// Mask `with:` parsing. Layer: config (yaml-cpp).
#include "config/mask_spec_reader.hpp"

#include "config/map_reader.hpp"
#include "config/suggest.hpp"

namespace meshgate::config {

namespace {

constexpr int kMaxKeep = 1000;
constexpr std::size_t kMaxFill = 64;

const std::vector<std::string_view> kScalarForms = {"null", "hash"};
const std::vector<std::string_view> kMapForms = {"constant", "partial", "regex", "round",
                                                 "truncate"};

std::string forms_text()
{
    return "null, hash, {constant: V}, {partial: {...}}, {regex: {...}}, {round: STEP} or "
           "{truncate: UNIT}";
}

}  // namespace

bool is_positive_decimal(std::string_view text)
{
    std::size_t i = 0;
    bool digits = false;
    bool non_zero = false;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
        digits = true;
        non_zero = non_zero || text[i] != '0';
        ++i;
    }
    if (!digits) {
        return false;
    }
    if (i < text.size() && text[i] == '.') {
        ++i;
        bool fraction = false;
        while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
            fraction = true;
            non_zero = non_zero || text[i] != '0';
            ++i;
        }
        if (!fraction) {
            return false;
        }
    }
    // Bounded length: a step is a literal in SQL and never needs 40 digits.
    return i == text.size() && non_zero && text.size() <= 40;
}

std::optional<MaskSpec> read_mask_spec(YamlReader& reader, const YamlValue& with,
                                       std::string_view path)
{
    const std::string p(path);
    MaskSpec spec;
    if (with.node.IsNull()) {
        spec.kind = MaskSpec::Kind::Null;
        return spec;
    }
    if (with.node.IsScalar()) {
        const std::string& t = with.node.Scalar();
        if (t == "null") {
            spec.kind = MaskSpec::Kind::Null;
            return spec;
        }
        if (t == "hash") {
            spec.kind = MaskSpec::Kind::Hash;
            return spec;
        }
        for (const auto form : kMapForms) {
            if (t == form) {
                reader.error(with, p + ": \"" + t + "\" needs an argument: {" + t + ": ...}");
                return std::nullopt;
            }
        }
        std::vector<std::string_view> all = kScalarForms;
        all.insert(all.end(), kMapForms.begin(), kMapForms.end());
        reader.error(with, p + ": unknown mask \"" + t + "\" (expected " + forms_text() + ")" +
                               did_you_mean(t, all));
        return std::nullopt;
    }
    if (!with.node.IsMap()) {
        reader.error(with, p + ": expected a mask (" + forms_text() + "), got " +
                               std::string(kind_name(with.node)));
        return std::nullopt;
    }
    MapReader m(reader, with, p, kMapForms);
    if (m.entries().size() != 1) {
        if (m.entries().size() > 1) {
            reader.error(with, p + ": a mask has exactly one form, got " +
                                   std::to_string(m.entries().size()));
        } else if (with.node.size() == 0) {
            reader.error(with, p + ": empty mask (expected " + forms_text() + ")");
        }
        // With zero valid entries, the unknown key was already reported.
        return std::nullopt;
    }
    const auto& entry = m.entries().front();
    const std::string sub = p + "." + entry.key;
    const YamlValue& arg = entry.value;
    if (entry.key == "constant") {
        spec.kind = MaskSpec::Kind::Constant;
        if (arg.node.IsNull()) {
            spec.constant_is_null = true;
            return spec;
        }
        auto s = reader.string(arg, sub);
        if (!s) {
            return std::nullopt;
        }
        spec.constant = std::move(*s);
        return spec;
    }
    if (entry.key == "partial") {
        spec.kind = MaskSpec::Kind::Partial;
        MapReader args(reader, arg, sub, {"keep_first", "keep_last", "fill"});
        if (!args.is_map()) {
            return std::nullopt;
        }
        const std::size_t before = reader.diagnostics().error_count();
        args.read_int("keep_first", spec.keep_first, 0, kMaxKeep);
        args.read_int("keep_last", spec.keep_last, 0, kMaxKeep);
        if (const auto f = args.value("fill")) {
            if (auto s = reader.non_empty_string(*f, args.path_of("fill"))) {
                if (s->size() > kMaxFill) {
                    reader.error(*f, args.path_of("fill") + ": longer than " +
                                         std::to_string(kMaxFill) + " bytes");
                } else {
                    spec.fill = std::move(*s);
                }
            }
        }
        if (reader.diagnostics().error_count() != before) {
            return std::nullopt;
        }
        return spec;
    }
    if (entry.key == "regex") {
        spec.kind = MaskSpec::Kind::Regex;
        MapReader args(reader, arg, sub, {"pattern", "replace"});
        if (!args.is_map()) {
            return std::nullopt;
        }
        const auto pattern = args.required_string("pattern");
        const auto replace_value = args.get("replace");
        std::optional<std::string> replace;
        if (!replace_value) {
            args.required("replace");
        } else if (replace_value->node.IsNull()) {
            replace = std::string();  // "replace:" with nothing: remove the match
        } else {
            replace = reader.string(*replace_value, args.path_of("replace"));
        }
        if (!pattern || !replace) {
            return std::nullopt;
        }
        spec.pattern = *pattern;
        spec.replace = *replace;
        return spec;
    }
    if (entry.key == "round") {
        spec.kind = MaskSpec::Kind::Round;
        if (!arg.node.IsScalar() || !is_positive_decimal(arg.node.Scalar())) {
            const std::string got = arg.node.IsScalar() ? "\"" + arg.node.Scalar() + "\""
                                                        : std::string(kind_name(arg.node));
            reader.error(arg, sub + ": expected a positive number such as 10 or 0.5, got " + got);
            return std::nullopt;
        }
        spec.round_step = arg.node.Scalar();
        return spec;
    }
    // The MapReader admitted only the five known forms; this is "truncate".
    spec.kind = MaskSpec::Kind::Truncate;
    auto unit = reader.choice(arg, sub, {"year", "month", "day", "hour"});
    if (!unit) {
        return std::nullopt;
    }
    spec.truncate_unit = std::move(*unit);
    return spec;
}

}  // namespace meshgate::config
