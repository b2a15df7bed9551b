// information_schema and pg_catalog relations as BI tools and drivers read them: domains as
// schemas, the caller's accessible products as tables, their exposed columns with real type
// OIDs; plus the real rows of pg_catalog / information_schema themselves, never a warehouse's
// own schemas or tables. Layer: policy (pure).
#include "policy/catalog/type_info.hpp"
#include "policy/catalog/virtual_relation.hpp"

#include <algorithm>
#include <optional>

namespace meshgate::policy::catalog {

namespace {

const std::string kOid = "pg_catalog.oid";
const std::string kName = "pg_catalog.name";
const std::string kText = "pg_catalog.text";
const std::string kBool = "pg_catalog.bool";
const std::string kChar = "pg_catalog.\"char\"";
const std::string kInt2 = "pg_catalog.int2";
const std::string kInt4 = "pg_catalog.int4";
const std::string kAcl = "pg_catalog.aclitem[]";
const std::string kTextArray = "pg_catalog.text[]";
const std::string kIdent = "information_schema.sql_identifier";
const std::string kCardinal = "information_schema.cardinal_number";
const std::string kCharData = "information_schema.character_data";
const std::string kYesNo = "information_schema.yes_or_no";

constexpr uint32_t kBootstrapSuperuser = 10;
constexpr uint32_t kHeapAm = 2;
constexpr uint32_t kPgClassOid = 1259;
constexpr uint32_t kPgNamespaceOid = 2615;
constexpr std::string_view kSystemSchemas = "('pg_catalog', 'information_schema')";
// Objects created by initdb have OIDs below FirstNormalObjectId; a warehouse's tables never do.
constexpr std::string_view kFirstNormalObjectId = "16384";

const Cell kCurrentDatabase = Cell::expr("pg_catalog.current_database()");

Cell oid(uint32_t v) { return Cell::lit(std::to_string(v)); }
Cell opt(const std::optional<int64_t>& v) { return v ? Cell::integer(*v) : Cell::null(); }
Cell character(char c) { return Cell::lit(c == '\0' ? std::string() : std::string(1, c)); }

/// `SELECT "c1", ... FROM <relation> WHERE <where>`: the real rows with the table's columns.
std::string real_rows(const CatalogTable& t, std::string_view relation, std::string_view where)
{
    std::string cols;
    for (const auto& c : t.columns) {
        cols += cols.empty() ? "" : ", ";
        cols += "\"" + c.name + "\"";  // fixed catalog column names: no quote inside
    }
    return "SELECT " + cols + " FROM " + std::string(relation) + " WHERE " + std::string(where);
}

/// A listed domain with its accessible products, in name order.
struct Visible {
    const config::Domain* domain;
    uint32_t nsp_oid;
    std::vector<std::pair<const config::Product*, uint32_t>> products;
};

std::vector<Visible> visible(const Identity& who, const config::Snapshot& snap)
{
    const auto ids = object_ids(snap);
    std::vector<Visible> out;
    for (const auto& [dname, d] : snap.domains) {
        if (!domain_is_listed(dname)) {
            continue;
        }
        Visible v{&d, ids.namespaces.at(dname), {}};
        for (const auto& [pname, p] : d.products) {
            if (accessible(p, who)) {
                v.products.emplace_back(&p, ids.relations.at(p.address()));
            }
        }
        out.push_back(std::move(v));
    }
    return out;
}

std::string schemas_where(std::string_view column)
{
    return std::string(column) + " IN " + std::string(kSystemSchemas);
}

struct SystemRelation {
    std::string_view schema;
    std::string_view relation;
    std::string_view columns;   // "name type, ..." (types without a schema are pg_catalog's)
    std::string_view where;     // keeps the rows about pg_catalog / information_schema only
};

// The PostgreSQL 15 relations (besides the ones built above) that name tables, columns,
// constraints, types or functions of a warehouse's own schemas. Generated from a PostgreSQL 15
// catalog (pg_attribute of each relation; information_schema views: every *schema / nspname
// column must be NULL or a system schema). A relation whose columns differ on the catalog
// backend fails in the backend's UNION (an error, never a leak).
constexpr SystemRelation kSystemRelations[] = {
    {"information_schema", "_pg_foreign_table_columns",
     "nspname name, relname name, attname name, attfdwoptions text[]",
     "(nspname IS NULL OR nspname IN ('pg_catalog', 'information_schema'))"},
    {"information_schema", "_pg_foreign_tables",
     "foreign_table_catalog information_schema.sql_identifier, foreign_table_schema information_schema.sql_identifier, foreign_table_name information_schema.sql_identifier, ftoptions text[], foreign_server_catalog information_schema.sql_identifier, foreign_server_name information_schema.sql_identifier, authorization_identifier information_schema.sql_identifier",
     "(foreign_table_schema IS NULL OR foreign_table_schema IN ('pg_catalog', 'information_schema'))"},
    {"information_schema", "attributes",
     "udt_catalog information_schema.sql_identifier, udt_schema information_schema.sql_identifier, udt_name information_schema.sql_identifier, attribute_name information_schema.sql_identifier, ordinal_position information_schema.cardinal_number, attribute_default information_schema.character_data, is_nullable information_schema.yes_or_no, data_type information_schema.character_data, character_maximum_length information_schema.cardinal_number, character_octet_length information_schema.cardinal_number, character_set_catalog information_schema.sql_identifier, character_set_schema information_schema.sql_identifier, character_set_name information_schema.sql_identifier, collation_catalog information_schema.sql_identifier, collation_schema information_schema.sql_identifier, collation_name information_schema.sql_identifier, numeric_precision information_schema.cardinal_number, numeric_precision_radix information_schema.cardinal_number, numeric_scale information_schema.cardinal_number, datetime_precision information_schema.cardinal_number, interval_type information_schema.character_data, interval_precision information_schema.cardinal_number, attribute_udt_catalog information_schema.sql_identifier, attribute_udt_schema information_schema.sql_identifier, attribute_udt_name information_schema.sql_identifier, scope_catalog information_schema.sql_identifier, scope_schema information_schema.sql_identifier, scope_name information_schema.sql_identifier, maximum_cardinality information_schema.cardinal_number, dtd_identifier information_schema.sql_identifier, is_derived_reference_attribute information_schema.yes_or_no",
     "(udt_schema IS NULL OR udt_schema IN ('pg_catalog', 'information_schema')) AND (character_set_schema IS NULL OR character_set_schema IN ('pg_catalog', 'information_schema')) AND (collation_schema IS NULL OR collation_schema IN ('pg_catalog', 'information_schema')) AND (attribute_udt_schema IS NULL OR attribute_udt_schema IN ('pg_catalog', 'information_schema')) AND (scope_schema IS NULL OR scope_schema IN ('pg_catalog', 'information_schema'))"},
    {"information_schema", "character_sets",
     "character_set_catalog information_schema.sql_identifier, character_set_schema information_schema.sql_identifier, character_set_name information_schema.sql_identifier, character_repertoire information_schema.sql_identifier, form_of_use information_schema.sql_identifier, default_collate_catalog information_schema.sql_identifier, default_collate_schema information_schema.sql_identifier, default_collate_name information_schema.sql_identifier",
     "(character_set_schema IS NULL OR character_set_schema IN ('pg_catalog', 'information_schema')) AND (default_collate_schema IS NULL OR default_collate_schema IN ('pg_catalog', 'information_schema'))"},
    {"information_schema", "check_constraint_routine_usage",
     "constraint_catalog information_schema.sql_identifier, constraint_schema information_schema.sql_identifier, constraint_name information_schema.sql_identifier, specific_catalog information_schema.sql_identifier, specific_schema information_schema.sql_identifier, specific_name information_schema.sql_identifier",
     "(constraint_schema IS NULL OR constraint_schema IN ('pg_catalog', 'information_schema')) AND (specific_schema IS NULL OR specific_schema IN ('pg_catalog', 'information_schema'))"},
    {"information_schema", "check_constraints",
     "constraint_catalog information_schema.sql_identifier, constraint_schema information_schema.sql_identifier, constraint_name information_schema.sql_identifier, check_clause information_schema.character_data",
     "(constraint_schema IS NULL OR constraint_schema IN ('pg_catalog', 'information_schema'))"},
    {"information_schema", "collation_character_set_applicability",
     "collation_catalog information_schema.sql_identifier, collation_schema information_schema.sql_identifier, collation_name information_schema.sql_identifier, character_set_catalog information_schema.sql_identifier, character_set_schema information_schema.sql_identifier, character_set_name information_schema.sql_identifier",
     "(collation_schema IS NULL OR collation_schema IN ('pg_catalog', 'information_schema')) AND (character_set_schema IS NULL OR character_set_schema IN ('pg_catalog', 'information_schema'))"},
    {"information_schema", "collations",
     "collation_catalog information_schema.sql_identifier, collation_schema information_schema.sql_identifier, collation_name information_schema.sql_identifier, pad_attribute information_schema.character_data",
     "(collation_schema IS NULL OR collation_schema IN ('pg_catalog', 'information_schema'))"},
    {"information_schema", "column_column_usage",
     "table_catalog information_schema.sql_identifier, table_schema information_schema.sql_identifier, table_name information_schema.sql_identifier, column_name information_schema.sql_identifier, dependent_column information_schema.sql_identifier",
     "(table_schema IS NULL OR table_schema IN ('pg_catalog', 'information_schema'))"},
    {"information_schema", "column_domain_usage",
     "domain_catalog information_schema.sql_identifier, domain_schema information_schema.sql_identifier, domain_name information_schema.sql_identifier, table_catalog information_schema.sql_identifier, table_schema information_schema.sql_identifier, table_name information_schema.sql_identifier, column_name information_schema.sql_identifier",
     "(domain_schema IS NULL OR domain_schema IN ('pg_catalog', 'information_schema')) AND (table_schema IS NULL OR table_schema IN ('pg_catalog', 'information_schema'))"},
    {"information_schema", "column_options",
     "table_catalog information_schema.sql_identifier, table_schema information_schema.sql_identifier, table_name information_schema.sql_identifier, column_name information_schema.sql_identifier, option_name information_schema.sql_identifier, option_value information_schema.character_data",
     "(table_schema IS NULL OR table_schema IN ('pg_catalog', 'information_schema'))"},
    {"information_schema", "column_privileges",
     "grantor information_schema.sql_identifier, grantee information_schema.sql_identifier, table_catalog information_schema.sql_identifier, table_schema information_schema.sql_identifier, table_name information_schema.sql_identifier, column_name information_schema.sql_identifier, privilege_type information_schema.character_data, is_grantable information_schema.yes_or_no",
     "(table_schema IS NULL OR table_schema IN ('pg_catalog', 'information_schema'))"},
    {"information_schema", "column_udt_usage",
     "udt_catalog information_schema.sql_identifier, udt_schema information_schema.sql_identifier, udt_name information_schema.sql_identifier, table_catalog information_schema.sql_identifier, table_schema information_schema.sql_identifier, table_name information_schema.sql_identifier, column_name information_schema.sql_identifier",
     "(udt_schema IS NULL OR udt_schema IN ('pg_catalog', 'information_schema')) AND (table_schema IS NULL OR table_schema IN ('pg_catalog', 'information_schema'))"},
    {"information_schema", "constraint_column_usage",
     "table_catalog information_schema.sql_identifier, table_schema information_schema.sql_identifier, table_name information_schema.sql_identifier, column_name information_schema.sql_identifier, constraint_catalog information_schema.sql_identifier, constraint_schema information_schema.sql_identifier, constraint_name information_schema.sql_identifier",
     "(table_schema IS NULL OR table_schema IN ('pg_catalog', 'information_schema')) AND (constraint_schema IS NULL OR constraint_schema IN ('pg_catalog', 'information_schema'))"},
    {"information_schema", "constraint_table_usage",
     "table_catalog information_schema.sql_identifier, table_schema information_schema.sql_identifier, table_name information_schema.sql_identifier, constraint_catalog information_schema.sql_identifier, constraint_schema information_schema.sql_identifier, constraint_name information_schema.sql_identifier",
     "(table_schema IS NULL OR table_schema IN ('pg_catalog', 'information_schema')) AND (constraint_schema IS NULL OR constraint_schema IN ('pg_catalog', 'information_schema'))"},
    {"information_schema", "data_type_privileges",
     "object_catalog information_schema.sql_identifier, object_schema information_schema.sql_identifier, object_name information_schema.sql_identifier, object_type information_schema.character_data, dtd_identifier information_schema.sql_identifier",
     "(object_schema IS NULL OR object_schema IN ('pg_catalog', 'information_schema'))"},
    {"information_schema", "domain_constraints",
     "constraint_catalog information_schema.sql_identifier, constraint_schema information_schema.sql_identifier, constraint_name information_schema.sql_identifier, domain_catalog information_schema.sql_identifier, domain_schema information_schema.sql_identifier, domain_name information_schema.sql_identifier, is_deferrable information_schema.yes_or_no, initially_deferred information_schema.yes_or_no",
     "(constraint_schema IS NULL OR constraint_schema IN ('pg_catalog', 'information_schema')) AND (domain_schema IS NULL OR domain_schema IN ('pg_catalog', 'information_schema'))"},
    {"information_schema", "domain_udt_usage",
     "udt_catalog information_schema.sql_identifier, udt_schema information_schema.sql_identifier, udt_name information_schema.sql_identifier, domain_catalog information_schema.sql_identifier, domain_schema information_schema.sql_identifier, domain_name information_schema.sql_identifier",
     "(udt_schema IS NULL OR udt_schema IN ('pg_catalog', 'information_schema')) AND (domain_schema IS NULL OR domain_schema IN ('pg_catalog', 'information_schema'))"},
    {"information_schema", "domains",
     "domain_catalog information_schema.sql_identifier, domain_schema information_schema.sql_identifier, domain_name information_schema.sql_identifier, data_type information_schema.character_data, character_maximum_length information_schema.cardinal_number, character_octet_length information_schema.cardinal_number, character_set_catalog information_schema.sql_identifier, character_set_schema information_schema.sql_identifier, character_set_name information_schema.sql_identifier, collation_catalog information_schema.sql_identifier, collation_schema information_schema.sql_identifier, collation_name information_schema.sql_identifier, numeric_precision information_schema.cardinal_number, numeric_precision_radix information_schema.cardinal_number, numeric_scale information_schema.cardinal_number, datetime_precision information_schema.cardinal_number, interval_type information_schema.character_data, interval_precision information_schema.cardinal_number, domain_default information_schema.character_data, udt_catalog information_schema.sql_identifier, udt_schema information_schema.sql_identifier, udt_name information_schema.sql_identifier, scope_catalog information_schema.sql_identifier, scope_schema information_schema.sql_identifier, scope_name information_schema.sql_identifier, maximum_cardinality information_schema.cardinal_number, dtd_identifier information_schema.sql_identifier",
     "(domain_schema IS NULL OR domain_schema IN ('pg_catalog', 'information_schema')) AND (character_set_schema IS NULL OR character_set_schema IN ('pg_catalog', 'information_schema')) AND (collation_schema IS NULL OR collation_schema IN ('pg_catalog', 'information_schema')) AND (udt_schema IS NULL OR udt_schema IN ('pg_catalog', 'information_schema')) AND (scope_schema IS NULL OR scope_schema IN ('pg_catalog', 'information_schema'))"},
    {"information_schema", "element_types",
     "object_catalog information_schema.sql_identifier, object_schema information_schema.sql_identifier, object_name information_schema.sql_identifier, object_type information_schema.character_data, collection_type_identifier information_schema.sql_identifier, data_type information_schema.character_data, character_maximum_length information_schema.cardinal_number, character_octet_length information_schema.cardinal_number, character_set_catalog information_schema.sql_identifier, character_set_schema information_schema.sql_identifier, character_set_name information_schema.sql_identifier, collation_catalog information_schema.sql_identifier, collation_schema information_schema.sql_identifier, collation_name information_schema.sql_identifier, numeric_precision information_schema.cardinal_number, numeric_precision_radix information_schema.cardinal_number, numeric_scale information_schema.cardinal_number, datetime_precision information_schema.cardinal_number, interval_type information_schema.character_data, interval_precision information_schema.cardinal_number, domain_default information_schema.character_data, udt_catalog information_schema.sql_identifier, udt_schema information_schema.sql_identifier, udt_name information_schema.sql_identifier, scope_catalog information_schema.sql_identifier, scope_schema information_schema.sql_identifier, scope_name information_schema.sql_identifier, maximum_cardinality information_schema.cardinal_number, dtd_identifier information_schema.sql_identifier",
     "(object_schema IS NULL OR object_schema IN ('pg_catalog', 'information_schema')) AND (character_set_schema IS NULL OR character_set_schema IN ('pg_catalog', 'information_schema')) AND (collation_schema IS NULL OR collation_schema IN ('pg_catalog', 'information_schema')) AND (udt_schema IS NULL OR udt_schema IN ('pg_catalog', 'information_schema')) AND (scope_schema IS NULL OR scope_schema IN ('pg_catalog', 'information_schema'))"},
    {"information_schema", "foreign_table_options",
     "foreign_table_catalog information_schema.sql_identifier, foreign_table_schema information_schema.sql_identifier, foreign_table_name information_schema.sql_identifier, option_name information_schema.sql_identifier, option_value information_schema.character_data",
     "(foreign_table_schema IS NULL OR foreign_table_schema IN ('pg_catalog', 'information_schema'))"},
    {"information_schema", "foreign_tables",
     "foreign_table_catalog information_schema.sql_identifier, foreign_table_schema information_schema.sql_identifier, foreign_table_name information_schema.sql_identifier, foreign_server_catalog information_schema.sql_identifier, foreign_server_name information_schema.sql_identifier",
     "(foreign_table_schema IS NULL OR foreign_table_schema IN ('pg_catalog', 'information_schema'))"},
    {"information_schema", "key_column_usage",
     "constraint_catalog information_schema.sql_identifier, constraint_schema information_schema.sql_identifier, constraint_name information_schema.sql_identifier, table_catalog information_schema.sql_identifier, table_schema information_schema.sql_identifier, table_name information_schema.sql_identifier, column_name information_schema.sql_identifier, ordinal_position information_schema.cardinal_number, position_in_unique_constraint information_schema.cardinal_number",
     "(constraint_schema IS NULL OR constraint_schema IN ('pg_catalog', 'information_schema')) AND (table_schema IS NULL OR table_schema IN ('pg_catalog', 'information_schema'))"},
    {"information_schema", "parameters",
     "specific_catalog information_schema.sql_identifier, specific_schema information_schema.sql_identifier, specific_name information_schema.sql_identifier, ordinal_position information_schema.cardinal_number, parameter_mode information_schema.character_data, is_result information_schema.yes_or_no, as_locator information_schema.yes_or_no, parameter_name information_schema.sql_identifier, data_type information_schema.character_data, character_maximum_length information_schema.cardinal_number, character_octet_length information_schema.cardinal_number, character_set_catalog information_schema.sql_identifier, character_set_schema information_schema.sql_identifier, character_set_name information_schema.sql_identifier, collation_catalog information_schema.sql_identifier, collation_schema information_schema.sql_identifier, collation_name information_schema.sql_identifier, numeric_precision information_schema.cardinal_number, numeric_precision_radix information_schema.cardinal_number, numeric_scale information_schema.cardinal_number, datetime_precision information_schema.cardinal_number, interval_type information_schema.character_data, interval_precision information_schema.cardinal_number, udt_catalog information_schema.sql_identifier, udt_schema information_schema.sql_identifier, udt_name information_schema.sql_identifier, scope_catalog information_schema.sql_identifier, scope_schema information_schema.sql_identifier, scope_name information_schema.sql_identifier, maximum_cardinality information_schema.cardinal_number, dtd_identifier information_schema.sql_identifier, parameter_default information_schema.character_data",
     "(specific_schema IS NULL OR specific_schema IN ('pg_catalog', 'information_schema')) AND (character_set_schema IS NULL OR character_set_schema IN ('pg_catalog', 'information_schema')) AND (collation_schema IS NULL OR collation_schema IN ('pg_catalog', 'information_schema')) AND (udt_schema IS NULL OR udt_schema IN ('pg_catalog', 'information_schema')) AND (scope_schema IS NULL OR scope_schema IN ('pg_catalog', 'information_schema'))"},
    {"information_schema", "referential_constraints",
     "constraint_catalog information_schema.sql_identifier, constraint_schema information_schema.sql_identifier, constraint_name information_schema.sql_identifier, unique_constraint_catalog information_schema.sql_identifier, unique_constraint_schema information_schema.sql_identifier, unique_constraint_name information_schema.sql_identifier, match_option information_schema.character_data, update_rule information_schema.character_data, delete_rule information_schema.character_data",
     "(constraint_schema IS NULL OR constraint_schema IN ('pg_catalog', 'information_schema')) AND (unique_constraint_schema IS NULL OR unique_constraint_schema IN ('pg_catalog', 'information_schema'))"},
    {"information_schema", "role_column_grants",
     "grantor information_schema.sql_identifier, grantee information_schema.sql_identifier, table_catalog information_schema.sql_identifier, table_schema information_schema.sql_identifier, table_name information_schema.sql_identifier, column_name information_schema.sql_identifier, privilege_type information_schema.character_data, is_grantable information_schema.yes_or_no",
     "(table_schema IS NULL OR table_schema IN ('pg_catalog', 'information_schema'))"},
    {"information_schema", "role_routine_grants",
     "grantor information_schema.sql_identifier, grantee information_schema.sql_identifier, specific_catalog information_schema.sql_identifier, specific_schema information_schema.sql_identifier, specific_name information_schema.sql_identifier, routine_catalog information_schema.sql_identifier, routine_schema information_schema.sql_identifier, routine_name information_schema.sql_identifier, privilege_type information_schema.character_data, is_grantable information_schema.yes_or_no",
     "(specific_schema IS NULL OR specific_schema IN ('pg_catalog', 'information_schema')) AND (routine_schema IS NULL OR routine_schema IN ('pg_catalog', 'information_schema'))"},
    {"information_schema", "role_table_grants",
     "grantor information_schema.sql_identifier, grantee information_schema.sql_identifier, table_catalog information_schema.sql_identifier, table_schema information_schema.sql_identifier, table_name information_schema.sql_identifier, privilege_type information_schema.character_data, is_grantable information_schema.yes_or_no, with_hierarchy information_schema.yes_or_no",
     "(table_schema IS NULL OR table_schema IN ('pg_catalog', 'information_schema'))"},
    {"information_schema", "role_udt_grants",
     "grantor information_schema.sql_identifier, grantee information_schema.sql_identifier, udt_catalog information_schema.sql_identifier, udt_schema information_schema.sql_identifier, udt_name information_schema.sql_identifier, privilege_type information_schema.character_data, is_grantable information_schema.yes_or_no",
     "(udt_schema IS NULL OR udt_schema IN ('pg_catalog', 'information_schema'))"},
    {"information_schema", "role_usage_grants",
     "grantor information_schema.sql_identifier, grantee information_schema.sql_identifier, object_catalog information_schema.sql_identifier, object_schema information_schema.sql_identifier, object_name information_schema.sql_identifier, object_type information_schema.character_data, privilege_type information_schema.character_data, is_grantable information_schema.yes_or_no",
     "(object_schema IS NULL OR object_schema IN ('pg_catalog', 'information_schema'))"},
    {"information_schema", "routine_column_usage",
     "specific_catalog information_schema.sql_identifier, specific_schema information_schema.sql_identifier, specific_name information_schema.sql_identifier, routine_catalog information_schema.sql_identifier, routine_schema information_schema.sql_identifier, routine_name information_schema.sql_identifier, table_catalog information_schema.sql_identifier, table_schema information_schema.sql_identifier, table_name information_schema.sql_identifier, column_name information_schema.sql_identifier",
     "(specific_schema IS NULL OR specific_schema IN ('pg_catalog', 'information_schema')) AND (routine_schema IS NULL OR routine_schema IN ('pg_catalog', 'information_schema')) AND (table_schema IS NULL OR table_schema IN ('pg_catalog', 'information_schema'))"},
    {"information_schema", "routine_privileges",
     "grantor information_schema.sql_identifier, grantee information_schema.sql_identifier, specific_catalog information_schema.sql_identifier, specific_schema information_schema.sql_identifier, specific_name information_schema.sql_identifier, routine_catalog information_schema.sql_identifier, routine_schema information_schema.sql_identifier, routine_name information_schema.sql_identifier, privilege_type information_schema.character_data, is_grantable information_schema.yes_or_no",
     "(specific_schema IS NULL OR specific_schema IN ('pg_catalog', 'information_schema')) AND (routine_schema IS NULL OR routine_schema IN ('pg_catalog', 'information_schema'))"},
    {"information_schema", "routine_routine_usage",
     "specific_catalog information_schema.sql_identifier, specific_schema information_schema.sql_identifier, specific_name information_schema.sql_identifier, routine_catalog information_schema.sql_identifier, routine_schema information_schema.sql_identifier, routine_name information_schema.sql_identifier",
     "(specific_schema IS NULL OR specific_schema IN ('pg_catalog', 'information_schema')) AND (routine_schema IS NULL OR routine_schema IN ('pg_catalog', 'information_schema'))"},
    {"information_schema", "routine_sequence_usage",
     "specific_catalog information_schema.sql_identifier, specific_schema information_schema.sql_identifier, specific_name information_schema.sql_identifier, routine_catalog information_schema.sql_identifier, routine_schema information_schema.sql_identifier, routine_name information_schema.sql_identifier, sequence_catalog information_schema.sql_identifier, sequence_schema information_schema.sql_identifier, sequence_name information_schema.sql_identifier",
     "(specific_schema IS NULL OR specific_schema IN ('pg_catalog', 'information_schema')) AND (routine_schema IS NULL OR routine_schema IN ('pg_catalog', 'information_schema')) AND (sequence_schema IS NULL OR sequence_schema IN ('pg_catalog', 'information_schema'))"},
    {"information_schema", "routine_table_usage",
     "specific_catalog information_schema.sql_identifier, specific_schema information_schema.sql_identifier, specific_name information_schema.sql_identifier, routine_catalog information_schema.sql_identifier, routine_schema information_schema.sql_identifier, routine_name information_schema.sql_identifier, table_catalog information_schema.sql_identifier, table_schema information_schema.sql_identifier, table_name information_schema.sql_identifier",
     "(specific_schema IS NULL OR specific_schema IN ('pg_catalog', 'information_schema')) AND (routine_schema IS NULL OR routine_schema IN ('pg_catalog', 'information_schema')) AND (table_schema IS NULL OR table_schema IN ('pg_catalog', 'information_schema'))"},
    {"information_schema", "routines",
     "specific_catalog information_schema.sql_identifier, specific_schema information_schema.sql_identifier, specific_name information_schema.sql_identifier, routine_catalog information_schema.sql_identifier, routine_schema information_schema.sql_identifier, routine_name information_schema.sql_identifier, routine_type information_schema.character_data, module_catalog information_schema.sql_identifier, module_schema information_schema.sql_identifier, module_name information_schema.sql_identifier, udt_catalog information_schema.sql_identifier, udt_schema information_schema.sql_identifier, udt_name information_schema.sql_identifier, data_type information_schema.character_data, character_maximum_length information_schema.cardinal_number, character_octet_length information_schema.cardinal_number, character_set_catalog information_schema.sql_identifier, character_set_schema information_schema.sql_identifier, character_set_name information_schema.sql_identifier, collation_catalog information_schema.sql_identifier, collation_schema information_schema.sql_identifier, collation_name information_schema.sql_identifier, numeric_precision information_schema.cardinal_number, numeric_precision_radix information_schema.cardinal_number, numeric_scale information_schema.cardinal_number, datetime_precision information_schema.cardinal_number, interval_type information_schema.character_data, interval_precision information_schema.cardinal_number, type_udt_catalog information_schema.sql_identifier, type_udt_schema information_schema.sql_identifier, type_udt_name information_schema.sql_identifier, scope_catalog information_schema.sql_identifier, scope_schema information_schema.sql_identifier, scope_name information_schema.sql_identifier, maximum_cardinality information_schema.cardinal_number, dtd_identifier information_schema.sql_identifier, routine_body information_schema.character_data, routine_definition information_schema.character_data, external_name information_schema.character_data, external_language information_schema.character_data, parameter_style information_schema.character_data, is_deterministic information_schema.yes_or_no, sql_data_access information_schema.character_data, is_null_call information_schema.yes_or_no, sql_path information_schema.character_data, schema_level_routine information_schema.yes_or_no, max_dynamic_result_sets information_schema.cardinal_number, is_user_defined_cast information_schema.yes_or_no, is_implicitly_invocable information_schema.yes_or_no, security_type information_schema.character_data, to_sql_specific_catalog information_schema.sql_identifier, to_sql_specific_schema information_schema.sql_identifier, to_sql_specific_name information_schema.sql_identifier, as_locator information_schema.yes_or_no, created information_schema.time_stamp, last_altered information_schema.time_stamp, new_savepoint_level information_schema.yes_or_no, is_udt_dependent information_schema.yes_or_no, result_cast_from_data_type information_schema.character_data, result_cast_as_locator information_schema.yes_or_no, result_cast_char_max_length information_schema.cardinal_number, result_cast_char_octet_length information_schema.cardinal_number, result_cast_char_set_catalog information_schema.sql_identifier, result_cast_char_set_schema information_schema.sql_identifier, result_cast_char_set_name information_schema.sql_identifier, result_cast_collation_catalog information_schema.sql_identifier, result_cast_collation_schema information_schema.sql_identifier, result_cast_collation_name information_schema.sql_identifier, result_cast_numeric_precision information_schema.cardinal_number, result_cast_numeric_precision_radix information_schema.cardinal_number, result_cast_numeric_scale information_schema.cardinal_number, result_cast_datetime_precision information_schema.cardinal_number, result_cast_interval_type information_schema.character_data, result_cast_interval_precision information_schema.cardinal_number, result_cast_type_udt_catalog information_schema.sql_identifier, result_cast_type_udt_schema information_schema.sql_identifier, result_cast_type_udt_name information_schema.sql_identifier, result_cast_scope_catalog information_schema.sql_identifier, result_cast_scope_schema information_schema.sql_identifier, result_cast_scope_name information_schema.sql_identifier, result_cast_maximum_cardinality information_schema.cardinal_number, result_cast_dtd_identifier information_schema.sql_identifier",
     "(specific_schema IS NULL OR specific_schema IN ('pg_catalog', 'information_schema')) AND (routine_schema IS NULL OR routine_schema IN ('pg_catalog', 'information_schema')) AND (module_schema IS NULL OR module_schema IN ('pg_catalog', 'information_schema')) AND (udt_schema IS NULL OR udt_schema IN ('pg_catalog', 'information_schema')) AND (character_set_schema IS NULL OR character_set_schema IN ('pg_catalog', 'information_schema')) AND (collation_schema IS NULL OR collation_schema IN ('pg_catalog', 'information_schema')) AND (type_udt_schema IS NULL OR type_udt_schema IN ('pg_catalog', 'information_schema')) AND (scope_schema IS NULL OR scope_schema IN ('pg_catalog', 'information_schema')) AND (to_sql_specific_schema IS NULL OR to_sql_specific_schema IN ('pg_catalog', 'information_schema')) AND (result_cast_char_set_schema IS NULL OR result_cast_char_set_schema IN ('pg_catalog', 'information_schema')) AND (result_cast_collation_schema IS NULL OR result_cast_collation_schema IN ('pg_catalog', 'information_schema')) AND (result_cast_type_udt_schema IS NULL OR result_cast_type_udt_schema IN ('pg_catalog', 'information_schema')) AND (result_cast_scope_schema IS NULL OR result_cast_scope_schema IN ('pg_catalog', 'information_schema'))"},
    {"information_schema", "sequences",
     "sequence_catalog information_schema.sql_identifier, sequence_schema information_schema.sql_identifier, sequence_name information_schema.sql_identifier, data_type information_schema.character_data, numeric_precision information_schema.cardinal_number, numeric_precision_radix information_schema.cardinal_number, numeric_scale information_schema.cardinal_number, start_value information_schema.character_data, minimum_value information_schema.character_data, maximum_value information_schema.character_data, increment information_schema.character_data, cycle_option information_schema.yes_or_no",
     "(sequence_schema IS NULL OR sequence_schema IN ('pg_catalog', 'information_schema'))"},
    {"information_schema", "table_constraints",
     "constraint_catalog information_schema.sql_identifier, constraint_schema information_schema.sql_identifier, constraint_name information_schema.sql_identifier, table_catalog information_schema.sql_identifier, table_schema information_schema.sql_identifier, table_name information_schema.sql_identifier, constraint_type information_schema.character_data, is_deferrable information_schema.yes_or_no, initially_deferred information_schema.yes_or_no, enforced information_schema.yes_or_no, nulls_distinct information_schema.yes_or_no",
     "(constraint_schema IS NULL OR constraint_schema IN ('pg_catalog', 'information_schema')) AND (table_schema IS NULL OR table_schema IN ('pg_catalog', 'information_schema'))"},
    {"information_schema", "table_privileges",
     "grantor information_schema.sql_identifier, grantee information_schema.sql_identifier, table_catalog information_schema.sql_identifier, table_schema information_schema.sql_identifier, table_name information_schema.sql_identifier, privilege_type information_schema.character_data, is_grantable information_schema.yes_or_no, with_hierarchy information_schema.yes_or_no",
     "(table_schema IS NULL OR table_schema IN ('pg_catalog', 'information_schema'))"},
    {"information_schema", "transforms",
     "udt_catalog information_schema.sql_identifier, udt_schema information_schema.sql_identifier, udt_name information_schema.sql_identifier, specific_catalog information_schema.sql_identifier, specific_schema information_schema.sql_identifier, specific_name information_schema.sql_identifier, group_name information_schema.sql_identifier, transform_type information_schema.character_data",
     "(udt_schema IS NULL OR udt_schema IN ('pg_catalog', 'information_schema')) AND (specific_schema IS NULL OR specific_schema IN ('pg_catalog', 'information_schema'))"},
    {"information_schema", "triggered_update_columns",
     "trigger_catalog information_schema.sql_identifier, trigger_schema information_schema.sql_identifier, trigger_name information_schema.sql_identifier, event_object_catalog information_schema.sql_identifier, event_object_schema information_schema.sql_identifier, event_object_table information_schema.sql_identifier, event_object_column information_schema.sql_identifier",
     "(trigger_schema IS NULL OR trigger_schema IN ('pg_catalog', 'information_schema')) AND (event_object_schema IS NULL OR event_object_schema IN ('pg_catalog', 'information_schema'))"},
    {"information_schema", "triggers",
     "trigger_catalog information_schema.sql_identifier, trigger_schema information_schema.sql_identifier, trigger_name information_schema.sql_identifier, event_manipulation information_schema.character_data, event_object_catalog information_schema.sql_identifier, event_object_schema information_schema.sql_identifier, event_object_table information_schema.sql_identifier, action_order information_schema.cardinal_number, action_condition information_schema.character_data, action_statement information_schema.character_data, action_orientation information_schema.character_data, action_timing information_schema.character_data, action_reference_old_table information_schema.sql_identifier, action_reference_new_table information_schema.sql_identifier, action_reference_old_row information_schema.sql_identifier, action_reference_new_row information_schema.sql_identifier, created information_schema.time_stamp",
     "(trigger_schema IS NULL OR trigger_schema IN ('pg_catalog', 'information_schema')) AND (event_object_schema IS NULL OR event_object_schema IN ('pg_catalog', 'information_schema'))"},
    {"information_schema", "udt_privileges",
     "grantor information_schema.sql_identifier, grantee information_schema.sql_identifier, udt_catalog information_schema.sql_identifier, udt_schema information_schema.sql_identifier, udt_name information_schema.sql_identifier, privilege_type information_schema.character_data, is_grantable information_schema.yes_or_no",
     "(udt_schema IS NULL OR udt_schema IN ('pg_catalog', 'information_schema'))"},
    {"information_schema", "usage_privileges",
     "grantor information_schema.sql_identifier, grantee information_schema.sql_identifier, object_catalog information_schema.sql_identifier, object_schema information_schema.sql_identifier, object_name information_schema.sql_identifier, object_type information_schema.character_data, privilege_type information_schema.character_data, is_grantable information_schema.yes_or_no",
     "(object_schema IS NULL OR object_schema IN ('pg_catalog', 'information_schema'))"},
    {"information_schema", "user_defined_types",
     "user_defined_type_catalog information_schema.sql_identifier, user_defined_type_schema information_schema.sql_identifier, user_defined_type_name information_schema.sql_identifier, user_defined_type_category information_schema.character_data, is_instantiable information_schema.yes_or_no, is_final information_schema.yes_or_no, ordering_form information_schema.character_data, ordering_category information_schema.character_data, ordering_routine_catalog information_schema.sql_identifier, ordering_routine_schema information_schema.sql_identifier, ordering_routine_name information_schema.sql_identifier, reference_type information_schema.character_data, data_type information_schema.character_data, character_maximum_length information_schema.cardinal_number, character_octet_length information_schema.cardinal_number, character_set_catalog information_schema.sql_identifier, character_set_schema information_schema.sql_identifier, character_set_name information_schema.sql_identifier, collation_catalog information_schema.sql_identifier, collation_schema information_schema.sql_identifier, collation_name information_schema.sql_identifier, numeric_precision information_schema.cardinal_number, numeric_precision_radix information_schema.cardinal_number, numeric_scale information_schema.cardinal_number, datetime_precision information_schema.cardinal_number, interval_type information_schema.character_data, interval_precision information_schema.cardinal_number, source_dtd_identifier information_schema.sql_identifier, ref_dtd_identifier information_schema.sql_identifier",
     "(user_defined_type_schema IS NULL OR user_defined_type_schema IN ('pg_catalog', 'information_schema')) AND (ordering_routine_schema IS NULL OR ordering_routine_schema IN ('pg_catalog', 'information_schema')) AND (character_set_schema IS NULL OR character_set_schema IN ('pg_catalog', 'information_schema')) AND (collation_schema IS NULL OR collation_schema IN ('pg_catalog', 'information_schema'))"},
    {"information_schema", "view_column_usage",
     "view_catalog information_schema.sql_identifier, view_schema information_schema.sql_identifier, view_name information_schema.sql_identifier, table_catalog information_schema.sql_identifier, table_schema information_schema.sql_identifier, table_name information_schema.sql_identifier, column_name information_schema.sql_identifier",
     "(view_schema IS NULL OR view_schema IN ('pg_catalog', 'information_schema')) AND (table_schema IS NULL OR table_schema IN ('pg_catalog', 'information_schema'))"},
    {"information_schema", "view_routine_usage",
     "table_catalog information_schema.sql_identifier, table_schema information_schema.sql_identifier, table_name information_schema.sql_identifier, specific_catalog information_schema.sql_identifier, specific_schema information_schema.sql_identifier, specific_name information_schema.sql_identifier",
     "(table_schema IS NULL OR table_schema IN ('pg_catalog', 'information_schema')) AND (specific_schema IS NULL OR specific_schema IN ('pg_catalog', 'information_schema'))"},
    {"information_schema", "view_table_usage",
     "view_catalog information_schema.sql_identifier, view_schema information_schema.sql_identifier, view_name information_schema.sql_identifier, table_catalog information_schema.sql_identifier, table_schema information_schema.sql_identifier, table_name information_schema.sql_identifier",
     "(view_schema IS NULL OR view_schema IN ('pg_catalog', 'information_schema')) AND (table_schema IS NULL OR table_schema IN ('pg_catalog', 'information_schema'))"},
    {"information_schema", "views",
     "table_catalog information_schema.sql_identifier, table_schema information_schema.sql_identifier, table_name information_schema.sql_identifier, view_definition information_schema.character_data, check_option information_schema.character_data, is_updatable information_schema.yes_or_no, is_insertable_into information_schema.yes_or_no, is_trigger_updatable information_schema.yes_or_no, is_trigger_deletable information_schema.yes_or_no, is_trigger_insertable_into information_schema.yes_or_no",
     "(table_schema IS NULL OR table_schema IN ('pg_catalog', 'information_schema'))"},
    {"pg_catalog", "pg_type",
     "oid oid, typname name, typnamespace oid, typowner oid, typlen int2, typbyval bool, typtype \"char\", typcategory \"char\", typispreferred bool, typisdefined bool, typdelim \"char\", typrelid oid, typsubscript regproc, typelem oid, typarray oid, typinput regproc, typoutput regproc, typreceive regproc, typsend regproc, typmodin regproc, typmodout regproc, typanalyze regproc, typalign \"char\", typstorage \"char\", typnotnull bool, typbasetype oid, typtypmod int4, typndims int4, typcollation oid, typdefaultbin pg_node_tree, typdefault text, typacl aclitem[]",
     "typnamespace IN (SELECT oid FROM pg_catalog.pg_namespace WHERE nspname IN ('pg_catalog', 'information_schema'))"},
    {"pg_catalog", "pg_constraint",
     "oid oid, conname name, connamespace oid, contype \"char\", condeferrable bool, condeferred bool, convalidated bool, conrelid oid, contypid oid, conindid oid, conparentid oid, confrelid oid, confupdtype \"char\", confdeltype \"char\", confmatchtype \"char\", conislocal bool, coninhcount int4, connoinherit bool, conkey int2[], confkey int2[], conpfeqop oid[], conppeqop oid[], conffeqop oid[], confdelsetcols int2[], conexclop oid[], conbin pg_node_tree",
     "connamespace IN (SELECT oid FROM pg_catalog.pg_namespace WHERE nspname IN ('pg_catalog', 'information_schema'))"},
    {"pg_catalog", "pg_proc",
     "oid oid, proname name, pronamespace oid, proowner oid, prolang oid, procost float4, prorows float4, provariadic oid, prosupport regproc, prokind \"char\", prosecdef bool, proleakproof bool, proisstrict bool, proretset bool, provolatile \"char\", proparallel \"char\", pronargs int2, pronargdefaults int2, prorettype oid, proargtypes oidvector, proallargtypes oid[], proargmodes \"char\"[], proargnames text[], proargdefaults pg_node_tree, protrftypes oid[], prosrc text, probin text, prosqlbody pg_node_tree, proconfig text[], proacl aclitem[]",
     "pronamespace IN (SELECT oid FROM pg_catalog.pg_namespace WHERE nspname IN ('pg_catalog', 'information_schema'))"},
    {"pg_catalog", "pg_trigger",
     "oid oid, tgrelid oid, tgparentid oid, tgname name, tgfoid oid, tgtype int2, tgenabled \"char\", tgisinternal bool, tgconstrrelid oid, tgconstrindid oid, tgconstraint oid, tgdeferrable bool, tginitdeferred bool, tgnargs int2, tgattr int2vector, tgargs bytea, tgqual pg_node_tree, tgoldtable name, tgnewtable name",
     "tgrelid < 16384"},
    {"pg_catalog", "pg_rewrite",
     "oid oid, rulename name, ev_class oid, ev_type \"char\", ev_enabled \"char\", is_instead bool, ev_qual pg_node_tree, ev_action pg_node_tree",
     "ev_class < 16384"},
    {"pg_catalog", "pg_policy",
     "oid oid, polname name, polrelid oid, polcmd \"char\", polpermissive bool, polroles oid[], polqual pg_node_tree, polwithcheck pg_node_tree",
     "polrelid < 16384"},
    {"pg_catalog", "pg_attrdef",
     "oid oid, adrelid oid, adnum int2, adbin pg_node_tree",
     "adrelid < 16384"},
    {"pg_catalog", "pg_index",
     "indexrelid oid, indrelid oid, indnatts int2, indnkeyatts int2, indisunique bool, indnullsnotdistinct bool, indisprimary bool, indisexclusion bool, indimmediate bool, indisclustered bool, indisvalid bool, indcheckxmin bool, indisready bool, indislive bool, indisreplident bool, indkey int2vector, indcollation oidvector, indclass oidvector, indoption int2vector, indexprs pg_node_tree, indpred pg_node_tree",
     "indrelid < 16384"},
    {"pg_catalog", "pg_inherits",
     "inhrelid oid, inhparent oid, inhseqno int4, inhdetachpending bool",
     "inhrelid < 16384"},
    {"pg_catalog", "pg_sequence",
     "seqrelid oid, seqtypid oid, seqstart int8, seqincrement int8, seqmax int8, seqmin int8, seqcache int8, seqcycle bool",
     "seqrelid < 16384"},
    {"pg_catalog", "pg_partitioned_table",
     "partrelid oid, partstrat \"char\", partnatts int2, partdefid oid, partattrs int2vector, partclass oidvector, partcollation oidvector, partexprs pg_node_tree",
     "partrelid < 16384"},
    {"pg_catalog", "pg_publication_rel",
     "oid oid, prpubid oid, prrelid oid, prqual pg_node_tree, prattrs int2vector",
     "prrelid < 16384"},
    {"pg_catalog", "pg_foreign_table",
     "ftrelid oid, ftserver oid, ftoptions text[]",
     "ftrelid < 16384"},
    {"pg_catalog", "pg_rules",
     "schemaname name, tablename name, rulename name, definition text",
     "schemaname IN ('pg_catalog', 'information_schema')"},
    {"pg_catalog", "pg_policies",
     "schemaname name, tablename name, policyname name, permissive text, roles name[], cmd text, qual text, with_check text",
     "schemaname IN ('pg_catalog', 'information_schema')"},
    {"pg_catalog", "pg_publication_tables",
     "pubname name, schemaname name, tablename name, attnames name[], rowfilter text",
     "schemaname IN ('pg_catalog', 'information_schema')"},
};

const SystemRelation* system_relation(VirtualRelation r)
{
    const int i = int(r) - kFirstSystemRelation;
    constexpr int n = int(sizeof kSystemRelations / sizeof kSystemRelations[0]);
    return i >= 0 && i < n ? &kSystemRelations[i] : nullptr;
}

}  // namespace

std::vector<uint32_t> visible_relation_oids(const Identity& who, const config::Snapshot& snap)
{
    // As the resolver does: the first domain of the search_path holding a name takes it, even
    // when the caller may not read that product (then the name is not visible as a table).
    const auto ids = object_ids(snap);
    std::vector<uint32_t> out;
    std::vector<std::string> taken;
    for (const auto& domain : who.search_path) {
        const auto d = snap.domains.find(domain);
        if (d == snap.domains.end() || !domain_is_listed(domain)) {
            continue;
        }
        for (const auto& [pname, p] : d->second.products) {
            if (std::find(taken.begin(), taken.end(), pname) != taken.end()) {
                continue;
            }
            taken.push_back(pname);
            if (accessible(p, who)) {
                out.push_back(ids.relations.at(p.address()));
            }
        }
    }
    return out;
}

CatalogTable info_schemata(const Identity& who, const config::Snapshot& snap)
{
    CatalogTable t;
    t.columns = {{"catalog_name", kIdent},
                 {"schema_name", kIdent},
                 {"schema_owner", kIdent},
                 {"default_character_set_catalog", kIdent},
                 {"default_character_set_schema", kIdent},
                 {"default_character_set_name", kIdent},
                 {"sql_path", kCharData}};
    for (const auto& v : visible(who, snap)) {
        t.rows.push_back({kCurrentDatabase, Cell::lit(v.domain->name), Cell::lit("mesh"),
                          Cell::null(), Cell::null(), Cell::null(), Cell::null()});
    }
    t.real_rows = real_rows(t, "information_schema.schemata", schemas_where("schema_name"));
    return t;
}

CatalogTable info_tables(const Identity& who, const config::Snapshot& snap)
{
    CatalogTable t;
    t.columns = {{"table_catalog", kIdent},
                 {"table_schema", kIdent},
                 {"table_name", kIdent},
                 {"table_type", kCharData},
                 {"self_referencing_column_name", kIdent},
                 {"reference_generation", kCharData},
                 {"user_defined_type_catalog", kIdent},
                 {"user_defined_type_schema", kIdent},
                 {"user_defined_type_name", kIdent},
                 {"is_insertable_into", kYesNo},
                 {"is_typed", kYesNo},
                 {"commit_action", kCharData}};
    for (const auto& v : visible(who, snap)) {
        for (const auto& [p, id] : v.products) {
            t.rows.push_back({kCurrentDatabase, Cell::lit(v.domain->name), Cell::lit(p->name),
                              Cell::lit("BASE TABLE"), Cell::null(), Cell::null(), Cell::null(),
                              Cell::null(), Cell::null(), Cell::lit("NO"), Cell::lit("NO"),
                              Cell::null()});
        }
    }
    t.real_rows = real_rows(t, "information_schema.tables", schemas_where("table_schema"));
    return t;
}

CatalogTable info_columns(const Identity& who, const config::Snapshot& snap)
{
    CatalogTable t;
    t.columns = {{"table_catalog", kIdent},        {"table_schema", kIdent},
                 {"table_name", kIdent},           {"column_name", kIdent},
                 {"ordinal_position", kCardinal},  {"column_default", kCharData},
                 {"is_nullable", kYesNo},          {"data_type", kCharData},
                 {"character_maximum_length", kCardinal},
                 {"character_octet_length", kCardinal},
                 {"numeric_precision", kCardinal}, {"numeric_precision_radix", kCardinal},
                 {"numeric_scale", kCardinal},     {"datetime_precision", kCardinal},
                 {"interval_type", kCharData},     {"interval_precision", kCardinal},
                 {"character_set_catalog", kIdent}, {"character_set_schema", kIdent},
                 {"character_set_name", kIdent},   {"collation_catalog", kIdent},
                 {"collation_schema", kIdent},     {"collation_name", kIdent},
                 {"domain_catalog", kIdent},       {"domain_schema", kIdent},
                 {"domain_name", kIdent},          {"udt_catalog", kIdent},
                 {"udt_schema", kIdent},           {"udt_name", kIdent},
                 {"scope_catalog", kIdent},        {"scope_schema", kIdent},
                 {"scope_name", kIdent},           {"maximum_cardinality", kCardinal},
                 {"dtd_identifier", kIdent},       {"is_self_referencing", kYesNo},
                 {"is_identity", kYesNo},          {"identity_generation", kCharData},
                 {"identity_start", kCharData},    {"identity_increment", kCharData},
                 {"identity_maximum", kCharData},  {"identity_minimum", kCharData},
                 {"identity_cycle", kYesNo},       {"is_generated", kCharData},
                 {"generation_expression", kCharData}, {"is_updatable", kYesNo}};
    for (const auto& v : visible(who, snap)) {
        for (const auto& [p, id] : v.products) {
            int pos = 0;
            for (const auto* c : exposed_columns(*p)) {
                ++pos;
                const auto ti = type_info(c->type);
                std::vector<Cell> r = {kCurrentDatabase,
                                       Cell::lit(v.domain->name),
                                       Cell::lit(p->name),
                                       Cell::lit(c->name),
                                       Cell::integer(pos),
                                       Cell::null(),
                                       Cell::lit("YES"),  // a mask may yield NULL anywhere
                                       Cell::lit(ti.data_type),
                                       opt(ti.char_max_length),
                                       opt(ti.char_octet_length),
                                       opt(ti.numeric_precision),
                                       opt(ti.numeric_radix),
                                       opt(ti.numeric_scale),
                                       opt(ti.datetime_precision),
                                       Cell::null(),
                                       Cell::null(),
                                       Cell::null(),
                                       Cell::null(),
                                       Cell::null(),
                                       Cell::null(),
                                       Cell::null(),
                                       Cell::null(),
                                       Cell::null(),
                                       Cell::null(),
                                       Cell::null(),
                                       kCurrentDatabase,
                                       Cell::lit(ti.known ? "pg_catalog" : ""),
                                       Cell::lit(ti.known ? ti.udt_name : c->type),
                                       Cell::null(),
                                       Cell::null(),
                                       Cell::null(),
                                       Cell::null(),
                                       Cell::lit(std::to_string(pos)),
                                       Cell::lit("NO"),
                                       Cell::lit("NO"),
                                       Cell::null(),
                                       Cell::null(),
                                       Cell::null(),
                                       Cell::null(),
                                       Cell::null(),
                                       Cell::lit("NO"),
                                       Cell::lit("NEVER"),
                                       Cell::null(),
                                       Cell::lit("NO")};
                if (!ti.known) {
                    r[26] = Cell::null();
                }
                t.rows.push_back(std::move(r));
            }
        }
    }
    t.real_rows = real_rows(t, "information_schema.columns", schemas_where("table_schema"));
    return t;
}

CatalogTable pg_namespace(const Identity& who, const config::Snapshot& snap)
{
    CatalogTable t;
    t.columns = {{"oid", kOid}, {"nspname", kName}, {"nspowner", kOid}, {"nspacl", kAcl}};
    for (const auto& v : visible(who, snap)) {
        t.rows.push_back({oid(v.nsp_oid), Cell::lit(v.domain->name), oid(kBootstrapSuperuser),
                          Cell::null()});
    }
    t.real_rows = real_rows(t, "pg_catalog.pg_namespace", schemas_where("nspname"));
    return t;
}

CatalogTable pg_class(const Identity& who, const config::Snapshot& snap)
{
    CatalogTable t;
    t.columns = {{"oid", kOid},
                 {"relname", kName},
                 {"relnamespace", kOid},
                 {"reltype", kOid},
                 {"reloftype", kOid},
                 {"relowner", kOid},
                 {"relam", kOid},
                 {"relfilenode", kOid},
                 {"reltablespace", kOid},
                 {"relpages", kInt4},
                 {"reltuples", "pg_catalog.float4"},
                 {"relallvisible", kInt4},
                 {"reltoastrelid", kOid},
                 {"relhasindex", kBool},
                 {"relisshared", kBool},
                 {"relpersistence", kChar},
                 {"relkind", kChar},
                 {"relnatts", kInt2},
                 {"relchecks", kInt2},
                 {"relhasrules", kBool},
                 {"relhastriggers", kBool},
                 {"relhassubclass", kBool},
                 {"relrowsecurity", kBool},
                 {"relforcerowsecurity", kBool},
                 {"relispopulated", kBool},
                 {"relreplident", kChar},
                 {"relispartition", kBool},
                 {"relrewrite", kOid},
                 {"relfrozenxid", "pg_catalog.xid"},
                 {"relminmxid", "pg_catalog.xid"},
                 {"relacl", kAcl},
                 {"reloptions", kTextArray},
                 {"relpartbound", "pg_catalog.pg_node_tree"}};
    const Cell f = Cell::boolean(false);
    for (const auto& v : visible(who, snap)) {
        for (const auto& [p, id] : v.products) {
            t.rows.push_back({oid(id), Cell::lit(p->name), oid(v.nsp_oid), oid(0), oid(0),
                              oid(kBootstrapSuperuser), oid(kHeapAm), oid(0), oid(0),
                              Cell::integer(0), Cell::integer(-1), Cell::integer(0), oid(0), f, f,
                              Cell::lit("p"), Cell::lit("r"),
                              Cell::integer(int64_t(exposed_columns(*p).size())), Cell::integer(0),
                              f, f, f, f, f, Cell::boolean(true), Cell::lit("d"), f, oid(0),
                              Cell::lit("0"), Cell::lit("0"), Cell::null(), Cell::null(),
                              Cell::null()});
        }
    }
    t.real_rows = real_rows(t, "pg_catalog.pg_class",
                            "oid < " + std::string(kFirstNormalObjectId) +
                                " AND relnamespace IN (SELECT oid FROM pg_catalog.pg_namespace "
                                "WHERE " + schemas_where("nspname") + ")");
    return t;
}

CatalogTable pg_attribute(const Identity& who, const config::Snapshot& snap)
{
    CatalogTable t;
    t.columns = {{"attrelid", kOid},     {"attname", kName},       {"atttypid", kOid},
                 {"attstattarget", kInt4}, {"attlen", kInt2},      {"attnum", kInt2},
                 {"attndims", kInt4},    {"attcacheoff", kInt4},   {"atttypmod", kInt4},
                 {"attbyval", kBool},    {"attalign", kChar},      {"attstorage", kChar},
                 {"attcompression", kChar}, {"attnotnull", kBool}, {"atthasdef", kBool},
                 {"atthasmissing", kBool}, {"attidentity", kChar}, {"attgenerated", kChar},
                 {"attisdropped", kBool}, {"attislocal", kBool},   {"attinhcount", kInt4},
                 {"attcollation", kOid}, {"attacl", kAcl},         {"attoptions", kTextArray},
                 {"attfdwoptions", kTextArray}, {"attmissingval", "pg_catalog.anyarray"}};
    const Cell f = Cell::boolean(false);
    for (const auto& v : visible(who, snap)) {
        for (const auto& [p, id] : v.products) {
            int num = 0;
            for (const auto* c : exposed_columns(*p)) {
                ++num;
                const auto ti = type_info(c->type);
                t.rows.push_back({oid(id), Cell::lit(c->name), oid(ti.oid), Cell::integer(-1),
                                  Cell::integer(ti.len), Cell::integer(num),
                                  Cell::integer(ti.ndims), Cell::integer(-1),
                                  Cell::integer(ti.typmod), Cell::boolean(ti.byval),
                                  character(ti.align), character(ti.storage), character('\0'),
                                  f, f, f, character('\0'), character('\0'), f,
                                  Cell::boolean(true), Cell::integer(0), oid(ti.collation),
                                  Cell::null(), Cell::null(), Cell::null(), Cell::null()});
            }
        }
    }
    t.real_rows = real_rows(t, "pg_catalog.pg_attribute",
                            "attrelid < " + std::string(kFirstNormalObjectId));
    return t;
}

CatalogTable pg_description(const Identity& who, const config::Snapshot& snap)
{
    CatalogTable t;
    t.columns = {{"objoid", kOid}, {"classoid", kOid}, {"objsubid", kInt4},
                 {"description", kText}};
    for (const auto& v : visible(who, snap)) {
        if (!v.domain->description.empty()) {
            t.rows.push_back({oid(v.nsp_oid), oid(kPgNamespaceOid), Cell::integer(0),
                              Cell::lit(v.domain->description)});
        }
        for (const auto& [p, id] : v.products) {
            if (!p->description.empty()) {
                t.rows.push_back({oid(id), oid(kPgClassOid), Cell::integer(0),
                                  Cell::lit(p->description)});
            }
            int num = 0;
            for (const auto* c : exposed_columns(*p)) {
                ++num;
                const auto* decl = p->declared(c->name);
                if (decl != nullptr && !decl->description.empty()) {
                    t.rows.push_back({oid(id), oid(kPgClassOid), Cell::integer(num),
                                      Cell::lit(decl->description)});
                }
            }
        }
    }
    t.real_rows = real_rows(t, "pg_catalog.pg_description",
                            "objoid < " + std::string(kFirstNormalObjectId));
    return t;
}

CatalogTable pg_tables(const Identity& who, const config::Snapshot& snap)
{
    CatalogTable t;
    t.columns = {{"schemaname", kName}, {"tablename", kName},  {"tableowner", kName},
                 {"tablespace", kName}, {"hasindexes", kBool}, {"hasrules", kBool},
                 {"hastriggers", kBool}, {"rowsecurity", kBool}};
    const Cell f = Cell::boolean(false);
    for (const auto& v : visible(who, snap)) {
        for (const auto& [p, id] : v.products) {
            t.rows.push_back({Cell::lit(v.domain->name), Cell::lit(p->name), Cell::lit("mesh"),
                              Cell::null(), f, f, f, f});
        }
    }
    t.real_rows = real_rows(t, "pg_catalog.pg_tables", schemas_where("schemaname"));
    return t;
}

CatalogTable pg_statistic_ext(const Identity&, const config::Snapshot&)
{
    // psql's \d reads it for the relation it describes; products have no statistics objects,
    // and the warehouse's (whose names and targets describe physical tables) stay hidden.
    CatalogTable t;
    t.columns = {{"oid", kOid},          {"stxrelid", kOid},        {"stxname", kName},
                 {"stxnamespace", kOid}, {"stxowner", kOid},        {"stxstattarget", kInt4},
                 {"stxkeys", "pg_catalog.int2vector"}, {"stxkind", "pg_catalog.\"char\"[]"},
                 {"stxexprs", "pg_catalog.pg_node_tree"}};
    return t;
}

std::optional<VirtualRelation> find_system_relation(std::string_view schema,
                                                    std::string_view relation)
{
    for (size_t i = 0; i < sizeof kSystemRelations / sizeof kSystemRelations[0]; ++i) {
        if (kSystemRelations[i].schema == schema && kSystemRelations[i].relation == relation) {
            return VirtualRelation(kFirstSystemRelation + int(i));
        }
    }
    return std::nullopt;
}

std::string system_relation_name(VirtualRelation r)
{
    const auto* s = system_relation(r);
    return s == nullptr ? std::string("virtual relation")
                        : std::string(s->schema) + "." + std::string(s->relation);
}

CatalogTable system_only(VirtualRelation r)
{
    using V = VirtualRelation;
    // Columns as "name type" pairs (PostgreSQL 15); types are pg_catalog's.
    std::string_view spec;
    std::string where;
    if (const auto* s = system_relation(r)) {
        spec = s->columns;
        where = std::string(s->where);
    }
    switch (r) {
    case V::PgViews:
        spec = "schemaname name, viewname name, viewowner name, definition text";
        where = schemas_where("schemaname");
        break;
    case V::PgMatviews:
        spec = "schemaname name, matviewname name, matviewowner name, tablespace name, "
               "hasindexes bool, ispopulated bool, definition text";
        break;
    case V::PgIndexes:
        spec = "schemaname name, tablename name, indexname name, tablespace name, indexdef text";
        where = schemas_where("schemaname");
        break;
    case V::PgSequences:
        spec = "schemaname name, sequencename name, sequenceowner name, data_type regtype, "
               "start_value int8, min_value int8, max_value int8, increment_by int8, cycle bool, "
               "cache_size int8, last_value int8";
        break;
    case V::PgStatUserTables:
        spec = "relid oid, schemaname name, relname name, seq_scan int8, seq_tup_read int8, "
               "idx_scan int8, idx_tup_fetch int8, n_tup_ins int8, n_tup_upd int8, n_tup_del int8, "
               "n_tup_hot_upd int8, n_live_tup int8, n_dead_tup int8, n_mod_since_analyze int8, "
               "n_ins_since_vacuum int8, last_vacuum timestamptz, last_autovacuum timestamptz, "
               "last_analyze timestamptz, last_autoanalyze timestamptz, vacuum_count int8, "
               "autovacuum_count int8, analyze_count int8, autoanalyze_count int8";
        break;
    default:
        break;
    }
    CatalogTable t;
    while (!spec.empty()) {
        const auto comma = spec.find(", ");
        const auto item = spec.substr(0, comma);
        const auto space = item.find(' ');
        const auto type = item.substr(space + 1);
        t.columns.push_back({std::string(item.substr(0, space)),
                             type.find('.') == std::string_view::npos
                                 ? "pg_catalog." + std::string(type)
                                 : std::string(type)});
        spec = comma == std::string_view::npos ? std::string_view{} : spec.substr(comma + 2);
    }
    if (!where.empty()) {
        t.real_rows = real_rows(t, virtual_relation_name(r), where);
    }
    return t;
}

}  // namespace meshgate::policy::catalog
