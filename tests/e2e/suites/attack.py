"""Attack suite (issue 3 item 8): adversarial statements through the real binary against real
PostgreSQL, failing when any value a user must not see reaches that user.

Its own world, so it cannot disturb other suites: physical tables in schema `atk_phys` and a few
objects in `public` (all named atk_*), created over the direct superuser connection and dropped at
the end; a domain file `atk.yaml`; two users (atk_eve the attacker, atk_root the domain team);
and a private `meshgate serve` (tests/e2e/suites/_owngate.py) on its own ports.

Every value atk_eve must not see is a unique marker (LEAK<run tag><what><n>): values of masked
columns (hash, partial, null, regex, constant; and unique numbers/dates behind round/truncate),
rows a row filter removes, products she may not read or needs a purpose for, an undeclared
column, raw physical tables, a large object, a setting of the service account, the statement
text of another user's session, and the hash key (raw, hex, and the HMAC pads the rewrite holds).
Each case runs through a raw wire-protocol client (tests/e2e/suites/_pgwire.py: simple and
extended protocol, every received byte kept), psql or psycopg2; the whole conversation is scanned
(rows, errors, notices, COPY data), case-insensitively and also hex-encoded. After each case the
same session must still answer, and where SPEC §3/§4 defines the outcome it is checked too.

Statement kinds not implemented yet (COPY, cursors, PREPARE, EXPLAIN) are refused today with
0A000; those cases accept that refusal or, once implemented, check the masked result.
Leaks found in the current code are listed in LEAKS_KNOWN and reported as todo (mg.PENDING).
"""

import datetime
import hashlib
import os
import random
import re
import secrets
import sys
import time
from decimal import ROUND_FLOOR, Decimal

import psycopg2

mg = sys.modules["__main__"]
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _owngate  # noqa: E402
import _pgwire  # noqa: E402

EVE, ROOT = "atk_eve", "atk_root"
REFUSED = ("42501", "0A000")
# An object outside pg_catalog that the rewrite pinned to pg_catalog: the backend answers that
# pg_catalog has no such function/operator/type, which proves the public one never ran.
NOT_REACHED = REFUSED + ("42883", "42704")

# Leaks the suite finds in the current engine: reported as todo until fixed (see the report of
# the attack-suite session for the full analysis). Key: the case id; its marker check and its
# outcome check become mg.PENDING entries (the "session still answers" check stays a real check);
# a value (reason, "outcome") marks only the outcome check as pending.
LEAKS_KNOWN = {
}


class World:
    """The seeded data and everything derived from it."""

    def __init__(self):
        self.tag = secrets.token_hex(3)
        self.rng = random.Random(self.tag)
        self.needles = {}     # lower-case needle -> what it is
        self.n = 0

    def marker(self, what):
        self.n += 1
        m = f"LEAK{self.tag}{what}{self.n}"
        self.secret(m, f"marker {what}")
        return m

    def secret(self, text, what):
        t = str(text)
        self.needles[t.lower()] = what
        if re.search(r"[a-z]", t.lower()):
            self.needles[t.encode().hex()] = what + " (hex)"

    def scan(self, data, allowed=()):
        if isinstance(data, (bytes, bytearray)):
            data = bytes(data).decode("utf-8", "replace")
        low = data.lower()
        allowed = {a.lower() for a in allowed}
        found = []
        for needle, what in self.needles.items():
            if needle in allowed:
                continue
            i = low.find(needle)
            if i >= 0:
                found.append(f"{what}: ...{data[max(0, i - 60):i + len(needle) + 20]!r}...")
        return found


W = World()
GATE = None


# ---------------------------------------------------------------------------------------------
# The world.

def _hmac_pads(key):
    k = key.encode()
    if len(k) > 64:
        k = hashlib.sha256(k).digest()
    k = k.ljust(64, b"\0")
    return bytes(b ^ 0x36 for b in k).hex(), bytes(b ^ 0x5C for b in k).hex()


def seed():
    w = W
    people = []
    used_dates = set()
    for i in range(1, 13):
        eu = i % 2 == 1
        while True:
            birth = datetime.date(1901, 1, 1) + datetime.timedelta(days=w.rng.randint(0, 17000))
            if birth.month != 1 and birth not in used_dates:
                used_dates.add(birth)
                break
        salary = Decimal(f"{w.rng.randint(1000000, 9999999)}.{w.rng.randint(10, 99)}")
        row = {
            "id": i,
            "name": f"eu person {i}" if eu else w.marker("name"),
            "region": "EU" if eu else "US",
            "email": w.marker("email") + "@example.org",
            "phone": w.marker("phone"),
            "card": w.marker("card"),
            "ssn": w.marker("ssn"),
            "pin": w.marker("pin"),
            "salary": salary,
            "birth": birth,
            "note": f"visible note {i}" if eu else w.marker("note"),
        }
        w.secret(str(salary), "raw salary (round mask / filtered row)")
        w.secret(birth.isoformat(), "raw birth date (truncate mask / filtered row)")
        people.append(row)
    w.people = people
    w.secret_rows = {t: [(i, w.marker(t)) for i in (1, 2)] for t in
                     ("research", "vault", "denied", "hidden", "raw")}
    w.declared = [(i, f"declared visible {i}", w.marker("undeclared")) for i in (1, 2)]
    w.lobj = w.marker("lobj")
    w.guc = w.marker("guc")
    w.other_stmt = w.marker("stmt")
    key = mg.ENV.hash_key
    w.secret(key, "hash key")
    w.secret(key.encode().hex(), "hash key (hex)")
    ipad, opad = _hmac_pads(key)
    w.needles[ipad] = "HMAC inner pad of the hash key"
    w.needles[opad] = "HMAC outer pad of the hash key"

    c = mg.direct()
    c.autocommit = True
    cur = c.cursor()
    cleanup(cur)
    cur.execute("""
        CREATE SCHEMA atk_phys;
        CREATE TABLE atk_phys.people (id int PRIMARY KEY, name text, region text, email text,
            phone text, card text, ssn text, pin text, salary numeric(12,2), birth date, note text);
        CREATE TABLE atk_phys.research (id int PRIMARY KEY, secret text);
        CREATE TABLE atk_phys.vault (id int PRIMARY KEY, secret text);
        CREATE TABLE atk_phys.denied (id int PRIMARY KEY, secret text);
        CREATE TABLE atk_phys.hidden (id int PRIMARY KEY, secret text);
        CREATE TABLE atk_phys.analytic (id int PRIMARY KEY, info text);
        CREATE TABLE atk_phys.declared (id int PRIMARY KEY, visible text, secret_extra text);
        CREATE TABLE public.atk_raw (id int PRIMARY KEY, secret text);
    """)
    # Filtered (US) rows first in the heap: a predicate evaluated before the row filter meets them first.
    for r in sorted(people, key=lambda r: r["region"] != "US"):
        cur.execute("INSERT INTO atk_phys.people VALUES (%(id)s, %(name)s, %(region)s, %(email)s, "
                    "%(phone)s, %(card)s, %(ssn)s, %(pin)s, %(salary)s, %(birth)s, %(note)s)", r)
    for t, rows in w.secret_rows.items():
        table = "public.atk_raw" if t == "raw" else f"atk_phys.{t}"
        for i, s in rows:
            cur.execute(f"INSERT INTO {table} VALUES (%s, %s)", (i, s))
    cur.execute("INSERT INTO atk_phys.analytic VALUES (1, 'analytic one'), (2, 'analytic two')")
    for r in w.declared:
        cur.execute("INSERT INTO atk_phys.declared VALUES (%s, %s, %s)", r)
    cur.execute("""
        GRANT USAGE ON SCHEMA atk_phys TO meshgate;
        GRANT SELECT ON ALL TABLES IN SCHEMA atk_phys TO meshgate;
        GRANT SELECT ON public.atk_raw TO meshgate;
        CREATE FUNCTION public.atk_fn() RETURNS text LANGUAGE sql STABLE
            AS $$ SELECT secret FROM public.atk_raw ORDER BY id LIMIT 1 $$;
        CREATE FUNCTION public.atk_fn1(integer) RETURNS text LANGUAGE sql STABLE
            AS $$ SELECT secret FROM public.atk_raw ORDER BY id LIMIT 1 $$;
        CREATE FUNCTION public.atk_srf() RETURNS SETOF text LANGUAGE sql STABLE
            AS $$ SELECT secret FROM public.atk_raw ORDER BY id $$;
        CREATE FUNCTION public.atk_notice() RETURNS integer LANGUAGE plpgsql AS $$
            BEGIN RAISE NOTICE 'n %', (SELECT secret FROM public.atk_raw ORDER BY id LIMIT 1);
            RETURN 1; END $$;
        CREATE FUNCTION public.atk_op(integer, integer) RETURNS text LANGUAGE sql STABLE
            AS $$ SELECT secret FROM public.atk_raw ORDER BY id LIMIT 1 $$;
        CREATE OPERATOR public.#~# (LEFTARG = integer, RIGHTARG = integer, FUNCTION = public.atk_op);
        CREATE FUNCTION public.atk_chk(text) RETURNS boolean LANGUAGE plpgsql AS $$
            BEGIN RAISE EXCEPTION 'c %', (SELECT secret FROM public.atk_raw ORDER BY id LIMIT 1); END $$;
        CREATE DOMAIN public.atk_dom AS text CHECK (public.atk_chk(VALUE));
        CREATE STATISTICS atk_phys.atk_people_mcv (mcv) ON region, note FROM atk_phys.people;
        ANALYZE atk_phys.people;
    """)
    cur.execute("SELECT lo_from_bytea(0, convert_to(%s, 'UTF8'))", (w.lobj,))
    w.lo_oid = cur.fetchone()[0]
    cur.execute(f"GRANT SELECT ON LARGE OBJECT {int(w.lo_oid)} TO meshgate")
    cur.execute(f'ALTER ROLE meshgate IN DATABASE "{mg.ENV.db}" SET atkx.secret = %s', (w.guc,))
    c.close()


def cleanup(cur):
    cur.execute("SELECT oid FROM pg_largeobject_metadata lo WHERE EXISTS (SELECT 1 FROM "
                "pg_largeobject WHERE loid = lo.oid AND pageno = 0 AND data LIKE 'LEAK%lobj%'::bytea)")
    for (oid,) in cur.fetchall():
        cur.execute("SELECT lo_unlink(%s)", (oid,))
    cur.execute(f'ALTER ROLE meshgate IN DATABASE "{mg.ENV.db}" RESET atkx.secret')
    cur.execute("""
        DROP SCHEMA IF EXISTS atk_phys CASCADE;
        DROP TABLE IF EXISTS public.atk_raw CASCADE;
        DROP OPERATOR IF EXISTS public.#~# (integer, integer);
        DROP DOMAIN IF EXISTS public.atk_dom;
        DROP FUNCTION IF EXISTS public.atk_fn(), public.atk_fn1(integer), public.atk_srf(),
            public.atk_notice(), public.atk_op(integer, integer), public.atk_chk(text);
    """)


DOMAIN = """\
domain: atk
description: attack-suite world (tests/e2e/suites/attack.py)
owners: [group:atk_owners]
backend: warehouse
products:
  people:
    source: atk_phys.people
    columns:
      email: { tags: [pii.email] }
      card: { tags: [pci] }
    access: { allow: [group:atk_analysts, group:atk_owners] }
    row_filters:
      - name: own-region
        where: "lower(btrim(region)) = lower(btrim(@user.region))"
        except: [group:atk_owners]
    masks:
      - { name: hide-phone, column: phone, with: null, except: [group:atk_owners] }
      - { name: scrub-ssn, column: ssn, with: { regex: { pattern: "[A-Za-z0-9]", replace: "#" } }, except: [group:atk_owners] }
      - { name: fixed-pin, column: pin, with: { constant: "0000" } }
      - { name: coarse-salary, column: salary, with: { round: 1000 } }
      - { name: birth-year, column: birth, with: { truncate: year } }
  research:
    source: atk_phys.research
    access: { allow: [group:atk_analysts, group:atk_owners] }
    purposes: [research]
  analytic:
    source: atk_phys.analytic
    access: { allow: [group:atk_analysts] }
    purposes: [analytics]
  vault:
    source: atk_phys.vault
  denied:
    source: atk_phys.denied
    access: { allow: [group:atk_analysts], deny: [user:atk_eve] }
  declared:
    source: atk_phys.declared
    expose: declared
    columns:
      id: { description: key }
      visible: { description: shown }
    access: { allow: [group:atk_analysts] }
"""

USERS = {
    EVE: {"password": "atk_eve-demo", "groups": ["atk_analysts"],
          "attributes": {"region": "EU", "purposes": ["analytics"]}, "search_path": ["atk"]},
    ROOT: {"password": "atk_root-demo", "groups": ["atk_owners"],
           "attributes": {"region": "US", "purposes": ["research", "analytics"]}, "search_path": ["atk"]},
}


# ---------------------------------------------------------------------------------------------
# What atk_eve may see, computed from the seed (never from the gate).

def _round(v, step=Decimal(1000)):
    return str(((v / step).to_integral_value(rounding=ROUND_FLOOR) * step).quantize(Decimal("0.01")))


def eve_row(r):
    return [str(r["id"]), r["name"], r["region"], mg.keyed_hash(r["email"]), None,
            mg.partial_last4(r["card"]), re.sub("[A-Za-z0-9]", "#", r["ssn"]), "0000",
            _round(r["salary"]), datetime.date(r["birth"].year, 1, 1).isoformat(), r["note"]]


def eve_rows():
    return [eve_row(r) for r in W.people if r["region"] == "EU"]


def eve_copy_text():
    return "".join("\t".join("\\N" if v is None else v for v in row) + "\n" for row in eve_rows())


# ---------------------------------------------------------------------------------------------
# Transports.

def wire(user, params=None):
    return _pgwire.Conn("127.0.0.1", GATE.port, user, GATE.passwords[user], params=params)


def psql(user, commands, env_extra=None):
    cmd = [mg.PSQL, "-X", "-q", "-v", "ON_ERROR_STOP=0", "-v", "VERBOSITY=verbose", "-A", "-t", "-F", "|",
           f"host=127.0.0.1 port={GATE.port} dbname=mesh user={user} sslmode=disable connect_timeout=10"]
    for c in commands:
        cmd += ["-c", c]
    env = {"PGPASSWORD": GATE.passwords[user]}
    env.update(env_extra or {})
    return mg.run(cmd, env)


def pg2(user, **kw):
    return psycopg2.connect(host="127.0.0.1", port=GATE.port, dbname="mesh", user=user,
                            password=GATE.passwords[user], sslmode="disable", connect_timeout=10, **kw)


# ---------------------------------------------------------------------------------------------
# Expectations over the list of Results of a wire case. Each returns (ok, description).

def refused(*states, idx=-1):
    """The result at idx (every result when idx is None) is an error with one of `states`."""
    states = states or REFUSED

    def f(rs):
        picked = rs if idx is None else [rs[idx]]
        ok = all(bool(r.errors) and all(s in states for s in r.sqlstates) and not r.rows for r in picked)
        return ok, f"{'every statement is' if idx is None else ''} refused with {'/'.join(states)}".strip()
    return f


def refused_naming(state, text, idx=-1):
    def f(rs):
        r = rs[idx]
        return (r.sqlstates == [state] and not r.rows and text in r.errors[0].get("M", ""),
                f"refused with {state} naming {text}")
    return f


def refused_or(pred, what, idx=-1, states=REFUSED):
    def f(rs):
        r = rs[idx]
        if r.errors:
            return (all(s in states for s in r.sqlstates) and not r.rows,
                    f"refused with {'/'.join(states)} or {what}")
        return pred(r), f"refused with {'/'.join(states)} or {what}"
    return f


def rows_eq(want, idx=-1):
    def f(rs):
        return not rs[idx].errors and rs[idx].text_rows() == want, "returns exactly the expected rows"
    return f


def no_error(idx=-1):
    def f(rs):
        return not rs[idx].errors, "runs without error"
    return f


def not_state(*states, idx=-1):
    def f(rs):
        return not any(s in states for s in rs[idx].sqlstates), f"raises no {'/'.join(states)}"
    return f


# ---------------------------------------------------------------------------------------------
# Running cases.

def report(cid, desc, user, transcript, outcome, alive, detail, allowed=()):
    name = f"atk-{cid} {desc}"
    if cid in LEAKS_KNOWN:
        why, parts = LEAKS_KNOWN[cid] if isinstance(LEAKS_KNOWN[cid], tuple) else (LEAKS_KNOWN[cid], "both")
        if parts == "both":
            mg.PENDING[f"{name}: no protected value"] = why
        if outcome is not None:
            mg.PENDING[f"{name}: {outcome[1]}"] = why
    leaks = W.scan(transcript, allowed)
    mg.R.check(f"{name}: no protected value reaches {user}", not leaks,
               "\n".join(leaks[:6]) + "\n" + str(detail)[:600])
    if outcome is not None:
        ok, what = outcome
        mg.R.check(f"{name}: {what}", ok, str(detail)[:1200])
    mg.R.check(f"{name}: the session still answers afterwards", alive, str(detail)[:600])


def wire_case(cid, desc, steps, expect=None, user=EVE, params=None, allowed=()):
    """steps: SQL (str/bytes, one simple Query each) or callables conn -> Result."""
    try:
        c = wire(user, params)
    except Exception as ex:  # noqa: BLE001
        mg.R.check(f"atk-{cid} {desc}: {user} connects", False, repr(ex))
        return
    results = []
    try:
        for s in steps:
            results.append(s(c) if callable(s) else c.query(s))
        alive = c.query(f"SELECT 'alive-{cid}'").text_rows() == [[f"alive-{cid}"]]
    except Exception as ex:  # noqa: BLE001 - a dropped session is a failed case
        results.append(ex)
        alive = False
    finally:
        c.close()
    if results and isinstance(results[-1], Exception):
        outcome = (False, f"completes (got {results[-1]!r})") if expect else None
    else:
        outcome = expect(results) if expect else None
    report(cid, desc, user, bytes(c.received), outcome, alive, results, allowed)


def psql_case(cid, desc, commands, expect_states=None, expect_lines=None, user=EVE, env_extra=None):
    rc, out, err = psql(user, list(commands) + [f"SELECT 'alive-{cid}'"], env_extra)
    outl = mg.lines(out)
    alive = bool(outl) and outl[-1] == f"alive-{cid}"
    outcome = None
    if expect_states is not None:
        got = mg.sqlstates(err)
        outcome = (bool(got) and all(s in expect_states for s in got),
                   f"refused with {'/'.join(expect_states)}")
    if expect_lines is not None:
        outcome = (outl[:-1] == expect_lines, "returns exactly the expected lines")
    report(cid, desc, user, out + err, outcome, alive, out[-800:] + err[-800:])


def run_world_cases():
    n_eu = len(eve_rows())
    star = "SELECT * FROM atk.people ORDER BY id"

    # --- the scanner can fail: ROOT's legitimate view of raw phones is flagged when not allowed --
    c = wire(ROOT)
    c.query("SELECT phone FROM atk.people WHERE id = 2")
    c.close()
    found = W.scan(bytes(c.received))
    mg.R.check("self-test: the marker scan flags a protected value in a result row", len(found) == 1, found)
    mg.R.check("self-test: the marker scan flags hex-encoded and lower-cased values",
               W.scan(W.people[1]["phone"].encode().hex()) and W.scan(W.people[1]["phone"].lower()))

    # --- positive controls: the allowed, masked and filtered view works ---------------------
    wire_case("p01", "SELECT * of the masked, filtered product", [star], rows_eq(eve_rows()))
    wire_case("p02", "count(*) equals the EU rows", ["SELECT count(*) FROM atk.people"], rows_eq([[str(n_eu)]]))
    wire_case("p03", "atk_root (owners) sees every row with the raw phone",
              ["SELECT id, phone FROM atk.people ORDER BY id"],
              rows_eq([[str(r["id"]), r["phone"]] for r in W.people]), user=ROOT,
              allowed=[r["phone"] for r in W.people] + [r["phone"].encode().hex() for r in W.people])
    wire_case("p04", "a declared purpose opens atk.analytic",
              ["SET meshgate.purpose = 'analytics'", "SELECT info FROM atk.analytic ORDER BY id"],
              rows_eq([["analytic one"], ["analytic two"]]))
    wire_case("p05", "expose: declared shows only the declared columns",
              ["SELECT * FROM atk.declared ORDER BY id"], rows_eq([[str(i), v] for i, v, _ in W.declared]))
    e = W.people[2]
    wire_case("p06", "extended protocol: a parameterized lookup returns the masked row",
              [lambda c: c.extended("SELECT id, email, phone FROM atk.people WHERE id = $1", [str(e["id"])])],
              rows_eq([[str(e["id"]), mg.keyed_hash(e["email"]), None]]))
    wire_case("p07", "unqualified name along the configured search_path", ["SELECT * FROM people ORDER BY id"],
              rows_eq(eve_rows()))

    # --- whole rows, star, quoting and case ------------------------------------------------------
    wire_case("r01", "whole-row reference", ["SELECT p FROM atk.people p"], no_error())
    wire_case("r02", "row_to_json / to_jsonb / ::text of the row",
              ["SELECT row_to_json(p), to_jsonb(p), p::text, (p).* FROM atk.people p"], no_error())
    wire_case("r03", "json_each_text over the row (hstore-like)",
              ["SELECT (json_each_text(row_to_json(p))).* FROM atk.people p"], no_error())
    wire_case("r04", "TABLE and ONLY", ["TABLE atk.people", "SELECT * FROM ONLY atk.people"], no_error())
    wire_case("r05", "upper-case unquoted names fold", ["SELECT * FROM ATK.PEOPLE ORDER BY id"], rows_eq(eve_rows()))
    wire_case("r06", 'quoted upper case "ATK"."PEOPLE" does not resolve', ['SELECT * FROM "ATK"."PEOPLE"'],
              refused("42P01"))
    wire_case("r07", 'U&"" identifier escapes resolve to the same product',
              ['SELECT * FROM U&"\\0061tk".U&"p\\0065ople" ORDER BY id'], rows_eq(eve_rows()))
    wire_case("r08", "raw physical schema atk_phys", ["SELECT * FROM atk_phys.people"], refused("42P01"))
    wire_case("r09", "raw public table, qualified and quoted", ['SELECT * FROM "public"."atk_raw"'], refused("42P01"))
    wire_case("r10", "raw table unqualified", ["SELECT * FROM atk_raw"], refused("42P01"))
    wire_case("r11", "three-part name db.schema.table", [f"SELECT * FROM {mg.ENV.db}.atk_phys.people"],
              refused("42P01"))
    wire_case("r12", "pg_catalog-qualified raw name", ["SELECT * FROM pg_catalog.atk_raw"])
    wire_case("r13", "pg_temp / pg_toast / information_schema qualified raw names",
              ["SELECT * FROM pg_temp.atk_raw", "SELECT * FROM pg_toast.atk_raw",
               "SELECT * FROM information_schema.atk_raw"])
    wire_case("r14", "undeclared column of expose: declared", ["SELECT secret_extra FROM atk.declared"],
              refused("42703", "42501"))
    wire_case("r15", "whole row of expose: declared", ["SELECT d, row_to_json(d) FROM atk.declared d"], no_error())

    wire_case("r16", "a column alias list renames but keeps the masks",
              ["SELECT * FROM atk.people AS p(a, b, c, d, e) ORDER BY a"], rows_eq(eve_rows()))
    wire_case("r17", "system columns of the physical table (ctid, xmin, tableoid)",
              ["SELECT ctid, * FROM atk.people", "SELECT xmin, tableoid FROM atk.people p",
               "SELECT count(*) FROM atk.people WHERE ctid = '(0,1)'"], refused("42703", "42501", "0A000", idx=None))
    wire_case("r18", "TABLESAMPLE of the product", ["SELECT * FROM atk.people TABLESAMPLE SYSTEM (100)"])
    wire_case("r19", "deeply nested subqueries", ["SELECT * FROM " + "(SELECT * FROM " * 60 + "atk.people"
                                                   + ") s" * 60])

    # --- search_path -----------------------------------------------------------------------------
    wire_case("s01", "SET search_path TO public, then the raw name",
              ["SET search_path TO public", "SELECT * FROM atk_raw"], refused("42P01"))
    wire_case("s02", "SET search_path TO atk_phys, public, then a physical name",
              ["SET search_path TO atk_phys, public", "SELECT * FROM people"], refused("42P01"))
    wire_case("s03", "startup parameter search_path=public", ["SELECT * FROM atk_raw"], refused("42P01"),
              params={"search_path": "public"})
    wire_case("s11", "startup options -c search_path=public", ["SELECT * FROM atk_raw", "SHOW search_path"],
              lambda rs: (rs[0].sqlstates == ["42P01"] and rs[1].text_rows() == [["public"]],
                          "the raw name does not resolve; SHOW reports the session's path"),
              params={"options": "-c search_path=public"})
    psql_case("s04", "psql with PGOPTIONS -c search_path=atk_phys", ["SELECT * FROM people"],
              expect_states=("42P01",), env_extra={"PGOPTIONS": "-c search_path=atk_phys"})
    wire_case("s05", "set_config('search_path') is refused",
              ["SELECT set_config('search_path', 'public', false)", "SELECT * FROM atk_raw"], refused("42P01"))
    wire_case("s06", "SHOW of a secret setting is refused", ["SHOW atkx.secret"], refused())
    wire_case("s07", "current_setting() of the service account's settings",
              ["SELECT current_setting('atkx.secret', true)"])
    wire_case("s08", "pg_settings", ["SELECT name, setting FROM pg_settings WHERE name LIKE 'atkx%'"])

    wire_case("s09", "pg_roles.rolconfig (the service account's role settings)",
              ["SELECT rolname, rolconfig FROM pg_roles WHERE rolconfig IS NOT NULL"])
    wire_case("s10", "pg_db_role_setting", ["SELECT * FROM pg_catalog.pg_db_role_setting"])

    # --- CTEs, subqueries, LATERAL, set operations -------------------------------------------------
    wire_case("c01", "CTE over a raw table", ["WITH x AS (SELECT * FROM atk_raw) SELECT * FROM x"], refused("42P01"))
    wire_case("c02", "a later sibling CTE cannot capture an earlier body's name",
              ["WITH x AS (SELECT * FROM atk_raw), atk_raw AS (SELECT 1) SELECT * FROM x"], refused("42P01"))
    wire_case("c03", "a non-recursive CTE body does not see its own name",
              ["WITH atk_raw AS (SELECT * FROM atk_raw) SELECT * FROM atk_raw"], refused("42P01"))
    wire_case("c04", "CTE scope does not leak out of its subquery",
              ["SELECT * FROM (WITH atk_raw AS (SELECT 1 AS a) SELECT * FROM atk_raw) s, atk_raw"], refused("42P01"))
    wire_case("c05", "WITH RECURSIVE over the product",
              ["WITH RECURSIVE r(n, s, e) AS (SELECT 1, note, email FROM atk.people UNION ALL "
               "SELECT n + 1, s, e FROM r WHERE n < 3) SELECT * FROM r"], no_error())
    wire_case("c06", "WITH RECURSIVE shadowing a raw name", [
        "WITH RECURSIVE atk_raw(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM atk_raw WHERE n < 3) "
        "SELECT * FROM atk_raw"], rows_eq([["1"], ["2"], ["3"]]))
    wire_case("c07", "scalar subquery on a physical table", ["SELECT (SELECT email FROM atk_phys.people LIMIT 1)"],
              refused("42P01"))
    wire_case("c08", "LATERAL over the product's columns",
              ["SELECT x.* FROM atk.people p, LATERAL (SELECT p.phone, p.email, p.note) x"], no_error())
    wire_case("c09", "EXISTS on a raw table", ["SELECT 1 FROM atk.people WHERE EXISTS (SELECT 1 FROM atk_raw)"],
              refused("42P01"))
    wire_case("c10", "ARRAY(subquery) of the product", ["SELECT ARRAY(SELECT note FROM atk.people)"], no_error())
    wire_case("c11", "UNION with a raw table",
              ["SELECT note FROM atk.people UNION SELECT secret FROM public.atk_raw"], refused("42P01"))
    wire_case("c12", "INTERSECT / EXCEPT against the physical table",
              ["SELECT note FROM atk.people INTERSECT SELECT note FROM atk_phys.people",
               "SELECT name FROM atk.people EXCEPT SELECT name FROM atk_phys.people"], refused("42P01", idx=None))
    wire_case("c13", "UNION ALL asking the filtered rows back",
              ["SELECT name FROM atk.people UNION ALL SELECT name FROM atk.people WHERE region = 'US'"],
              rows_eq([[r["name"]] for r in W.people if r["region"] == "EU"]))
    wire_case("c14", "another domain's products through a join",
              ["SELECT * FROM atk.people p JOIN atk.vault v ON v.id = p.id"], refused("42501"))

    wire_case("c15", "a join with a product needing an undeclared purpose refuses the whole statement",
              ["SELECT p.id, r.secret FROM atk.people p LEFT JOIN atk.research r ON r.id = p.id"],
              refused_naming("42501", "atk.research"))

    # --- oracles on masked columns and filtered rows ---------------------------------------------
    wire_case("o01", "division-by-zero oracle on filtered rows",
              ["SELECT count(*) FROM atk.people WHERE 1/(CASE WHEN note LIKE 'LEAK%' THEN 0 ELSE 1 END) = 1"],
              rows_eq([[str(n_eu)]]))
    wire_case("o02", "division-by-zero oracle on a masked column",
              ["SELECT count(*) FROM atk.people WHERE 1/(CASE WHEN phone LIKE 'LEAK%' THEN 0 ELSE 1 END) = 1"],
              rows_eq([[str(n_eu)]]))
    wire_case("o03", "cast-error oracle (note::int) shows no filtered row",
              ["SELECT id FROM atk.people WHERE note::int = 1"])
    wire_case("o04", "cast-error oracle on masked columns",
              ["SELECT ssn::int FROM atk.people", "SELECT email::int FROM atk.people",
               "SELECT pin::int + card::int FROM atk.people"])
    wire_case("o05", "regex-error oracle on filtered rows",
              ["SELECT count(*) FROM atk.people WHERE note ~ (CASE WHEN name LIKE 'LEAK%' THEN '(' ELSE 'x' END)"],
              not_state("2201B"))
    wire_case("o06", "functional-notation cast (note).bool reaches filtered rows",
              ["SELECT id FROM atk.people WHERE (note).bool"])
    wire_case("o11", "functional-notation jsonb cast: error DETAIL/CONTEXT of a filtered row",
              ["SELECT id FROM atk.people WHERE (note).jsonb IS NOT NULL"])
    wire_case("o07", "join-condition and HAVING oracles", [
        "SELECT count(*) FROM atk.people a JOIN atk.people b ON a.id = b.id "
        "AND 1/(CASE WHEN b.note LIKE 'LEAK%' THEN 0 ELSE 1 END) = 1",
        "SELECT note FROM atk.people GROUP BY note HAVING 1/(CASE WHEN note LIKE 'LEAK%' THEN 0 ELSE 1 END) = 1"],
        not_state("22012"))
    wire_case("o08", "predicates on raw values of masked columns find nothing", [
        "SELECT count(*) FROM atk.people WHERE phone LIKE 'LEAK%' OR ssn LIKE 'LEAK%' OR pin LIKE 'LEAK%' "
        f"OR email = '{W.people[0]['email']}' OR card = '{W.people[0]['card']}'"], rows_eq([["0"]]))
    wire_case("o09", "ORDER BY / DISTINCT / GROUP BY on masked columns", [
        "SELECT email, phone, ssn FROM atk.people ORDER BY phone, ssn, email",
        "SELECT DISTINCT card FROM atk.people", "SELECT salary, count(*) FROM atk.people GROUP BY 1"], no_error())
    wire_case("o10", "min/max/string_agg over masked and filtered values", [
        "SELECT min(salary), max(birth), string_agg(ssn, ','), string_agg(note, ',') FROM atk.people"], no_error())

    # --- EXPLAIN (the rewrite holds HMAC pads; SPEC: allowed, not VERBOSE) -------------------------
    explain_ok = refused_or(lambda r: not r.errors and bool(r.rows), "a plan without secrets")
    wire_case("x01", "EXPLAIN with a predicate on the hashed column",
              ["EXPLAIN SELECT * FROM atk.people WHERE email = 'x' ORDER BY email"], explain_ok)
    wire_case("x02", "EXPLAIN ANALYZE", ["EXPLAIN ANALYZE SELECT email, note FROM atk.people"], explain_ok)
    wire_case("x03", "EXPLAIN (FORMAT JSON)", ["EXPLAIN (FORMAT JSON) SELECT email FROM atk.people ORDER BY 1"],
              explain_ok)
    wire_case("x04", "EXPLAIN (VERBOSE) is refused", ["EXPLAIN (VERBOSE) SELECT email FROM atk.people"], refused())
    wire_case("x05", "EXPLAIN of a hash join on the hashed column",
              ["EXPLAIN (COSTS OFF) SELECT count(*) FROM atk.people a JOIN atk.people b ON a.email = b.email"],
              explain_ok)
    wire_case("x07", "EXPLAIN ANALYZE of a division-by-zero oracle",
              ["EXPLAIN ANALYZE SELECT count(*) FROM atk.people WHERE 1/(CASE WHEN note LIKE 'LEAK%' THEN 0 ELSE 1 END) = 1"],
              not_state("22012"))
    wire_case("x06", "EXPLAIN of a raw table", ["EXPLAIN SELECT * FROM atk_raw"], refused("42P01", "0A000", "42501"))

    # --- statistics and activity -----------------------------------------------------------------
    for cid, rel in (("t01", "pg_stats"), ("t02", "pg_catalog.pg_statistic"), ("t03", "pg_stats_ext"),
                     ("t04", "pg_stat_statements"), ("t05", "pg_catalog.pg_stat_activity"),
                     ("t06", "PG_CATALOG.PG_STATS"), ("t07", "pg_catalog.pg_stats_ext_exprs")):
        wire_case(cid, f"statistics relation {rel}", [f"SELECT * FROM {rel}"], refused("42501", "0A000", "42P01"))
    wire_case("t08", "pg_stat_get_activity() is refused", ["SELECT * FROM pg_stat_get_activity(NULL)"], refused())

    # --- SQL in a string, files, large objects, settings ---------------------------------------------
    wire_case("q01", "query_to_xml", ["SELECT query_to_xml('select secret from public.atk_raw', true, false, '')"],
              refused())
    wire_case("q02", "pg_catalog.table_to_xml / cursor_to_xml",
              ["SELECT pg_catalog.table_to_xml('public.atk_raw', true, false, '')",
               "SELECT cursor_to_xml('atk_cur', 10, true, false, '')",
               "SELECT pg_catalog.query_to_xml_and_xmlschema('select secret from public.atk_raw', true, false, '')"],
              refused(idx=None))
    wire_case("q03", "dblink", ["SELECT * FROM dblink('dbname=warehouse', 'select secret from public.atk_raw') "
                                "AS t(s text)"], refused())
    wire_case("q04", "ts_stat runs SQL from a string",
              ["SELECT * FROM ts_stat('select to_tsvector(''simple'', secret) from public.atk_raw')"], refused())
    wire_case("q05", "query_to_xml with quoted/upper-case name",
              ['SELECT "query_to_xml"(\'select secret from public.atk_raw\', true, false, \'\')',
               "SELECT QUERY_TO_XML('select secret from public.atk_raw', true, false, '')"], refused(idx=None))
    wire_case("q06", "pg_read_file / pg_read_binary_file / pg_ls_dir",
              ["SELECT pg_read_file('/etc/hostname')", "SELECT pg_catalog.pg_read_binary_file('/etc/hostname')",
               "SELECT * FROM pg_ls_dir('.')"], refused(idx=None))
    wire_case("q07", "large objects: lo_get, loread, pg_largeobject",
              [f"SELECT lo_get({W.lo_oid})", f"SELECT loread(lo_open({W.lo_oid}, 262144), 100)",
               "SELECT * FROM pg_largeobject", f"SELECT pg_catalog.lo_get({W.lo_oid})"], refused(idx=None))

    # --- functions, operators, types outside pg_catalog --------------------------------------------
    wire_case("f01", "unqualified public function", ["SELECT atk_fn()"], refused(*NOT_REACHED))
    wire_case("f02", "qualified / quoted public function",
              ["SELECT public.atk_fn()", 'SELECT "public"."atk_fn"()', "SELECT * FROM public.atk_srf()"],
              refused(idx=None))
    wire_case("f03", "unqualified public function in FROM", ["SELECT * FROM atk_srf()"], refused(*NOT_REACHED))
    wire_case("f04", "functional notation (1).atk_fn1 calls a public function", ["SELECT (1).atk_fn1"], refused())
    wire_case("f05", "unqualified public operator", ["SELECT 1 #~# 2"], refused(*NOT_REACHED))
    wire_case("f06", "unqualified public domain type whose CHECK runs code", ["SELECT 'x'::atk_dom"], refused(*NOT_REACHED))
    wire_case("f07", "public function raising a NOTICE", ["SELECT atk_notice()"], refused(*NOT_REACHED))
    wire_case("f08", "functional notation reaches ts_stat",
              ["SELECT ('select to_tsvector(''simple'', secret) from public.atk_raw'::text).ts_stat"], refused())
    wire_case("f09", "functional notation reaches lo_get", [f"SELECT ({W.lo_oid}::oid).lo_get"], refused())
    wire_case("f11", "qualified operator and type outside pg_catalog",
              ["SELECT 1 OPERATOR(public.#~#) 2", "SELECT 'x'::public.atk_dom"], refused(idx=None))
    wire_case("f12", "pg_sleep and pg_terminate_backend are refused",
              ["SELECT pg_sleep(5)", "SELECT pg_terminate_backend(pg_backend_pid())"], refused(idx=None))

    # --- key material --------------------------------------------------------------------------------
    wire_case("k01", "current_query() beside a masked column",
              ["SELECT current_query(), email FROM atk.people LIMIT 1"])

    def k02(c):
        c.parse("SELECT email FROM atk.people WHERE id = $1", "atk_s1")
        c.sync()
        return c.query("SELECT name, statement FROM pg_prepared_statements")
    wire_case("k02", "pg_prepared_statements after a named Parse", [k02])
    wire_case("k03", "pg_cursors", ["SELECT * FROM pg_cursors"])
    wire_case("k04", "pg_cursors while a cursor over the product is open",
              ["BEGIN", "DECLARE atk_k4 CURSOR FOR SELECT email FROM atk.people", "SELECT statement FROM pg_cursors",
               "ROLLBACK"])

    # --- COPY ----------------------------------------------------------------------------------------
    def copy_ok(r):
        return not r.errors and r.copy_data.decode() == eve_copy_text()
    copy_like = refused_or(copy_ok, "exactly the masked, filtered rows", states=REFUSED)
    wire_case("y01", "COPY product TO STDOUT", ["COPY (SELECT * FROM atk.people ORDER BY id) TO STDOUT"], copy_like)
    wire_case("y02", "COPY atk.people TO STDOUT", ["COPY atk.people TO STDOUT"],
              refused_or(lambda r: not r.errors and sorted(r.copy_data.decode().splitlines()) ==
                         sorted(eve_copy_text().splitlines()), "the masked, filtered rows"))
    wire_case("y08", "COPY with a column list", ["COPY atk.people (id, email, phone) TO STDOUT"],
              refused_or(lambda r: not r.errors and sorted(r.copy_data.decode().splitlines()) == sorted(
                  f"{x[0]}\t{x[3]}\t\\N" for x in eve_rows()), "the masked, filtered rows"))
    wire_case("y03", "COPY (raw query) TO STDOUT", ["COPY (SELECT * FROM public.atk_raw) TO STDOUT"],
              refused("42P01", "0A000", "42501"))
    wire_case("y04", "COPY physical table TO STDOUT", ["COPY atk_phys.people TO STDOUT"],
              refused("42P01", "0A000", "42501"))
    wire_case("y05", "COPY TO a file / PROGRAM", ["COPY atk.people TO '/tmp/atk_copy.txt'",
                                                   "COPY (SELECT 1) TO PROGRAM 'id'"], refused("42501"))
    wire_case("y06", "COPY FROM STDIN", ["COPY atk.people FROM STDIN"], refused("42501"))
    psql_case("y07", "psql \\copy of the product", ["\\copy (SELECT * FROM atk.people ORDER BY id) TO STDOUT"])

    # --- cursors, PREPARE / EXECUTE ------------------------------------------------------------------
    wire_case("u01", "DECLARE / FETCH over the product",
              ["BEGIN", "DECLARE atk_c CURSOR FOR SELECT * FROM atk.people ORDER BY id", "FETCH ALL atk_c",
               "ROLLBACK"],
              refused_or(lambda r: r.text_rows() == eve_rows(), "the masked rows", idx=2,
                         states=REFUSED + ("25P02", "34000")))
    wire_case("u02", "DECLARE over a raw table", ["BEGIN", "DECLARE atk_c2 CURSOR FOR SELECT * FROM atk_raw",
                                                  "FETCH ALL atk_c2", "ROLLBACK"],
              refused("42P01", "0A000", "25P02", idx=1))
    wire_case("u03", "PREPARE / EXECUTE over the product",
              ["PREPARE atk_p AS SELECT * FROM atk.people ORDER BY id", "EXECUTE atk_p"],
              refused_or(lambda r: r.text_rows() == eve_rows(), "the masked rows", states=REFUSED + ("26000",)))
    wire_case("u04", "EXECUTE with a subquery argument on a raw table",
              ["PREPARE atk_q(text) AS SELECT $1", "EXECUTE atk_q((SELECT secret FROM public.atk_raw LIMIT 1))"],
              refused("42P01", "0A000", "42501", "26000"))
    wire_case("u05", "PREPARE of a raw table", ["PREPARE atk_r AS SELECT * FROM atk_raw", "EXECUTE atk_r"],
              refused("42P01", "0A000", "42501", "26000", idx=0))

    # --- the extended protocol -----------------------------------------------------------------------
    def ext(sql, name=""):
        return lambda c: c.extended(sql, name=name)
    wire_case("z01", "Parse of a raw table", [ext("SELECT * FROM public.atk_raw")], refused("42P01"))
    wire_case("z02", "Parse with two statements", [ext("SELECT 1; SELECT secret FROM public.atk_raw")],
              refused("42601", "42P01", "42501"))
    wire_case("z03", "Parse of a write", [ext("DELETE FROM atk.people")], refused("42501"))
    wire_case("z04", "Parse of a public function", [ext("SELECT public.atk_fn()")], refused())

    def z05(c):
        c.parse("SELECT * FROM public.atk_raw", "atk_z5")
        c.bind("", "atk_z5")
        c.execute("")
        return c.sync()
    wire_case("z05", "Bind/Execute after a refused named Parse", [z05], refused("42P01", "26000"))

    def z06(c):
        c.parse("SELECT note FROM atk.people ORDER BY id", "")
        c.sync()
        c.parse("SELECT secret FROM public.atk_raw", "")
        c.bind("", "")
        c.execute("")
        return c.sync()
    wire_case("z06", "a refused unnamed Parse does not run the previous unnamed statement", [z06],
              refused("42P01", "26000"))
    wire_case("z07", "Parse carrying a cursor declaration", [ext("DECLARE x CURSOR WITH HOLD FOR SELECT * FROM atk_raw")],
              refused("42P01", "0A000", "42501"))

    def z09(c):
        c.parse("SELECT * FROM atk.people ORDER BY id", "")
        c.bind("", "", (), result_formats=(1,))
        c.execute("")
        return c.sync()
    wire_case("z09", "binary result format of the product", [z09], no_error())

    def z08(c):
        c.parse("SELECT secret FROM public.atk_raw", "")
        c.describe(b"S", "")
        return c.sync()
    wire_case("z08", "Describe of a refused Parse", [z08], refused("42P01"))

    # --- multi-statement strings and transactions -------------------------------------------------
    wire_case("m01", "SELECT 1; SELECT raw", ["SELECT 1; SELECT secret FROM public.atk_raw"], refused("42P01"))
    wire_case("m02", "allowed; SET ROLE; raw", ["SELECT note FROM atk.people; SET ROLE postgres; SELECT * FROM atk_raw"],
              refused())
    psql_case("m03", "psql -c with two statements, one refused",
              ["SELECT 'first-ran'; SELECT * FROM atk_phys.people"], expect_states=("42P01",))
    wire_case("m04", "transaction with savepoints around a refusal",
              ["BEGIN", "SELECT count(*) FROM atk.people", "SAVEPOINT s1", "SELECT * FROM public.atk_raw",
               "ROLLBACK TO s1", "SELECT count(*) FROM atk.people", "COMMIT"], rows_eq([[str(n_eu)]], idx=5))

    # --- writes and DDL smuggling ------------------------------------------------------------------
    for cid, sql in (
            ("w01", "WITH x AS (INSERT INTO atk.people (id) VALUES (99) RETURNING *) SELECT * FROM x"),
            ("w02", "CREATE FUNCTION public.atk_x() RETURNS text LANGUAGE sql AS $$ SELECT secret FROM public.atk_raw $$"),
            ("w03", "DO $$ BEGIN RAISE NOTICE '%', (SELECT secret FROM public.atk_raw LIMIT 1); END $$"),
            ("w04", "CALL public.atk_fn()"),
            ("w05", "SELECT * INTO atk_copy FROM atk.people"),
            ("w06", "CREATE TABLE atk_copy AS SELECT * FROM atk.people"),
            ("w07", "SET ROLE postgres"),
            ("w08", "SET SESSION AUTHORIZATION postgres"),
            ("w09", "LOCK atk.people"),
            ("w10", "LISTEN atk"),
            ("w11", "NOTIFY atk, 'x'"),
            ("w12", "SELECT pg_notify('atk', 'x')"),
            ("w13", "SELECT * FROM atk.people FOR UPDATE"),
            ("w14", "UPDATE atk.people SET note = 'x'"),
            ("w15", "TRUNCATE atk.people"),
            ("w16", "CREATE VIEW atk_v AS SELECT * FROM atk_phys.people"),
            ("w17", "ALTER ROLE meshgate SUPERUSER"),
            ("w18", "SET standard_conforming_strings = off"),
    ):
        wire_case(cid, f"refused: {sql[:60]}", [sql], refused("42501", "0A000", "42P01"))

    # --- access and purposes -------------------------------------------------------------------------
    wire_case("a01", "product without access", ["SELECT * FROM atk.vault"], refused_naming("42501", "atk.vault"))
    wire_case("a02", "product that denies the user", ["SELECT * FROM atk.denied"], refused_naming("42501", "atk.denied"))
    wire_case("a03", "purpose not declared", ["SELECT * FROM atk.analytic"], refused_naming("42501", "atk.analytic"))
    wire_case("a04", "purpose the user's attributes do not allow",
              ["SET meshgate.purpose = 'research'", "SELECT * FROM atk.research"], refused_naming("42501", "atk.research"))
    wire_case("a05", "startup -c meshgate.purpose=research", ["SELECT * FROM atk.research"], refused("42501"),
              params={"options": "-c meshgate.purpose=research"})
    wire_case("a06", "SET LOCAL meshgate.purpose and set_config", [
        "BEGIN", "SET LOCAL meshgate.purpose = 'research'", "ROLLBACK",
        "SELECT set_config('meshgate.purpose', 'research', false)", "SELECT * FROM atk.research"], refused("42501"))
    wire_case("a07", "purpose set in a rolled-back transaction", [
        "BEGIN", "SET meshgate.purpose = 'analytics'", "ROLLBACK", "SELECT * FROM atk.research"], refused("42501"))
    wire_case("a08", "unqualified names of forbidden products", ["SELECT * FROM vault", "SELECT * FROM research"],
              refused("42501", idx=None))

    # --- client encoding: the policy engine and the backend must read the same statement ------------
    smuggle = b"SELECT E'\xbf\\' ; SELECT secret FROM public.atk_raw; -- '"
    wire_case("e01", "client_encoding WIN936 (GBK) with a quote hidden in a character",
              ["SET client_encoding = 'WIN936'", smuggle])
    wire_case("e02", "client_encoding 'g_b_k' with a quote hidden in a character",
              ["SET client_encoding = 'g_b_k'", smuggle])
    wire_case("e03", "client_encoding GBK by its canonical name is refused", ["SET client_encoding = 'GBK'"],
              refused("42501"))
    aliases = ["WIN936", "windows936", "WIN932", "WIN949", "WIN950", "SHIFT-JIS-2004", "g_b_k", "Big 5", "U_H_C"]

    def all_refused(rs):
        return all(r.errors and not r.tags for r in rs), "every alias of a client-only encoding is refused"
    wire_case("e05", "SET client_encoding to aliases of client-only encodings",
              [f"SET client_encoding = '{a}'" for a in aliases] + ["SET NAMES 'WIN936'"], all_refused)
    wire_case("p08", "purpose declared in the startup options opens atk.analytic",
              ["SELECT info FROM atk.analytic ORDER BY id"], rows_eq([["analytic one"], ["analytic two"]]),
              params={"options": "-c meshgate.purpose=analytics"})
    for cid, params in (("e06", {"options": "-c client_encoding=WIN936"}),
                        ("e07", {"options": "-c standard_conforming_strings=off"}),
                        ("e08", {"standard_conforming_strings": "off"}),
                        ("e09", {"options": "-c role=postgres"})):
        try:
            wire(EVE, params).close()
            mg.R.check(f"atk-{cid} startup {params} is refused", False, "accepted")
        except _pgwire.WireError as ex:
            mg.R.check(f"atk-{cid} startup {params} is refused", "startup refused" in str(ex), ex)
    try:
        wire(EVE, {"client_encoding": "GBK"}).close()
        mg.R.check("atk-e04 startup client_encoding=GBK is refused", False, "accepted")
    except _pgwire.WireError as ex:
        mg.R.check("atk-e04 startup client_encoding=GBK is refused", "22023" in str(ex) or "28" in str(ex), ex)


def run_session_cases():
    """Cases needing two sessions or other clients."""
    # Another user's statement text (idle session) must not reach eve.
    root = wire(ROOT)
    try:
        # The literal comes first: backends keep only track_activity_query_size bytes of a statement.
        root.query(f"SELECT '{W.other_stmt}' AS tag, count(*) FROM atk.people")
        wire_case("f10", "functional notation reaches pg_stat_get_backend_activity",
                  ["SELECT (g).pg_stat_get_backend_activity FROM generate_series(1, 100) g"])
        wire_case("t09", "pg_stat_activity of another user's session", [
            "SELECT query FROM pg_stat_activity", "SELECT query FROM pg_catalog.pg_stat_activity"], refused(idx=None))
        # A statement another user prepared must not be usable by name.
        root.parse("SELECT id, phone, ssn FROM atk.people ORDER BY id", "atk_root_stmt")
        root.sync()
    finally:
        root.close()
    time.sleep(0.2)

    def steal(c):
        c.bind("", "atk_root_stmt")
        c.execute("")
        return c.sync()
    wire_case("g01", "Bind of a statement another user prepared", [steal], refused("26000", "42P01", "0A000"))
    wire_case("g02", "EXECUTE of a statement another user prepared", ["EXECUTE atk_root_stmt"],
              refused("26000", "0A000", "42501"))

    # A statement prepared before a change of purpose must not run without the purpose.
    def purpose_dropped(c):
        c.query("SET meshgate.purpose = 'analytics'")
        c.parse("SELECT info FROM atk.analytic ORDER BY id", "atk_purposed")
        c.sync()
        c.query("RESET meshgate.purpose")
        c.bind("", "atk_purposed")
        c.execute("")
        return c.sync()
    wire_case("v01", "a named statement Parsed under a purpose, executed after RESET of the purpose",
              [purpose_dropped], refused("42501"))
    # The same with SQL-level PREPARE / DECLARE: created under the purpose, run without it.
    wire_case("v04", "SQL PREPARE under a purpose, EXECUTE after RESET of the purpose",
              ["SET meshgate.purpose = 'analytics'",
               "PREPARE atk_sqlprep AS SELECT info FROM atk.analytic ORDER BY id",
               "RESET meshgate.purpose", "EXECUTE atk_sqlprep"], refused("42501", "0A000"))
    wire_case("v05", "DECLARE CURSOR under a purpose, FETCH after RESET of the purpose",
              ["BEGIN", "SET meshgate.purpose = 'analytics'",
               "DECLARE atk_sqlcur CURSOR FOR SELECT info FROM atk.analytic ORDER BY id",
               "RESET meshgate.purpose", "FETCH ALL FROM atk_sqlcur"], refused("42501", "0A000"))
    wire_case("v06", "SQL PREPARE and EXECUTE under the same purpose still work (control)",
              ["SET meshgate.purpose = 'analytics'",
               "PREPARE atk_sqlprep2 AS SELECT count(*) FROM atk.analytic",
               "EXECUTE atk_sqlprep2", "DEALLOCATE atk_sqlprep2"],
              lambda rs: (not rs[2].errors and len(rs[2].text_rows()) == 1 and not rs[3].errors,
                          "EXECUTE answers one row and DEALLOCATE works"))


    conn = pg2(EVE)
    transcript, ok = "", False
    try:
        cur = conn.cursor(name="atk_named")
        cur.itersize = 3
        cur.execute("SELECT * FROM atk.people ORDER BY id")
        rows = [[None if v is None else str(v) for v in r] for r in cur]
        transcript += repr(rows)
        ok = rows == eve_rows()
    except psycopg2.Error as ex:
        transcript += f"{ex.pgcode} {ex} {ex.diag.message_detail} {ex.diag.message_hint}"
        ok = ex.pgcode in REFUSED
    conn.rollback()
    cur = conn.cursor()
    cur.execute("SELECT 'alive'")
    report("h01", "psycopg2 named cursor over the product", EVE, transcript,
           (ok, "refused with 42501/0A000 or exactly the masked rows"), cur.fetchall() == [("alive",)],
           transcript)
    conn.rollback()
    transcript, ok = "", False
    try:
        cur.execute("SELECT atk_notice()")
        transcript += repr(cur.fetchall())
    except psycopg2.Error as ex:
        transcript += f"{ex.pgcode} {ex} {ex.diag.message_detail}"
        ok = ex.pgcode in NOT_REACHED
    conn.rollback()
    transcript += "".join(conn.notices)
    cur.execute("SELECT 'alive'")
    report("h03", "psycopg2: NOTICE raised by a public function", EVE, transcript,
           (ok, "refused with 42501/0A000, or not found in pg_catalog"), cur.fetchall() == [("alive",)], transcript)
    conn.close()

    # psycopg2 with client-side parameter interpolation of an injection attempt.
    conn = pg2(EVE)
    conn.autocommit = True
    cur = conn.cursor()
    transcript = ""
    try:
        cur.execute("SELECT count(*) FROM atk.people WHERE name = %s",
                    ("x'; SELECT secret FROM public.atk_raw; --",))
        got = cur.fetchall()
        transcript += repr(got)
        ok = got == [(0,)]
    except psycopg2.Error as ex:
        transcript += str(ex)
        ok = False
    cur.execute("SELECT 'alive'")
    report("h02", "psycopg2 parameter holding an injection", EVE, transcript,
           (ok, "is a harmless literal (count 0)"), cur.fetchall() == [("alive",)], transcript)
    conn.close()


    # Last, because it changes the gate's config: access revoked by a reload must also stop a
    # statement the user prepared before it (a Bind is a new execution, not a running statement).
    c = wire(EVE)
    c.parse("SELECT id, note FROM atk.people ORDER BY id", "atk_before_reload")
    c.sync()
    GATE.reload_domain("atk.yaml", DOMAIN.replace("access: { allow: [group:atk_analysts, group:atk_owners] }",
                                                  "access: { allow: [group:atk_analysts, group:atk_owners], "
                                                  "deny: [user:atk_eve] }", 1))
    deadline = time.monotonic() + 10
    revoked = False
    while time.monotonic() < deadline and not revoked:
        t = wire(EVE)
        revoked = t.query("SELECT count(*) FROM atk.people").sqlstates == ["42501"]
        t.close()
        time.sleep(0.1 if revoked else 0.3)
    mg.R.check("atk-v02 after SIGHUP a new session of atk_eve is denied atk.people", revoked, GATE.log_tail())
    try:
        c.bind("", "atk_before_reload")
        c.execute("")
        r = c.sync()
        r3 = c.query("SELECT count(*) FROM atk.people")
        mg.R.check("atk-v03 after the reload a new statement in a session opened before it is denied",
                   r3.sqlstates == ["42501"], r3)
        alive = c.query("SELECT 'alive'").text_rows() == [["alive"]]
    except Exception as ex:  # noqa: BLE001
        r, alive = ex, False
    finally:
        c.close()
    ok = isinstance(r, _pgwire.Result) and r.sqlstates == ["42501"] and not r.rows
    report("v02", "a statement prepared before a reload that revokes access", EVE, bytes(c.received),
           (ok, "is refused with 42501 after the reload"), alive, r)

def suite_attack():
    global GATE
    mg.R.suite = "attack"
    t0 = time.monotonic()
    seed()
    GATE = _owngate.Gate("attack", {"atk.yaml": DOMAIN}, USERS, pool_size=6)
    try:
        if not mg.R.check("the attack gate starts with the atk domain", GATE.start(), GATE.log_tail()):
            return
        # The gate learns columns from the backend at start; wait (bounded) until it answers.
        deadline = time.monotonic() + 15
        while True:
            try:
                c = wire(EVE)
                r = c.query("SELECT count(*) FROM atk.people")
                c.close()
                if not r.errors or time.monotonic() > deadline:
                    break
            except Exception:  # noqa: BLE001
                if time.monotonic() > deadline:
                    break
            time.sleep(0.2)
        run_world_cases()
        run_session_cases()
        mg.R.check("the attack gate is still running after every case", GATE.alive(), GATE.log_tail())
    finally:
        GATE.stop()
        c = mg.direct()
        c.autocommit = True
        cleanup(c.cursor())
        c.close()
        print(f"--- attack: world tag {W.tag}, {len(W.needles)} protected strings, "
              f"{time.monotonic() - t0:.1f}s", flush=True)


SUITES = {"attack": suite_attack}
