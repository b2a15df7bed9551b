"""e2e suite `catalog`: the mesh catalog and BI-tool introspection (SPEC §3 Catalog, issue 4
items 3 and 4).

Seeds two physical tables with random names (one the source of the suite's products, one that
no product names), writes a domain file `cat<tag>` with products of different access rules,
purposes, masks and descriptions, and starts a private `meshgate serve` (_owngate.py) with the
demo domains plus that one. Every expectation is computed from the domain files on disk (the
suite's and the demo's), from the global policies of the config, or from the warehouse itself
(column names and types of the physical source): nothing is written down in advance.

Checks: mesh.domains/products/columns/policies/whoami rows, types, joins and `accessible` /
`masked` per user and purpose; information_schema schemata/tables/columns; psql `\\dn`, `\\dt`,
`\\d`; pgjdbc getSchemas/getTables/getColumns; Metabase- and DBeaver-style sync queries; and that
no physical table or schema name of the warehouse appears in any of it.
"""

import os
import re
import secrets
import sys

import yaml

mg = sys.modules["__main__"]
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _owngate  # noqa: E402

TAG = secrets.token_hex(3)
DOMAIN = f"cat{TAG}"
SRC = f"zz_cat_src_{TAG}"          # physical source of the suite's products
HIDDEN = f"zz_cat_hidden_{TAG}"    # physical table no product names
PHYSICAL_SCHEMAS = ("public", "crm")

USERS = {
    "cat_alice": {"password": f"cat-alice-{TAG}", "groups": ["cat-readers"],
                  "attributes": {"purposes": ["audit"], "region": "EU"}, "search_path": [DOMAIN]},
    "cat_mallory": {"password": f"cat-mallory-{TAG}", "groups": ["cat-readers", "privacy-officers"],
                    "attributes": {"purposes": ["fraud"]}, "search_path": [DOMAIN]},
}

DOMAIN_YAML = f"""
domain: {DOMAIN}
description: Catalog test domain {TAG}
owners: [group:cat-owners-{TAG}, user:cat_alice]
backend: BACKEND
products:
  ledger:
    source: public.{SRC}
    description: Ledger of {TAG}
    columns:
      email: {{ tags: [pii.email], description: Contact of {TAG} }}
      amount: {{ description: Amount in EUR }}
    access:
      allow: [group:cat-readers]
    masks:
      - name: hide-note-{TAG}
        column: note
        with: null
        except: [user:cat_alice]
  audited:
    source: public.{SRC}
    description: Needs purpose audit
    access: {{ allow: [user:cat_alice, user:cat_mallory] }}
    purposes: [audit]
  forbidden:
    source: public.{SRC}
    access:
      allow: [group:cat-readers]
      deny: [user:cat_mallory]
  closed:
    source: public.{SRC}
    description: No access policy, so nobody reads it
"""

GATE = None
STRENGTH = {"null": 6, "constant": 5, "hash": 4, "regex": 3, "partial": 2, "round": 1, "truncate": 1}


# ---------------------------------------------------------------------------------------------
# The configuration as the gate loaded it, and what it implies for a user.

def load_config():
    domains = {}
    ddir = os.path.join(GATE.dir, "domains")
    for f in sorted(os.listdir(ddir)):
        if f.endswith(".yaml"):
            with open(os.path.join(ddir, f)) as fh:
                d = yaml.safe_load(fh)
            domains[d["domain"]] = d
    return domains, GATE.cfg.get("policies") or [], GATE.cfg["users"]


def matches(principal, user, ucfg):
    if principal == "everyone":
        return True
    kind, _, rest = principal.partition(":")
    if kind == "user":
        return rest == user
    if kind == "group":
        return rest in (ucfg.get("groups") or [])
    if kind == "attr":
        k, _, v = rest.partition("=")
        val = (ucfg.get("attributes") or {}).get(k)
        return v in val if isinstance(val, list) else val == v
    return False


def any_match(principals, user, ucfg):
    return any(matches(p, user, ucfg) for p in principals or [])


def accessible(prod, user, ucfg, purpose):
    acc = prod.get("access")
    if not acc or any_match(acc.get("deny"), user, ucfg) or not any_match(acc.get("allow"), user, ucfg):
        return False
    if prod.get("purposes"):
        mine = (ucfg.get("attributes") or {}).get("purposes") or []
        mine = mine if isinstance(mine, list) else [mine]
        return purpose is not None and purpose in prod["purposes"] and purpose in mine
    return True


def mask_kind(spec):
    if spec is None:
        return "null"  # YAML reads `with: null` as None
    return spec if isinstance(spec, str) else next(iter(spec))


def winning_mask(prod, column, user, ucfg, global_policies):
    tags = ((prod.get("columns") or {}).get(column) or {}).get("tags") or []
    best = None
    for g in global_policies:
        m = g.get("mask")
        if m and set(m.get("tags") or []) & set(tags) and not any_match(g.get("except"), user, ucfg):
            k = mask_kind(m["with"])
            if best is None or STRENGTH[k] > STRENGTH[best]:
                best = k
    for m in prod.get("masks") or []:
        if m["column"] == column and not any_match(m.get("except"), user, ucfg):
            k = mask_kind(m["with"])
            if best is None or STRENGTH[k] > STRENGTH[best]:
                best = k
    return best


def physical_columns(relation):
    """(name, format_type, udt_name, information_schema data_type) of a warehouse relation."""
    schema, _, rel = relation.partition(".")
    return mg.direct_rows(
        "SELECT a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod), t.typname, c.data_type "
        "FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid "
        "JOIN information_schema.columns c ON c.table_schema = %s AND c.table_name = %s "
        "AND c.column_name = a.attname "
        "WHERE a.attrelid = (quote_ident(%s) || '.' || quote_ident(%s))::regclass "
        "AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum", (schema, rel, schema, rel))


# ---------------------------------------------------------------------------------------------
# Clients against the private gate.

def password(user):
    return GATE.passwords.get(user) or mg.Env.password(user)


def psql(user, commands, purpose=None, tuples=True):
    cmd = [mg.PSQL, "-X", "-q", "-v", "ON_ERROR_STOP=0", "-v", "VERBOSITY=verbose", "-A", "-F", "|"]
    if tuples:
        cmd.append("-t")
    cmd.append(f"host=127.0.0.1 port={GATE.port} dbname=mesh user={user} sslmode=disable connect_timeout=10")
    for c in commands:
        cmd += ["-c", c]
    env = {"PGPASSWORD": password(user), "PGCONNECT_TIMEOUT": "10"}
    if purpose:
        env["PGOPTIONS"] = f"-c meshgate.purpose={purpose}"
    return mg.run(cmd, env)


def rows(out):
    return [l.split("|") for l in mg.lines(out)]


def seed():
    c = mg.direct()
    c.autocommit = True
    with c.cursor() as cur:
        cur.execute(f"CREATE TABLE public.{SRC} (id integer PRIMARY KEY, email text, amount numeric(12,3), "
                    f"note character varying(20), booked date, flags text[])")
        cur.execute(f"INSERT INTO public.{SRC} VALUES (1, 'a@{TAG}.example', 1.5, 'n-{TAG}', "
                    f"'2024-01-02', ARRAY['x'])")
        cur.execute(f"CREATE TABLE public.{HIDDEN} (secret_{TAG} text)")
        cur.execute(f"GRANT SELECT ON public.{SRC}, public.{HIDDEN} TO meshgate")
    c.close()


def cleanup():
    c = mg.direct()
    c.autocommit = True
    with c.cursor() as cur:
        cur.execute(f"DROP TABLE IF EXISTS public.{SRC}, public.{HIDDEN}")
    c.close()


# ---------------------------------------------------------------------------------------------
# The checks.

def check_mesh_catalog(domains, policies, users):
    R = mg.R
    all_products = sorted(f"{d}.{p}" for d, dom in domains.items() for p in dom.get("products") or {})
    cases = [("cat_alice", None), ("cat_alice", "audit"), ("cat_mallory", None), ("cat_mallory", "audit"),
             ("alice", None), ("mallory", "fraud")]
    for user, purpose in cases:
        rc, out, err = psql(user, ["SELECT address, accessible FROM mesh.products ORDER BY address"], purpose)
        want = [[a, "t" if accessible(domains[a.split(".")[0]]["products"][a.split(".", 1)[1]], user,
                                      users[user], purpose) else "f"] for a in all_products]
        R.eq(f"mesh.products lists every product with accessible for {user} (purpose {purpose})",
             rows(out), want)
    R.check("sanity: accessibility differs between the cases",
            accessible(domains[DOMAIN]["products"]["audited"], "cat_alice", users["cat_alice"], "audit")
            and not accessible(domains[DOMAIN]["products"]["audited"], "cat_alice", users["cat_alice"], None)
            and not accessible(domains[DOMAIN]["products"]["forbidden"], "cat_mallory", users["cat_mallory"], None))

    rc, out, err = psql("cat_alice", ["SELECT domain, description, owners::text, backend FROM mesh.domains ORDER BY 1"])
    want = [[d, dom.get("description") or "", "{" + ",".join(dom.get("owners") or []) + "}", dom["backend"]]
            for d, dom in sorted(domains.items())]
    R.eq("mesh.domains lists every domain with description, owners and backend", rows(out), want)

    ledger = domains[DOMAIN]["products"]["ledger"]
    phys = physical_columns(f"public.{SRC}")
    for user in ("cat_alice", "cat_mallory"):
        rc, out, err = psql(user, [f"SELECT column_name, data_type, tags::text, masked, coalesce(mask, '-') "
                                   f"FROM mesh.columns WHERE domain = '{DOMAIN}' AND product = 'ledger'"])
        want = []
        for name, ftype, _udt, _dt in phys:
            tags = ((ledger.get("columns") or {}).get(name) or {}).get("tags") or []
            m = winning_mask(ledger, name, user, users[user], policies)
            want.append([name, ftype, "{" + ",".join(tags) + "}", "t" if m else "f", m or "-"])
        R.eq(f"mesh.columns: learned columns, types and the masks that apply to {user}", rows(out), want)
    R.check("sanity: the masks differ between cat_alice and cat_mallory",
            winning_mask(ledger, "note", "cat_alice", users["cat_alice"], policies)
            != winning_mask(ledger, "note", "cat_mallory", users["cat_mallory"], policies)
            and winning_mask(ledger, "email", "cat_alice", users["cat_alice"], policies) is not None)

    for user in ("cat_alice", "cat_mallory"):
        rc, out, err = psql(user, [f"SELECT policy, kind, applies_to_me FROM mesh.policies "
                                   f"WHERE domain = '{DOMAIN}' AND product = 'ledger' AND kind = 'mask' ORDER BY 1"])
        want = sorted([[m["name"], "mask", "f" if any_match(m.get("except"), user, users[user]) else "t"]
                       for m in ledger.get("masks") or []]
                      + [[g["name"], "mask", "f" if any_match(g.get("except"), user, users[user]) else "t"]
                         for g in policies if g.get("mask") and set(g["mask"].get("tags") or []) &
                         {t for c in (ledger.get("columns") or {}).values() for t in (c or {}).get("tags") or []}])
        R.eq(f"mesh.policies: which masks of {DOMAIN}.ledger apply to {user}", rows(out), want)

    rc, out, err = psql("cat_alice", ["SELECT user_name, groups::text, attributes->>'region', purpose FROM mesh.whoami"],
                        "audit")
    u = users["cat_alice"]
    R.eq("mesh.whoami shows the caller, groups, attributes and the session's purpose", rows(out),
         [["cat_alice", "{" + ",".join(u["groups"]) + "}", u["attributes"]["region"], "audit"]])

    # Types hold, also for an empty result; WHERE, ORDER BY and joins work.
    rc, out, err = psql("cat_alice", [
        "SELECT pg_typeof(owners)::text, pg_typeof(accessible)::text, pg_typeof(tags)::text FROM mesh.products LIMIT 1",
        "SELECT pg_typeof(attributes)::text FROM mesh.whoami",
        "SELECT count(*) FROM mesh.columns WHERE product = 'no-such-product'",
        f"SELECT p.product, count(c.column_name) FROM mesh.products p JOIN mesh.columns c USING (domain, product) "
        f"WHERE p.domain = '{DOMAIN}' GROUP BY 1 ORDER BY 1"])
    want_join = [[p, str(len(phys))] for p in sorted(domains[DOMAIN]["products"])]
    R.eq("catalog columns are typed text[]/boolean/jsonb; an empty result and a join work", rows(out),
         [["text[]", "boolean", "text[]"], ["jsonb"], ["0"]] + want_join)
    rc, out, err = psql("cat_alice", ["SELECT current_schemas(false)::text, current_schema",
                                      "SET search_path TO mesh, " + DOMAIN,
                                      "SELECT count(*) FROM products WHERE domain = current_schema"])
    path = [d for d in users["cat_alice"]["search_path"] if d in domains]
    R.eq("current_schemas()/current_schema follow meshgate's search_path; SET search_path TO mesh "
         "makes the catalog addressable unqualified", mg.lines(out),
         ["{" + ",".join(path) + "}|" + path[0], str(len(domains[DOMAIN]["products"]))])
    rc, out, err = psql("cat_alice", ["SELECT * FROM mesh.nosuch", "SELECT 'still-ok'"])
    R.check("an unknown mesh relation is 42P01 and the session stays usable",
            mg.sqlstates(err) == ["42P01"] and mg.lines(out) == ["still-ok"], out + err)
    rc, out, err = psql("cat_alice", ["SELECT count(*) FROM mesh.columns c, mesh.products p "
                                      "WHERE c.mask = 'hash' AND p.domain = c.domain"])
    R.check("a catalog join needs no product access (catalog only)", rc == 0 and not mg.sqlstates(err), err)
    key = mg.ENV.hash_key
    rc, out, err = psql("cat_alice", ["SELECT * FROM mesh.columns", "SELECT * FROM mesh.policies",
                                      "SELECT * FROM mesh.products"], tuples=False)
    R.check("no data value or key appears in the catalog",
            rc == 0 and key not in out and f"a@{TAG}" not in out and f"n-{TAG}" not in out, (out + err)[-800:])


def check_introspection(domains, users):
    R = mg.R
    listed = sorted(d for d in domains if not d.startswith("pg_") and d not in ("mesh", "public", "information_schema"))
    phys = physical_columns(f"public.{SRC}")
    user, purpose = "cat_mallory", None

    def acc_products(u, p):
        return sorted((d, name) for d in listed for name, prod in (domains[d].get("products") or {}).items()
                      if accessible(prod, u, users[u], p))

    want_tables = acc_products(user, purpose)
    rc, out, err = psql(user, [
        "SELECT schema_name FROM information_schema.schemata "
        "WHERE schema_name NOT IN ('pg_catalog', 'information_schema') ORDER BY 1"])
    R.eq("information_schema.schemata lists the domains as schemas", mg.lines(out), listed)
    rc, out, err = psql(user, [
        "SELECT table_schema, table_name, table_type FROM information_schema.tables "
        "WHERE table_schema NOT IN ('pg_catalog', 'information_schema') ORDER BY 1, 2"])
    R.eq(f"information_schema.tables lists the products {user} may read", rows(out),
         [[d, p, "BASE TABLE"] for d, p in want_tables])
    rc, out, err = psql(user, [
        "SELECT column_name, ordinal_position, data_type, udt_name FROM information_schema.columns "
        f"WHERE table_schema = '{DOMAIN}' AND table_name = 'ledger' ORDER BY ordinal_position"])
    R.eq("information_schema.columns has the source's columns, positions and types", rows(out),
         [[n, str(i + 1), dt, udt] for i, (n, _f, udt, dt) in enumerate(phys)])

    # psql's backslash commands (psql 15 sends its own catalog queries).
    rc, out, err = psql(user, ["\\dn"])
    R.eq("psql \\dn lists the domains and nothing else", [r[0] for r in rows(out)], listed)
    rc, out, err = psql(user, [f"\\dt {DOMAIN}.*"])
    R.eq(f"psql \\dt {DOMAIN}.* lists the readable products as tables", [r[:3] for r in rows(out)],
         [[d, p, "table"] for d, p in want_tables if d == DOMAIN])
    rc, out, err = psql(user, [f"\\d {DOMAIN}.ledger"], tuples=False)
    got = [[c.strip() for c in l.split("|")][:2] for l in out.splitlines() if "|" in l]
    R.eq(f"psql \\d {DOMAIN}.ledger shows the columns with their types", got,
         [["Column", "Type"]] + [[n, f] for n, f, _u, _d in phys])
    # Unqualified: the user's search_path is the test domain (pg_table_is_visible follows it).
    rc, out, err = psql(user, ["\\dt"])
    R.eq("psql \\dt lists the readable products of the search_path's domains", [r[:3] for r in rows(out)],
         [[d, p, "table"] for d, p in want_tables if d in users[user]["search_path"]])
    rc, out, err = psql(user, ["\\d ledger"], tuples=False)
    got = [[c.strip() for c in l.split("|")][:2] for l in out.splitlines() if "|" in l]
    R.eq("psql \\d ledger (unqualified) finds the product along the search_path", got,
         [["Column", "Type"]] + [[n, f] for n, f, _u, _d in phys])
    rc, out, err = psql(user, [f"\\dt+ {DOMAIN}.*", "\\dn+"])
    descs = {r[1]: r[-1] for r in rows(out)}
    R.check("psql \\dt+ and \\dn+ show product and domain descriptions",
            descs.get("ledger") == domains[DOMAIN]["products"]["ledger"]["description"]
            and any(r[0] == DOMAIN and r[-1] == domains[DOMAIN]["description"]
                                                  for r in rows(out)), out + err)
    rc, out, err = psql(user, [f"\\d+ {DOMAIN}.ledger"], tuples=False)
    decl = domains[DOMAIN]["products"]["ledger"].get("columns") or {}
    got = {l.split("|")[0].strip(): l.split("|")[-1].strip() for l in out.splitlines() if "|" in l}
    R.eq("psql \\d+ shows the declared column descriptions",
         {n: got.get(n) for n in decl}, {n: (c or {}).get("description") or "" for n, c in decl.items()})
    rc, out, err = psql(user, [f"\\d {DOMAIN}.forbidden", "\\dt public.*", f"\\d public.{SRC}"])
    R.check("psql \\d of a product the user may not read, and of physical tables, find nothing",
            mg.lines(out) == [] and not mg.sqlstates(err), f"rc={rc} " + out + err)

    # pgjdbc DatabaseMetaData.
    env = {"MG_PORT": str(GATE.port), "MG_USER": user, "MG_PASSWORD": password(user),
           "MG_SCHEMAS": f"{DOMAIN},public,crm"}
    rc, out, err = mg.run(["java", "-cp", mg.JDBC_JAR, os.path.join(mg.HERE, "clients", "JdbcCatalog.java")],
                          env, timeout=120)
    R.check("pgjdbc metadata client ran to the end", "done" in out, (out + err)[-1500:])
    lines_ = [l.split("\t") for l in out.splitlines()]
    schemas = sorted(l[1] for l in lines_ if l[0] == "schema" and l[1] not in ("pg_catalog", "information_schema"))
    R.eq("pgjdbc getSchemas lists the domains", schemas, listed)
    tables = sorted((l[1], l[2]) for l in lines_ if l[0] == "table")
    R.eq("pgjdbc getTables(TABLE, VIEW) lists the readable products", tables, want_tables)
    ledger = domains[DOMAIN]["products"]["ledger"]
    remarks = [l[4] for l in lines_ if l[0] == "table" and l[2] == "ledger"]
    R.eq("pgjdbc getTables carries the product description as REMARKS", remarks, [ledger["description"]])
    cols = [(l[3], l[4], l[5], l[6]) for l in lines_ if l[0] == "column" and l[2] == "ledger"]
    decl = ledger.get("columns") or {}
    R.eq("pgjdbc getColumns lists the source's columns with types and descriptions", cols,
         [(n, udt, str(i + 1), (decl.get(n) or {}).get("description") or "null")
          for i, (n, _f, udt, _d) in enumerate(phys)])
    R.check("pgjdbc getColumns of physical schemas finds nothing",
            not [l for l in lines_ if l[0] == "column" and l[1] in PHYSICAL_SCHEMAS], out[-800:])
    return out


def check_bi_sync(domains, users):
    R = mg.R
    user = "cat_alice"
    listed = sorted(d for d in domains if not d.startswith("pg_") and d not in ("mesh", "public", "information_schema"))
    want = sorted((d, p) for d in listed for p, prod in (domains[d].get("products") or {}).items()
                  if accessible(prod, user, users[user], "audit"))
    # Metabase (describe-database, postgres driver): tables with description and row estimate.
    metabase = (
        "SELECT n.nspname AS schema, c.relname AS name, CASE c.relkind WHEN 'r' THEN 'TABLE' "
        "WHEN 'p' THEN 'PARTITIONED TABLE' WHEN 'v' THEN 'VIEW' WHEN 'f' THEN 'FOREIGN TABLE' "
        "WHEN 'm' THEN 'MATERIALIZED VIEW' ELSE NULL END AS type, d.description AS description, "
        "stat.n_live_tup AS estimated_row_count FROM pg_catalog.pg_class AS c "
        "INNER JOIN pg_catalog.pg_namespace AS n ON c.relnamespace = n.oid "
        "LEFT JOIN pg_catalog.pg_description AS d ON ((c.oid = d.objoid) AND (d.objsubid = 0)) "
        "AND (d.classoid = 'pg_class'::regclass) LEFT JOIN pg_stat_user_tables AS stat "
        "ON (n.nspname = stat.schemaname) AND (c.relname = stat.relname) "
        "WHERE ((c.relnamespace = n.oid) AND (c.relkind IN ('r', 'p', 'v', 'f', 'm')) "
        "AND (n.nspname NOT IN ('information_schema'))) AND n.nspname !~ '^pg_' ORDER BY 1, 2")
    rc, out, err = psql(user, [metabase], "audit")
    R.eq("Metabase's describe-database query lists the readable products with descriptions",
         [tuple(r[:2]) + (r[3],) for r in rows(out)],
         [(d, p, (domains[d]["products"][p] or {}).get("description") or "") for d, p in want])
    rc, out, err = psql(user, ["SELECT n.nspname, c.relname, c.relkind, obj_description(c.oid) "
                               "FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
                               "WHERE c.relkind IN ('r','p','v','f','m') "
                               "AND n.nspname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1, 2"], "audit")
    R.eq("the classic obj_description sync query lists the readable products with descriptions",
         [(r[0], r[1], r[3]) for r in rows(out)],
         [(d, p, (domains[d]["products"][p] or {}).get("description") or "") for d, p in want])
    # DBeaver: schemas with descriptions, then the relations of one schema by namespace OID.
    rc, out, err = psql(user, [
        "SELECT n.oid, n.nspname, d.description FROM pg_catalog.pg_namespace n "
        "LEFT OUTER JOIN pg_catalog.pg_description d ON d.objoid = n.oid AND d.objsubid = 0 "
        "AND d.classoid = 'pg_namespace'::regclass WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') "
        "ORDER BY nspname"], "audit")
    got = rows(out)
    R.eq("DBeaver's schema query lists the domains with their descriptions", [r[1:] for r in got],
         [[d, domains[d].get("description") or ""] for d in listed])
    oid = next((r[0] for r in got if r[1] == DOMAIN), "0")
    rc, out, err = psql(user, [
        "SELECT c.oid, c.relname, d.description, pg_catalog.pg_get_expr(c.relpartbound, c.oid), "
        "pg_catalog.pg_get_partkeydef(c.oid) FROM pg_catalog.pg_class c LEFT OUTER JOIN pg_catalog.pg_description d "
        "ON d.objoid = c.oid AND d.objsubid = 0 AND d.classoid = 'pg_class'::regclass "
        f"WHERE c.relnamespace = {int(oid)} AND c.relkind NOT IN ('i', 'I', 'c') ORDER BY 2"], "audit")
    R.eq("DBeaver's relation query by namespace OID lists the domain's readable products",
         [r[1] for r in rows(out)], [p for d, p in want if d == DOMAIN])
    R.check("synthetic OIDs are stable across sessions", rc == 0 and oid != "0" and psql(user, [
        f"SELECT oid FROM pg_catalog.pg_namespace WHERE nspname = '{DOMAIN}'"])[1].strip() == oid, out + err)


def check_no_physical_names(extra_outputs):
    R = mg.R
    outs = list(extra_outputs)
    for q in ["SELECT relname FROM pg_class", "SELECT nspname FROM pg_namespace",
              "SELECT attname FROM pg_attribute", "SELECT schemaname || '.' || tablename FROM pg_tables",
              "SELECT table_schema || '.' || table_name FROM information_schema.tables",
              "SELECT table_name || '.' || column_name FROM information_schema.columns",
              "SELECT schema_name FROM information_schema.schemata",
              "SELECT indexname || tablename FROM pg_indexes", "SELECT viewname FROM pg_views",
              "SELECT description FROM pg_description", "SELECT count(*) FROM pg_sequences",
              "SELECT typname FROM pg_type", "SELECT conname FROM pg_constraint",
              "SELECT count(*) FROM pg_index", "SELECT proname FROM pg_proc WHERE proname LIKE 'zz%'",
              "SELECT constraint_name || table_name FROM information_schema.table_constraints",
              "SELECT table_name FROM information_schema.role_table_grants",
              "SELECT table_name || column_name FROM information_schema.key_column_usage",
              "SELECT table_name FROM information_schema.views"]:
        rc, out, err = psql("cat_alice", [q], "audit")
        R.check(f"runs: {q}", rc == 0 and not mg.sqlstates(err), err)
        outs.append(out)
        if "nspname" in q or "schema" in q:
            names = {l.split(".")[0].strip() for l in mg.lines(out)}
            R.check(f"no physical schema in: {q}", not names & set(PHYSICAL_SCHEMAS), sorted(names))
    rc, out, err = psql("cat_alice", ["\\dt", "\\dn", "\\dt *.*", "\\d"], "audit")
    outs.append(out)
    blob = "\n".join(outs)
    leaked = [n for n in (SRC, HIDDEN, f"secret_{TAG}") if n in blob]
    R.check("sanity: the warehouse itself names the physical tables in those relations",
            SRC in "".join(str(r) for r in mg.direct_rows(
                "SELECT typname FROM pg_type UNION ALL SELECT conname FROM pg_constraint "
                "UNION ALL SELECT table_name FROM information_schema.table_constraints")))
    R.eq("no physical table or column name of the warehouse appears in any catalog answer", leaked, [])
    demo_physical = [r[0] for r in mg.direct_rows(
        "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname IN ('public', 'crm') AND c.relkind IN ('r', 'i', 'S', 'v')")]
    R.check("sanity: the warehouse has physical tables", SRC in demo_physical and HIDDEN in demo_physical)
    catalog_rel = psql("cat_alice", ["SELECT relname FROM pg_class"], "audit")[1].split()
    # A product may share its name with its source (the demo's sales.customers): only names
    # that are no product's count.
    domains, _p, _u = load_config()
    product_names = {p for d in domains.values() for p in (d.get("products") or {})}
    R.eq("pg_class holds no physical relation that is not also a product's name",
         sorted(set(catalog_rel) & (set(demo_physical) - product_names)), [])


def suite_catalog():
    global GATE
    R = mg.R
    R.suite = "catalog"
    seed()
    with open(os.path.join(os.path.dirname(mg.ENV.mg_config), "domains", "sales.yaml")) as fh:
        backend = yaml.safe_load(fh)["backend"]
    GATE = _owngate.Gate("catalog", {f"{DOMAIN}.yaml": DOMAIN_YAML.replace("BACKEND", backend)}, USERS)
    try:
        if not R.check("the catalog gate starts with the test domain", GATE.start(), GATE.log_tail()):
            return
        domains, policies, users = load_config()
        check_mesh_catalog(domains, policies, users)
        jdbc_out = check_introspection(domains, users)
        check_bi_sync(domains, users)
        check_no_physical_names([jdbc_out])
        R.check("the catalog gate is still running", GATE.alive(), GATE.log_tail())
    finally:
        GATE.stop()
        cleanup()


SUITES = {"catalog": suite_catalog}
