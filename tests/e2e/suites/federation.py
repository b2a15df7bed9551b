"""e2e suite `federation`: many backends and cross-domain joins through postgres_fdw (SPEC §3
Routing, issue 4 items 1 and 2).

Starts three extra PostgreSQL clusters: domain `fa` lives on cluster A (backend fa_pg), domain
`fb` on cluster B (fb_pg), and cluster F (fed_pg, postgres_fdw created by the superuser as the
operator's one-time setup) is the federation backend. Its own `meshgate serve` (_owngate.Gate)
adds the three backends to a copy of the shared config. The data is random per run; every
expectation is computed here from the clusters' own tables with the policies applied by hand
(row filters in Python, masks: NULL, a constant, and the keyed hash of the global pii-email
policy), so the checks can fail.
"""

import os
import random
import signal
import subprocess
import sys
import time

import psycopg2
import yaml

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _owngate  # noqa: E402
import _pgwire  # noqa: E402
from _owngate import fetch_all, http_get, wait_for  # noqa: E402

mg = sys.modules["__main__"]

REPO = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", ".."))
PGLIB = os.path.join(REPO, "tests", "e2e", "lib", "pg.sh")

FA = """domain: fa
description: federation test domain A (cluster A)
owners: [group:fa-team]
backend: fa_pg
products:
  customers:
    source: public.fed_customers
    columns:
      email: { tags: [pii.email] }
    access: { allow: [group:fed-analysts] }
    row_filters:
      - name: own-region
        where: "region = @user.region"
    masks:
      - name: hide-phone
        column: phone
        with: null
"""

FB = """domain: fb
description: federation test domain B (cluster B)
owners: [group:fb-team]
backend: fb_pg
products:
  orders:
    source: public.fed_orders
    access: { allow: [group:fed-analysts] }
    row_filters:
      - name: big-only
        where: "amount >= 10"
    masks:
      - name: hide-note
        column: note
        with: { constant: "n/a" }
        except: [group:privacy-officers]
"""

REFUNDS = """  refunds:
    source: public.fed_refunds
    access: { allow: [group:fed-analysts] }
"""

USERS = {
    "fedana": {"password": "fedana-pw", "groups": ["fed-analysts"],
               "attributes": {"region": "EU"}, "search_path": ["fa"]},
    "fedpriv": {"password": "fedpriv-pw", "groups": ["fed-analysts", "privacy-officers"],
                "attributes": {"region": "US"}, "search_path": ["fa"]},
}

JOIN = ("SELECT c.id, c.name, c.email, c.phone, o.id, o.amount, o.note "
        "FROM fa.customers c JOIN fb.orders o ON o.customer_id = c.id ORDER BY o.id")


def pg_shell(script, *args, input_text=None):
    return subprocess.run(["bash", "-c", f'source "{PGLIB}"; {script}', "federation", *args],
                          capture_output=True, text=True, timeout=180, input=input_text)


class Cluster:
    def __init__(self, name):
        self.name = name
        self.dir = os.path.join(mg.ENV.work, "federation", f"pg-{name}")
        self.port = None

    def create(self):
        made = pg_shell('pg_cluster_create "$1" >/dev/null && pg_cluster_start "$1" && '
                        'printf "SET password_encryption = %s;\\nCREATE ROLE meshgate LOGIN PASSWORD %s;\\n" '
                        '"\'scram-sha-256\'" "\'$2\'" | pg_psql "$1" -d postgres && pg_cluster_port "$1"',
                        self.dir, os.environ["WAREHOUSE_PG_PASSWORD"])
        if made.returncode == 0:
            self.port = int(made.stdout.strip().splitlines()[-1])
        return made

    def connect(self):
        with open(os.path.join(self.dir, "superuser.pw")) as fh:
            pw = fh.read().strip()
        c = psycopg2.connect(host="127.0.0.1", port=self.port, user="postgres", password=pw,
                             dbname="postgres", connect_timeout=10)
        c.autocommit = True
        return c

    def execute(self, sql, args=None):
        c = self.connect()
        try:
            with c.cursor() as cur:
                cur.execute(sql, args)
                return cur.fetchall() if cur.description else None
        finally:
            c.close()

    def stop(self):
        pg_shell('pg_cluster_stop "$1"', self.dir)

    def backend(self):
        return {"host": "127.0.0.1", "port": self.port, "database": "postgres", "user": "meshgate",
                "password_env": "WAREHOUSE_PG_PASSWORD", "tls": "prefer", "pool_size": 4,
                "connect_timeout_ms": 3000}


def seed(a, b):
    rnd = random.Random()
    customers = []
    for i in range(1, rnd.randint(14, 22)):
        customers.append((i, f"cust-{i}-{rnd.randint(100, 999)}", f"c{i}.{rnd.randint(1, 9999)}@example.org",
                          f"+49-{rnd.randint(1000000, 9999999)}", rnd.choice(["EU", "US", "APAC"])))
    orders = []
    for i in range(1, rnd.randint(30, 45)):
        orders.append((1000 + i, rnd.randint(1, len(customers) + 2), rnd.randint(1, 30),
                       f"note-{rnd.randint(1, 99999)}"))
    refunds = [(5000 + i, rnd.randint(1, len(customers)), rnd.randint(1, 500)) for i in range(1, rnd.randint(6, 12))]
    # At least one joinable row per region the test users have (the rest is random).
    for k, region in enumerate(["EU", "US"]):
        c = customers[k]
        customers[k] = (c[0], c[1], c[2], c[3], region)
        orders[k] = (orders[k][0], c[0], rnd.randint(10, 30), orders[k][3])
    refunds[0] = (refunds[0][0], customers[0][0], refunds[0][2])
    a.execute("DROP TABLE IF EXISTS public.fed_customers; "
              "CREATE TABLE public.fed_customers (id integer PRIMARY KEY, name text, email text, "
              "phone text, region text); GRANT SELECT ON public.fed_customers TO meshgate")
    b.execute("DROP TABLE IF EXISTS public.fed_orders; DROP TABLE IF EXISTS public.fed_refunds; "
              "CREATE TABLE public.fed_orders (id integer PRIMARY KEY, customer_id integer, "
              "amount integer, note text); GRANT SELECT ON public.fed_orders TO meshgate; "
              "CREATE TABLE public.fed_refunds (id integer PRIMARY KEY, customer_id integer, "
              "amount integer); GRANT SELECT ON public.fed_refunds TO meshgate")
    c = a.connect()
    with c.cursor() as cur:
        cur.executemany("INSERT INTO public.fed_customers VALUES (%s, %s, %s, %s, %s)", customers)
    c.close()
    c = b.connect()
    with c.cursor() as cur:
        cur.executemany("INSERT INTO public.fed_orders VALUES (%s, %s, %s, %s)", orders)
        cur.executemany("INSERT INTO public.fed_refunds VALUES (%s, %s, %s)", refunds)
    c.close()


def expected_join(a, b, user):
    """The join with both domains' policies applied by hand, from the clusters' own rows."""
    spec = USERS[user]
    officer = "privacy-officers" in spec["groups"]
    region = spec["attributes"]["region"]
    cust = {r[0]: r for r in a.execute("SELECT id, name, email, phone, region FROM public.fed_customers")
            if r[4] == region}                                        # own-region
    out = []
    for oid, cid, amount, note in sorted(b.execute("SELECT id, customer_id, amount, note FROM public.fed_orders")):
        if amount < 10 or cid not in cust:                            # big-only, join
            continue
        c = cust[cid]
        email = c[2] if officer else mg.keyed_hash(c[2])               # global pii-email
        out.append((c[0], c[1], email, None, oid, amount, note if officer else "n/a"))
    return out


def connect(gate, user):
    return psycopg2.connect(host="127.0.0.1", port=gate.port, dbname="mesh", user=user,
                            password=USERS[user]["password"], sslmode="disable", connect_timeout=10)


def query(gate, user, sql):
    """(rows, None) or (None, exception)."""
    return fetch_all(lambda: connect(gate, user), sql)


def err_text(ex):
    return f"{getattr(ex, 'pgcode', None)} {ex}".strip() if ex else "no error"


def code(ex):
    return getattr(ex, "pgcode", None)


def write_config(gate):
    with open(gate.config, "w") as fh:
        yaml.safe_dump(gate.cfg, fh, sort_keys=False)


def make_gate(name, clusters, federation):
    g = _owngate.Gate(name, {"fa.yaml": FA, "fb.yaml": FB}, USERS)
    for key, cl in clusters.items():
        g.cfg["backends"][key] = cl.backend()
    g.cfg["federation_backend"] = federation
    return g


def check_join(R, gate, a, b, clusters):
    for user in USERS:
        want = expected_join(a, b, user)
        got, err = query(gate, user, JOIN)
        R.check(f"{user}: the join across fa (cluster A) and fb (cluster B) runs", err is None,
                f"{err_text(err)}\n{gate.log_tail()}")
        R.check(f"{user}: the join has rows to compare (random data)", len(want) > 0, want)
        R.eq(f"{user}: the join returns the right rows, both domains' masks and filters applied",
             [tuple(r) for r in (got or [])], want)
    got, err = query(gate, "fedana", "SELECT * FROM fa.customers c JOIN fb.orders o ON o.customer_id = c.id")
    R.check("SELECT * of a federated join keeps every column of both products",
            err is None and got is not None and (not got or len(got[0]) == 5 + 4), err_text(err))
    got, err = query(gate, "fedana", "SELECT inet_server_port() FROM fa.customers c "
                                     "JOIN fb.orders o ON o.customer_id = c.id LIMIT 1")
    R.eq("the federated join runs on the federation backend (cluster F)",
         got[0][0] if got else err_text(err), clusters["fed_pg"].port)
    # Policies are the same whatever the route: a single-backend query with the same filters.
    got, err = query(gate, "fedana", "SELECT count(*), inet_server_port() FROM fb.orders")
    want = sum(1 for r in b.execute("SELECT amount FROM public.fed_orders") if r[0] >= 10)
    R.eq("a single-backend statement still runs on its own backend (cluster B), filters applied",
         tuple(got[0]) if got else err_text(err), (want, clusters["fb_pg"].port))
    got, err = query(gate, "fedana", "SELECT inet_server_port()")
    R.eq("a catalog-only statement runs on the catalog backend", got[0][0] if got else err_text(err),
         mg.ENV.pg_port)
    # Extended protocol: the same join through Parse/Bind/Execute.
    try:
        w = _pgwire.Conn("127.0.0.1", gate.port, "fedana", USERS["fedana"]["password"])
        res = w.extended(JOIN)
        w.close()
        want = [[None if v is None else str(v) for v in r] for r in expected_join(a, b, "fedana")]
        R.eq("extended protocol: the federated join returns the same rows", res.text_rows(), want)
    except (OSError, _pgwire.WireError) as ex:
        R.check("extended protocol: the federated join returns the same rows", False, repr(ex))
    # Through the federation as on one backend: a predicate on a masked column sees the mask,
    # one on a filtered-out region sees nothing, raw and foreign names do not resolve, the
    # federation's credentials stay unreadable.
    raw = a.execute("SELECT email FROM public.fed_customers WHERE region = 'EU' ORDER BY id LIMIT 1")[0][0]
    got, err = query(gate, "fedana", "SELECT count(*) FROM fa.customers c JOIN fb.orders o "
                                     f"ON o.customer_id = c.id WHERE c.email = '{raw}'")
    R.eq("a federated predicate on a masked column compares the masked value", got[0][0] if got else err_text(err), 0)
    got, err = query(gate, "fedana", "SELECT count(*) FROM fa.customers c JOIN fb.orders o "
                                     "ON o.customer_id = c.id WHERE c.region <> 'EU'")
    R.eq("a federated predicate cannot reach rows the row filter removed", got[0][0] if got else err_text(err), 0)
    got, err = query(gate, "fedana", 'SELECT count(*) FROM meshgate_fb_pg."public.fed_orders"')
    R.eq("a foreign table name does not resolve (42P01)", code(err), "42P01")
    got, err = query(gate, "fedana", "SELECT u.option_value FROM information_schema.user_mapping_options u, "
                                     "fa.customers c, fb.orders o")
    R.check("the federation's user mappings are not readable through a federated statement",
            err is not None and os.environ["WAREHOUSE_PG_PASSWORD"] not in str(got) + str(err), err_text(err))
    fed_tables = clusters["fed_pg"].execute(
        "SELECT n.nspname, c.relname FROM pg_foreign_table f JOIN pg_class c ON c.oid = f.ftrelid "
        "JOIN pg_namespace n ON n.oid = c.relnamespace ORDER BY 1, 2")
    R.eq("the federation backend holds one foreign table per product source of fa and fb",
         [t for t in fed_tables if t[0] in ("meshgate_fa_pg", "meshgate_fb_pg")],
         [("meshgate_fa_pg", "public.fed_customers"), ("meshgate_fb_pg", "public.fed_orders")])
    R.check("the demo domains' sources on the warehouse are federated too",
            ("meshgate_warehouse", "public.customers") in fed_tables, fed_tables)
    R.check("no secret appears in the daemon log",
            os.environ["WAREHOUSE_PG_PASSWORD"] not in gate.log_tail(100000))
    R.check("the daemon log says the federation is in step",
            "federation in step" in gate.log_tail(100000), gate.log_tail())


def check_transactions(R, gate, clusters):
    ports = {k: c.port for k, c in clusters.items()}
    c = connect(gate, "fedana")          # psycopg2: autocommit off, BEGIN sent before the first statement
    try:
        cur = c.cursor()
        cur.execute("SELECT count(*), inet_server_port() FROM fa.customers")
        R.eq("a transaction starts on the backend of its first statement (cluster A)",
             cur.fetchone()[1], ports["fa_pg"])
        cur.execute("SELECT inet_server_port()")
        R.eq("a catalog-only statement inside the transaction stays on its backend",
             cur.fetchone()[0], ports["fa_pg"])
        err = None
        try:
            cur.execute("SELECT count(*) FROM fb.orders")
        except psycopg2.Error as ex:
            err = ex
        R.eq("a statement needing another backend inside the transaction: 0A000", code(err), "0A000")
        msg = str(err or "")
        R.check("its message names both backends and what to do",
                "fa_pg" in msg and "fb_pg" in msg and "COMMIT or ROLLBACK" in msg, msg)
        err = None
        try:
            cur.execute("SELECT count(*) FROM fa.customers c JOIN fb.orders o ON o.customer_id = c.id")
        except psycopg2.Error as ex:
            err = ex
        R.check("a federated statement inside a transaction on cluster A: 0A000 naming fed_pg and fa_pg",
                code(err) == "0A000" and "fed_pg" in str(err) and "fa_pg" in str(err), err_text(err))
        c.rollback()
        cur.execute("SELECT count(*), inet_server_port() FROM fb.orders")
        R.eq("after ROLLBACK the session is usable and the next transaction starts on cluster B",
             cur.fetchone()[1], ports["fb_pg"])
        c.commit()
    finally:
        c.close()
    # Extended protocol inside a transaction.
    try:
        w = _pgwire.Conn("127.0.0.1", gate.port, "fedana", USERS["fedana"]["password"])
        begin = w.query("BEGIN")
        first = w.extended("SELECT inet_server_port() FROM fb.orders LIMIT 1")
        other = w.extended("SELECT count(*) FROM fa.customers")
        same = w.extended("SELECT count(*) FROM fb.orders")
        commit = w.query("COMMIT")
        after = w.extended("SELECT inet_server_port() FROM fa.customers LIMIT 1")
        w.close()
        R.eq("BEGIN answers with transaction status T", (begin.tags, begin.status), (["BEGIN"], b"T"))
        R.eq("extended: the transaction runs on cluster B", first.text_rows(), [[str(ports["fb_pg"])]])
        R.check("extended: a statement for cluster A inside it gets 0A000 naming both backends",
                other.sqlstates == ["0A000"] and "fa_pg" in other.errors[0].get("M", "")
                and "fb_pg" in other.errors[0].get("M", ""), repr(other))
        R.check("extended: the transaction is still usable after that error",
                not same.errors and len(same.rows) == 1, repr(same))
        R.check("extended: COMMIT ends it", commit.tags == ["COMMIT"] and not commit.errors, repr(commit))
        R.eq("extended: after COMMIT a statement for cluster A runs there", after.text_rows(),
             [[str(ports["fa_pg"])]])
    except (OSError, _pgwire.WireError) as ex:
        R.check("extended protocol transaction checks ran", False, repr(ex))
    check_extended_begin(R, gate, ports)


def check_extended_begin(R, gate, ports):
    """A BEGIN sent with the extended protocol is deferred like a simple Query's: the
    transaction starts on the backend of its first statement (pgjdbc with autocommit off sends
    Parse/Bind/Execute of BEGIN in the same batch as that statement)."""
    try:
        w = _pgwire.Conn("127.0.0.1", gate.port, "fedana", USERS["fedana"]["password"])
        w.parse("BEGIN")
        w.bind()
        w.execute()
        w.parse("SELECT inet_server_port() FROM fb.orders LIMIT 1")
        w.bind()
        w.describe(b"P")
        w.execute()
        batch = w.sync()
        other = w.extended("SELECT count(*) FROM fa.customers")
        commit = w.extended("COMMIT")
        # BEGIN alone in its batch: still a transaction block, started by the next batch.
        w.parse("BEGIN")
        w.bind()
        w.execute()
        alone = w.sync()
        nxt = w.extended("SELECT inet_server_port() FROM fa.customers LIMIT 1")
        # A second BEGIN inside the open transaction runs there (PostgreSQL warns).
        w.parse("BEGIN")
        w.bind()
        w.execute()
        again = w.sync()
        end = w.query("ROLLBACK")
        w.close()
        R.check("extended BEGIN + a cluster B statement in one batch: BEGIN then the row, status T",
                batch.tags[:1] == ["BEGIN"] and batch.text_rows() == [[str(ports["fb_pg"])]]
                and batch.status == b"T" and not batch.errors, repr(batch))
        R.check("extended BEGIN: the transaction is on cluster B (a cluster A statement gets 0A000)",
                other.sqlstates == ["0A000"] and "fb_pg" in other.errors[0].get("M", ""), repr(other))
        R.check("extended COMMIT ends it", commit.tags == ["COMMIT"] and commit.status == b"I",
                repr(commit))
        R.check("extended BEGIN alone in its batch: CommandComplete BEGIN and status T",
                alone.tags == ["BEGIN"] and alone.status == b"T" and not alone.errors, repr(alone))
        R.eq("the transaction it opened starts on the backend of the next statement (cluster A)",
             nxt.text_rows(), [[str(ports["fa_pg"])]])
        R.check("a second extended BEGIN inside the transaction runs there: 25001 warning, status T",
                again.tags == ["BEGIN"] and again.status == b"T" and not again.errors
                and any(n.get("C") == "25001" for n in again.notices), repr(again))
        R.check("ROLLBACK ends the transaction on cluster A", end.tags == ["ROLLBACK"] and end.status == b"I",
                repr(end))
    except (OSError, _pgwire.WireError) as ex:
        R.check("extended BEGIN checks ran", False, repr(ex))

    # pgjdbc, autocommit off: its transaction must start on the backend of its first query.
    env = {"MG_PORT": str(gate.port), "MG_USER": "fedana", "MG_PASSWORD": USERS["fedana"]["password"]}
    rc, out, err = mg.run(["java", "-cp", mg.JDBC_JAR, os.path.join(mg.HERE, "clients", "JdbcTxn.java"),
                           "SELECT 'port', inet_server_port() FROM fb.orders LIMIT 1",
                           "SELECT 'count', count(*) FROM fb.orders", "commit",
                           "SELECT 'port', inet_server_port() FROM fa.customers LIMIT 1", "rollback"],
                          env, timeout=120)
    lines = out.splitlines()
    R.check("pgjdbc (autocommit off) transaction client ran to the end", "done" in lines, (out + err)[-1500:])
    R.eq("pgjdbc autocommit off: the first transaction runs on cluster B, the next on cluster A",
         [l for l in lines if l.startswith("row\tport\t")],
         [f"row\tport\t{ports['fb_pg']}", f"row\tport\t{ports['fa_pg']}"])
    R.check("pgjdbc autocommit off: no statement was refused", not [l for l in lines if l.startswith("error")],
            out[-1500:])


def check_reload(R, gate, a, b, clusters):
    fed = clusters["fed_pg"]
    tables_sql = ("SELECT n.nspname, c.relname FROM pg_foreign_table f JOIN pg_class c ON c.oid = f.ftrelid "
                  "JOIN pg_namespace n ON n.oid = c.relnamespace ORDER BY 1, 2")
    before = fed.execute(tables_sql)
    sql = "SELECT c.id, r.id, r.amount FROM fa.customers c JOIN fb.refunds r ON r.customer_id = c.id ORDER BY r.id"
    got, err = query(gate, "fedana", sql)
    R.eq("before the reload fb.refunds is unknown (42P01)", code(err), "42P01")
    gate.reload_domain("fb.yaml", FB + REFUNDS)
    eu = {r[0] for r in a.execute("SELECT id, region FROM public.fed_customers") if r[1] == "EU"}
    want = [(r[1], r[0], r[2]) for r in sorted(b.execute("SELECT id, customer_id, amount FROM public.fed_refunds"))
            if r[1] in eu]
    state = {}

    def joinable():
        state["got"], state["err"] = query(gate, "fedana", sql)
        return state["err"] is None

    R.check("after a reload that adds fb.refunds, it is joinable across backends", wait_for(joinable),
            f"{err_text(state.get('err'))}\n{gate.log_tail()}")
    R.eq("the new product's federated join returns the right rows",
         [tuple(r) for r in (state.get("got") or [])], want)
    R.eq("its foreign table was created on the federation backend",
         fed.execute("SELECT count(*) FROM pg_class WHERE relname = 'public.fed_refunds' AND relkind = 'f'")[0][0], 1)
    gate.reload_domain("fb.yaml", FB)
    R.check("after a reload that removes it, its foreign table is dropped",
            wait_for(lambda: fed.execute("SELECT count(*) FROM pg_class WHERE relname = 'public.fed_refunds'")[0][0] == 0),
            gate.log_tail())
    R.eq("the other foreign tables were kept in step", fed.execute(tables_sql), before)


def readyz(g, query=""):
    """(status, body) of the gate's /readyz."""
    return http_get(g.cfg["admin"]["port"], "/readyz" + query)


def check_without_federation(R, name, clusters):
    g = make_gate(name, clusters, None)
    try:
        R.check("a gate without federation_backend starts", g.start(), g.log_tail())
        got, err = query(g, "fedana", JOIN)
        R.eq("without federation_backend a join across backends gets 0A000", code(err), "0A000")
        R.check("the error names both backends", err is not None and "fa_pg" in str(err) and "fb_pg" in str(err),
                err_text(err))
        got, err = query(g, "fedana", "SELECT count(*), inet_server_port() FROM fa.customers")
        R.eq("without federation a single-backend statement runs on its backend",
             got[0][1] if got else err_text(err), clusters["fa_pg"].port)
        # A federation backend without postgres_fdw (cluster A): the sync fails, cross-backend
        # statements get a clear error, everything else keeps working.
        g.cfg["federation_backend"] = "fa_pg"
        write_config(g)
        g.proc.send_signal(signal.SIGHUP)
        state = {}

        def refused():
            state["got"], state["err"] = query(g, "fedana", JOIN)
            return code(state["err"]) == "55000"

        R.check("a federation backend without postgres_fdw: cross-backend statements get 55000",
                wait_for(refused), f"{err_text(state.get('err'))}\n{g.log_tail()}")
        R.check("that error says why (postgres_fdw is not installed)",
                "postgres_fdw" in str(state.get("err")), err_text(state.get("err")))
        got, err = query(g, "fedana", "SELECT count(*) FROM fb.orders")
        R.check("single-backend statements keep working while the federation is unavailable",
                err is None, err_text(err))
        R.check("the daemon log reports the failed federation sync",
                "federation sync failed" in g.log_tail(100000), g.log_tail())
        status, body = readyz(g)
        R.check("/readyz stays 200 but says degraded and names the federation backend and why",
                status == 200 and "degraded" in body and "federation on backend fa_pg" in body
                and "postgres_fdw" in body, f"{status} {body}")
        status, body = readyz(g, "?strict")
        R.eq("/readyz?strict is 503 while the federation is unavailable", status, 503)
        # The operator now does the one-time setup on cluster A: without a SIGHUP, the sync is
        # retried and cluster A becomes the federation backend (fa read directly, fb foreign).
        clusters["fa_pg"].execute("CREATE EXTENSION IF NOT EXISTS postgres_fdw; "
                                  "GRANT USAGE ON FOREIGN DATA WRAPPER postgres_fdw TO meshgate; "
                                  "GRANT CREATE ON DATABASE postgres TO meshgate")

        def recovered():
            state["got"], state["err"] = query(g, "fedana", JOIN)
            return state["err"] is None

        R.check("after the setup the federation recovers by itself (retried sync)", wait_for(recovered, 40),
                f"{err_text(state.get('err'))}\n{g.log_tail()}")
        status, body = readyz(g, "?strict")
        R.check("once it recovered /readyz?strict is 200 and no longer names the federation",
                status == 200 and "federation" not in body, f"{status} {body}")
        R.eq("a federation backend that also holds a domain: the join returns the right rows",
             [tuple(r) for r in (state.get("got") or [])], expected_join(clusters["fa_pg"], clusters["fb_pg"], "fedana"))
        got, err = query(g, "fedana", "SELECT inet_server_port() FROM fa.customers c JOIN fb.orders o "
                                      "ON o.customer_id = c.id LIMIT 1")
        R.eq("that join runs on cluster A", got[0][0] if got else err_text(err), clusters["fa_pg"].port)
        R.eq("cluster A holds foreign tables only for the other backends",
             sorted({r[0] for r in clusters["fa_pg"].execute(
                 "SELECT n.nspname FROM pg_foreign_table f JOIN pg_class c ON c.oid = f.ftrelid "
                 "JOIN pg_namespace n ON n.oid = c.relnamespace")}),
             ["meshgate_fb_pg", "meshgate_warehouse"])
    finally:
        g.stop()


def suite_federation():
    R = mg.R
    R.suite = "federation"
    base = os.path.join(mg.ENV.work, "federation")
    os.makedirs(base, exist_ok=True)
    os.chmod(base, 0o755)  # the postgres user must reach the cluster dirs
    clusters = {"fa_pg": Cluster("a"), "fb_pg": Cluster("b"), "fed_pg": Cluster("f")}
    gate = None
    try:
        for key, cl in clusters.items():
            made = cl.create()
            if not R.check(f"PostgreSQL cluster for {key} starts", made.returncode == 0, made.stderr[-800:]):
                return
        fed = clusters["fed_pg"]
        # The operator's one-time setup on the federation backend (docs/operations.md).
        fed.execute("CREATE EXTENSION IF NOT EXISTS postgres_fdw; "
                    "GRANT USAGE ON FOREIGN DATA WRAPPER postgres_fdw TO meshgate; "
                    "GRANT CREATE ON DATABASE postgres TO meshgate")
        a, b = clusters["fa_pg"], clusters["fb_pg"]
        seed(a, b)
        gate = make_gate("federation", clusters, "fed_pg")
        if not R.check("the federation gate starts", gate.start(), gate.log_tail()):
            return
        check_join(R, gate, a, b, clusters)
        check_transactions(R, gate, clusters)
        check_reload(R, gate, a, b, clusters)
        check_without_federation(R, "federation-off", clusters)
    finally:
        if gate is not None:
            gate.stop()
        for cl in clusters.values():
            cl.stop()


SUITES = {"federation": suite_federation}
