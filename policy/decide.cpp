// decide(): one client message -> Decision. Orchestrates parse, classification, settings,
// rewrite and routing. Layer: policy (pure).
#include "policy/decide.hpp"

#include "policy/session_settings.hpp"
#include "policy/sql/parsed_message.hpp"

#include <algorithm>
#include <optional>
#include <variant>

namespace meshgate::policy {

namespace {

Deny deny_of(const Error& e, const std::vector<std::string>& products)
{
    Deny d;
    d.sqlstate = e.sqlstate;
    d.message = e.message;
    d.position = e.position;
    d.detail = e.detail;
    d.hint = e.hint;
    d.products = products;
    return d;
}

Error refused(const sql::RefusedStatement& r)
{
    std::string msg = r.kind + " is not allowed through meshgate";
    if (r.sqlstate == "0A000") {
        msg = r.kind + " is not supported through meshgate yet";
    } else if (r.reason.empty()) {
        msg += " (meshgate is a read-only gateway to data products)";
    }
    if (!r.reason.empty() && r.sqlstate != "0A000") {
        msg += " (" + r.reason + ")";
    }
    return make_error(r.sqlstate, msg);
}

std::vector<std::string> configured_search_path(const Identity& who, const config::Snapshot& snap)
{
    const auto u = snap.users.find(who.user);
    return u == snap.users.end() ? std::vector<std::string>{} : u->second.search_path;
}

/// The state decide() threads through a message's statements.
struct MessageState {
    const Identity& original;
    std::optional<Identity> changed;  // copy made on the first SET of a local setting
    Allow allow;
    std::vector<std::string> backends;
    bool federated = false;  // second pass: sources are the federation backend's relations

    const Identity& who() const { return changed ? *changed : original; }
    Identity& mutable_who()
    {
        if (!changed) {
            changed = original;
        }
        return *changed;
    }
    void add_product(const std::string& address)
    {
        if (std::find(allow.products.begin(), allow.products.end(), address) ==
            allow.products.end()) {
            allow.products.push_back(address);
        }
    }
};

SetLocal reset_local(std::string_view name, std::string tag)
{
    return SetLocal{std::string(name), std::nullopt, std::move(tag)};
}

Result<void> on_set(const sql::SetStatement& s, std::string_view text, MessageState& st,
                    const config::Snapshot& snap)
{
    using K = sql::SetStatement::Kind;
    if (s.kind == K::ResetAll) {
        st.allow.steps.push_back(Forward{std::string(text), false});
        st.allow.steps.push_back(reset_local(kSearchPath, ""));
        st.allow.steps.push_back(reset_local(kPurpose, ""));
        st.mutable_who().search_path = configured_search_path(st.original, snap);
        st.mutable_who().purpose.reset();
        return {};
    }
    if (s.kind == K::Transaction) {
        // SET TRANSACTION ... / SET SESSION CHARACTERISTICS AS TRANSACTION ...
        if (s.name == "transaction snapshot") {
            return make_error("0A000", "SET TRANSACTION SNAPSHOT is not supported through meshgate");
        }
        st.allow.steps.push_back(Forward{std::string(text), false});
        return {};
    }
    const bool reset = s.kind == K::Default || s.kind == K::Reset;
    const std::string tag = s.kind == K::Reset ? "RESET" : "SET";
    if (s.name == kSearchPath || s.name == kPurpose) {
        if (s.is_local) {
            return make_error("0A000", "SET LOCAL " + s.name +
                                           " is not supported through meshgate; use SET");
        }
        if (s.kind == K::FromCurrent) {
            return make_error("0A000", "SET " + s.name + " FROM CURRENT is not supported");
        }
        if (!s.values_are_plain) {
            return make_error("22023", "SET " + s.name + " takes names or string constants");
        }
        if (s.name == kSearchPath) {
            if (reset) {
                st.allow.steps.push_back(reset_local(kSearchPath, tag));
                st.mutable_who().search_path = configured_search_path(st.original, snap);
            } else {
                // Each argument is one exact name (the parser already folded unquoted ones).
                st.allow.steps.push_back(SetLocal{std::string(kSearchPath), s.values, tag});
                st.mutable_who().search_path = s.values;
            }
            return {};
        }
        if (reset) {
            st.allow.steps.push_back(reset_local(kPurpose, tag));
            st.mutable_who().purpose.reset();
            return {};
        }
        if (s.values.size() != 1) {
            return make_error("22023", "SET meshgate.purpose takes one value");
        }
        st.allow.steps.push_back(SetLocal{std::string(kPurpose), s.values, tag});
        if (s.values[0].empty()) {
            st.mutable_who().purpose.reset();
        } else {
            st.mutable_who().purpose = s.values[0];
        }
        return {};
    }
    if (s.name == "role" || s.name == "session_authorization") {
        return make_error("42501", std::string(s.name == "role" ? "SET ROLE" : "SET SESSION AUTHORIZATION") +
                                       " is not allowed through meshgate (the backend role is "
                                       "meshgate's service account)");
    }
    if (!is_forwarded_setting(s.name)) {
        return make_error("42501", "permission denied to set parameter \"" + s.name +
                                       "\" through meshgate");
    }
    if (auto r = check_forwarded_value(s.name, s.values); !r) {
        return r;
    }
    st.allow.steps.push_back(Forward{std::string(text), false});
    return {};
}

Result<void> on_show(const sql::ShowStatement& s, std::string_view text, MessageState& st)
{
    if (s.name == kSearchPath) {
        st.allow.steps.push_back(ShowLocal{std::string(kSearchPath),
                                           format_search_path(st.who().search_path)});
        return {};
    }
    if (s.name == kPurpose) {
        st.allow.steps.push_back(ShowLocal{std::string(kPurpose), st.who().purpose.value_or("")});
        return {};
    }
    if (!is_showable_setting(s.name)) {
        return make_error("42501", "SHOW " + s.name + " is not allowed through meshgate");
    }
    st.allow.steps.push_back(Forward{std::string(text), false});
    return {};
}

Result<void> on_query(sql::ParsedMessage& parsed, size_t i, MessageState& st,
                      const config::Snapshot& snap)
{
    auto rw = parsed.rewrite_query(i, st.who(), snap, st.federated);
    if (!rw) {
        return rw.error();
    }
    for (size_t k = 0; k < rw->products.size(); ++k) {
        st.add_product(rw->products[k]->address());
        const auto& backend = rw->domains[k]->backend;
        if (std::find(st.backends.begin(), st.backends.end(), backend) == st.backends.end()) {
            st.backends.push_back(backend);
        }
    }
    st.allow.policies.insert(st.allow.policies.end(), rw->policies.begin(), rw->policies.end());
    st.allow.steps.push_back(Forward{std::move(rw->sql), false});
    return {};
}

Result<void> decide_statement(sql::ParsedMessage& parsed, size_t i, MessageState& st,
                              const config::Snapshot& snap)
{
    const auto cls = parsed.classify(i);
    const auto text = parsed.text(i);
    if (const auto* q = std::get_if<sql::QueryStatement>(&cls)) {
        using K = sql::QueryStatement::Kind;
        if (q->kind == K::Prepare) {
            st.allow.defines.push_back(NamedObject{NamedObject::Kind::Statement, q->name});
        } else if (q->kind == K::DeclareCursor) {
            st.allow.defines.push_back(NamedObject{NamedObject::Kind::Cursor, q->name});
        } else if (q->kind == K::Execute) {
            st.allow.uses.push_back(NamedObject{NamedObject::Kind::Statement, q->name, true});
        }
        return on_query(parsed, i, st, snap);
    }
    if (const auto* p = std::get_if<sql::PortalStatement>(&cls)) {
        // FETCH / MOVE / CLOSE / DEALLOCATE hold no query: the cursor or prepared statement they
        // name was checked and rewritten when it was declared or prepared.
        st.allow.uses.push_back(NamedObject{p->kind == "DEALLOCATE" ? NamedObject::Kind::Statement
                                                                     : NamedObject::Kind::Cursor,
                                            p->name, p->kind == "FETCH" || p->kind == "MOVE"});
        st.allow.steps.push_back(Forward{std::string(text), false});
        return {};
    }
    if (const auto* t = std::get_if<sql::TransactionStatement>(&cls)) {
        st.allow.steps.push_back(Forward{std::string(text), true, t->opens});
        return {};
    }
    if (const auto* s = std::get_if<sql::SetStatement>(&cls)) {
        return on_set(*s, text, st, snap);
    }
    if (const auto* s = std::get_if<sql::ShowStatement>(&cls)) {
        return on_show(*s, text, st);
    }
    if (const auto* d = std::get_if<sql::DiscardStatement>(&cls)) {
        st.allow.steps.push_back(Forward{std::string(text), false});
        if (d->all) {
            // DISCARD ALL resets the session: meshgate's own settings too, silently.
            st.allow.steps.push_back(reset_local(kSearchPath, ""));
            st.allow.steps.push_back(reset_local(kPurpose, ""));
            st.mutable_who().search_path = configured_search_path(st.original, snap);
            st.mutable_who().purpose.reset();
        }
        return {};
    }
    return refused(std::get<sql::RefusedStatement>(cls));
}

}  // namespace

namespace {

/// One pass over the message: every statement decided and rewritten (`federated`: for the
/// federation backend). A Deny or the finished state.
std::variant<Deny, MessageState> decide_pass(std::string_view text, const Identity& who,
                                             const config::Snapshot& snap, Protocol protocol,
                                             bool federated)
{
    auto parsed = sql::ParsedMessage::parse(text);
    if (!parsed) {
        return deny_of(parsed.error(), {});
    }
    if (protocol == Protocol::Extended && parsed->size() > 1) {
        return deny_of(make_error("42601",
                                  "cannot insert multiple commands into a prepared statement"),
                       {});
    }
    MessageState st{who, std::nullopt, {}, {}, federated};
    if (parsed->size() == 0) {
        // Empty or comment-only text: the backend answers EmptyQueryResponse.
        st.allow.steps.push_back(Forward{std::string(text), false});
    }
    for (size_t i = 0; i < parsed->size(); ++i) {
        if (auto r = decide_statement(*parsed, i, st, snap); !r) {
            // One refusal refuses the whole message (SPEC §3).
            return deny_of(r.error(), st.allow.products);
        }
    }
    return st;
}

}  // namespace

Decision decide(std::string_view text, const Identity& who, const config::Snapshot& snap,
                Protocol protocol)
{
    auto pass = decide_pass(text, who, snap, protocol, false);
    if (auto* d = std::get_if<Deny>(&pass)) {
        return std::move(*d);
    }
    MessageState* chosen = &std::get<MessageState>(pass);
    std::optional<std::variant<Deny, MessageState>> fed;  // the federated pass, if needed
    if (chosen->backends.size() > 1) {
        const MessageState& st = *chosen;
        // SPEC §3 Routing: a statement spanning backends runs on the federation backend, with
        // each product's source replaced by its federated relation (policy/federation.hpp).
        std::string names;
        for (const auto& b : st.backends) {
            names += names.empty() ? b : ", " + b;
        }
        if (!snap.federation_backend) {
            auto e = make_error("0A000", "statement reads data products on several backends (" +
                                             names + ") and no federation backend is configured");
            e.hint = "Query the products of one backend per statement, or ask the operator to "
                     "configure federation_backend.";
            return deny_of(e, st.allow.products);
        }
        if (!snap.federation_unavailable.empty()) {
            auto e = make_error("55000", "statement reads data products on several backends (" +
                                             names + "); the federation backend " +
                                             *snap.federation_backend + " is unavailable");
            e.detail = snap.federation_unavailable;
            e.hint = "Query the products of one backend per statement until the operator fixes "
                     "the federation backend.";
            return deny_of(e, st.allow.products);
        }
        fed.emplace(decide_pass(text, who, snap, protocol, true));
        if (auto* d = std::get_if<Deny>(&*fed)) {
            return std::move(*d);
        }
        chosen = &std::get<MessageState>(*fed);
        chosen->backends.assign(1, *snap.federation_backend);
    }
    MessageState& st = *chosen;
    const bool forwards = std::any_of(st.allow.steps.begin(), st.allow.steps.end(), [](const Step& s) {
        return std::holds_alternative<Forward>(s);
    });
    st.allow.catalog_only = st.allow.products.empty();
    if (!st.backends.empty()) {
        st.allow.backend = st.backends.front();
    } else if (forwards) {
        st.allow.backend = snap.catalog_backend;
    }
    return std::move(st.allow);
}

}  // namespace meshgate::policy
