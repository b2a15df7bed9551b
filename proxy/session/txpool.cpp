// Transaction pool mode bookkeeping. Layer: proxy (pure).
#include "proxy/session/txpool.hpp"

#include "policy/sha256.hpp"
#include "policy/sql/parsed_message.hpp"

#include <algorithm>
#include <variant>

namespace meshgate::proxy::txpool {

std::string statement_key(std::string_view sql, const std::vector<uint32_t>& types)
{
    std::string key(sql);
    key.push_back('\0');
    for (uint32_t t : types) {
        key += std::to_string(t);
        key.push_back(',');
    }
    return key;
}

std::string backend_statement_name(std::string_view sql, const std::vector<uint32_t>& types)
{
    const std::string key = statement_key(sql, types);
    const auto digest = policy::sha256(key);
    // 128 bits of SHA-256: a collision between two texts is not a practical concern, and the
    // connection's statement map compares the full key anyway.
    return "mg_" + policy::to_hex(digest.data(), 16);
}

void append_statement(std::string& script, std::string_view sql)
{
    if (!script.empty()) {
        script += ";\n";
    }
    script += sql;
}

void SettingsTracker::apply(const Op& op)
{
    switch (op.kind) {
    case Op::Kind::Set: {
        auto it = std::find_if(committed_.begin(), committed_.end(),
                               [&](const auto& e) { return e.first == op.name; });
        if (it != committed_.end()) {
            committed_.erase(it);
        }
        committed_.emplace_back(op.name, op.sql);
        break;
    }
    case Op::Kind::Reset: {
        auto it = std::find_if(committed_.begin(), committed_.end(),
                               [&](const auto& e) { return e.first == op.name; });
        if (it != committed_.end()) {
            committed_.erase(it);
        }
        // RESET returns to the server's default on that connection, not to the value meshgate
        // replayed from the startup packet: replay from scratch next time.
        uncertain_ = true;
        break;
    }
    case Op::Kind::ResetAll:
        committed_.clear();
        uncertain_ = true;
        break;
    }
}

void SettingsTracker::on_command(std::string_view sql, std::string_view tag)
{
    if (tag == "BEGIN" || tag == "START TRANSACTION") {
        // BEGIN inside an implicit transaction (a multi-statement Query, an extended batch)
        // turns it into the explicit block: what ran before belongs to it.
        in_block_ = true;
        block_.insert(block_.end(), implicit_.begin(), implicit_.end());
        implicit_.clear();
        return;
    }
    if (tag == "COMMIT") {
        for (const auto& op : block_) {
            apply(op);
        }
        block_.clear();
        in_block_ = false;
        return;
    }
    if (tag == "ROLLBACK") {
        // Also the tag of ROLLBACK TO SAVEPOINT (end_cycle sees the block still open) and of
        // COMMIT of a failed transaction.
        if (!block_.empty()) {
            uncertain_ = true;
        }
        block_.clear();
        in_block_ = false;
        return;
    }
    if (tag == "DISCARD ALL") {
        touched_ = true;
        Op op;
        op.kind = Op::Kind::ResetAll;
        (in_block_ ? block_ : implicit_).push_back(std::move(op));
        return;
    }
    if (tag != "SET" && tag != "RESET") {
        return;
    }
    touched_ = true;
    auto parsed = policy::sql::ParsedMessage::parse(sql);
    if (!parsed || parsed->size() != 1) {
        uncertain_ = true;
        return;
    }
    const auto cls = parsed->classify(0);
    const auto* set = std::get_if<policy::sql::SetStatement>(&cls);
    if (set == nullptr) {
        uncertain_ = true;
        return;
    }
    using K = policy::sql::SetStatement::Kind;
    if (set->is_local || (set->kind == K::Transaction && set->name == "transaction")) {
        return;  // lives and dies with the transaction
    }
    Op op;
    op.name = set->name;
    switch (set->kind) {
    case K::Value:
    case K::FromCurrent:
    case K::Transaction:  // SET SESSION CHARACTERISTICS AS TRANSACTION ...
        op.kind = Op::Kind::Set;
        op.sql = std::string(sql);
        break;
    case K::Default:
    case K::Reset:
        op.kind = Op::Kind::Reset;
        break;
    case K::ResetAll:
        op.kind = Op::Kind::ResetAll;
        break;
    }
    (in_block_ ? block_ : implicit_).push_back(std::move(op));
}

void SettingsTracker::end_cycle(bool failed, char status)
{
    if (status == 'I') {
        if (!block_.empty()) {
            uncertain_ = true;  // the block ended without a tag meshgate saw
            block_.clear();
        }
        in_block_ = false;
        if (failed) {
            if (!implicit_.empty()) {
                uncertain_ = true;
            }
        } else {
            for (const auto& op : implicit_) {
                apply(op);
            }
        }
        implicit_.clear();
        return;
    }
    // Still inside a transaction block (BEGIN, or ROLLBACK TO SAVEPOINT kept it open).
    if (!in_block_) {
        in_block_ = true;
    }
    block_.insert(block_.end(), implicit_.begin(), implicit_.end());
    implicit_.clear();
}

std::string SettingsTracker::script() const
{
    std::string out;
    for (const auto& [name, sql] : committed_) {
        append_statement(out, sql);
    }
    return out;
}

void SettingsTracker::clear()
{
    committed_.clear();
    block_.clear();
    implicit_.clear();
    uncertain_ = true;
}

}  // namespace meshgate::proxy::txpool
