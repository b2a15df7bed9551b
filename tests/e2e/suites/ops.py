"""Suite "ops": operations (issue 5) against meshgate instances this suite starts itself.

Each gate is a copy of the e2e config (own ports, own audit file, extra keys) started with
`meshgate serve`; the shared gate is never touched. Covered: the audit log of a scripted session
(every event, every SPEC §6 field), `audit verify` on the log and on each kind of tampering, log
rotation (SIGUSR1), an unwritable audit path, every SPEC §7 series and its movement, /readyz with
a second PostgreSQL cluster stopped and restarted, reload (SIGHUP and `watch: true`: a changed
mask, a statement in flight on the old snapshot, a broken file, a removed user), the drain
(SIGTERM), SIGINT, the JSON daemon log, and each limit of SPEC §9.

Statements are kept "in flight" by an ACCESS EXCLUSIVE lock that the suite holds on a warehouse
table through a direct superuser connection (pg_sleep is refused by policy), so no timing depends
on the machine's speed.
"""

import json
import os
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import threading
import time

import psycopg2
import yaml

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _owngate import fetch_all, http_get, wait_for  # noqa: E402

mg = sys.modules["__main__"]
REPO = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", ".."))
PGLIB = os.path.join(REPO, "tests", "e2e", "lib", "pg.sh")


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port




def metric(body, name, labels=None):
    """Sum of the samples of `name` whose labels include `labels` (0.0 when none)."""
    total = 0.0
    for line in body.splitlines():
        if line.startswith("#"):
            continue
        m = re.match(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([^}]*)\})? ([^ ]+)", line)
        if not m or m.group(1) != name:
            continue
        got = dict(re.findall(r'([a-zA-Z_]+)="([^"]*)"', m.group(3) or ""))
        if all(got.get(k) == v for k, v in (labels or {}).items()):
            total += float(m.group(4))
    return total


class Gate:
    """A meshgate of this suite's own: a copy of the shared e2e config, edited by `edit(cfg)`."""

    def __init__(self, name, edit=None, config=None):
        self.name = name
        self.dir = os.path.join(mg.ENV.work, "ops", name)
        shutil.rmtree(self.dir, ignore_errors=True)
        os.makedirs(self.dir)
        src = os.path.dirname(mg.ENV.mg_config)
        shutil.copytree(os.path.join(src, "domains"), os.path.join(self.dir, "domains"))
        if config is None:
            with open(mg.ENV.mg_config) as f:
                config = yaml.safe_load(f)
        self.cfg = config
        self.port = free_port()
        self.admin_port = free_port()
        self.audit = os.path.join(self.dir, "audit.jsonl")
        self.cfg["listen"]["port"] = self.port
        self.cfg.setdefault("admin", {})
        self.cfg["admin"].update({"host": "127.0.0.1", "port": self.admin_port})
        self.cfg.setdefault("audit", {})["path"] = self.audit
        if edit:
            edit(self.cfg)
        self.config_path = os.path.join(self.dir, "meshgate.yaml")
        self.write_config()
        self.log_path = os.path.join(self.dir, "meshgate.log")
        self.proc = None

    def write_config(self, text=None):
        with open(self.config_path, "w") as f:
            f.write(text if text is not None else yaml.safe_dump(self.cfg, sort_keys=False))

    def domain_file(self, name):
        return os.path.join(self.dir, "domains", name)

    def start(self):
        log = open(self.log_path, "a")
        self.proc = subprocess.Popen([mg.ENV.mg_bin, "serve", "--config", self.config_path],
                                     stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                     start_new_session=True)
        log.close()

        def listening():
            if self.proc.poll() is not None:
                return True
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                return True
            except OSError:
                return False
        wait_for(listening, 30, 0.05)
        return self.proc.poll() is None

    def signal(self, sig):
        if self.proc and self.proc.poll() is None:
            os.kill(self.proc.pid, sig)

    def wait(self, secs):
        try:
            return self.proc.wait(timeout=secs)
        except subprocess.TimeoutExpired:
            return None

    def kill(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)

    def connect(self, user, password=None, **kw):
        return psycopg2.connect(host="127.0.0.1", port=self.port, dbname="mesh", user=user,
                                password=password if password is not None else mg.Env.password(user),
                                sslmode="disable", connect_timeout=5, **kw)

    def query(self, user, sql):
        """(rows, None) or (None, error) over a fresh session."""
        return fetch_all(lambda: self.connect(user), sql)

    def metrics(self):
        return http_get(self.admin_port, "/metrics")[1]

    def readyz(self):
        return http_get(self.admin_port, "/readyz")

    def log_text(self):
        with open(self.log_path, errors="replace") as f:
            return f.read()

    def log_json(self):
        out = []
        for line in self.log_text().splitlines():
            try:
                out.append(json.loads(line))
            except ValueError:
                pass
        return out

    def events(self):
        try:
            with open(self.audit) as f:
                return [json.loads(l) for l in f if l.strip()]
        except (OSError, ValueError):
            return []


class Lock:
    """ACCESS EXCLUSIVE on a warehouse table through a direct superuser session: statements that
    read it wait (in flight) until release()."""

    def __init__(self, table):
        self.conn = mg.direct()
        with self.conn.cursor() as cur:
            cur.execute(f"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE")

    def release(self):
        if self.conn:
            self.conn.commit()
            self.conn.close()
            self.conn = None


def waiting_on_lock(marker):
    return mg.direct_rows("SELECT count(*) FROM pg_stat_activity WHERE usename = 'meshgate' "
                          "AND wait_event_type = 'Lock' AND query LIKE %s", (f"%{marker}%",))[0][0]


class Background:
    """Runs one statement on an open connection in a thread; keeps (rows, error, seconds)."""

    def __init__(self, conn, sql):
        self.conn, self.sql = conn, sql
        self.rows = self.error = None
        self.seconds = None
        self.t = threading.Thread(target=self._run, daemon=True)
        self.t.start()

    def _run(self):
        t0 = time.monotonic()
        try:
            with self.conn.cursor() as cur:
                cur.execute(self.sql)
                self.rows = cur.fetchall()
        except psycopg2.Error as ex:
            self.error = ex
        self.seconds = time.monotonic() - t0

    def join(self, secs=30):
        self.t.join(secs)
        return not self.t.is_alive()


def raw_exchange(conn, sql=None, secs=6.0):
    """Bytes the server sends on an authenticated plaintext session until it closes it (or
    `secs` pass), after sending the Query `sql` (if any) ourselves. libpq loses a FATAL that is
    followed by the close (it reports "server closed the connection unexpectedly"), so the
    SQLSTATE is read from the wire instead."""
    s = socket.socket(fileno=os.dup(conn.fileno()))
    s.settimeout(secs)
    if sql is not None:
        body = sql.encode() + b"\0"
        s.sendall(b"Q" + struct.pack("!I", len(body) + 4) + body)
    data = b""
    deadline = time.monotonic() + secs
    try:
        while time.monotonic() < deadline:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    except OSError:
        pass
    s.close()
    return data


def err_text(ex):
    return f"{getattr(ex, 'pgcode', None)} {ex}".strip() if ex else "no error"


def pg_shell(script, *args):
    return subprocess.run(["bash", "-c", f'source "{PGLIB}"; {script}', "ops", *args],
                          capture_output=True, text=True, timeout=120)


# ---------------------------------------------------------------------------------------------

STATEMENT_FIELDS = ["ts", "session", "user", "client", "application_name", "purpose", "fingerprint",
                    "statement", "rewritten", "products", "policies", "decision", "reason", "backend",
                    "rows", "duration_ms", "sqlstate"]
SESSION_FIELDS = ["ts", "session", "user", "client", "application_name"]
CHAIN_FIELDS = ["seq", "prev", "hash"]
SPEC_SERIES = ["meshgate_client_connections", "meshgate_auth_total", "meshgate_statements_total",
               "meshgate_statement_duration_seconds_bucket", "meshgate_rewrite_duration_seconds_bucket",
               "meshgate_rewrite_cache_hits_total", "meshgate_rewrite_cache_misses_total",
               "meshgate_backend_connections", "meshgate_backend_errors_total",
               "meshgate_policy_applied_total", "meshgate_bytes_total", "meshgate_config_reloads_total"]


def check_audit_session(R, gate):
    """A scripted session: auth failure, connect, auth, allowed/refused/failed statements,
    disconnect; every event holds every SPEC field."""
    try:
        gate.connect("alice", password="wrong-password")
    except psycopg2.Error:
        pass
    n_eu = mg.direct_rows("SELECT count(*) FROM public.customers WHERE region = 'EU'")[0][0]
    conn = gate.connect("alice", application_name="ops-audit")
    conn.autocommit = True
    results = {}
    with conn.cursor() as cur:
        cur.execute("SET meshgate.purpose = 'fraud'")
        cur.execute("SELECT count(*) FROM sales.customers WHERE balance >= 0")
        results["allow"] = cur.fetchall()
        for key, sql in (("deny", "SELECT * FROM sales.payouts"), ("error", "SELECT 1/0")):
            try:
                cur.execute(sql)
                results[key] = "ran"
            except psycopg2.Error as ex:
                results[key] = ex.pgcode
    conn.close()
    R.eq("the scripted session: allowed, refused (42501) and failed (22012) statements",
         results, {"allow": [(n_eu,)], "deny": "42501", "error": "22012"})

    def session_done():
        evs = gate.events()
        return evs if any(e.get("event") == "disconnect" and e.get("application_name") == "ops-audit"
                          for e in evs) else None
    events = wait_for(session_done, 5) or gate.events()
    mine = [e for e in events if e.get("application_name") == "ops-audit"]
    sid = {e.get("session") for e in mine}
    R.check("the session's events share one session id", len(sid) == 1, sid)
    kinds = [e.get("event") for e in mine]
    R.check("connect, auth, statements and disconnect are audited in order",
            kinds[:2] == ["connect", "auth"] and kinds[-1] == "disconnect" and kinds.count("statement") >= 3,
            kinds)
    for e in mine:
        want = CHAIN_FIELDS + SESSION_FIELDS
        if e.get("event") == "statement":
            want = CHAIN_FIELDS + STATEMENT_FIELDS
        elif e.get("event") == "auth":
            want = want + ["method", "result"]
        elif e.get("event") == "disconnect":
            want = want + ["duration_ms"]
        missing = [k for k in want if k not in e]
        R.check(f"the {e.get('event')} event (seq {e.get('seq')}) holds every SPEC field", not missing,
                f"missing {missing} in {json.dumps(e)[:600]}")
    auth = [e for e in mine if e.get("event") == "auth"]
    R.check("the auth event says the method and result ok",
            auth and auth[0].get("result") == "ok" and "scram" in (auth[0].get("method") or ""), auth)
    failed_auth = [e for e in events if e.get("event") == "auth" and e.get("user") == "alice"
                   and e.get("result") == "failed"]
    R.check("a wrong password is audited as a failed auth event with its method", bool(failed_auth)
            and failed_auth[-1].get("method"), failed_auth[-1:])
    stmts = {e.get("decision"): e for e in mine if e.get("event") == "statement"
             and "products" in e and e.get("decision") in ("allow", "deny", "error")
             and (e.get("products") or e.get("decision") != "allow")}
    a, d, x = stmts.get("allow", {}), stmts.get("deny", {}), stmts.get("error", {})
    R.check("the allowed statement: products, policies, backend, rows, duration, purpose",
            a.get("products") == ["sales.customers"] and "own-region" in (a.get("policies") or [])
            and a.get("backend") == "warehouse" and a.get("rows") == 1
            and isinstance(a.get("duration_ms"), (int, float)) and a.get("purpose") == "fraud"
            and a.get("sqlstate") is None, json.dumps(a))
    R.check("the refused statement: decision deny, sqlstate 42501, a reason",
            d.get("sqlstate") == "42501" and d.get("reason"), json.dumps(d))
    R.check("the failed statement: decision error, sqlstate 22012, the backend's message",
            x.get("sqlstate") == "22012" and "division by zero" in (x.get("reason") or ""), json.dumps(x))
    R.check("the client address and application_name are recorded",
            all(re.match(r"^127\.0\.0\.1:\d+$", e.get("client") or "") for e in mine)
            and all(e.get("application_name") == "ops-audit" for e in mine), mine[:1])


def check_verify_and_tampering(R, gate):
    with open(gate.audit) as f:
        raw = f.read()
    rc, out, err = mg.run([mg.ENV.mg_bin, "audit", "verify", gate.audit])
    R.check("meshgate audit verify accepts the gate's log", rc == 0 and out.startswith("ok"), out + err)
    ls = raw.splitlines()
    R.check("the log is long enough to tamper with", len(ls) >= 8, len(ls))
    if len(ls) < 8:
        return
    k = len(ls) // 2  # 0-based index of the line to tamper with; reported as line k+1

    def edited():
        e = json.loads(ls[k])
        e["user"] = "someone-else" if e.get("user") != "someone-else" else "x"
        return ls[:k] + [json.dumps(e, separators=(",", ":"))] + ls[k + 1:], k + 1

    def removed():
        return ls[:k] + ls[k + 1:], k + 1

    def reordered():
        return ls[:k] + [ls[k + 1], ls[k]] + ls[k + 2:], k + 1

    def truncated():
        return ls[:-1] + [ls[-1][: len(ls[-1]) // 2]], len(ls)

    for kind, make in (("edited", edited), ("removed", removed), ("reordered", reordered),
                       ("truncated", truncated)):
        lines_, bad = make()
        path = os.path.join(gate.dir, f"tampered-{kind}.jsonl")
        with open(path, "w") as f:
            f.write("\n".join(lines_) + ("" if kind == "truncated" else "\n"))
        rc, out, err = mg.run([mg.ENV.mg_bin, "audit", "verify", path])
        R.check(f"audit verify fails on a {kind} line and names line {bad}",
                rc != 0 and f"{path}:{bad}: broken chain" in out, f"rc={rc} {out}{err}")


def check_rotation(R, gate):
    rotated = gate.audit + ".1"
    os.rename(gate.audit, rotated)
    gate.signal(signal.SIGUSR1)
    rows, ex = None, None
    # The statement after the reopen lands in the new file.
    ok = wait_for(lambda: os.path.exists(gate.audit), 5)
    rows, ex = gate.query("alice", "SELECT 'ops_after_rotation'")
    R.check("after rotation + SIGUSR1 a new audit file is opened", ok and ex is None, err_text(ex))

    def in_new():
        return any("ops_after_rotation" in json.dumps(e) or e.get("event") == "statement"
                   for e in gate.events())
    R.check("the statement after the rotation is in the new file", wait_for(in_new, 5), gate.events()[-3:])
    first = (gate.events() or [{}])[0]
    R.check("the new file starts with a marker continuing the chain",
            first.get("event") == "audit" and first.get("file_start") is True, first)
    rc, out, err = mg.run([mg.ENV.mg_bin, "audit", "verify", gate.audit])
    R.check("audit verify accepts the new file (continues the chain)", rc == 0, out + err)
    rc, out, err = mg.run([mg.ENV.mg_bin, "audit", "verify", rotated])
    R.check("audit verify accepts the rotated file", rc == 0, out + err)


def check_metrics(R, gate):
    before = gate.metrics()
    n = 3
    for _ in range(n):
        rows, ex = gate.query("alice", "SELECT count(*) FROM sales.customers")
    gate.query("mallory", "SELECT count(*) FROM sales.customers")
    try:
        gate.connect("bob", password="nope")
    except psycopg2.Error:
        pass
    held = gate.connect("alice")
    held.autocommit = True
    with held.cursor() as cur:
        cur.execute("SELECT count(*) FROM sales.orders")
    after = gate.metrics()
    d = lambda name, labels=None: metric(after, name, labels) - metric(before, name, labels)  # noqa: E731
    R.check(f"statements_total{{domain=sales,decision=allow}} grew by >= {n}",
            d("meshgate_statements_total", {"domain": "sales", "decision": "allow"}) >= n,
            d("meshgate_statements_total", {"domain": "sales", "decision": "allow"}))
    R.check("statements_total{decision=deny} grew", d("meshgate_statements_total", {"decision": "deny"}) >= 1)
    R.check("auth_total{result=ok} and {result=failed} grew",
            d("meshgate_auth_total", {"result": "ok"}) >= n + 2 and d("meshgate_auth_total", {"result": "failed"}) >= 1,
            [l for l in after.splitlines() if "auth_total" in l])
    R.check("statement_duration_seconds is labelled by backend and counts the statements",
            d("meshgate_statement_duration_seconds_count", {"backend": "warehouse"}) >= n,
            [l for l in after.splitlines() if "statement_duration_seconds_count" in l])
    R.check("rewrite_duration_seconds counts the decisions",
            d("meshgate_rewrite_duration_seconds_count") >= n + 1)
    R.check("policy_applied_total{policy=own-region} grew",
            d("meshgate_policy_applied_total", {"policy": "own-region"}) >= n)
    R.check("bytes_total grew in every direction",
            all(d("meshgate_bytes_total", {"direction": x}) > 0
                for x in ("from_client", "to_client", "from_backend", "to_backend")),
            [l for l in after.splitlines() if "bytes_total" in l])
    R.check("client_connections counts the open session",
            metric(after, "meshgate_client_connections") >= 1)
    R.check("backend_connections{backend=warehouse,state=active} counts the held connection",
            metric(after, "meshgate_backend_connections", {"backend": "warehouse", "state": "active"}) >= 1,
            [l for l in after.splitlines() if "backend_connections" in l])
    held.close()
    R.check("audit_writable is 1 while the log is writable", metric(after, "meshgate_audit_writable") == 1)


def check_reload(R, gate):
    sales = gate.domain_file("sales.yaml")
    with open(sales) as f:
        original = f.read()
    old_mask = "      - name: hide-phone\n        column: phone\n        with: null\n"
    assert old_mask in original, "the demo's hide-phone mask changed; update this test"
    changed = original.replace(old_mask, old_mask.replace("with: null", 'with: { constant: "ops-masked" }'))
    q_phone = "SELECT max(phone) FROM sales.customers"
    R.eq("before the reload alice's phones are masked to NULL", gate.query("alice", q_phone), ([(None,)], None))
    n_orders = mg.direct_rows("SELECT count(*) FROM public.orders o JOIN public.customers c "
                              "ON c.id = o.customer_id WHERE c.region = 'EU'")[0][0]
    kept = gate.connect("alice")
    kept.autocommit = True
    with kept.cursor() as cur:
        cur.execute(q_phone)
    inflight_conn = gate.connect("alice")
    inflight_conn.autocommit = True
    reloads = lambda: metric(gate.metrics(), "meshgate_config_reloads_total", {"result": "ok"})  # noqa: E731
    errors = lambda: metric(gate.metrics(), "meshgate_config_reloads_total", {"result": "error"})  # noqa: E731
    ok0 = reloads()
    lock = Lock("public.orders")
    bg = None
    try:
        bg = Background(inflight_conn, "SELECT max(c.phone), count(*), 'ops_inflight' FROM sales.customers c "
                                       "JOIN sales.orders o ON o.customer_id = c.id")
        R.check("the in-flight statement waits on the backend", wait_for(lambda: waiting_on_lock("ops_inflight"), 10))
        with open(sales, "w") as f:
            f.write(changed)
        gate.signal(signal.SIGHUP)
        R.check("after SIGHUP the next statement uses the new mask",
                wait_for(lambda: gate.query("alice", q_phone) == ([("ops-masked",)], None), 10),
                gate.query("alice", q_phone))
        R.check("the reload is counted (result=ok)", reloads() > ok0, reloads())
        R.check("the in-flight statement is still running during the reload", bg.rows is None and bg.error is None)
    finally:
        lock.release()
    R.check("the in-flight statement finished", bg is not None and bg.join(20), "still running")
    R.eq("the in-flight statement finished on the old snapshot (phones NULL)",
         (bg.rows, err_text(bg.error) if bg.error else None), ([(None, n_orders, "ops_inflight")], None))
    try:
        with kept.cursor() as cur:
            cur.execute(q_phone)
            got = cur.fetchall()
        R.eq("a session opened before the reload keeps its connection and uses the new mask",
             got, [("ops-masked",)])
    except psycopg2.Error as ex:
        R.check("a session opened before the reload keeps its connection", False, err_text(ex))
    inflight_conn.close()

    # A broken file: the old snapshot stays, the error is logged with file:line:col and counted.
    e0 = errors()
    broken = changed + "  broken: [unclosed\n"
    with open(sales, "w") as f:
        f.write(broken)
    gate.signal(signal.SIGHUP)
    R.check("a broken file is counted in config_reloads_total{result=error}",
            wait_for(lambda: errors() > e0, 10), errors())
    R.eq("after the broken reload the previous policy is still enforced",
         gate.query("alice", q_phone), ([("ops-masked",)], None))
    R.check("the reload error is logged with file:line:col",
            wait_for(lambda: re.search(re.escape(sales) + r":\d+:\d+", "\n".join(
                json.dumps(e) for e in gate.log_json() if "reload" in e.get("msg", ""))), 5),
            [e for e in gate.log_json() if "reload" in e.get("msg", "")][-3:])
    R.check("mallory is still denied under the kept snapshot",
            getattr(gate.query("mallory", q_phone)[1], "pgcode", None) == "42501")

    # watch: true: a removed user loses an open session at the next statement (no SIGHUP).
    carol = gate.connect("carol")
    carol.autocommit = True
    with carol.cursor() as cur:
        cur.execute("SELECT 1")
    with open(sales, "w") as f:
        f.write(original)
    cfg = dict(gate.cfg)
    cfg["users"] = {k: v for k, v in gate.cfg["users"].items() if k != "carol"}
    gate.write_config(yaml.safe_dump(cfg, sort_keys=False))
    R.check("watch: true reloads the changed files without a signal (carol removed)",
            wait_for(lambda: any(e.get("msg") == "configuration reloaded"
                                 and e.get("users") == str(len(cfg["users"])) for e in gate.log_json()), 10),
            [e for e in gate.log_json() if "reload" in e.get("msg", "")][-3:])
    R.eq("the restored mask is back (phones NULL) after the watched reload",
         wait_for(lambda: gate.query("alice", q_phone) == ([(None,)], None), 10) and gate.query("alice", q_phone),
         ([(None,)], None))
    data = raw_exchange(carol, "SELECT 1")
    R.check("a user removed from the config loses her open session at the next statement "
            "(FATAL 28000, no longer configured)", b"C28000" in data and b"no longer configured" in data,
            data[:300])
    carol.close()
    gate.write_config()  # carol back
    R.check("a restored user can log in again",
            wait_for(lambda: gate.query("carol", "SELECT 1")[1] is None, 10), err_text(gate.query("carol", "SELECT 1")[1]))
    evs = gate.events()
    R.check("reload events are audited with result ok and failed",
            any(e.get("event") == "reload" and e.get("result") == "ok" for e in evs)
            and any(e.get("event") == "reload" and e.get("result") == "failed" and e.get("errors") for e in evs))


def check_readyz(R, gate, spare_dir):
    R.check("/readyz is 200 while every backend is up",
            wait_for(lambda: gate.readyz()[0] == 200, 10), gate.readyz())
    R.eq("/healthz is 200", http_get(gate.admin_port, "/healthz")[0], 200)
    stopped = pg_shell('pg_cluster_stop "$1"', spare_dir)
    R.check("the second cluster stopped", stopped.returncode == 0, stopped.stderr)
    R.check("/readyz turns 503 naming the stopped backend",
            wait_for(lambda: gate.readyz()[0] == 503 and "spare" in gate.readyz()[1], 10), gate.readyz())
    R.check("the daemon log says the backend is down",
            wait_for(lambda: any(e.get("msg") == "backend down" and e.get("backend") == "spare"
                                 for e in gate.log_json()), 5))
    R.eq("meshgate_backend_up{backend=spare} is 0 while it is down",
         metric(gate.metrics(), "meshgate_backend_up", {"backend": "spare"}), 0.0)
    R.check("backend_errors_total{backend=spare} counts the failed checks",
            metric(gate.metrics(), "meshgate_backend_errors_total", {"backend": "spare"}) >= 1)
    R.eq("statements on the other backend still run", gate.query("bob", "SELECT 1"), ([(1,)], None))
    started = pg_shell('pg_cluster_start "$1"', spare_dir)
    R.check("the second cluster restarted", started.returncode == 0, started.stderr)
    R.check("/readyz is 200 again when the backend returns",
            wait_for(lambda: gate.readyz()[0] == 200, 15), gate.readyz())
    R.eq("meshgate_backend_up{backend=spare} is 1 again",
         metric(gate.metrics(), "meshgate_backend_up", {"backend": "spare"}), 1.0)
    R.check("the daemon log says the backend is up again",
            len([e for e in gate.log_json() if e.get("msg") == "backend up" and e.get("backend") == "spare"]) >= 2)


def check_daemon_log(R, gate):
    entries = gate.log_json()
    start = [e for e in entries if e.get("msg") == "meshgate starting"]
    R.check("log_format json: every daemon log line is a JSON object",
            entries and all(l.startswith("{") for l in gate.log_text().splitlines() if l.strip()),
            gate.log_text()[:500])
    version = mg.run([mg.ENV.mg_bin, "--version"])[1].split()[-1]
    R.check(f"the first line says the version ({version}) and a config summary",
            start and start[0].get("version") == version and start[0].get("config") == gate.config_path
            and "warehouse" in start[0].get("backends", ""), start[:1])
    R.check("the listen line names the port",
            wait_for(lambda: any(e.get("msg") == "listening" and e.get("port") == str(gate.port)
                                 for e in gate.log_json()), 5))
    text = gate.log_text()
    secrets = [os.environ.get("WAREHOUSE_PG_PASSWORD", "x" * 40), mg.ENV.hash_key] + \
              [u["password"].split("$")[-1] for u in gate.cfg["users"].values()]
    R.check("no secret appears in the daemon log", not any(s and s in text for s in secrets))


def suite_ops():
    R = mg.R
    R.suite = "ops"
    gates = []
    locks = []
    spare_dir = os.path.join(mg.ENV.work, "ops", "pg-spare")
    os.makedirs(os.path.dirname(spare_dir), exist_ok=True)
    os.chmod(os.path.dirname(spare_dir), 0o755)  # the postgres user must reach the cluster dir
    try:
        made = pg_shell('pg_cluster_create "$1" >/dev/null && pg_cluster_start "$1" && '
                        'printf "SET password_encryption = %s;\\nCREATE ROLE meshgate LOGIN PASSWORD %s;\\n" '
                        '"\'scram-sha-256\'" "\'$2\'" | pg_psql "$1" -d postgres && pg_cluster_port "$1"',
                        spare_dir, os.environ["WAREHOUSE_PG_PASSWORD"])
        R.check("a second PostgreSQL cluster starts (the 'spare' backend)", made.returncode == 0,
                made.stderr[-800:])
        spare_port = int(made.stdout.strip().splitlines()[-1]) if made.returncode == 0 else free_port()

        def edit_main(cfg):
            cfg["log_format"] = "json"
            cfg["watch"] = True
            cfg["admin"]["health_check_interval_ms"] = 300
            cfg["backends"]["spare"] = {"host": "127.0.0.1", "port": spare_port, "database": "postgres",
                                        "user": "meshgate", "password_env": "WAREHOUSE_PG_PASSWORD",
                                        "tls": "prefer", "connect_timeout_ms": 1000, "pool_size": 2}
        a = Gate("main", edit_main)
        gates.append(a)
        R.check("the ops gate starts", a.start(), a.log_text()[-2000:])
        if a.proc.poll() is not None:
            return
        check_daemon_log(R, a)
        check_audit_session(R, a)
        check_metrics(R, a)
        check_reload(R, a)
        check_verify_and_tampering(R, a)
        check_rotation(R, a)
        check_readyz(R, a, spare_dir)
        body = a.metrics()
        missing = [s for s in SPEC_SERIES if s not in body]
        R.check("/metrics shows every SPEC §7 series", not missing, f"missing: {missing}")
        a.signal(signal.SIGTERM)
        R.eq("the ops gate exits 0 on SIGTERM when idle", a.wait(15), 0)

        check_limits(R, gates, locks)
        check_backend_timeout(R, gates)
        check_unwritable_audit(R, gates)
        check_drain(R, gates, locks)
    finally:
        for lk in locks:
            try:
                lk.release()
            except Exception:  # noqa: BLE001
                pass
        for g in gates:
            g.kill()
        pg_shell('pg_cluster_stop "$1"', spare_dir)


def check_limits(R, gates, locks):
    def edit(cfg):
        cfg["limits"] = {"statement_timeout_ms": 1000, "idle_timeout_ms": 1500, "auth_timeout_ms": 1000,
                         "max_message": 65536, "max_startup_packet": 10000}
        cfg["listen"]["max_client_connections"] = 4
        cfg["users"]["mallory"]["max_connections"] = 1
    g = Gate("limits", edit)
    gates.append(g)
    R.check("the limits gate starts", g.start(), g.log_text()[-2000:])

    # startup packet size
    s = socket.create_connection(("127.0.0.1", g.port), timeout=5)
    s.sendall(struct.pack("!II", 20000, 196608) + b"user\0alice\0")
    data = recv_all(s)
    R.check("a startup packet over max_startup_packet is refused with 08P01 and closed",
            data.startswith(b"E") and b"C08P01" in data and b"exceeds the limit" in data, data[:200])
    # authentication timeout: a client that never finishes the startup
    s = socket.create_connection(("127.0.0.1", g.port), timeout=10)
    t0 = time.monotonic()
    data = recv_all(s)
    took = time.monotonic() - t0
    R.check(f"auth_timeout_ms closes a silent client with 57014 ({took:.1f}s)",
            0.8 <= took < 5 and b"C57014" in data, data[:200])
    # message size
    conn = g.connect("alice")
    data = raw_exchange(conn, "SELECT '" + "x" * 70000 + "'")
    R.check("a message over max_message closes the session with FATAL 54000 (exceeds the limit)",
            (b"C54000" in data or b"C08P01" in data) and b"exceeds the limit" in data, data[:300])
    conn.close()
    R.eq("the gate keeps serving after an oversized message", g.query("alice", "SELECT 1"), ([(1,)], None))
    # idle timeout
    conn = g.connect("alice")
    t0 = time.monotonic()
    data = raw_exchange(conn, None, 6)
    took = time.monotonic() - t0
    R.check(f"idle_timeout_ms ends an idle session with 57P05 ({took:.1f}s)",
            b"C57P05" in data and 1.2 <= took < 5, data[:300])
    conn.close()
    # statement timeout, cancelled on the backend
    lock = Lock("public.orders")
    locks.append(lock)
    conn = g.connect("alice")
    conn.autocommit = True
    t0 = time.monotonic()
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT count(*), 'ops_stmt_timeout' FROM sales.orders")
        R.check("statement_timeout_ms cancels a long statement with 57014", False, "it completed")
    except psycopg2.Error as ex:
        took = time.monotonic() - t0
        R.check(f"statement_timeout_ms cancels a long statement with 57014 ({took:.1f}s)",
                ex.pgcode == "57014" and 0.8 <= took < 6, err_text(ex))
        R.check("the timeout's error says it was the statement timeout, not a user's cancel",
                "due to statement timeout" in (ex.pgerror or "") and
                "statement_timeout_ms" in (ex.diag.message_detail or ""), err_text(ex))
    R.check("the timed-out statement no longer runs on the backend",
            wait_for(lambda: waiting_on_lock("ops_stmt_timeout") == 0, 5))
    lock.release()
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT count(*) FROM sales.orders")
            R.check("the session works after the statement timeout", cur.fetchall()[0][0] > 0)
    except psycopg2.Error as ex:
        R.check("the session works after the statement timeout", False, err_text(ex))
    conn.close()
    # per-user and total connection limits
    m1 = g.connect("mallory")
    try:
        g.connect("mallory").close()
        R.check("users.mallory.max_connections=1 refuses a second session (53300)", False, "connected")
    except psycopg2.Error as ex:
        R.check("users.mallory.max_connections=1 refuses a second session (53300, too many connections)",
                "too many connections" in str(ex), err_text(ex))
    held = [m1]
    try:
        for _ in range(3):
            held.append(g.connect("alice"))
        try:
            g.connect("bob").close()
            R.check("listen.max_client_connections=4 refuses a fifth client (53300)", False, "connected")
        except psycopg2.Error as ex:
            R.check("listen.max_client_connections=4 refuses a fifth client (53300, too many clients)",
                    "too many clients" in str(ex), err_text(ex))
    except psycopg2.Error as ex:
        R.check("four clients fit under max_client_connections=4", False, err_text(ex))
    for c in held:
        c.close()
    R.check("a client fits again once the others left",
            wait_for(lambda: g.query("bob", "SELECT 1")[1] is None, 5))
    g.signal(signal.SIGTERM)
    g.wait(15)


def recv_all(s):
    data = b""
    try:
        while True:
            chunk = s.recv(4096)
            if not chunk:
                break
            data += chunk
    except OSError:
        pass
    s.close()
    return data


def check_backend_timeout(R, gates):
    """A backend that accepts TCP but never answers: 08001 after connect_timeout_ms; /readyz 503."""
    tarpit = socket.socket()
    tarpit.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    tarpit.bind(("127.0.0.1", 0))
    tarpit.listen(64)
    held = []
    stop = threading.Event()

    def accept():
        tarpit.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(tarpit.accept()[0])
            except OSError:
                pass
    t = threading.Thread(target=accept, daemon=True)
    t.start()
    with open(mg.ENV.mg_config) as f:
        base = yaml.safe_load(f)
    cfg = {"listen": {"host": "127.0.0.1", "port": 0}, "admin": {"health_check_interval_ms": 300},
           "secrets": base["secrets"],
           "backends": {"tarpit": {"host": "127.0.0.1", "port": tarpit.getsockname()[1], "database": "x",
                                   "user": "meshgate", "password_env": "WAREHOUSE_PG_PASSWORD",
                                   "tls": "disable", "connect_timeout_ms": 800}},
           "users": {"alice": {"password": base["users"]["alice"]["password"]}}}
    g = Gate("tarpit", config=cfg)
    gates.append(g)
    try:
        R.check("a gate whose backend never answers still starts", g.start(), g.log_text()[-1500:])
        t0 = time.monotonic()
        rows, ex = g.query("alice", "SELECT 1")
        took = time.monotonic() - t0
        R.check(f"backend connect_timeout_ms gives the client 08001 ({took:.1f}s)",
                ex is not None and ex.pgcode == "08001" and took < 6, err_text(ex))
        code, body = g.readyz()
        R.check("/readyz is 503 and names the unreachable backend",
                wait_for(lambda: g.readyz()[0] == 503 and "tarpit" in g.readyz()[1], 5), (code, body))
    finally:
        stop.set()
        g.signal(signal.SIGINT)
        g.wait(10)
        t.join(2)
        for c in held:
            c.close()
        tarpit.close()


def check_unwritable_audit(R, gates):
    def edit(cfg):
        cfg["admin"]["health_check_interval_ms"] = 300
    g = Gate("noaudit", edit)
    gates.append(g)
    blocker = os.path.join(g.dir, "notadir")
    with open(blocker, "w") as f:
        f.write("a file where the audit directory should be\n")
    g.cfg["audit"]["path"] = os.path.join(blocker, "audit.jsonl")
    g.write_config()
    R.check("a gate with an unwritable audit path starts (and refuses statements)", g.start(),
            g.log_text()[-1500:])
    rows, ex = g.query("alice", "SELECT count(*) FROM sales.customers")
    R.check("statements fail with 58030 'audit log unavailable' when the log cannot be written",
            ex is not None and ex.pgcode == "58030" and "audit log unavailable" in str(ex), err_text(ex))
    code, body = g.readyz()
    R.check("/readyz is 503 and says the audit log cannot be written",
            code == 503 and "audit" in body, (code, body))
    R.check("meshgate_audit_writable is 0", metric(g.metrics(), "meshgate_audit_writable") == 0)
    R.check("refused statements are counted in meshgate_audit_refused_total",
            metric(g.metrics(), "meshgate_audit_refused_total") >= 1)
    os.remove(blocker)
    os.makedirs(blocker)
    R.check("once the path is writable statements run again",
            wait_for(lambda: g.query("alice", "SELECT 1")[1] is None, 10), err_text(g.query("alice", "SELECT 1")[1]))
    R.check("/readyz is 200 again", wait_for(lambda: g.readyz()[0] == 200, 5), g.readyz())
    g.signal(signal.SIGTERM)
    g.wait(15)
    rc, out, err = mg.run([mg.ENV.mg_bin, "audit", "verify", g.cfg["audit"]["path"]])
    R.check("the recovered log verifies", rc == 0, out + err)


def check_drain(R, gates, locks):
    def edit(cfg):
        cfg["limits"] = {"drain_timeout_ms": 2500}
    g = Gate("drain", edit)
    gates.append(g)
    n_orders = mg.direct_rows("SELECT count(*) FROM public.orders")[0][0]
    sql = "SELECT count(*), 'ops_drain' FROM sales.orders"

    def blocked_session():
        lock = Lock("public.orders")
        locks.append(lock)
        conn = g.connect("alice")
        conn.autocommit = True
        bg = Background(conn, sql)
        ok = wait_for(lambda: waiting_on_lock("ops_drain"), 10)
        return lock, conn, bg, ok

    # 1. SIGTERM during a long statement: it completes, new connections are refused, exit 0.
    R.check("the drain gate starts", g.start(), g.log_text()[-1500:])
    idle = g.connect("bob")
    idle.autocommit = True
    lock, conn, bg, ok = blocked_session()
    R.check("a statement is in flight before SIGTERM", ok)
    g.signal(signal.SIGTERM)
    time.sleep(0.3)
    try:
        g.connect("bob").close()
        R.check("during the drain new connections are refused", False, "connected")
    except psycopg2.Error as ex:
        R.check("during the drain new connections are refused", True, err_text(ex))
    data = raw_exchange(idle, None, 3)
    R.check("an idle session is ended at once with 57P01 (administrator command)",
            b"C57P01" in data and b"administrator command" in data, data[:300])
    R.check("the gate is still running while the statement is in flight", g.proc.poll() is None)
    lock.release()
    R.check("the in-flight statement completed", bg.join(15))
    R.eq("the in-flight statement completed with its rows", (bg.rows, bg.error and err_text(bg.error)),
         ([(n_orders, "ops_drain")], None))
    rc = g.wait(15)
    R.eq("meshgate exits 0 after a clean drain", rc, 0)
    R.check("the log says the drain completed", "drained" in g.log_text(), g.log_text()[-800:])
    conn.close()
    idle.close()

    # 2. A statement longer than drain_timeout_ms: 57P01 at the deadline, exit 0.
    R.check("the drain gate restarts", g.start(), g.log_text()[-1500:])
    lock = Lock("public.orders")
    locks.append(lock)
    conn = g.connect("alice")
    box = {}
    reader = threading.Thread(target=lambda: box.update(data=raw_exchange(conn, sql, 15)), daemon=True)
    reader.start()
    R.check("a statement is in flight before SIGTERM (raw protocol)", wait_for(lambda: waiting_on_lock("ops_drain"), 10))
    t0 = time.monotonic()
    g.signal(signal.SIGTERM)
    reader.join(15)
    took = time.monotonic() - t0
    data = box.get("data", b"")
    R.check(f"past drain_timeout_ms the statement is ended with FATAL 57P01 ({took:.1f}s)",
            b"C57P01" in data and 2.0 <= took < 10, data[:300])
    R.eq("meshgate exits 0 after the drain deadline", g.wait(15), 0)
    cut = [e for e in g.events() if e.get("event") == "statement" and e.get("user") == "alice"
           and e.get("decision") == "error"]
    R.check("the statement cut at the deadline is audited as an error with 57P01",
            any(e.get("sqlstate") == "57P01" for e in cut), cut[-2:])
    lock.release()
    conn.close()

    # 3. SIGINT: fast stop.
    R.check("the drain gate restarts again", g.start(), g.log_text()[-1500:])
    lock, conn, bg, ok = blocked_session()
    t0 = time.monotonic()
    g.signal(signal.SIGINT)
    bg.join(10)
    cut = time.monotonic() - t0
    R.check(f"SIGINT ends the statement in flight at once, without waiting for it ({cut:.1f}s)",
            bg.error is not None and cut < 1.5, err_text(bg.error) if bg.error else bg.rows)
    rc = g.wait(10)
    took = time.monotonic() - t0
    R.check(f"after SIGINT meshgate exits promptly ({took:.1f}s, the admin server's stop included)",
            rc is not None and took < 6, rc)
    lock.release()
    conn.close()


SUITES = {"ops": suite_ops}
