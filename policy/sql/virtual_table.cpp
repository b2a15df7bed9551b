// Virtual relation installation. Layer: policy/sql.
#include "policy/sql/virtual_table.hpp"

#include "policy/sql/derived_table.hpp"
#include "policy/sql/node_builder.hpp"

#include <map>

namespace meshgate::policy::sql {

namespace {

Error oom() { return make_error("53200", "out of memory"); }

}  // namespace

Result<void> install_virtual_tables(std::vector<VirtualRef>& refs, const Identity& who,
                                    const config::Snapshot& snap)
{
    if (refs.empty()) {
        return {};
    }
    // Each relation is built once; every reference gets its own parsed copy (pgjdbc joins
    // pg_class twice in one statement).
    std::map<catalog::VirtualRelation, std::string> built;
    std::string donor;
    for (const auto& ref : refs) {
        auto it = built.find(ref.which);
        if (it == built.end()) {
            auto table = catalog::build_virtual_relation(ref.which, who, snap);
            if (!table) {
                return table.error();
            }
            auto sql = catalog::render(*table);
            if (!sql) {
                return sql.error();
            }
            it = built.emplace(ref.which, std::move(*sql)).first;
        }
        donor += donor.empty() ? it->second : "\n;\n" + it->second;
    }
    ProtobufParse parsed(donor.c_str());
    if (parsed.get().error != nullptr) {
        return make_error("XX000", std::string("meshgate could not build its catalog relations: ") +
                                       parsed.get().error->message);
    }
    ParseTree tree = unpack(parsed);
    if (!tree) {
        return oom();
    }
    if (tree->n_stmts != refs.size()) {
        return make_error("XX000", "meshgate's catalog relations did not compile");
    }
    for (size_t k = 0; k < refs.size(); ++k) {
        auto* raw = tree->stmts[k];
        if (raw == nullptr || raw->stmt == nullptr ||
            raw->stmt->node_case != PG_QUERY__NODE__NODE_SELECT_STMT) {
            return make_error("XX000", "meshgate's catalog relation " +
                                           catalog::virtual_relation_name(refs[k].which) +
                                           " did not compile");
        }
    }
    for (size_t k = 0; k < refs.size(); ++k) {
        NodePtr subquery(tree->stmts[k]->stmt);
        tree->stmts[k]->stmt = nullptr;
        if (auto r = replace_range_var(refs[k].node, std::move(subquery)); !r) {
            return r;
        }
    }
    return {};
}

}  // namespace meshgate::policy::sql
