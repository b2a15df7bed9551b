// A client message parsed by libpg_query, owned behind a pimpl so that no libpg_query or
// protobuf-c type leaves policy/sql. Layer: policy/sql.
#pragma once

#include "common/error.hpp"
#include "config/model.hpp"
#include "policy/decision.hpp"
#include "policy/identity.hpp"
#include "policy/sql/statement_class.hpp"

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace meshgate::policy::sql {

/// The result of checking and rewriting one query statement.
struct QueryRewrite {
    std::string sql;                                 // statement to forward
    bool rewritten = false;                          // false: `sql` is the text as sent
    std::vector<const config::Product*> products;    // in order of first reference
    std::vector<const config::Domain*> domains;      // parallel to products
    std::vector<AppliedPolicy> policies;
};

class ParsedMessage {
public:
    /// Parses `text` (which must hold no NUL byte). Syntax errors: 42601 with the 1-based
    /// cursor position.
    static Result<ParsedMessage> parse(std::string_view text);

    ParsedMessage(ParsedMessage&&) noexcept;
    ParsedMessage& operator=(ParsedMessage&&) noexcept;
    ~ParsedMessage();

    /// Number of statements (0 for an empty or comment-only message).
    size_t size() const;

    /// The statement's text exactly as the client sent it.
    std::string_view text(size_t i) const;

    StatementClass classify(size_t i) const;

    /// Checks statement `i` (a QueryStatement) for `who` under `snap`: resolves every relation,
    /// checks functions, access and purposes, and replaces every product reference by its
    /// derived table. Refusals come back as the Error to send. Mutates the parse tree of
    /// statement `i`, so call it at most once per statement. `federated`: the statement will run
    /// on the federation backend; every product source becomes its federated relation
    /// (policy/federation.hpp), all policies applied exactly as otherwise.
    Result<QueryRewrite> rewrite_query(size_t i, const Identity& who, const config::Snapshot& snap,
                                       bool federated = false);

private:
    struct Impl;
    explicit ParsedMessage(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

}  // namespace meshgate::policy::sql
