"""e2e suite `oidleak`: no physical object name or existence through OID / object-name
introspection (SPEC §3 Catalog, issue 4 item 4: BI tools see the mesh's products, "not the
warehouses' physical tables, and nothing the user may not discover").

Seeds, on the warehouse, a table with a random marker name (with a serial column, a primary key,
a check constraint and an index), a view, an enum type and a function, all named after the
marker, and reads their OIDs straight from the warehouse. Then, through the shared gate:
- every OID-taking call (reg* casts of OIDs, pg_get_*def, format_type, pg_describe_object,
  pg_identify_object*, pg_partition_*, sizes, privileges, visibility) with those OIDs shows no
  marker and answers exactly as for an OID that names nothing;
- every name-taking form (reg* casts of strings, to_reg*, size/privilege/viewdef/serial-sequence
  functions) answers for the marker's names exactly as for names that do not exist (no
  existence oracle), with the name normalised out;
- a product's name resolves to the product's synthetic OID (the one pg_class shows);
- psql 15's \\d, \\dt, \\d+, \\dd, \\df, \\dT, \\l and pgjdbc getTables/getColumns/getPrimaryKeys/
  getIndexInfo still run and show no marker.
"""

import os
import re
import secrets
import sys

mg = sys.modules["__main__"]

TAG = secrets.token_hex(4)
MARK = f"zz_oidleak_{TAG}"        # every seeded object's name starts with this
NONE = f"zz_nothere_{TAG}"        # the same names, of objects that do not exist
USER = "alice"
UNUSED_OID = 4000000000           # in the physical range (>= 16384, < 0xF0000000), names nothing


def seed():
    c = mg.direct()
    c.autocommit = True
    with c.cursor() as cur:
        cur.execute(f"CREATE TABLE public.{MARK} (id serial PRIMARY KEY, "
                    f"secret_{TAG} text CHECK (secret_{TAG} <> 'x'))")
        cur.execute(f"CREATE INDEX {MARK}_idx ON public.{MARK} (secret_{TAG})")
        cur.execute(f"CREATE VIEW public.{MARK}_v AS SELECT id FROM public.{MARK}")
        cur.execute(f"CREATE TYPE public.{MARK}_t AS ENUM ('a')")
        cur.execute(f"CREATE FUNCTION public.{MARK}_f() RETURNS integer LANGUAGE sql AS 'SELECT 1'")
        cur.execute(f"GRANT SELECT ON public.{MARK}, public.{MARK}_v TO meshgate")
    c.close()


def cleanup():
    c = mg.direct()
    c.autocommit = True
    with c.cursor() as cur:
        cur.execute(f"DROP VIEW IF EXISTS public.{MARK}_v")
        cur.execute(f"DROP TABLE IF EXISTS public.{MARK}")
        cur.execute(f"DROP TYPE IF EXISTS public.{MARK}_t")
        cur.execute(f"DROP FUNCTION IF EXISTS public.{MARK}_f()")
    c.close()


def oids():
    """The seeded objects' OIDs, read from the warehouse."""
    one = lambda sql: int(mg.direct_rows(sql)[0][0])  # noqa: E731
    return {
        "table": one(f"SELECT 'public.{MARK}'::regclass::oid"),
        "rowtype": one(f"SELECT reltype FROM pg_class WHERE oid = 'public.{MARK}'::regclass"),
        "index": one(f"SELECT 'public.{MARK}_idx'::regclass::oid"),
        "pkey": one(f"SELECT 'public.{MARK}_pkey'::regclass::oid"),
        "seq": one(f"SELECT 'public.{MARK}_id_seq'::regclass::oid"),
        "view": one(f"SELECT 'public.{MARK}_v'::regclass::oid"),
        "rule": one(f"SELECT oid FROM pg_rewrite WHERE ev_class = 'public.{MARK}_v'::regclass"),
        "con": one(f"SELECT oid FROM pg_constraint WHERE conrelid = 'public.{MARK}'::regclass "
                   f"AND contype = 'c'"),
        "type": one(f"SELECT 'public.{MARK}_t'::regtype::oid"),
        "func": one(f"SELECT 'public.{MARK}_f'::regproc::oid"),
        "attrdef": one(f"SELECT oid FROM pg_attrdef WHERE adrelid = 'public.{MARK}'::regclass"),
    }


def run(queries):
    """Each query in its own psql -c (one session); returns [(stdout, stderr)] per query."""
    out = []
    for q in queries:
        rc, o, e = mg.psql(USER, [q])
        out.append((o, re.sub(r"LINE \d+:.*|\^|LOCATION:.*|\s+", " ", e).strip()))
    return out


OID_QUERIES = [
    "SELECT {table}::regclass", "SELECT CAST({table} AS regclass)::text",
    "SELECT ({table}::oid)::pg_catalog.regclass", "SELECT {type}::regtype, {rowtype}::regtype",
    "SELECT {func}::regproc, {func}::regprocedure", "SELECT 2200::regnamespace",
    "SELECT pg_get_indexdef({index})", "SELECT pg_get_indexdef({pkey}, 1, true)",
    "SELECT pg_get_constraintdef({con})", "SELECT pg_get_constraintdef({con}, true)",
    "SELECT pg_get_viewdef({view})", "SELECT pg_get_viewdef({view}, true)",
    "SELECT pg_get_ruledef({rule})", "SELECT pg_get_triggerdef({con})",
    "SELECT pg_get_partkeydef({table})", "SELECT pg_get_expr(NULL, {table})",
    "SELECT format_type({type}, NULL), format_type({rowtype}, -1)",
    "SELECT pg_describe_object('pg_class'::regclass, {table}, 0)",
    "SELECT pg_describe_object(1259, {index}, 0), pg_describe_object(2604, {attrdef}, 0)",
    "SELECT pg_identify_object('pg_class'::regclass, {table}, 0)",
    "SELECT pg_identify_object_as_address(1259, {table}, 0)",
    "SELECT * FROM pg_partition_tree({table})", "SELECT * FROM pg_partition_ancestors({table})",
    "SELECT pg_partition_root({table})",
    "SELECT pg_relation_size({table}), pg_total_relation_size({table}), pg_table_size({table}), "
    "pg_indexes_size({table})",
    "SELECT pg_relation_filenode({table}), pg_relation_filepath({table})",
    "SELECT has_table_privilege({table}, 'select'), has_any_column_privilege({table}, 'select')",
    "SELECT has_column_privilege({table}, 1::int2, 'select')",
    "SELECT has_sequence_privilege({seq}, 'usage'), has_type_privilege({type}, 'usage')",
    "SELECT has_function_privilege({func}, 'execute')",
    "SELECT pg_get_functiondef({func}), pg_get_function_arguments({func}), "
    "pg_get_function_result({func})",
    "SELECT pg_type_is_visible({type}), pg_function_is_visible({func})",
    "SELECT pg_catalog.pg_get_indexdef(i.x) FROM (VALUES ({index}::oid)) i(x)",
]

NAME_QUERIES = [
    "SELECT 'public.{n}'::regclass", "SELECT '{n}'::regclass", "SELECT regclass 'public.{n}'",
    "SELECT to_regclass('public.{n}'), to_regclass('{n}')",
    "SELECT 'public.{n}_t'::regtype", "SELECT to_regtype('public.{n}_t'), to_regtype('{n}_t')",
    "SELECT 'public.{n}_f'::regproc", "SELECT to_regproc('public.{n}_f'), "
    "to_regprocedure('public.{n}_f()')",
    "SELECT 'public.{n}_f()'::regprocedure",
    "SELECT pg_relation_size('public.{n}')", "SELECT pg_total_relation_size('{n}')",
    "SELECT has_table_privilege('public.{n}', 'select')",
    "SELECT has_table_privilege('meshgate', 'public.{n}', 'select')",
    "SELECT has_column_privilege('public.{n}', 'id', 'select')",
    "SELECT has_any_column_privilege('public.{n}', 'select')",
    "SELECT has_sequence_privilege('public.{n}_id_seq', 'usage')",
    "SELECT has_function_privilege('public.{n}_f()', 'execute')",
    "SELECT has_type_privilege('public.{n}_t', 'usage')",
    "SELECT pg_get_viewdef('public.{n}_v')", "SELECT pg_get_viewdef('{n}_v', true)",
    "SELECT pg_get_serial_sequence('public.{n}', 'id')",
    "SELECT * FROM pg_partition_tree('public.{n}')",
    "SELECT pg_sequence_last_value('public.{n}_id_seq')",
    "SELECT regclassin('public.{n}')", "SELECT pg_catalog.regclass('public.{n}'::text)",
    "SELECT 'public.{n}'::text::regclass", "SELECT ('public.' || '{n}')::regclass",
    "SELECT '{{public.{n}}}'::regclass[]",
    "SELECT pg_get_object_address('table', '{{public,{n}}}', '{{}}')",
    "SELECT 1259::regclass = 'public.{n}'", "SELECT 'pg_class'::regclass IN ('pg_type', 'public.{n}')",
    "SELECT 23::regtype = 'public.{n}_t'", "SELECT 1 WHERE to_regclass('pg_class') <> '{n}'",
    "SELECT COALESCE(1259::regclass, 'public.{n}')", "SELECT ARRAY[1259::regclass, 'public.{n}']",
    "SELECT 1259::regclass UNION SELECT 'public.{n}'", "VALUES (1259::regclass), ('public.{n}')",
    "SELECT CASE 1259::regclass WHEN 'public.{n}' THEN 1 END",
    "SELECT has_table_privilege(current_user, 'public.' || '{n}', 'SELECT')",
    "SELECT pg_relation_size(x) FROM (VALUES ('public.{n}'::text)) v(x)",
    "SELECT has_schema_privilege(x, 'USAGE') FROM (VALUES ('{n}'::text)) v(x)",
]


def strip_oids(text, ids):
    for v in sorted({str(x) for x in ids.values()} | {str(UNUSED_OID)}, key=len, reverse=True):
        text = text.replace(v, "X")
    return text


def check_oid_calls(ids):
    R = mg.R
    real = run([q.format(**ids) for q in OID_QUERIES])
    none = run([q.format(**{k: UNUSED_OID for k in ids}) for q in OID_QUERIES])
    for q, (ro, re_), (no, ne) in zip(OID_QUERIES, real, none):
        blob = ro + re_
        R.check(f"no physical name via: {q}", MARK not in blob and f"secret_{TAG}" not in blob, blob[:300])
        R.eq(f"a physical OID answers like one that names nothing: {q}", (ro, strip_oids(re_, ids)),
             (no, strip_oids(ne, ids)))
    # The system's own objects still answer (BI tools format their types and read pg_catalog).
    probes = [("SELECT format_type(23, NULL)", "integer"), ("SELECT 'pg_class'::regclass::oid", "1259"),
              ("SELECT 'pg_catalog.pg_class'::regclass", "pg_class"), ("SELECT 1259::regclass", "pg_class"),
              ("SELECT '1259'::regclass", "pg_class"), ("SELECT 'int4'::regtype", "integer"),
              ("SELECT to_regclass('pg_catalog.pg_type')::oid", "1247"),
              ("SELECT 11::regnamespace", "pg_catalog"),
              ("SELECT has_schema_privilege('pg_catalog', 'usage')", "t"),
              ("SELECT pg_get_indexdef('pg_class_oid_index'::regclass) LIKE 'CREATE UNIQUE INDEX%'", "t"),
              ("SELECT pg_relation_size('pg_catalog.pg_class') > 0", "t")]
    for q, want in probes:
        rc, out, err = mg.psql(USER, [q])
        R.eq(f"system objects still resolve and format: {q}", (mg.lines(out), mg.sqlstates(err)), ([want], []))


def check_name_calls():
    R = mg.R
    real = run([q.format(n=MARK) for q in NAME_QUERIES])
    none = run([q.format(n=NONE) for q in NAME_QUERIES])
    for q, (ro, re_), (no, ne) in zip(NAME_QUERIES, real, none):
        R.check(f"no physical name via: {q}", MARK not in ro and f"secret_{TAG}" not in ro + re_,
                (ro + re_)[:300])
        R.eq(f"an existing physical name answers like a missing one: {q}",
             (ro, re_.replace(MARK, "N")), (no, ne.replace(NONE, "N")))
        R.check(f"refused or empty, never the object: {q}", not mg.lines(ro) or
                all(l.strip("|") == "" for l in mg.lines(ro)), ro + re_)


def check_products():
    R = mg.R
    rc, out, err = mg.psql(USER, ["SELECT domain, product FROM mesh.products WHERE accessible "
                                  "ORDER BY 1, 2 LIMIT 1"])
    got = [l.split("|") for l in mg.lines(out)]
    if not R.check(f"{USER} may read some product", len(got) == 1, out + err):
        return None
    d, p = got[0]
    rc, out, err = mg.psql(USER, [
        f"SELECT c.oid FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n "
        f"ON n.oid = c.relnamespace WHERE n.nspname = '{d}' AND c.relname = '{p}'",
        f"SELECT '{d}.{p}'::regclass::oid", f"SELECT to_regclass('{d}.{p}')::oid",
        f"SELECT '{d}'::regnamespace::oid = (SELECT oid FROM pg_namespace WHERE nspname = '{d}')",
        f"SELECT pg_relation_size('{d}.{p}') IS NULL, has_table_privilege('{d}.{p}', 'select')",
        f"SELECT count(*) FROM pg_attribute WHERE attrelid = '{d}.{p}'::regclass AND attnum > 0"])
    ls = mg.lines(out)
    R.check(f"a product's name resolves to its synthetic OID ({d}.{p})",
            len(ls) == 6 and ls[0] == ls[1] == ls[2] and int(ls[0]) >= 0xF0000000 and ls[3] == "t"
            and ls[4] == "t|t" and int(ls[5]) > 0, out + err)
    rc, out, err = mg.psql(USER, [f"SELECT 'nosuchdomain_{TAG}.x'::regclass", f"SELECT '{d}.nosuch_{TAG}'::regclass"])
    R.eq("an unknown product name is 42P01", mg.sqlstates(err), ["42P01", "42P01"])
    return d, p


def check_clients(product):
    R = mg.R
    d, p = product
    outs = []
    # Metabase's table-privilege sync (postgres driver) computes quoted names per row.
    metabase = ("SELECT t.schemaname AS schema, t.tablename AS table, "
                "pg_catalog.has_table_privilege(current_user, '\"' || t.schemaname || '\"' || '.' || "
                "'\"' || t.tablename || '\"', 'SELECT') AS select FROM pg_catalog.pg_tables t "
                "WHERE t.schemaname !~ '^pg_' AND t.schemaname <> 'information_schema' ORDER BY 1, 2")
    rc, out, err = mg.psql(USER, [metabase])
    outs.append(out + err)
    R.check("Metabase's table-privilege query runs and lists the product as selectable",
            not mg.sqlstates(err) and [d, p, "t"] in [l.split("|") for l in mg.lines(out)], out + err)
    rc, out, err = mg.psql(USER, [f"SELECT has_table_privilege('{d}.{p}', 'SELECT'), "
                                  f"has_table_privilege('\"{d}\".\"{p}\"', 'UPDATE'), "
                                  f"has_any_column_privilege('{d}.{p}', 'select')"])
    R.eq("privilege functions answer for a readable product (read-only)", mg.lines(out), ["t|f|t"])
    for cmd in ["\\d", "\\dt", f"\\d {d}.{p}", f"\\d+ {d}.{p}", "\\dd", f"\\dd {d}.*", "\\df",
                "\\dT", "\\dT+", "\\l", "\\dv", "\\di", "\\ds", f"\\d public.{MARK}", "\\dt *.*",
                f"\\dt public.{MARK}*", f"\\d {MARK}"]:
        rc, out, err = mg.psql(USER, [cmd], tuples=False)
        outs.append(out + err)
        R.check(f"psql {cmd} runs", "ERROR" not in err and not mg.sqlstates(err), err[-400:])
    rc, out, err = mg.psql(USER, [f"\\d {d}.{p}"], tuples=False)
    R.check(f"psql \\d {d}.{p} shows the product's columns", "Column" in out, out + err)
    if mg.shutil.which("java") and os.path.exists(mg.JDBC_JAR):
        env = {"MG_PORT": str(mg.ENV.mg_port), "MG_USER": USER, "MG_PASSWORD": mg.Env.password(USER),
               "MG_SCHEMAS": f"{d},public", "MG_KEYS": f"{d}.{p},public.{MARK}"}
        rc, out, err = mg.run(["java", "-cp", mg.JDBC_JAR,
                               os.path.join(mg.HERE, "clients", "JdbcCatalog.java")], env, timeout=120)
        R.check("pgjdbc getTables/getColumns/getPrimaryKeys/getIndexInfo run to the end", "done" in out,
                (out + err)[-1500:])
        errors = {l.split("\t")[1]: l for l in out.splitlines() if l.startswith("error\t")}
        for call in ("getPrimaryKeys", "getIndexInfo"):
            R.check(f"pgjdbc {call} runs through meshgate", call not in errors, errors.get(call, ""))
        R.check("pgjdbc getColumns lists the product's columns",
                any(l.split("\t")[:3] == ["column", d, p] for l in out.splitlines()), out[-800:])
        outs.append(out + err)
    else:
        R.check("java and pgjdbc are installed", False, "deploy/install-deps.sh installs them")
    blob = "\n".join(outs)
    R.check("no client metadata answer names a seeded physical object",
            MARK not in blob.replace(f"public.{MARK}", "") and f"secret_{TAG}" not in blob,
            [l for l in blob.splitlines() if MARK in l][:5])


def check_parse_types():
    """A Parse that declares a reg* parameter (regclass = 2205) would make the backend look the
    bound text up by name: refused with 0A000 before it reaches the backend, session usable."""
    R = mg.R
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import _pgwire
    conn = _pgwire.Conn("127.0.0.1", mg.ENV.mg_port, USER, mg.Env.password(USER))
    try:
        for oid, name in ((2205, "regclass"), (2206, "regtype"), (2210, "regclass[]")):
            conn.parse("SELECT $1 IS NULL", param_types=(oid,))
            conn.bind(params=(f"public.{MARK}",))
            conn.execute()
            res = conn.sync()
            R.eq(f"a Parse declaring a {name} parameter is refused (0A000)", res.sqlstates,
                 ["0A000"])
            R.check(f"the {name} refusal names no physical object", MARK not in repr(res), res)
        conn.parse("SELECT $1::int + 1", param_types=(23,))
        conn.bind(params=("41",))
        conn.execute()
        res = conn.sync()
        R.eq("after the refusals an int4 parameter still works", res.text_rows(), [["42"]])
    finally:
        conn.close()


def suite_oidleak():
    R = mg.R
    R.suite = "oidleak"
    seed()
    try:
        ids = oids()
        R.check("sanity: the warehouse names the marker table by its OID",
                mg.direct_rows(f"SELECT {ids['table']}::regclass::text")[0][0] == MARK)
        check_oid_calls(ids)
        check_name_calls()
        check_parse_types()
        product = check_products()
        if product:
            check_clients(product)
    finally:
        cleanup()


SUITES = {"oidleak": suite_oidleak}
