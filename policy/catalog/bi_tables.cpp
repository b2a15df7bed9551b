// information_schema and pg_catalog relations as BI tools and drivers read them: domains as
// schemas, the caller's accessible products as tables, their exposed columns with real type
// OIDs; plus the real rows of pg_catalog / information_schema themselves, never a warehouse's
// own schemas or tables. Layer: policy (pure).
#include "policy/catalog/type_info.hpp"
#include "policy/catalog/virtual_relation.hpp"

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

}  // namespace

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

CatalogTable system_only(VirtualRelation r)
{
    using V = VirtualRelation;
    // Columns as "name type" pairs (PostgreSQL 15); types are pg_catalog's.
    std::string_view spec;
    std::string where;
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
        t.columns.push_back({std::string(item.substr(0, space)),
                             "pg_catalog." + std::string(item.substr(space + 1))});
        spec = comma == std::string_view::npos ? std::string_view{} : spec.substr(comma + 2);
    }
    if (!where.empty()) {
        t.real_rows = real_rows(t, virtual_relation_name(r), where);
    }
    return t;
}

}  // namespace meshgate::policy::catalog
