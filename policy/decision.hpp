// The result of deciding one client message: what to run where, or a refusal.
// Layer: policy (pure).
#pragma once

#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace meshgate::policy {

/// Run this (rewritten) statement on the routed backend.
struct Forward {
    std::string sql;
    bool transaction_control = false;   // BEGIN/COMMIT/ROLLBACK/SAVEPOINT...
    std::string opens_transaction{};    // BEGIN / START TRANSACTION: its command tag
};

/// A setting meshgate keeps itself and never forwards (`search_path`, `meshgate.purpose`).
/// The session applies it and answers CommandComplete with `command_tag` ("SET" / "RESET").
struct SetLocal {
    std::string name;                              // "search_path" | "meshgate.purpose"
    std::optional<std::vector<std::string>> value; // nullopt = RESET to the configured default
    std::string command_tag;
};

/// SHOW of a setting meshgate keeps: the session answers a one-row result itself.
struct ShowLocal {
    std::string name;
    std::string value;
};

using Step = std::variant<Forward, SetLocal, ShowLocal>;

/// A policy applied to a statement, with where it was defined (for explain and audit).
struct AppliedPolicy {
    std::string name;
    std::string kind;      // "access" | "mask" | "row_filter" | "purpose"
    std::string product;   // domain.product
    std::string origin;    // "global (meshgate.yaml:31:5)" | "domains/sales.yaml:22:9"
};

/// A prepared statement (PREPARE / EXECUTE / DEALLOCATE) or cursor (DECLARE / FETCH / MOVE /
/// CLOSE) a message creates or names; the backend holds it, so a later statement that only
/// names it must run on the backend where it was created.
struct NamedObject {
    enum class Kind { Statement, Cursor };
    Kind kind = Kind::Statement;
    std::string name;   // exact (as the parser folded it); empty = ALL
    bool reads = false; // EXECUTE / FETCH / MOVE: runs the query decided when it was created
    bool operator==(const NamedObject&) const = default;
};

struct Allow {
    std::vector<Step> steps;             // in statement order; at least one
    std::string backend;                 // where Forward steps run; empty if none forward
    std::vector<std::string> products;   // addresses touched
    std::vector<AppliedPolicy> policies;
    bool catalog_only = false;
    std::vector<NamedObject> defines;    // PREPARE / DECLARE: created on `backend`
    std::vector<NamedObject> uses;       // EXECUTE / FETCH / MOVE / CLOSE / DEALLOCATE
    /// All Forward steps' SQL joined with "; " (for explain and audit).
    std::string rewritten() const;
};

struct Deny {
    std::string sqlstate;   // 42501, 42P01, 0A000, 42601, ...
    std::string message;
    int position = 0;       // 1-based cursor position in the client's text, 0 = none
    std::string detail;
    std::string hint;
    std::vector<std::string> products;
};

class Decision {
public:
    Decision(Allow a) : v_(std::move(a)) {}  // NOLINT: implicit by design
    Decision(Deny d) : v_(std::move(d)) {}   // NOLINT
    bool is_allow() const { return std::holds_alternative<Allow>(v_); }
    bool is_deny() const { return std::holds_alternative<Deny>(v_); }
    const Allow& allow() const { return std::get<Allow>(v_); }
    const Deny& deny() const { return std::get<Deny>(v_); }

private:
    std::variant<Allow, Deny> v_;
};

}  // namespace meshgate::policy
