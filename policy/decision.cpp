// Out-of-line members of the decision types. Layer: policy (pure).
#include "policy/decision.hpp"

namespace meshgate::policy {

std::string Allow::rewritten() const
{
    std::string out;
    for (const auto& step : steps) {
        if (const auto* f = std::get_if<Forward>(&step)) {
            if (!out.empty()) {
                out += "; ";
            }
            out += f->sql;
        }
    }
    return out;
}

}  // namespace meshgate::policy
