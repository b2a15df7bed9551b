"""Row-filter soundness and errors that do not leak (issue 3 items 4 and 5).

- The pgbench primary-key lookup keeps its Index Scan: `meshgate explain` prints the rewrite, and
  `EXPLAIN EXECUTE` of it on PostgreSQL (directly, as the superuser) shows an index scan on
  pgbench_accounts_pkey, with the demo config and with a row filter on the product.
- The division-by-zero oracle: with a row filter that costs more than the user's predicate,
  PostgreSQL evaluates the predicate first on rows the filter removes. Without the fence the
  rewrite raises 22012 exactly when a hidden row matches (checked directly on PostgreSQL, so the
  oracle is real); through meshgate the same query never errors and always returns what the
  visible rows give, for every name prefix.
- A value-bearing backend error (a cast of a column) reaches a user reading a masked or
  row-filtered product only as SQLSTATE + neutral message; the audit record keeps the original.
  A user reading nothing protected gets the backend's own message.

Starts its own `meshgate serve` on a copy of the demo config (a costlier own-region filter, a
row filter on bench.pgbench_accounts) with its own ports and audit file.
"""

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time

import psycopg2

mg = sys.modules["__main__"]

LOOKUP = "SELECT abalance FROM pgbench_accounts WHERE aid = $1"
# Costs 5 (four functions and =) against the oracle's 4, so PostgreSQL evaluates the user's
# predicate first when nothing fences it.
COSTLY_FILTER = ("pg_catalog.lower(pg_catalog.upper(pg_catalog.lower(pg_catalog.upper(region))))"
                 " = pg_catalog.lower(@user.region)")


def oracle(prefix):
    return ("SELECT count(*) FROM sales.customers WHERE 1/(CASE WHEN region = 'US' AND name LIKE "
            f"'{prefix}%' THEN 0 ELSE 1 END) = 1")


def _free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def _env():
    return {"WAREHOUSE_PG_PASSWORD": os.environ.get("WAREHOUSE_PG_PASSWORD", "")}


def explain(config, user, sql):
    """(ok, rewritten SQL or the whole output) from `meshgate explain`."""
    rc, out, err = mg.run([mg.ENV.mg_bin, "explain", "--config", config, "--user", user, sql], _env())
    m = re.search(r"rewritten SQL:\n(.*)\Z", out, re.S)
    if rc != 0 or "decision: allow" not in out or not m:
        return False, out + err
    return True, m.group(1).strip()


def direct_plan(sql, arg):
    c = mg.direct()
    try:
        with c.cursor() as cur:
            cur.execute("PREPARE mg_soundness_lookup(integer) AS " + sql)
            cur.execute("EXPLAIN EXECUTE mg_soundness_lookup(%s)", (arg,))
            plan = "\n".join(r[0] for r in cur.fetchall())
            cur.execute("EXECUTE mg_soundness_lookup(%s)", (arg,))
            rows = cur.fetchall()
            return plan, rows
    finally:
        c.close()


def direct_error(sql):
    """SQLSTATE of running `sql` directly on PostgreSQL, or None when it succeeds."""
    c = mg.direct()
    try:
        with c.cursor() as cur:
            cur.execute(sql)
            cur.fetchall()
            return None
    except psycopg2.Error as ex:
        return ex.pgcode or "?"
    finally:
        c.close()


class OwnGate:
    """`meshgate serve` on a modified copy of the shared config."""

    def __init__(self, name, edit_domains):
        self.dir = os.path.join(mg.ENV.work, name)
        shutil.rmtree(self.dir, ignore_errors=True)
        src = os.path.dirname(mg.ENV.mg_config)
        shutil.copytree(src, self.dir, ignore=shutil.ignore_patterns(
            "*.jsonl", "*.log", "*.pid", "cache", "bad-config", "soundness*"))
        self.config = os.path.join(self.dir, os.path.basename(mg.ENV.mg_config))
        self.port = _free_port()
        self.admin = _free_port()
        self.audit = os.path.join(self.dir, "audit.jsonl")
        text = open(self.config).read()
        assert f"port: {mg.ENV.mg_port}\n" in text and f"port: {mg.ENV.admin_port}\n" in text
        text = text.replace(f"port: {mg.ENV.mg_port}\n", f"port: {self.port}\n")
        text = text.replace(f"port: {mg.ENV.admin_port}\n", f"port: {self.admin}\n")
        text = re.sub(r"(?m)^(\s*path:\s*).*audit\.jsonl\s*$", lambda m: m.group(1) + self.audit, text)
        open(self.config, "w").write(text)
        edit_domains(os.path.join(self.dir, "domains"))
        self.proc = None

    def start(self):
        self.log = open(os.path.join(self.dir, "meshgate.log"), "w")
        env = dict(os.environ)
        env.update(_env())
        self.proc = subprocess.Popen([mg.ENV.mg_bin, "serve", "--config", self.config],
                                     stdout=self.log, stderr=subprocess.STDOUT, env=env,
                                     start_new_session=True)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                return False
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return True
            except OSError:
                time.sleep(0.1)
        return False

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        if getattr(self, "log", None):
            self.log.close()

    def connect(self, user):
        return psycopg2.connect(host="127.0.0.1", port=self.port, dbname="mesh", user=user,
                                password=mg.Env.password(user), sslmode="disable",
                                connect_timeout=10)

    def log_text(self):
        try:
            return open(os.path.join(self.dir, "meshgate.log")).read()[-3000:]
        except OSError:
            return ""


def edit_domains(domains):
    sales = os.path.join(domains, "sales.yaml")
    text = open(sales).read()
    assert 'where: "region = @user.region"' in text
    open(sales, "w").write(text.replace('where: "region = @user.region"',
                                        f'where: "{COSTLY_FILTER}"'))
    bench = os.path.join(domains, "bench.yaml")
    text = open(bench).read()
    anchor = "    source: public.pgbench_accounts\n    access: { allow: [group:benchmark] }\n"
    assert anchor in text
    open(bench, "w").write(text.replace(anchor, anchor + "    row_filters:\n"
                                        "      - name: branch-one\n"
                                        "        where: \"bid = 1\"\n", 1))


def check_lookup(R, label, config):
    ok, sql = explain(config, "bench", LOOKUP)
    if not R.check(f"{label}: meshgate explain rewrites the pgbench lookup", ok, sql):
        return
    if "with a row filter" in label:
        R.check(f"{label}: the rewrite applies the row filter", "bid = 1" in sql, sql)
    R.check(f"{label}: the pgbench lookup is not fenced (every predicate is leakproof)",
            "OFFSET 0" not in sql, sql)
    aid, abalance = mg.direct_rows("SELECT aid, abalance FROM public.pgbench_accounts "
                                   "WHERE bid = 1 ORDER BY aid DESC LIMIT 1")[0]
    try:
        plan, rows = direct_plan(sql, aid)
    except psycopg2.Error as ex:
        R.check(f"{label}: EXPLAIN EXECUTE of the rewrite runs on PostgreSQL", False, f"{ex}\n{sql}")
        return
    R.check(f"{label}: EXPLAIN of the rewritten lookup shows an Index Scan on pgbench_accounts_pkey",
            re.search(r"Index (Only )?Scan using pgbench_accounts_pkey", plan) is not None,
            plan + "\n" + sql)
    R.eq(f"{label}: the rewritten lookup returns the account's balance", rows, [(abalance,)])


def check_explain_through_gate(R, label, connect):
    """EXPLAIN sent through meshgate itself (SPEC §3 allows it): the pgbench lookup with a
    literal and, prepared with a parameter, as pgbench -M prepared runs it."""
    aid = mg.direct_rows("SELECT aid FROM public.pgbench_accounts WHERE bid = 1 "
                         "ORDER BY aid DESC LIMIT 1")[0][0]
    conn = connect("bench")
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute(f"EXPLAIN SELECT abalance FROM pgbench_accounts WHERE aid = {int(aid)}")
            plan = "\n".join(r[0] for r in cur.fetchall())
    except psycopg2.Error as ex:
        plan = f"{ex.pgcode} {ex}"
    finally:
        conn.close()
    R.check(f"{label}: EXPLAIN through meshgate of the pgbench lookup shows an Index Scan on "
            "pgbench_accounts_pkey",
            re.search(r"Index (Only )?Scan using pgbench_accounts_pkey", plan) is not None, plan)


def suite_soundness():
    R = mg.R
    R.suite = "soundness"
    check_lookup(R, "demo config", mg.ENV.mg_config)
    check_explain_through_gate(R, "demo config", mg.mg_connect)

    gate = OwnGate("soundness-gate", edit_domains)
    check_lookup(R, "with a row filter on the product", gate.config)

    # The oracle, directly on PostgreSQL: the rewrite is fenced, and without its fence the
    # planner really does evaluate the predicate on hidden rows.
    cust = mg.direct_rows("SELECT name, region FROM public.customers")
    hidden = sorted({n[0] for n, r in cust if r == "US"})
    visible_letters = {n[0] for n, r in cust if r != "US"}
    absent = [c for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ" if c not in hidden]
    n_eu = sum(1 for _, r in cust if r == "EU")
    assert hidden and absent and n_eu, "the demo data must hold US and EU customers"
    ok, sql = explain(gate.config, "alice", oracle(hidden[0]))
    if R.check("the division-by-zero oracle is rewritten with an OFFSET 0 fence",
               ok and "OFFSET 0" in sql, sql):
        unfenced = sql.replace(" OFFSET 0", "")
        R.eq("without the fence the oracle raises 22012 on PostgreSQL for a hidden name's initial "
             "(the oracle is real)", direct_error(unfenced), "22012")
        R.eq("without the fence the oracle does not raise for an initial no hidden name has",
             direct_error(unfenced.replace(f"'{hidden[0]}%'", f"'{absent[0]}%'")), None)
        R.eq("the fenced rewrite never raises on PostgreSQL", direct_error(sql), None)

    if not R.check("an own meshgate serve with a costlier row filter starts", gate.start(),
                   gate.log_text()):
        gate.stop()
        return
    try:
        check_explain_through_gate(R, "with a row filter on the product", gate.connect)
        # Through meshgate: every initial answers the same, whether or not a hidden row has it.
        wrong = []
        conn = gate.connect("alice")
        conn.autocommit = True
        try:
            for letter in "ABCDEFGHIJKLMNOPQRSTUVWXYZ":
                try:
                    with conn.cursor() as cur:
                        cur.execute(oracle(letter))
                        got = cur.fetchone()[0]
                    if got != n_eu:
                        wrong.append(f"{letter}: {got} rows, want {n_eu}")
                except psycopg2.Error as ex:
                    wrong.append(f"{letter}: {ex.pgcode} {str(ex).strip()}")
        finally:
            conn.close()
        R.check(f"the oracle through meshgate never errors or differs for any initial "
                f"({len(hidden)} initials of hidden rows, {len(visible_letters)} of visible ones)",
                not wrong, "\n".join(wrong))

        # Errors: a cast of a column of a row-filtered, masked product.
        names = [n for n, _ in cust]
        conn = gate.connect("alice")
        conn.autocommit = True
        got = None
        try:
            with conn.cursor() as cur:
                cur.execute("SELECT name::integer FROM sales.customers")
                cur.fetchall()
        except psycopg2.Error as ex:
            got = ex
        finally:
            conn.close()
        text = "" if got is None else f"{got.pgerror or ''}\n{getattr(got.diag, 'message_detail', '') or ''}"
        R.check("a value-bearing error on a protected product keeps its SQLSTATE (22P02)",
                got is not None and got.pgcode == "22P02", text)
        leaked = [n for n in names if n in text]
        R.check("...and carries no customer name, only meshgate's neutral message",
                got is not None and not leaked and "withheld" in text, f"leaked: {leaked}\n{text}")
        time.sleep(0.5)  # the audit writer is asynchronous
        audit = []
        try:
            audit = [json.loads(l) for l in open(gate.audit) if l.strip()]
        except (OSError, ValueError) as ex:
            audit = [{"error": str(ex)}]
        kept = [e for e in audit if e.get("event") == "statement" and e.get("sqlstate") == "22P02"
                and "withheld from the client" in (e.get("reason") or "")
                and "invalid input syntax for type integer" in (e.get("reason") or "")]
        R.check("the audit record keeps the withheld original error", kept,
                json.dumps(audit[-3:], indent=1))

        # Nothing protected read: the backend's own message passes.
        conn = gate.connect("carol")
        conn.autocommit = True
        got = None
        try:
            with conn.cursor() as cur:
                cur.execute("SELECT (id::text || 'x')::integer FROM sales.orders")
                cur.fetchall()
        except psycopg2.Error as ex:
            got = ex
        finally:
            conn.close()
        R.check("a user who reads nothing masked or filtered gets the backend's own message",
                got is not None and got.pgcode == "22P02"
                and "invalid input syntax for type integer" in (got.pgerror or ""),
                "" if got is None else got.pgerror)
    finally:
        gate.stop()


SUITES = {"soundness": suite_soundness}
