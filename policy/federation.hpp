// Federation (SPEC §3 Routing): the names meshgate gives, on the federation backend, to the
// postgres_fdw objects standing for other backends' product sources, the plan of those objects
// for a snapshot, and the SQL that brings a federation backend in step with the plan.
// Shared by the rewrite (decide) and the sync (proxy/backend/federation_sync). Layer: policy (pure).
//
// Naming, for a product whose domain lives on backend B (B is not the federation backend):
//   foreign server   meshgate_<B>                        (postgres_fdw, host/port/dbname/sslmode of B)
//   user mapping     for the federation service account  (user/password of B's service account)
//   schema           meshgate_<B>
//   foreign table    meshgate_<B>."<source schema>.<source relation>"
//                    e.g. meshgate_sales_pg."public.customers", columns as learned from B
// A name longer than PostgreSQL's 63 bytes keeps its first 46 bytes and gets "_" and 16 hex
// digits of the SHA-256 of the full name. Products on the federation backend itself read their
// source directly. meshgate owns every server and schema named meshgate_* that the federation
// service account owns: the sync drops those it does not plan.
#pragma once

#include "common/error.hpp"
#include "config/model.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace meshgate::policy {

inline constexpr std::string_view kFederationPrefix = "meshgate_";
inline constexpr size_t kMaxIdentifierBytes = 63;  // PostgreSQL NAMEDATALEN - 1

/// `name` if it fits in 63 bytes, else its first 46 bytes (cut at a UTF-8 boundary), "_" and the
/// first 16 hex digits of SHA-256(name): distinct long names stay distinct.
std::string fit_identifier(std::string_view name);

/// Foreign server (and schema) on the federation backend standing for backend `backend`.
std::string federation_server(std::string_view backend);
std::string federation_schema(std::string_view backend);

/// Name of the foreign table standing for source `schema.relation` (inside federation_schema).
std::string foreign_table_name(std::string_view source_schema, std::string_view source_relation);

struct RelationName {
    std::string schema;
    std::string relation;
    bool operator==(const RelationName&) const = default;
};

/// The relation that stands for `product`'s source in a statement run on the federation backend:
/// its own source when its domain lives on the federation backend, else its foreign table.
RelationName federated_source(const config::Snapshot& snap, const config::Domain& domain,
                              const config::Product& product);

/// One foreign server with the user mapping of the federation service account.
struct ForeignServerPlan {
    std::string name;        // meshgate_<backend>
    std::string backend;     // the backend it reaches
    std::string create_sql;  // CREATE SERVER ... (no secret)
    std::string signature;   // hex digest of create_sql: the sync compares it with the comment
    std::string mapping_sql; // CREATE USER MAPPING ... (holds the password: never log it)
};

/// One foreign table (several products may share one source).
struct ForeignTablePlan {
    std::string schema;
    std::string name;
    std::string server;
    std::string backend;
    std::string remote_schema;
    std::string remote_relation;
    std::vector<config::Column> columns;
    std::vector<std::string> products;  // addresses
    std::string create_sql;
    std::string signature;
};

struct FederationPlan {
    std::string backend;  // the federation backend
    std::vector<ForeignServerPlan> servers;
    std::vector<std::string> schemas;
    std::vector<ForeignTablePlan> tables;
    std::vector<std::string> notes;  // products left out (columns unknown), for the log
};

/// The postgres_fdw objects `snap` needs on its federation backend. Errors (0A000/55000/42P17):
/// no federation backend configured, a backend that is not configured, a name holding a NUL
/// byte, two sources whose names collide. Products whose columns are not known are left out
/// (a note says so); decide refuses them anyway.
Result<FederationPlan> plan_federation(const config::Snapshot& snap);

/// What the federation backend holds now, read by the sync (owned by its service account).
struct FederationState {
    struct Named {
        std::string name;
        std::string comment;  // "" when none
    };
    struct Table {
        std::string schema;
        std::string name;
        char kind = 'f';      // pg_class.relkind
        std::string comment;
    };
    std::vector<Named> servers;   // names starting with meshgate_
    std::vector<std::string> schemas;
    std::vector<Table> tables;    // every relation in those schemas
};

/// One statement of a sync, with what the log may say about it (never the SQL: a user mapping
/// holds a password).
struct SyncStatement {
    std::string sql;
    std::string log;  // "" = not worth a log line
};

/// The statements (to run in one transaction, in order) that turn `state` into `plan`: servers
/// whose definition changed are dropped and created again (CASCADE), servers and schemas not
/// planned are dropped, every user mapping is created afresh (passwords may have changed),
/// foreign tables whose definition changed are created again, those not planned are dropped.
/// Refuses (55000) a relation of another kind than a foreign table in a meshgate_ schema.
Result<std::vector<SyncStatement>> sync_statements(const FederationPlan& plan,
                                                   const FederationState& state);

/// The SQL that reads a FederationState (one statement, rows: kind, schema, name, relkind,
/// comment with kind 's' server, 'n' schema, 't' relation), and the check for postgres_fdw.
std::string federation_state_query();
std::string federation_extension_query();

/// Reads a FederationState from the rows of federation_state_query(); nullopt values as "".
FederationState federation_state_from_rows(
    const std::vector<std::vector<std::string>>& rows);

}  // namespace meshgate::policy
