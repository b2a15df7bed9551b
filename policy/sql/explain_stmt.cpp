// ExplainStmt: EXPLAIN [ANALYZE] of a query, never VERBOSE. Layer: policy/sql.
#include "policy/sql/embedded_statements.hpp"

#include <algorithm>
#include <array>
#include <string_view>

namespace meshgate::policy::sql {

StatementClass classify_explain(const PgQuery__ExplainStmt* e)
{
    // EXPLAIN prints expressions of the rewritten plan. Masks keep their key material in
    // InitPlans (mask_expression.cpp), which no non-VERBOSE format prints; VERBOSE prints every
    // node's output list (the masks' inputs and the InitPlans' values), so it is refused.
    for (size_t k = 0; k < e->n_options; ++k) {
        const auto name = def_name(e->options[k]);
        if (name.empty()) {
            return RefusedStatement{"0A000", "EXPLAIN", "an option meshgate cannot read"};
        }
        if (name == "verbose") {
            // Only an explicit false passes; anything else (no argument, true, on, 1, a value
            // meshgate cannot read) may switch VERBOSE on.
            const auto v = def_arg(e->options[k]);
            if (v != "false" && v != "off" && v != "0") {
                return RefusedStatement{"42501", "EXPLAIN VERBOSE",
                                        "it prints the rewritten expressions of data products"};
            }
            continue;
        }
        static const std::array<std::string_view, 8> kAllowed = {
            "analyze", "costs", "settings", "buffers", "wal", "timing", "summary", "format"};
        if (std::find(kAllowed.begin(), kAllowed.end(), name) == kAllowed.end()) {
            return RefusedStatement{"42501", "EXPLAIN (" + name + ")",
                                    "meshgate allows ANALYZE, COSTS, SETTINGS, BUFFERS, WAL, "
                                    "TIMING, SUMMARY and FORMAT"};
        }
    }
    if (auto r = embedded_query("EXPLAIN", e->query)) {
        return *r;
    }
    return QueryStatement{QueryStatement::Kind::Explain};
}

}  // namespace meshgate::policy::sql
