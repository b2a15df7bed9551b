// Object-name and OID introspection that could name or confirm a warehouse's physical objects:
// reg* casts, to_reg*, pg_get_*def, size and privilege functions (SPEC §3 Catalog: BI tools see
// the mesh's products, not the warehouses' tables). What each function's arguments are, and how
// a name written as a string constant resolves through meshgate. Layer: policy (pure).
#pragma once

#include "common/error.hpp"
#include "config/model.hpp"
#include "policy/identity.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace meshgate::policy {

/// Every object a warehouse creates has an OID >= 16384 (PostgreSQL's FirstNormalObjectId);
/// the system's own objects are below. Products/domains have synthetic OIDs >= 0xF0000000.
inline constexpr uint32_t kFirstNormalOid = 16384;

/// The OID alias types (`regclass`, ...), by how meshgate treats them.
enum class RegKind {
    None,        // not a reg* type
    Relation,    // regclass: names resolve to products / system relations
    Namespace,   // regnamespace: domains / system schemas
    Guarded,     // regtype, regproc, regprocedure, regoper, regoperator, regcollation
    Harmless,    // regrole, regconfig, regdictionary (roles and text search objects)
};

/// `name` is the last part of a type name (`regclass`, or `pg_catalog.regclass`'s last part).
RegKind reg_kind(std::string_view type_name);

/// `to_regtype` for "regtype", ... (the guarded kinds' name-taking function).
std::string to_reg_function(std::string_view type_name);

/// Splits a name in regclass input syntax (`a.b`, `"Quoted"."x"`, unquoted parts fold to lower
/// case); nullopt when it does not scan.
std::optional<std::vector<std::string>> split_qualified_name(std::string_view text);

/// How a relation (or schema) name written as a string constant resolves through meshgate.
struct NameResolution {
    enum class Kind {
        Product,   // a product (or, for schemas, a domain): `oid` is its synthetic OID
        System,    // a pg_catalog / information_schema name: `qualified` is the name to pass on
        Unknown,   // nothing the caller may know of (42P01 / 3F000, or NULL for to_reg*)
    };
    Kind kind = Kind::Unknown;
    uint32_t oid = 0;
    std::string qualified;
};

/// A relation name: `domain.product` (any product: every product is discoverable), an
/// unqualified product name along the session's search_path over domains, `pg_catalog.x` /
/// `information_schema.x`, or an unqualified system name (passed on as `pg_catalog.x`, so the
/// service account's search_path never resolves it). Anything else is Unknown.
NameResolution resolve_relation_name(std::string_view text, const Identity& who,
                                     const config::Snapshot& snap);

/// A schema name: a listed domain, or pg_catalog / information_schema / pg_toast. In identifier
/// syntax (regnamespace input: quotes, case folding) or, with `literal`, taken as written (the
/// privilege functions' schema names). System names come back in the same syntax.
NameResolution resolve_namespace_name(std::string_view text, const config::Snapshot& snap,
                                      bool literal = false);

/// True for the OIDs of the reg* types and their arrays (regclass 2205, regtype 2206, ...). A
/// Parse that declares a parameter of one of them would have the backend look the bound text up
/// as a name (regclassin), an existence oracle: the session refuses such a Parse.
bool is_name_lookup_type_oid(uint32_t type_oid);

/// How one introspection function's arguments are guarded.
struct OidGuard {
    enum class Arg {
        Oid,        // an OID (any object kind): physical OIDs make the call NULL
        Relation,   // a relation as OID or name (regclass / text overloads)
        Namespace,  // a schema as OID or name
        Function,   // a function as OID or `name(args)` text
        Type,       // a type as OID or name text
    };
    Arg arg = Arg::Oid;
    size_t index = 0;      // which argument (0-based), already adjusted for the call's arity
    bool result = false;   // guard the result (a reg* value) instead of an argument
};

/// The guard for a pg_catalog function called with `n_args` arguments, or nullopt when the
/// function needs none.
std::optional<OidGuard> oid_guard_for(std::string_view function, size_t n_args);

}  // namespace meshgate::policy
