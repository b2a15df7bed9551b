// ParsedMessage: parse once, classify each statement, check and rewrite query statements.
// Layer: policy/sql.
#include "policy/sql/parsed_message.hpp"

#include "policy/access_check.hpp"
#include "policy/quote.hpp"
#include "policy/session_settings.hpp"
#include "policy/sql/derived_table.hpp"
#include "policy/sql/embedded_statements.hpp"
#include "policy/sql/node_builder.hpp"
#include "policy/sql/pg_handles.hpp"
#include "policy/sql/query_walker.hpp"
#include "policy/sql/qualify_operators.hpp"
#include "policy/sql/virtual_table.hpp"

#include <algorithm>
#include <array>
#include <map>
#include <optional>

namespace meshgate::policy::sql {

struct ParsedMessage::Impl {
    std::string text;   // NUL-terminated copy handed to libpg_query
    ParseTree tree;
};

ParsedMessage::ParsedMessage(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ParsedMessage::ParsedMessage(ParsedMessage&&) noexcept = default;
ParsedMessage& ParsedMessage::operator=(ParsedMessage&&) noexcept = default;
ParsedMessage::~ParsedMessage() = default;

Result<ParsedMessage> ParsedMessage::parse(std::string_view text)
{
    auto impl = std::make_unique<Impl>();
    impl->text.assign(text);
    if (impl->text.find('\0') != std::string::npos) {
        // libpg_query would stop at the NUL and check less than the backend might be sent.
        return make_error("42601", "statement text contains a NUL byte");
    }
    ProtobufParse parsed(impl->text.c_str());
    if (const auto* e = parsed.get().error) {
        return make_error("42601", e->message != nullptr ? e->message : "syntax error",
                          e->cursorpos > 0 ? e->cursorpos : 0);
    }
    impl->tree = unpack(parsed);
    if (!impl->tree) {
        return make_error("53200", "out of memory while parsing the statement");
    }
    return ParsedMessage(std::move(impl));
}

size_t ParsedMessage::size() const { return impl_->tree->n_stmts; }

std::string_view ParsedMessage::text(size_t i) const
{
    const auto* raw = impl_->tree->stmts[i];
    const std::string_view all = impl_->text;
    const auto loc = size_t(std::max<int32_t>(raw->stmt_location, 0));
    if (loc >= all.size()) {
        return {};
    }
    // stmt_len 0 means "to the end of the text".
    return raw->stmt_len > 0 ? all.substr(loc, size_t(raw->stmt_len)) : all.substr(loc);
}

std::string command_name(PgQuery__Node* n)
{
    static const std::map<std::string, std::string> kNames = {
        {"create_stmt", "CREATE TABLE"},
        {"index_stmt", "CREATE INDEX"},
        {"view_stmt", "CREATE VIEW"},
        {"rule_stmt", "CREATE RULE"},
        {"createdb_stmt", "CREATE DATABASE"},
        {"dropdb_stmt", "DROP DATABASE"},
        {"define_stmt", "CREATE (definition)"},
        {"create_table_as_stmt", "CREATE TABLE AS"},
        {"declare_cursor_stmt", "DECLARE CURSOR"},
        {"close_portal_stmt", "CLOSE"},
        {"check_point_stmt", "CHECKPOINT"},
        {"create_plang_stmt", "CREATE LANGUAGE"},
        {"create_trig_stmt", "CREATE TRIGGER"},
        {"create_seq_stmt", "CREATE SEQUENCE"},
        {"refresh_mat_view_stmt", "REFRESH MATERIALIZED VIEW"},
        {"sec_label_stmt", "SECURITY LABEL"},
        {"constraints_set_stmt", "SET CONSTRAINTS"},
        {"call_stmt", "CALL"},
        {"do_stmt", "DO"},
    };
    const auto* field =
        protobuf_c_message_descriptor_get_field(&pg_query__node__descriptor, unsigned(n->node_case));
    if (field == nullptr) {
        return "statement";
    }
    const std::string name = field->name;
    if (n->node_case == PG_QUERY__NODE__NODE_VACUUM_STMT && n->vacuum_stmt != nullptr &&
        !n->vacuum_stmt->is_vacuumcmd) {
        return "ANALYZE";
    }
    if (n->node_case == PG_QUERY__NODE__NODE_FETCH_STMT && n->fetch_stmt != nullptr &&
        n->fetch_stmt->ismove) {
        return "MOVE";
    }
    if (auto it = kNames.find(name); it != kNames.end()) {
        return it->second;
    }
    std::string out = name;
    if (out.size() > 5 && out.compare(out.size() - 5, 5, "_stmt") == 0) {
        out.resize(out.size() - 5);
    }
    for (auto& c : out) {
        c = c == '_' ? ' ' : char(std::toupper(static_cast<unsigned char>(c)));
    }
    return out;
}

std::string const_text(PgQuery__Node* n, bool& plain)
{
    if (n == nullptr || n->node_case != PG_QUERY__NODE__NODE_A_CONST || n->a_const == nullptr) {
        plain = false;
        return {};
    }
    const auto* c = n->a_const;
    switch (c->val_case) {
    case PG_QUERY__A__CONST__VAL_SVAL:
        return std::string(str(c->sval->sval));
    case PG_QUERY__A__CONST__VAL_IVAL:
        return std::to_string(c->ival->ival);
    case PG_QUERY__A__CONST__VAL_FVAL:
        return std::string(str(c->fval->fval));
    case PG_QUERY__A__CONST__VAL_BOOLVAL:
        return c->boolval->boolval ? "on" : "off";
    default:
        plain = false;
        return {};
    }
}

namespace {

StatementClass classify_set(const PgQuery__VariableSetStmt* s)
{
    SetStatement out;
    out.name = lower_ascii(str(s->name));
    out.is_local = s->is_local;
    switch (s->kind) {
    case PG_QUERY__VARIABLE_SET_KIND__VAR_SET_VALUE:
        out.kind = SetStatement::Kind::Value;
        break;
    case PG_QUERY__VARIABLE_SET_KIND__VAR_SET_DEFAULT:
        out.kind = SetStatement::Kind::Default;
        break;
    case PG_QUERY__VARIABLE_SET_KIND__VAR_SET_CURRENT:
        out.kind = SetStatement::Kind::FromCurrent;
        break;
    case PG_QUERY__VARIABLE_SET_KIND__VAR_SET_MULTI:
        out.kind = SetStatement::Kind::Transaction;
        break;
    case PG_QUERY__VARIABLE_SET_KIND__VAR_RESET:
        out.kind = SetStatement::Kind::Reset;
        break;
    case PG_QUERY__VARIABLE_SET_KIND__VAR_RESET_ALL:
        out.kind = SetStatement::Kind::ResetAll;
        break;
    default:
        return RefusedStatement{"0A000", "SET", "unknown form of SET"};
    }
    for (size_t i = 0; i < s->n_args; ++i) {
        out.values.push_back(const_text(s->args[i], out.values_are_plain));
    }
    return out;
}

}  // namespace

StatementClass ParsedMessage::classify(size_t i) const
{
    auto* n = impl_->tree->stmts[i]->stmt;
    if (n == nullptr) {
        return RefusedStatement{"0A000", "statement", "empty statement node"};
    }
    switch (n->node_case) {
    case PG_QUERY__NODE__NODE_SELECT_STMT:
        return QueryStatement{QueryStatement::Kind::Select};
    case PG_QUERY__NODE__NODE_TRANSACTION_STMT:
        switch (n->transaction_stmt->kind) {
        case PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_BEGIN:
            return TransactionStatement{"BEGIN"};
        case PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_START:
            return TransactionStatement{"START TRANSACTION"};
        case PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_COMMIT:
        case PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_ROLLBACK:
        case PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_SAVEPOINT:
        case PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_RELEASE:
        case PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_ROLLBACK_TO:
            return TransactionStatement{};
        case PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_PREPARE:
            return RefusedStatement{"42501", "PREPARE TRANSACTION", ""};
        case PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_COMMIT_PREPARED:
            return RefusedStatement{"42501", "COMMIT PREPARED", ""};
        case PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_ROLLBACK_PREPARED:
            return RefusedStatement{"42501", "ROLLBACK PREPARED", ""};
        default:
            return RefusedStatement{"0A000", "transaction statement", ""};
        }
    case PG_QUERY__NODE__NODE_VARIABLE_SET_STMT:
        return classify_set(n->variable_set_stmt);
    case PG_QUERY__NODE__NODE_VARIABLE_SHOW_STMT:
        return ShowStatement{lower_ascii(str(n->variable_show_stmt->name))};
    case PG_QUERY__NODE__NODE_DISCARD_STMT:
        return DiscardStatement{n->discard_stmt->target == PG_QUERY__DISCARD_MODE__DISCARD_ALL};
    case PG_QUERY__NODE__NODE_EXPLAIN_STMT:
        return classify_explain(n->explain_stmt);
    case PG_QUERY__NODE__NODE_PREPARE_STMT:
        if (auto r = embedded_query("PREPARE", n->prepare_stmt->query)) {
            return *r;
        }
        return QueryStatement{QueryStatement::Kind::Prepare, std::string(str(n->prepare_stmt->name))};
    case PG_QUERY__NODE__NODE_EXECUTE_STMT:
        return QueryStatement{QueryStatement::Kind::Execute, std::string(str(n->execute_stmt->name))};
    case PG_QUERY__NODE__NODE_DECLARE_CURSOR_STMT:
        if (auto r = embedded_query("DECLARE CURSOR", n->declare_cursor_stmt->query)) {
            return *r;
        }
        return QueryStatement{QueryStatement::Kind::DeclareCursor,
                              std::string(str(n->declare_cursor_stmt->portalname))};
    case PG_QUERY__NODE__NODE_FETCH_STMT:
        return PortalStatement{n->fetch_stmt->ismove ? "MOVE" : "FETCH",
                               std::string(str(n->fetch_stmt->portalname))};
    case PG_QUERY__NODE__NODE_CLOSE_PORTAL_STMT:
        return PortalStatement{"CLOSE", std::string(str(n->close_portal_stmt->portalname))};
    case PG_QUERY__NODE__NODE_DEALLOCATE_STMT:
        return PortalStatement{"DEALLOCATE", std::string(str(n->deallocate_stmt->name))};
    case PG_QUERY__NODE__NODE_COPY_STMT:
        return classify_copy(n->copy_stmt);
    default:
        // Writes, DDL, roles, DO, CALL, LOAD, VACUUM and every kind not listed above.
        return RefusedStatement{"42501", command_name(n), ""};
    }
}

namespace {

Result<std::string> deparse_one(PgQuery__RawStmt* raw, int32_t version)
{
    PgQuery__ParseResult one = PG_QUERY__PARSE_RESULT__INIT;
    PgQuery__RawStmt* stmts[1] = {raw};
    one.version = version;
    one.n_stmts = 1;
    one.stmts = stmts;
    std::string packed(pg_query__parse_result__get_packed_size(&one), '\0');
    pg_query__parse_result__pack(&one, reinterpret_cast<uint8_t*>(packed.data()));
    Deparse d(PgQueryProtobuf{packed.size(), packed.data()});
    if (d.get().error != nullptr || d.get().query == nullptr) {
        return make_error("0A000", std::string("meshgate could not rewrite this statement: ") +
                                       (d.get().error != nullptr && d.get().error->message != nullptr
                                            ? d.get().error->message
                                            : "deparse failed"));
    }
    std::string sql = d.get().query;
    // The deparser is a second implementation of SQL syntax; never forward what it got wrong.
    JsonParse again(sql.c_str());
    if (again.get().error != nullptr) {
        return make_error("0A000", "meshgate could not rewrite this statement (the rewrite does "
                                   "not parse again)");
    }
    return text_ok(std::move(sql));
}

}  // namespace

namespace {

// Walks the parts of a statement that hold queries or expressions: the statement itself for the
// SELECT family, the embedded query of EXPLAIN / PREPARE / DECLARE / COPY, PREPARE's parameter
// types and EXECUTE's argument expressions. `changed` is set when the statement itself was
// reshaped (COPY of a product), so it must be deparsed.
Result<void> walk_statement(PgQuery__Node* n, QueryWalker& walker, bool& changed)
{
    switch (n->node_case) {
    case PG_QUERY__NODE__NODE_SELECT_STMT:
        return walker.walk_node(n);
    case PG_QUERY__NODE__NODE_EXPLAIN_STMT:
        return walker.walk_node(n->explain_stmt->query);
    case PG_QUERY__NODE__NODE_PREPARE_STMT: {
        auto* p = n->prepare_stmt;
        for (size_t k = 0; k < p->n_argtypes; ++k) {
            if (auto r = walker.walk_node(p->argtypes[k]); !r) {
                return r;
            }
        }
        return walker.walk_node(p->query);
    }
    case PG_QUERY__NODE__NODE_EXECUTE_STMT: {
        // The arguments are expressions like any in a SELECT list: `EXECUTE p((SELECT ...))`.
        auto* e = n->execute_stmt;
        for (size_t k = 0; k < e->n_params; ++k) {
            if (auto r = walker.walk_node(e->params[k]); !r) {
                return r;
            }
        }
        return {};
    }
    case PG_QUERY__NODE__NODE_DECLARE_CURSOR_STMT:
        return walker.walk_node(n->declare_cursor_stmt->query);
    case PG_QUERY__NODE__NODE_COPY_STMT: {
        auto* c = n->copy_stmt;
        if (c->query == nullptr) {
            if (auto r = copy_relation_to_query(c); !r) {
                return r;
            }
            changed = true;
        }
        return walker.walk_node(c->query);
    }
    default:
        return make_error("0A000", "meshgate cannot classify this statement");
    }
}

}  // namespace

Result<QueryRewrite> ParsedMessage::rewrite_query(size_t i, const Identity& who,
                                                  const config::Snapshot& snap, bool federated)
{
    auto* raw = impl_->tree->stmts[i];
    QueryWalker walker(QueryWalker::Mode::Query, who, snap);
    bool wrapper_changed = false;
    if (auto r = walk_statement(raw->stmt, walker, wrapper_changed); !r) {
        return r.error();
    }
    // After the walk (which judged the operators as written), before derived tables go in (their
    // masks and filters are the configuration's own SQL).
    if (auto r = qualify_operators(raw->stmt, wrapper_changed); !r) {
        return r.error();
    }
    QueryRewrite out;
    for (const auto& ref : walker.refs()) {
        if (std::find(out.products.begin(), out.products.end(), ref.product) == out.products.end()) {
            out.products.push_back(ref.product);
            out.domains.push_back(ref.domain);
            auto granted = check_access(*ref.product, who);
            if (!granted) {
                return granted.error();
            }
            out.policies.insert(out.policies.end(), granted->begin(), granted->end());
        }
    }
    if (walker.refs().empty() && walker.virtual_refs().empty() && !walker.tree_changed() &&
        !wrapper_changed) {
        out.sql = std::string(text(i));
        return out;
    }
    if (auto r = install_derived_tables(walker.refs(), who, snap, walker.needs_fence(),
                                        out.policies, federated);
        !r) {
        return r.error();
    }
    if (auto r = install_virtual_tables(walker.virtual_refs(), who, snap); !r) {
        return r.error();
    }
    auto sql = deparse_one(raw, impl_->tree->version);
    if (!sql) {
        return sql.error();
    }
    out.sql = std::move(*sql);
    out.rewritten = true;
    return out;
}

}  // namespace meshgate::policy::sql
