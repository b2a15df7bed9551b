#!/usr/bin/python3
"""End-to-end checks of meshgate through real clients, against a real PostgreSQL.

Started by tests/e2e/run.sh, which creates the cluster, seeds the demo warehouse, renders the demo
config with a random hash key and starts `meshgate serve`; the environment it passes is read by
`Env` below. Every expectation is computed here from the warehouse itself (direct connection as
the superuser) or from the test's own hash key, never hard-coded, so each check fails when the
feature is missing.

Usage: e2e.py [SUITE...]   suites: cli psql psycopg2 jdbc node pgbench observability, then those
                           of suites/*.py, then reload (default: all, in that order; reload edits
                           the config and runs last)
Prints one `ok` / `FAIL` line per check and ends with `N passed, N failed`; exit 1 on any failure.
Must run with Debian's /usr/bin/python3 (psycopg2 is a Debian package; TOOLCHAIN §5).
"""

import hashlib
import hmac
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
import urllib.request
from decimal import Decimal

import psycopg2
import psycopg2.errors  # noqa: F401  (pgcode constants)

HERE = os.path.dirname(os.path.abspath(__file__))
PSQL = "/usr/lib/postgresql/15/bin/psql"
PGBENCH = "/usr/lib/postgresql/15/bin/pgbench"
JDBC_JAR = "/usr/share/java/postgresql.jar"
CLIENT_TIMEOUT = 60  # seconds; every subprocess is bounded


class Env:
    """What run.sh set up."""

    def __init__(self):
        e = os.environ
        self.mg_bin = e["MG_BIN"]
        self.mg_config = e["MG_CONFIG"]
        self.mg_port = int(e["MG_PORT"])
        self.admin_port = int(e["MG_ADMIN_PORT"])
        self.audit = e["MG_AUDIT"]
        self.tls_cert = e["MG_TLS_CERT"]
        self.pg_dir = e["PG_DIR"]
        self.pg_port = int(e["PG_PORT"])
        self.pg_superpw = e["PG_SUPERPW"]
        self.db = e["DB_NAME"]
        self.hash_key = e["MESHGATE_HASH_KEY"]
        self.work = e["E2E_DIR"]
        self.cache = e.get("E2E_CACHE", os.path.join(self.work, "cache"))

    @staticmethod
    def password(user):
        return f"{user}-demo"


# Checks of features that later issues build. A pending check that fails is reported as
# `todo` (counted as skipped, never as passed); once it passes it counts as passed and its entry
# here should be removed. Keys: suite name, or a check-description prefix.
PENDING = {
}


def pending_reason(suite, desc):
    if suite in PENDING:
        return PENDING[suite]
    for prefix, reason in PENDING.items():
        if desc.startswith(prefix):
            return reason
    return None


class Results:
    def __init__(self):
        self.passed = 0
        self.failed = 0
        self.skipped = 0
        self.failures = []
        self.suite = ""

    def check(self, desc, cond, detail=""):
        name = f"[{self.suite}] {desc}"
        pending = pending_reason(self.suite, desc)
        if cond:
            self.passed += 1
            print(f"ok   - {name}" + (f"  (listed as pending for {pending}: remove it from PENDING)"
                                      if pending else ""), flush=True)
        elif pending:
            self.skipped += 1
            print(f"todo - {name}  (pending: {pending})", flush=True)
        else:
            self.failed += 1
            self.failures.append(name)
            msg = f"FAIL - {name}"
            if detail:
                msg += "\n       " + str(detail).strip().replace("\n", "\n       ")[:1500]
            print(msg, flush=True)
        return bool(cond)

    def eq(self, desc, got, want):
        return self.check(desc, got == want, f"got {got!r}\n want {want!r}")


R = Results()
ENV = None


# ---------------------------------------------------------------------------------------------
# Ground truth from the warehouse, and the masks computed independently.

def direct():
    return psycopg2.connect(host=ENV.pg_dir, port=ENV.pg_port, user="postgres",
                            password=ENV.pg_superpw, dbname=ENV.db)


def direct_rows(sql, args=None):
    c = direct()
    try:
        with c.cursor() as cur:
            cur.execute(sql, args)
            return cur.fetchall()
    finally:
        c.close()


def direct_columns(relation):
    c = direct()
    try:
        with c.cursor() as cur:
            cur.execute(f"SELECT * FROM {relation} LIMIT 0")
            return [(d.name, d.type_code) for d in cur.description]
    finally:
        c.close()


def keyed_hash(value):
    return hmac.new(ENV.hash_key.encode(), str(value).encode(), hashlib.sha256).hexdigest()


def partial_last4(value):
    v = str(value)
    return "*" * len(v) if len(v) <= 4 else "*" * (len(v) - 4) + v[-4:]


# ---------------------------------------------------------------------------------------------
# Clients.

def run(cmd, env_extra=None, timeout=CLIENT_TIMEOUT, cwd=None, input_text=None):
    env = dict(os.environ)
    env.update(env_extra or {})
    try:
        p = subprocess.run(cmd, env=env, cwd=cwd, input=input_text, capture_output=True,
                           text=True, timeout=timeout)
        return p.returncode, p.stdout, p.stderr
    except subprocess.TimeoutExpired as ex:
        return 124, ex.stdout or "", f"timed out after {timeout}s: {' '.join(cmd)}"


TRANSPORTS = {
    "plain": "sslmode=disable",
    "tls": "sslmode=require",
    "tls+channel_binding": "sslmode=require channel_binding=require",
}


def conninfo(user, transport="plain", extra=""):
    return (f"host=127.0.0.1 port={ENV.mg_port} dbname=mesh user={user} "
            f"{TRANSPORTS[transport]} connect_timeout=10 {extra}").strip()


def psql(user, commands, transport="plain", password=None, extra="", tuples=True):
    """Runs the commands in ONE psql session (ON_ERROR_STOP=0); returns (rc, stdout, stderr)."""
    cmd = [PSQL, "-X", "-q", "-v", "ON_ERROR_STOP=0", "-v", "VERBOSITY=verbose", "-A", "-F", "|"]
    if tuples:
        cmd.append("-t")
    cmd.append(conninfo(user, transport, extra))
    for c in commands:
        cmd += ["-c", c]
    pw = password if password is not None else Env.password(user)
    return run(cmd, {"PGPASSWORD": pw, "PGCONNECT_TIMEOUT": "10"})


def lines(out):
    return [l for l in out.splitlines() if l.strip()]


def sqlstates(stderr):
    return re.findall(r"ERROR:\s+([0-9A-Z]{5}):", stderr)


def mg_connect(user, transport="plain", password=None, **kw):
    ssl = {"plain": "disable", "tls": "require"}[transport]
    return psycopg2.connect(host="127.0.0.1", port=ENV.mg_port, dbname="mesh", user=user,
                            password=password if password is not None else Env.password(user),
                            sslmode=ssl, connect_timeout=10, **kw)


# ---------------------------------------------------------------------------------------------
# Suites.

def expectations():
    cust = direct_rows("SELECT id, name, email, phone, card_number, region, balance "
                       "FROM public.customers ORDER BY id")
    eu = [r for r in cust if r[5] == "EU"]
    us = [r for r in cust if r[5] == "US"]
    assert eu and us, "the demo data must hold EU and US customers"
    return cust, eu, us


def suite_cli():
    R.suite = "cli"
    rc, out, err = run([ENV.mg_bin, "--version"])
    R.check("meshgate --version exits 0 and prints a version", rc == 0 and re.search(r"\d+\.\d+", out + err),
            out + err)
    rc, out, err = run([ENV.mg_bin, "check", "--config", ENV.mg_config],
                       {"WAREHOUSE_PG_PASSWORD": os.environ.get("WAREHOUSE_PG_PASSWORD", "")})
    R.check("meshgate check accepts the demo configuration", rc == 0, out + err)

    # A broken domain file: a row filter holding a subquery (a config error by SPEC §4).
    bad = os.path.join(ENV.work, "bad-config")
    shutil.rmtree(bad, ignore_errors=True)
    shutil.copytree(os.path.dirname(ENV.mg_config), bad,
                    ignore=shutil.ignore_patterns("*.jsonl", "*.log", "*.pid", "cache", "bad-config"))
    path = os.path.join(bad, "domains", "sales.yaml")
    text = open(path).read()
    assert "region = @user.region" in text
    open(path, "w").write(text.replace("region = @user.region",
                                       "region IN (SELECT region FROM public.customers)"))
    rc, out, err = run([ENV.mg_bin, "check", "--config", os.path.join(bad, "meshgate.yaml")],
                       {"WAREHOUSE_PG_PASSWORD": os.environ.get("WAREHOUSE_PG_PASSWORD", "")})
    both = out + err
    R.check("meshgate check rejects a row filter holding a subquery", rc != 0, both)
    R.check("the config error names the domain file and line", re.search(r"sales\.yaml:\d+", both), both)

    # meshgate passwd: verify the printed SCRAM verifier independently (RFC 5802/7677).
    pw = "correct horse battery staple"
    rc, out, err = run([ENV.mg_bin, "passwd"], input_text=pw + "\n")
    v = out.strip().splitlines()[-1] if out.strip() else ""
    m = re.fullmatch(r"SCRAM-SHA-256\$(\d+):([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]+):([A-Za-z0-9+/=]+)", v)
    ok = False
    if m:
        import base64
        iters, salt = int(m.group(1)), base64.b64decode(m.group(2))
        salted = hashlib.pbkdf2_hmac("sha256", pw.encode(), salt, iters)
        client_key = hmac.new(salted, b"Client Key", hashlib.sha256).digest()
        stored = hashlib.sha256(client_key).digest()
        server = hmac.new(salted, b"Server Key", hashlib.sha256).digest()
        ok = (base64.b64decode(m.group(3)) == stored and base64.b64decode(m.group(4)) == server
              and iters >= 4096)
    R.check("meshgate passwd prints a SCRAM-SHA-256 verifier that matches the password", rc == 0 and ok,
            out + err)

    rc, out, err = run([ENV.mg_bin, "explain", "--config", ENV.mg_config, "--user", "alice",
                        "SELECT email, phone FROM sales.customers"],
                       {"WAREHOUSE_PG_PASSWORD": os.environ.get("WAREHOUSE_PG_PASSWORD", "")})
    both = out + err
    R.check("meshgate explain shows the allow decision, the policies and the physical source",
            rc == 0 and "public.customers" in both and "own-region" in both and "pii-email" in both
            and "hide-phone" in both, both)
    R.check("meshgate explain never prints the hash key", ENV.hash_key not in both, both)
    rc, out, err = run([ENV.mg_bin, "explain", "--config", ENV.mg_config, "--user", "mallory",
                        "SELECT * FROM sales.customers"],
                       {"WAREHOUSE_PG_PASSWORD": os.environ.get("WAREHOUSE_PG_PASSWORD", "")})
    R.check("meshgate explain shows mallory's deny with 42501", "42501" in out + err and "deny" in (out + err).lower(),
            out + err)


def suite_psql():
    R.suite = "psql"
    cust, eu, us = expectations()
    n_orders = direct_rows("SELECT count(*) FROM public.orders")[0][0]
    n_leads = direct_rows("SELECT count(*) FROM crm.leads")[0][0]
    phys_header = "|".join(c for c, _ in direct_columns("public.customers"))

    for t in TRANSPORTS:
        rc, out, err = psql("alice", ["SELECT id, email, phone, card_number, region FROM sales.customers ORDER BY id"], t)
        got = [l.split("|") for l in lines(out)]
        want = [[str(r[0]), keyed_hash(r[2]), "", partial_last4(r[4]), r[5]] for r in eu]
        R.check(f"{t}: alice connects and reads sales.customers", rc == 0 and got, err)
        R.eq(f"{t}: alice sees only EU rows, e-mail as HMAC-SHA-256, phone NULL, card partially masked",
             got, want)

    rc, out, err = psql("alice", ["SELECT count(*) FROM sales.customers"])
    R.eq("row filter: alice's count equals the direct count of EU rows", out.strip(), str(len(eu)))
    rc, out, err = psql("alice", ["SELECT count(*) FROM sales.customers WHERE region = 'US'"])
    R.eq("row filter: alice cannot reach US rows by asking for them", out.strip(), "0")

    rc, out, err = psql("bob", ["SELECT id, email, phone FROM sales.customers ORDER BY id"])
    want = [[str(r[0]), keyed_hash(r[2]), r[3] or ""] for r in cust]
    R.eq("bob (sales-data-team) is exempt from own-region and hide-phone but not from pii-email",
         [l.split("|") for l in lines(out)], want)

    rc, out, err = psql("carol", ["SELECT id, email FROM sales.customers ORDER BY id"])
    R.eq("carol (privacy-officers, US) sees raw e-mail of US rows only",
         [l.split("|") for l in lines(out)], [[str(r[0]), r[2]] for r in us])

    rc, out, err = psql("alice", ["SELECT * FROM sales.customers LIMIT 1"], tuples=False)
    R.eq("SELECT * returns the physical table's columns in the same order", (lines(out) or [""])[0], phys_header)

    # Refusals, each followed by a good query in the same session.
    cases = [
        ("mallory", "SELECT count(*) FROM sales.customers", "42501", "sales.customers",
         "SELECT count(*) FROM sales.orders", str(n_orders), "mallory is denied on sales.customers"),
        ("alice", "SELECT * FROM sales.payouts", "42501", "sales.payouts",
         "SELECT count(*) FROM sales.customers", str(len(eu)), "a product without access is refused"),
        ("bob", "SELECT count(*) FROM sales.orders", "42501", "sales.orders",
         "SELECT count(*) FROM sales.customers", str(len(cust)), "bob is not allowed on sales.orders"),
        ("alice", "SELECT * FROM public.customers", "42P01", "",
         "SELECT count(*) FROM sales.customers", str(len(eu)), "a raw physical name never resolves"),
        ("alice", "SELECT count(*) FROM marketing.leads", "42501", "marketing.leads",
         "SELECT count(*) FROM sales.customers", str(len(eu)), "a product with purposes needs a declared purpose"),
        ("alice", "DELETE FROM sales.customers", None, "",
         "SELECT count(*) FROM sales.customers", str(len(eu)), "writes are refused"),
        ("alice", "SELECT pg_read_file('/etc/passwd')", None, "",
         "SELECT count(*) FROM sales.customers", str(len(eu)), "pg_read_file is refused"),
        ("alice", "SELEC 1", "42601", "",
         "SELECT count(*) FROM sales.customers", str(len(eu)), "a syntax error is reported"),
    ]
    for user, bad, state, names, good, good_out, desc in cases:
        rc, out, err = psql(user, [bad, good])
        states = sqlstates(err)
        if state:
            ok_state = states == [state]
        else:
            ok_state = len(states) == 1 and states[0] in ("42501", "0A000")
        R.check(f"{desc} ({state or '42501/0A000'})", ok_state and names in err, err)
        R.eq(f"{desc}: no rows leak and the same session still works", lines(out), [good_out])

    rc, out, err = psql("alice", ["SET meshgate.purpose = 'marketing'", "SELECT count(*) FROM marketing.leads"])
    R.eq("alice with purpose marketing reads marketing.leads", lines(out), [str(n_leads)])
    rc, out, err = psql("mallory", ["SET meshgate.purpose = 'marketing'", "SELECT count(*) FROM marketing.leads"])
    R.check("mallory cannot declare a purpose outside her attributes", "42501" in sqlstates(err) and not lines(out),
            out + err)

    # The keyed hash is a stable join key across domains.
    want_join = direct_rows("SELECT count(*) FROM public.customers c JOIN crm.leads l ON l.email = c.email "
                            "WHERE c.region = 'EU'")[0][0]
    rc, out, err = psql("alice", ["SET meshgate.purpose = 'marketing'",
                                  "SELECT count(*) FROM sales.customers c JOIN marketing.leads l ON l.email = c.email"])
    R.check("sanity: some EU customers are leads", want_join > 0)
    R.eq("hashed e-mail joins sales.customers to marketing.leads", lines(out), [str(want_join)])

    # search_path over domains: unqualified names resolve in the user's search_path (sales).
    rc, out, err = psql("alice", ["SELECT count(*) FROM customers",
                                  "SET search_path TO marketing", "SELECT count(*) FROM campaigns"])
    n_campaigns = direct_rows("SELECT count(*) FROM crm.campaigns")[0][0]
    R.eq("unqualified names follow the domain search_path", lines(out), [str(len(eu)), str(n_campaigns)])

    # Catalog.
    rc, out, err = psql("mallory", ["SELECT address, accessible FROM mesh.products WHERE domain = 'sales' ORDER BY 1"])
    R.eq("mesh.products lists every product with accessible per user",
         [l.split("|") for l in lines(out)],
         [["sales.customers", "f"], ["sales.orders", "t"], ["sales.payouts", "f"]])

    # COPY of a product is rewritten like a SELECT: masked, filtered.
    rc, out, err = psql("alice", ["COPY sales.customers TO STDOUT"])
    rows = [l.split("\t") for l in lines(out)]
    R.eq("COPY sales.customers TO STDOUT streams only EU rows with the e-mail hashed",
         [(r[0], r[2]) for r in rows], [(str(r[0]), keyed_hash(r[2])) for r in eu])

    # One refused statement refuses the whole multi-statement message.
    rc, out, err = psql("alice", ["SELECT 'leaked-before-refusal'; SELECT * FROM sales.payouts"])
    R.check("a multi-statement query with one refused statement runs none of it",
            "leaked-before-refusal" not in out and sqlstates(err) == ["42501"], out + err)

    for rel in ("pg_catalog.pg_stat_activity", "pg_authid", "pg_catalog.pg_stats"):
        rc, out, err = psql("alice", [f"SELECT count(*) FROM {rel}", "SELECT 'still-ok'"])
        R.check(f"{rel} is refused and the session stays usable",
                len(sqlstates(err)) == 1 and sqlstates(err)[0] in ("42501", "0A000") and lines(out) == ["still-ok"],
                out + err)

    # An unqualified call must resolve in pg_catalog only: a function that happens to sit in a
    # schema the service account can see (here public) must not run through meshgate.
    with direct() as dc:
        dc.autocommit = True
        with dc.cursor() as c:
            c.execute("CREATE OR REPLACE FUNCTION public.e2e_probe() RETURNS text LANGUAGE sql "
                      "AS $$ SELECT 'probe-leaked'::text $$")
            c.execute("GRANT EXECUTE ON FUNCTION public.e2e_probe() TO PUBLIC")
    rc, out, err = psql("alice", ["SELECT e2e_probe()", "SELECT 'still-ok'"])
    R.check("an unqualified function outside pg_catalog never runs on the backend",
            "probe-leaked" not in out and len(sqlstates(err)) == 1 and lines(out) == ["still-ok"],
            out + err)

    rc, out, err = psql("mallory", ["SELECT table_schema || '.' || table_name FROM information_schema.tables "
                                    "WHERE table_schema = 'sales' ORDER BY 1"])
    R.eq("information_schema.tables lists only the products the user may read", lines(out), ["sales.orders"])

    rc, out, err = run([PSQL, "-X", "-q", "-At", conninfo("alice"), "-c", "SELECT count(*) FROM campaigns"],
                       {"PGPASSWORD": Env.password("alice"), "PGOPTIONS": "-c search_path=marketing"})
    R.eq("the startup option -c search_path=marketing is honoured",
         lines(out), [str(direct_rows("SELECT count(*) FROM crm.campaigns")[0][0])])

    # Authentication failures look the same whether or not the user exists.
    rc1, out1, err1 = psql("alice", ["SELECT 1"], password="wrong-password")
    rc2, out2, err2 = psql("nosuchuser", ["SELECT 1"], password="wrong-password")
    norm = lambda s, u: re.sub(r"port \d+", "port N", s.replace(f'"{u}"', '"<user>"'))
    R.check("a wrong password is refused", rc1 != 0 and "authentication failed" in err1, err1)
    R.check("an unknown user is refused", rc2 != 0 and "authentication failed" in err2, err2)
    R.eq("wrong password and unknown user get identical messages", norm(err1, "alice"), norm(err2, "nosuchuser"))

    rc, out, err = psql("alice", ["SELECT 1"], "tls", extra=f"sslmode=verify-full sslrootcert={ENV.tls_cert}")
    R.eq("TLS with sslmode=verify-full against the listener certificate", lines(out), ["1"])


def suite_psycopg2():
    R.suite = "psycopg2"
    cust, eu, us = expectations()
    phys = direct_columns("public.customers")
    for t in ("plain", "tls"):
        try:
            conn = mg_connect("alice", t)
        except Exception as ex:  # noqa: BLE001 - a failed connect is a failed check
            R.check(f"{t}: alice connects", False, ex)
            continue
        R.check(f"{t}: alice connects", True)
        R.eq(f"{t}: TLS in use as requested", bool(conn.info.ssl_in_use), t == "tls")
        conn.autocommit = True
        cur = conn.cursor()
        e = eu[len(eu) // 2]
        cur.execute("SELECT id, name, email, balance FROM sales.customers WHERE id = %s", (e[0],))
        R.eq(f"{t}: parameterized lookup returns the masked row with exact types",
             cur.fetchall(), [(e[0], e[1], keyed_hash(e[2]), e[6])])
        u = us[0]
        cur.execute("SELECT id FROM sales.customers WHERE id = %s", (u[0],))
        R.eq(f"{t}: a lookup of a US id returns nothing to alice", cur.fetchall(), [])
        cur.execute("SELECT * FROM sales.customers WHERE balance >= %s ORDER BY id", (Decimal("0"),))
        R.eq(f"{t}: SELECT * has the physical columns, names and types in order",
             [(d.name, d.type_code) for d in cur.description], phys)
        R.eq(f"{t}: SELECT * returns all EU rows", [r[0] for r in cur.fetchall()], [r[0] for r in eu])
        try:
            cur.execute("SELECT * FROM public.customers")
            R.check(f"{t}: public.customers is refused", False, cur.fetchall())
        except psycopg2.Error as ex:
            R.eq(f"{t}: public.customers is refused with 42P01", ex.pgcode, "42P01")
        cur.execute("SELECT region, count(*) FROM sales.customers GROUP BY region")
        R.eq(f"{t}: the session works after the refusal (aggregate sees only EU)", cur.fetchall(), [("EU", len(eu))])
        conn.close()

        # In a transaction: a refusal aborts it like any error; ROLLBACK recovers.
        conn = mg_connect("mallory", t)
        cur = conn.cursor()
        try:
            cur.execute("SELECT email FROM sales.customers")
            R.check(f"{t}: mallory is refused inside a transaction", False, cur.fetchall())
        except psycopg2.Error as ex:
            R.check(f"{t}: mallory is refused inside a transaction with 42501 naming the product",
                    ex.pgcode == "42501" and "sales.customers" in str(ex), f"{ex.pgcode} {ex}")
        conn.rollback()
        cur.execute("SELECT count(*) FROM sales.orders WHERE amount > %s", (Decimal("100"),))
        R.eq(f"{t}: after ROLLBACK the same connection works",
             cur.fetchall(), direct_rows("SELECT count(*) FROM public.orders WHERE amount > 100"))
        conn.close()

    # A server-side cursor (DECLARE ... CURSOR / FETCH) over a product.
    conn = mg_connect("alice")
    try:
        cur = conn.cursor(name="eu_customers")
        cur.itersize = 5
        cur.execute("SELECT id, email FROM sales.customers ORDER BY id")
        got = list(cur)
        R.eq("DECLARE/FETCH through a named cursor returns the masked EU rows in batches",
             got, [(r[0], keyed_hash(r[2])) for r in eu])
        conn.rollback()
    except psycopg2.Error as ex:
        R.check("DECLARE/FETCH through a named cursor", False, f"{ex.pgcode} {ex}")
    finally:
        conn.close()

    # CancelRequest with meshgate's key reaches the right backend.
    conn = mg_connect("bench")
    conn.autocommit = True
    cur = conn.cursor()
    timer = threading.Timer(1.0, conn.cancel)
    t0 = time.monotonic()
    timer.start()
    try:
        cur.execute("SELECT count(*) FROM pgbench_accounts a CROSS JOIN generate_series(1, 3000) g")
        R.check("a cancelled long query stops with 57014", False, "it completed")
    except psycopg2.Error as ex:
        R.check(f"a cancelled long query stops with 57014 ({time.monotonic() - t0:.1f}s)",
                ex.pgcode == "57014" and time.monotonic() - t0 < 20, f"{ex.pgcode} {ex}")
    finally:
        timer.cancel()
    try:
        cur.execute("SELECT count(*) FROM pgbench_branches")
        R.eq("the connection works after the cancel", cur.fetchall(),
             direct_rows("SELECT count(*) FROM public.pgbench_branches"))
    except psycopg2.Error as ex:
        R.check("the connection works after the cancel", False, ex)
    conn.close()

    # A backend that dies mid-query: that client gets an error, meshgate keeps serving.
    conn = mg_connect("bench")
    conn.autocommit = True
    cur = conn.cursor()
    marker = f"e2e_kill_{os.getpid()}"

    def terminate():
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            n = direct_rows("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                            "WHERE usename = 'meshgate' AND query LIKE %s", (f"%{marker}%",))[0][0]
            if n:
                return
            time.sleep(0.1)

    killer = threading.Thread(target=terminate)
    killer.start()
    t0 = time.monotonic()
    try:
        cur.execute(f"SELECT count(*), '{marker}' FROM pgbench_accounts a CROSS JOIN generate_series(1, 3000) g")
        R.check("a query whose backend is terminated fails", False, "it completed")
    except psycopg2.OperationalError as ex:
        # libpq 15 drops the FATAL's SQLSTATE when the socket closes right after it (it does the
        # same talking to PostgreSQL directly), so the client-side check is "an error, promptly";
        # the SQLSTATE meshgate classified is read back from its audit log.
        R.check(f"a query whose backend is terminated fails promptly ({time.monotonic() - t0:.1f}s)",
                time.monotonic() - t0 < 20, f"{ex.pgcode} {ex}")
        states = []
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and not states:
            with open(ENV.audit) as f:
                states = [e.get("sqlstate") for e in map(json.loads, f)
                          if e.get("event") == "statement" and e.get("user") == "bench"
                          and e.get("decision") == "error" and e.get("sqlstate") in ("57P01", "08006")]
            time.sleep(0.1)
        R.check("meshgate reports the backend's death as 57P01/08006 (audit log)", bool(states), states)
    except psycopg2.Error as ex:
        R.check("a query whose backend is terminated fails with a connection error", False, f"{ex.pgcode} {ex}")
    finally:
        killer.join()
        conn.close()
    try:
        c2 = mg_connect("alice")
        c2.autocommit = True
        with c2.cursor() as cur2:
            cur2.execute("SELECT count(*) FROM sales.customers")
            R.eq("meshgate keeps serving new sessions after a backend died", cur2.fetchall(), [(len(eu),)])
        c2.close()
    except psycopg2.Error as ex:
        R.check("meshgate keeps serving new sessions after a backend died", False, ex)

    for user in ("alice", "nosuchuser"):
        try:
            mg_connect(user, "plain", password="wrong").close()
            R.check(f"wrong password for {user} is refused", False)
        except psycopg2.OperationalError as ex:
            R.check(f"wrong password for {user} is refused", "authentication failed" in str(ex), ex)


def suite_jdbc():
    R.suite = "jdbc"
    if not shutil.which("java") or not os.path.exists(JDBC_JAR):
        R.check("java and pgjdbc are installed", False, "deploy/install-deps.sh installs them")
        return
    cust, eu, us = expectations()
    e = eu[0]
    n_orders = direct_rows("SELECT count(*) FROM public.orders")[0][0]
    for mode in ("disable", "require"):
        env = {"MG_PORT": str(ENV.mg_port), "MG_SSLMODE": mode, "MG_USER": "alice",
               "MG_PASSWORD": Env.password("alice"), "EXPECT_ID": str(e[0]),
               "EXPECT_EMAIL": keyed_hash(e[2]), "EXPECT_EU_COUNT": str(len(eu)),
               "EXPECT_US_ID": str(us[0][0]), "EXPECT_ORDERS": str(n_orders)}
        rc, out, err = run(["java", "-cp", JDBC_JAR, os.path.join(HERE, "clients", "JdbcE2E.java")], env,
                           timeout=120)
        relay(out, f"sslmode={mode}")
        R.check(f"sslmode={mode}: the JDBC client ran to the end", "done" in out, (out + err)[-1500:])


def suite_node():
    R.suite = "node"
    if not shutil.which("node") or not shutil.which("npm"):
        R.check("node and npm are installed", False, "deploy/install-deps.sh installs nodejs npm")
        return
    moddir = os.path.join(ENV.cache, "node")
    os.makedirs(moddir, exist_ok=True)
    if not os.path.exists(os.path.join(moddir, "node_modules", "pg", "package.json")):
        if not os.path.exists(os.path.join(moddir, "package.json")):
            open(os.path.join(moddir, "package.json"), "w").write('{"name":"meshgate-e2e","private":true}\n')
        rc, out, err = run(["npm", "install", "--no-audit", "--no-fund", "--loglevel=error", "pg@8"],
                           cwd=moddir, timeout=180)
        if not R.check("npm install pg into the cache", rc == 0, out + err):
            return
    cust, eu, us = expectations()
    e = eu[-1]
    for tls in ("0", "1"):
        env = {"NODE_PATH": os.path.join(moddir, "node_modules"), "MG_PORT": str(ENV.mg_port), "MG_TLS": tls,
               "MG_PASSWORD": Env.password("alice"), "EXPECT_ID": str(e[0]),
               "EXPECT_EMAIL": keyed_hash(e[2]), "EXPECT_EU_COUNT": str(len(eu)),
               "EXPECT_NAME": e[1]}
        rc, out, err = run(["node", os.path.join(HERE, "clients", "node_e2e.js")], env, timeout=60)
        relay(out, "tls" if tls == "1" else "plain")
        R.check(f"{'tls' if tls == '1' else 'plain'}: the node client ran to the end", "done" in out,
                (out + err)[-1500:])


def relay(out, prefix):
    """Counts the ok/FAIL lines a client program printed."""
    for l in out.splitlines():
        m = re.match(r"(ok|FAIL) - (.*)", l)
        if m:
            R.check(f"{prefix}: {m.group(2)}", m.group(1) == "ok")


def suite_pgbench():
    R.suite = "pgbench"
    for sslmode, mode in [(t, m) for t in ("disable", "require") for m in ("simple", "prepared", "extended")]:
        cmd = [PGBENCH, "-n", "-S", "-M", mode, "-c", "4", "-j", "2", "-T", os.environ.get("E2E_PGBENCH_SECONDS", "2"),
               "-h", "127.0.0.1", "-p", str(ENV.mg_port), "-U", "bench", "mesh"]
        rc, out, err = run(cmd, {"PGPASSWORD": Env.password("bench"), "PGSSLMODE": sslmode}, timeout=60)
        processed = re.search(r"number of transactions actually processed: (\d+)", out)
        failed = re.search(r"number of failed transactions: (\d+)", out)
        tps = re.search(r"tps = ([\d.]+)", out)
        R.check(f"sslmode={sslmode} -M {mode}: pgbench -S through meshgate runs with 0 failed transactions"
                f" ({tps.group(1) if tps else '?'} tps)",
                rc == 0 and processed and int(processed.group(1)) > 0 and failed and failed.group(1) == "0",
                out + err)


def suite_observability():
    R.suite = "observability"
    # Produce a deny and an allow for this suite's own audit assertions.
    psql("mallory", ["SELECT count(*) FROM sales.customers"])
    psql("alice", ["SELECT count(*) FROM sales.customers"])
    try:
        body = urllib.request.urlopen(f"http://127.0.0.1:{ENV.admin_port}/metrics", timeout=5).read().decode()
    except Exception as ex:  # noqa: BLE001
        body = f"<{ex}>"
    for name in ("meshgate_statements_total", "meshgate_auth_total", "meshgate_client_connections",
                 "meshgate_statement_duration_seconds"):
        R.check(f"/metrics exposes {name}", name in body, body[:400])
    R.check("/metrics counts denied statements",
            re.search(r'meshgate_statements_total\{[^}]*decision="deny"[^}]*\} [1-9]', body), body[:400])
    for path in ("/healthz", "/readyz"):
        try:
            code = urllib.request.urlopen(f"http://127.0.0.1:{ENV.admin_port}{path}", timeout=5).status
        except Exception as ex:  # noqa: BLE001
            code = str(ex)
        R.eq(f"{path} answers 200", code, 200)

    # Audit: one JSON object per line; hash chain intact; the deny is there without the hash key.
    time.sleep(0.3)  # the audit writer is asynchronous; a bounded pause
    events = []
    try:
        with open(ENV.audit) as f:
            raw = f.read()
        events = [json.loads(l) for l in raw.splitlines() if l.strip()]
    except Exception as ex:  # noqa: BLE001
        raw = ""
        R.check("the audit log is JSON lines", False, ex)
    if events:
        R.check("the audit log is JSON lines", True)
        denies = [e for e in events if e.get("event", e.get("type")) == "statement" and e.get("decision") == "deny"
                  and e.get("user") == "mallory"]
        R.check("mallory's denied statement is audited with 42501", any(d.get("sqlstate") == "42501" for d in denies),
                json.dumps(events[-3:])[:800])
        R.check("every audit line carries seq, prev and hash", all({"seq", "prev", "hash"} <= e.keys() for e in events))
        R.check("the hash key never appears in the audit log", ENV.hash_key not in raw)
        rc, out, err = run([ENV.mg_bin, "audit", "verify", ENV.audit])
        R.check("meshgate audit verify accepts the log", rc == 0, out + err)
        tampered = os.path.join(ENV.work, "audit-tampered.jsonl")
        ls = raw.splitlines()
        del ls[len(ls) // 2]
        open(tampered, "w").write("\n".join(ls) + "\n")
        rc, out, err = run([ENV.mg_bin, "audit", "verify", tampered])
        R.check("meshgate audit verify detects a removed line", rc != 0, out + err)
    check_extended_audit()


def check_extended_audit():
    """Extended protocol (SPEC §6): every Execute of a prepared statement is its own audit event
    with its rows, duration and SQLSTATE; an Execute the backend skipped after an error has none."""
    sys.path.insert(0, os.path.join(HERE, "suites"))
    import _pgwire
    tag = f"xaudit_{os.getpid()}"
    sql = f"SELECT {tag} FROM pg_catalog.generate_series(1, $1::int) AS t({tag})"
    failing = f"SELECT 1 / $1::int AS {tag}_div"
    try:
        w = _pgwire.Conn("127.0.0.1", ENV.mg_port, "alice", Env.password("alice"))
        w.parse(sql, name="xa")
        w.sync()
        results = []
        for n in (3, 5, 7):
            w.bind(statement="xa", params=(str(n),))
            w.execute()
            results.append(w.sync())
        # One batch: a failing Execute, then one the backend skips until Sync.
        w.parse(failing, name="xf")
        w.bind(statement="xf", params=("0",))
        w.execute()
        w.bind(statement="xa", params=("11",))
        w.execute()
        failed = w.sync()
        # A Parse the backend refuses (no such column), with no Execute after it.
        w.parse(f"SELECT {tag}_nocol FROM pg_catalog.generate_series(1, 2) AS t(x)", name="xn")
        refused = w.sync()
        w.close()
        # A client that leaves while its statement's rows stream: the execution is audited.
        gone = _pgwire.Conn("127.0.0.1", ENV.mg_port, "alice", Env.password("alice"))
        gone.parse(f"SELECT g AS {tag}_gone FROM pg_catalog.generate_series(1, 3000000) AS g")
        gone.bind()
        gone.execute()
        gone.send(b"S")
        gone.sock.close()
    except (OSError, _pgwire.WireError) as ex:
        R.check("extended-protocol audit client ran", False, repr(ex))
        return
    R.eq("extended: three executions of one prepared statement return 3, 5 and 7 rows",
         [len(r.rows) for r in results], [3, 5, 7])
    R.eq("extended: the failing execution fails with 22012", failed.sqlstates, ["22012"])
    R.eq("extended: the Parse of a missing column fails with 42703", refused.sqlstates, ["42703"])
    events = []
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        with open(ENV.audit) as f:
            events = [e for e in map(json.loads, f) if e.get("event") == "statement" and tag in (e.get("statement") or "")]
        if len(events) >= 6:
            break
        time.sleep(0.1)
    mine = [e for e in events if all(f"{tag}_{x}" not in e.get("statement", "") for x in ("div", "nocol", "gone"))]
    R.eq("extended: each execution is one audit event with its own row count",
         [(e.get("decision"), e.get("rows")) for e in mine], [("allow", 3), ("allow", 5), ("allow", 7)])
    R.check("extended: each execution's audit event has a duration and the backend",
            all(isinstance(e.get("duration_ms"), (int, float)) and e.get("backend") for e in mine), mine)
    div = [e for e in events if f"{tag}_div" in e.get("statement", "")]
    R.eq("extended: the failing execution is audited as an error with 22012, the skipped one not at all",
         [(e.get("decision"), e.get("sqlstate")) for e in div] + [len(mine)], [("error", "22012"), 3])
    nocol = [(e.get("decision"), e.get("sqlstate")) for e in events if f"{tag}_nocol" in e.get("statement", "")]
    R.eq("extended: a Parse the backend refuses is audited once as an error with 42703", nocol, [("error", "42703")])
    gone = [(e.get("decision"), e.get("sqlstate")) for e in events if f"{tag}_gone" in e.get("statement", "")]
    R.eq("extended: an execution whose client left mid-stream is audited as an error (08006)", gone,
         [("error", "08006")])


def suite_reload():
    """SIGHUP swaps the policy snapshot; a bad config keeps the old one. Runs last: edits the config."""
    R.suite = "reload"
    pid = int(open(os.path.join(os.path.dirname(ENV.mg_config), "meshgate.pid")).read())
    path = os.path.join(os.path.dirname(ENV.mg_config), "domains", "sales.yaml")
    original = open(path).read()
    n_us = direct_rows("SELECT count(*) FROM public.customers WHERE region = 'US'")[0][0]

    def mallory_count():
        rc, out, err = psql("mallory", ["SELECT count(*) FROM sales.customers"])
        return lines(out), sqlstates(err)

    def wait_for(pred, secs=10):
        deadline = time.monotonic() + secs
        while time.monotonic() < deadline:
            if pred():
                return True
            time.sleep(0.2)
        return False

    R.eq("before the reload mallory is denied", mallory_count(), ([], ["42501"]))
    try:
        assert "deny: [user:mallory]" in original
        open(path, "w").write(original.replace("deny: [user:mallory]", "deny: []"))
        os.kill(pid, 1)
        R.check("after SIGHUP without the deny, mallory reads her region (US) within 10s",
                wait_for(lambda: mallory_count() == ([str(n_us)], [])), mallory_count())
        check_reprepare_after_reload(pid, path, original.replace("deny: [user:mallory]", "deny: []"), n_us)
        open(path, "w").write(original.replace("region = @user.region", "region IN (SELECT 1)"))
        os.kill(pid, 1)
        time.sleep(1.5)
        R.eq("a SIGHUP with a broken config keeps the previous snapshot", mallory_count(), ([str(n_us)], []))
        try:
            body = urllib.request.urlopen(f"http://127.0.0.1:{ENV.admin_port}/metrics", timeout=5).read().decode()
        except Exception as ex:  # noqa: BLE001
            body = str(ex)
        R.check("the failed reload is counted in meshgate_config_reloads_total",
                re.search(r'meshgate_config_reloads_total\{result="(fail|failure|error)[a-z]*"\} [1-9]', body),
                "\n".join(l for l in body.splitlines() if "reload" in l)[:500])
    finally:
        open(path, "w").write(original)
        try:
            os.kill(pid, 1)
        except ProcessLookupError:
            pass
    R.check("after restoring the file and SIGHUP mallory is denied again",
            wait_for(lambda: mallory_count() == ([], ["42501"])), mallory_count())


def check_reprepare_after_reload(pid, path, current, n_us):
    """A reload that changes a prepared statement's rewrite: meshgate answers its next Bind as
    PostgreSQL answers a plan whose result type changed (0A000 from RevalidateCachedQuery), so
    pgjdbc prepares it again by itself and the execution runs under the new policy."""
    if not shutil.which("java") or not os.path.exists(JDBC_JAR):
        R.check("java and pgjdbc are installed", False, "deploy/install-deps.sh installs them")
        return

    def reloads_ok():
        try:
            body = urllib.request.urlopen(f"http://127.0.0.1:{ENV.admin_port}/metrics", timeout=5).read().decode()
        except Exception:  # noqa: BLE001
            return -1
        m = re.search(r'meshgate_config_reloads_total\{result="ok"\} ([0-9.e+]+)', body)
        return float(m.group(1)) if m else -1

    env = dict(os.environ, MG_PORT=str(ENV.mg_port), MG_USER="mallory", MG_PASSWORD=Env.password("mallory"))
    proc = subprocess.Popen(["java", "-cp", JDBC_JAR, os.path.join(HERE, "clients", "JdbcReprepare.java"),
                             "SELECT count(*) FROM sales.customers"], env=env, stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        proc.stdin.write("1\n")
        proc.stdin.flush()
        first = proc.stdout.readline().strip()
        before = reloads_ok()
        open(path, "w").write(current.replace("region = @user.region", "region = @user.region AND id > 0"))
        os.kill(pid, 1)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and reloads_ok() <= before:
            time.sleep(0.2)
        proc.stdin.write("2\n")
        proc.stdin.flush()
        second = proc.stdout.readline().strip()
        proc.stdin.close()
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
        before = reloads_ok()
        open(path, "w").write(current)
        os.kill(pid, 1)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and reloads_ok() <= before:
            time.sleep(0.2)
    R.eq("pgjdbc server-prepared statement before the reload", first, f"row\t{n_us}")
    R.eq("after a reload that changes its rewrite, pgjdbc prepares it again by itself and it runs",
         second, f"row\t{n_us}")


SUITES = {"cli": suite_cli, "psql": suite_psql, "psycopg2": suite_psycopg2, "jdbc": suite_jdbc,
          "node": suite_node, "pgbench": suite_pgbench, "observability": suite_observability}


def load_suite_modules():
    """Adds the suites of tests/e2e/suites/*.py (in file-name order) to SUITES.

    A suite module defines `SUITES = {"name": function}`; it reaches this driver's helpers and
    state through `mg = sys.modules["__main__"]` (mg.R, mg.ENV, mg.psql, mg.mg_connect, ...), read
    at call time. A suite that edits the shared config or stops the shared gate must not: it
    starts its own `meshgate serve` instead."""
    import importlib.util
    folder = os.path.join(HERE, "suites")
    if not os.path.isdir(folder):
        return
    for name in sorted(os.listdir(folder)):
        if not name.endswith(".py") or name.startswith("_"):
            continue
        spec = importlib.util.spec_from_file_location(f"e2e_suite_{name[:-3]}", os.path.join(folder, name))
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        for suite, fn in module.SUITES.items():
            if suite in SUITES:
                raise SystemExit(f"e2e: suite {suite} of suites/{name} is defined twice")
            SUITES[suite] = fn


load_suite_modules()
SUITES["reload"] = suite_reload  # edits the shared config: always last


def main():
    global ENV
    names = sys.argv[1:] or list(SUITES)
    unknown = [n for n in names if n not in SUITES]
    if unknown:
        print(f"unknown suite(s): {' '.join(unknown)}; known: {' '.join(SUITES)}", file=sys.stderr)
        return 2
    ENV = Env()
    for n in names:
        t0 = time.monotonic()
        print(f"--- suite {n}", flush=True)
        try:
            SUITES[n]()
        except Exception as ex:  # noqa: BLE001 - a crashing suite is a failed check, the others still run
            R.suite = n
            R.check("the suite ran without an unexpected exception", False, repr(ex))
        print(f"--- suite {n}: {time.monotonic() - t0:.1f}s", flush=True)
    if R.failures:
        print("\nfailed checks:")
        for f in R.failures:
            print(f"  {f}")
    print(f"{R.passed} passed, {R.failed} failed, {R.skipped} skipped")
    return 1 if R.failed else 0


if __name__ == "__main__":
    sys.exit(main())
