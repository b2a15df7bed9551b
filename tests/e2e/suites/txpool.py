"""Suite "txpool": `pool_mode: transaction` (issue 4 item 6) on meshgate instances of its own.

Gate "txpool" (pool_size 4): pgbench -S with 32 clients in -M prepared / extended / simple runs
without errors while the backend never sees more than 4 connections of that gate (counted in
pg_stat_activity from a direct connection, matched to the gate's own sockets).
Gate "txpool2" (pool_size 2): named statements (SQL PREPARE/EXECUTE and protocol-level Parse)
work across transactions and connections, also when another client uses the same names for other
statements; one client's SETs never reach another client; an open transaction keeps its
connection; WITH HOLD cursors survive; DISCARD ALL, RESET, SET LOCAL and a rolled-back SET act
as on PostgreSQL; LISTEN and session-level advisory locks are refused.
Every expectation is computed from the warehouse (a direct connection) or from the test's keys.
"""

import os
import re
import sys
import threading
import time

import psycopg2

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _owngate  # noqa: E402
import _pgwire  # noqa: E402

mg = sys.modules["__main__"]
USER = "bench"


def password(user):
    return mg.Env.password(user)


def wire(gate, user=USER):
    return _pgwire.Conn("127.0.0.1", gate.port, user, password(user))


def connect(gate, user=USER, **kw):
    return psycopg2.connect(host="127.0.0.1", port=gate.port, user=user, password=password(user),
                            dbname="mesh", sslmode="disable", connect_timeout=10, **kw)


def gate_backend_ports(gate):
    """Local ports of the gate's TCP connections to the warehouse (from /proc)."""
    pid = gate.proc.pid
    inodes = set()
    try:
        for fd in os.listdir(f"/proc/{pid}/fd"):
            try:
                link = os.readlink(f"/proc/{pid}/fd/{fd}")
            except OSError:
                continue
            m = re.match(r"socket:\[(\d+)\]", link)
            if m:
                inodes.add(m.group(1))
    except OSError:
        return set()
    ports = set()
    for table in ("tcp", "tcp6"):
        try:
            with open(f"/proc/{pid}/net/{table}") as fh:
                next(fh)
                for line in fh:
                    f = line.split()
                    local, remote, inode = f[1], f[2], f[9]
                    if inode in inodes and int(remote.split(":")[1], 16) == mg.ENV.pg_port:
                        ports.add(int(local.split(":")[1], 16))
        except OSError:
            pass
    return ports


def backend_count(gate, cur):
    """Connections of this gate as the warehouse sees them (pg_stat_activity)."""
    ports = sorted(gate_backend_ports(gate))
    if not ports:
        return 0
    # The health check and column learning connect on their own (application_name 'meshgate
    # ...'), outside the pool; every other connection of the gate is a pooled one.
    cur.execute("SELECT count(*) FROM pg_stat_activity WHERE client_port = ANY(%s) "
                "AND application_name NOT LIKE 'meshgate %%'", (ports,))
    return cur.fetchone()[0]


def start_gate(name, pool_size):
    g = _owngate.Gate(name, {}, {}, pool_size=pool_size)
    g.cfg["pool_mode"] = "transaction"
    ok = g.start()
    mg.R.check(f"gate {name} (pool_mode: transaction, pool_size {pool_size}) starts", ok, g.log_tail())
    if not ok:
        return None
    # Column learning at start: wait (bounded) until the bench products answer.
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        try:
            c = wire(g)
            r = c.query("SELECT count(*) FROM pgbench_branches")
            c.close()
            if not r.errors:
                break
        except Exception:  # noqa: BLE001
            pass
        time.sleep(0.2)
    return g


# ---------------------------------------------------------------------------------------------
# pgbench with 32 clients over 4 connections

def pgbench_leg(gate):
    seconds = os.environ.get("E2E_TXPOOL_SECONDS", "3")
    d = mg.direct()
    d.autocommit = True
    cur = d.cursor()
    # A read-only script with \set and two prepared SELECTs, and one with a transaction block.
    # (A block under -M prepared would deadlock pgbench itself, not meshgate: pgbench prepares
    # with a blocking PQprepare, so a thread waiting for a pooled connection cannot send the
    # COMMITs that would free one; run the block in -M extended, which never blocks.)
    script = os.path.join(gate.dir, "ro.sql")
    with open(script, "w") as fh:
        fh.write("\\set aid random(1, 100000 * :scale)\n"
                 "\\set bid random(1, 1 * :scale)\n"
                 "SELECT abalance FROM pgbench_accounts WHERE aid = :aid;\n"
                 "SELECT bbalance FROM pgbench_branches WHERE bid = :bid;\n")
    block = os.path.join(gate.dir, "block.sql")
    with open(block, "w") as fh:
        fh.write("\\set aid random(1, 100000 * :scale)\n"
                 "BEGIN;\n"
                 "SELECT abalance FROM pgbench_accounts WHERE aid = :aid;\n"
                 "SELECT abalance FROM pgbench_accounts WHERE aid = :aid + 1;\n"
                 "END;\n")
    legs = [("prepared", ["-S"]), ("extended", ["-S"]), ("simple", ["-S"]),
            ("prepared", ["-f", script]), ("extended", ["-f", block])]
    for mode, what in legs:
        samples = []
        stop = threading.Event()

        def sample():
            while not stop.is_set():
                try:
                    samples.append(backend_count(gate, cur))
                except Exception as ex:  # noqa: BLE001
                    samples.append(-1)
                    print(f"sample failed: {ex}", flush=True)
                time.sleep(0.05)

        t = threading.Thread(target=sample)
        t.start()
        cmd = [mg.PGBENCH, "-n", *what, "-M", mode, "-c", "32", "-j", "2", "-T", seconds,
               "-h", "127.0.0.1", "-p", str(gate.port), "-U", USER, "mesh"]
        rc, out, err = mg.run(cmd, {"PGPASSWORD": password(USER), "PGSSLMODE": "disable"}, timeout=90)
        stop.set()
        t.join()
        processed = re.search(r"number of transactions actually processed: (\d+)", out)
        failed = re.search(r"number of failed transactions: (\d+)", out)
        tps = re.search(r"tps = ([\d.]+)", out)
        label = f"pgbench -M {mode} " + (
            "-S" if what[0] == "-S" else
            "-f \\set + 2 SELECTs" if what[1] == script else "-f BEGIN/2 SELECTs/END")
        mg.R.check(f"{label}, 32 clients over pool_size 4: runs with 0 failed transactions "
                   f"({tps.group(1) if tps else '?'} tps)",
                   rc == 0 and processed and int(processed.group(1)) > 0 and failed
                   and failed.group(1) == "0", out[-1500:] + err[-1500:])
        peak = max(samples) if samples else -1
        mg.R.check(f"{label}: the warehouse never sees more than 4 connections of the gate "
                   f"(peak {peak} in {len(samples)} samples of pg_stat_activity)",
                   samples and 0 < peak <= 4 and -1 not in samples, samples[-40:])
    d.close()


# ---------------------------------------------------------------------------------------------
# Session state across pooled connections (pool_size 2)

def show(cur, name):
    cur.execute(f"SHOW {name}")
    return cur.fetchone()[0]


SETTINGS = [  # (name, value a client sets, how SHOW prints it when set)
    ("DateStyle", "SQL, DMY", "SQL, DMY"),
    ("application_name", "txpool-client-a", "txpool-client-a"),
    ("statement_timeout", "4321ms", "4321ms"),
    ("TimeZone", "Asia/Tokyo", "Asia/Tokyo"),
    ("extra_float_digits", "2", "2"),
]


def settings_leg(gate):
    # Defaults as a fresh session of the gate sees them.
    b = connect(gate, application_name="txpool-client-b")
    b.autocommit = True
    bc = b.cursor()
    defaults = {n: show(bc, n) for n, _v, _s in SETTINGS}
    mg.R.check("a client's defaults differ from the values the other client sets",
               all(defaults[n] != s for n, _v, s in SETTINGS if n != "application_name"), defaults)
    a = connect(gate)
    a.autocommit = True
    ac = a.cursor()
    for n, v, _s in SETTINGS:
        ac.execute(f"SET {n} = %s", (v,))
    leaks, kept = [], []
    for i in range(12):
        # Interleave: every statement of either client takes a pooled connection, so with two
        # connections each client runs on the other's former connection again and again.
        for n, _v, s in SETTINGS:
            got_b = show(bc, n)
            want_b = "txpool-client-b" if n == "application_name" else defaults[n]
            if got_b != want_b:
                leaks.append((i, n, got_b))
            got_a = show(ac, n)
            if got_a != s:
                kept.append((i, n, got_a))
        bc.execute("SELECT now()::text")
        ac.execute("SELECT to_char(timestamptz '2020-03-04 05:06:07+00', 'TZ')")
    mg.R.check("one client's SET DateStyle/application_name/statement_timeout/TimeZone/"
               "extra_float_digits never reaches the other client", not leaks, leaks[:10])
    mg.R.check("the client that SET them keeps them on every pooled connection", not kept, kept[:10])
    # A timestamp rendered by the server in each client's DateStyle and TimeZone.
    ac.execute("SELECT timestamptz '2020-03-04 05:06:07+00'::text")
    a_ts = ac.fetchone()[0]
    bc.execute("SELECT timestamptz '2020-03-04 05:06:07+00'::text")
    b_ts = bc.fetchone()[0]
    d = mg.direct()
    dc = d.cursor()
    dc.execute("SET DateStyle = 'SQL, DMY'; SET TimeZone = 'Asia/Tokyo'")
    dc.execute("SELECT timestamptz '2020-03-04 05:06:07+00'::text")
    want_a = dc.fetchone()[0]
    d.close()
    mg.R.eq("client A's timestamps come out in its DateStyle and TimeZone", a_ts, want_a)
    mg.R.check("client B's timestamps do not", b_ts != want_a, b_ts)

    # RESET, SET LOCAL, a rolled-back SET, DISCARD ALL.
    ac.execute("RESET DateStyle")
    mg.R.eq("RESET DateStyle returns client A to the default", show(ac, "DateStyle"), defaults["DateStyle"])
    a.autocommit = False
    ac.execute("SET LOCAL extra_float_digits = 3")
    inside = show(ac, "extra_float_digits")
    a.commit()
    mg.R.check("SET LOCAL holds inside the transaction and ends with it",
               inside == "3" and show(ac, "extra_float_digits") == "2", (inside,))
    a.commit()
    ac.execute("SET DateStyle = 'German'")
    a.rollback()
    mg.R.eq("a SET in a rolled-back transaction does not stay", show(ac, "DateStyle"), defaults["DateStyle"])
    a.commit()
    ac.execute("SET DateStyle = 'Postgres, MDY'")
    a.commit()
    mg.R.eq("a SET in a committed transaction stays", show(ac, "DateStyle"), "Postgres, MDY")
    a.commit()
    a.autocommit = True
    ac.execute("DISCARD ALL")
    got = {n: show(ac, n) for n, _v, _s in SETTINGS if n != "application_name"}
    mg.R.eq("DISCARD ALL returns every setting to the default",
            got, {n: defaults[n] for n in got})
    for n, _v, _s in SETTINGS:
        if n != "application_name":
            got_b = show(bc, n)
            if got_b != defaults[n]:
                leaks.append(("end", n, got_b))
    mg.R.check("nothing leaked to client B at the end", not leaks, leaks)
    a.close()
    b.close()


def extended_settings_leg(gate):
    """SET through the extended protocol (as JDBC sends it) and a SET undone by an error in the
    same message, with a second client sharing the one free connection."""
    d = mg.direct()
    dc = d.cursor()
    dc.execute("SHOW DateStyle")
    default = dc.fetchone()[0]
    d.close()
    a = wire(gate)
    b = wire(gate)
    hog = wire(gate)
    try:
        hog.query("BEGIN; SELECT 1")
        ra = a.extended("SET DateStyle = 'German'")
        sa = a.extended("SHOW DateStyle")
        sb = b.query("SHOW DateStyle")
        sa2 = a.query("SHOW DateStyle")
        mg.R.check("a SET sent through the extended protocol stays with its client and never "
                   "reaches the other", not ra.errors and sa.text_rows() == [["German, DMY"]]
                   and sa2.text_rows() == [["German, DMY"]] and sb.text_rows() == [[default]],
                   (ra, sa, sb, sa2))
        b.query("SET DateStyle = 'SQL, MDY'; SELECT 1/0")
        sb = b.query("SHOW DateStyle")
        sa = a.query("SHOW DateStyle")
        mg.R.check("a SET undone by an error later in the same Query is undone for its client "
                   "(implicit transaction) and never reaches the other",
                   sb.text_rows() == [[default]] and sa.text_rows() == [["German, DMY"]], (sb, sa))
        b.parse("SET DateStyle = 'Postgres, DMY'")
        b.bind()
        b.execute()
        b.parse("SELECT 1/0")
        b.bind()
        b.execute()
        rb = b.sync()
        sb = b.query("SHOW DateStyle")
        mg.R.check("the same for an extended-protocol batch that fails before its Sync",
                   rb.sqlstates == ["22012"] and sb.text_rows() == [[default]], (rb, sb))
        hog.query("COMMIT")
    finally:
        a.close()
        b.close()
        hog.close()


def transaction_leg(gate):
    a = wire(gate)
    b = wire(gate)
    try:
        r0 = a.query("SELECT pg_backend_pid()")
        if r0.errors:
            fn = "txid_current()"
        else:
            fn = "pg_backend_pid()"
        r1 = a.query(f"BEGIN; SELECT {fn}")
        pid1 = r1.text_rows()
        others = set()
        for _ in range(6):
            rb = b.query("SELECT pg_backend_pid()")
            others.update(x[0] for x in rb.text_rows())
        r2 = a.query(f"SELECT {fn}")
        pid2 = r2.text_rows()
        a.query("COMMIT")
        mg.R.check(f"two statements in BEGIN … COMMIT see the same backend ({fn})",
                   pid1 and pid1 == pid2 and not r1.errors and not r2.errors, (r1, r2))
        if fn == "pg_backend_pid()":
            mg.R.check("statements of another client never run on the connection of an open "
                       "transaction", others and pid1[0][0] not in others, (pid1, others))
        # An aborted transaction keeps its connection too, until ROLLBACK.
        r = a.query("BEGIN; SELECT 1/0")
        st = r.status
        rb = b.query("SELECT 1")
        r = a.query("SELECT 1")
        r2 = a.query("ROLLBACK")
        mg.R.check("a failed transaction block stays failed (25P02) until ROLLBACK, and other "
                   "clients keep working", st == b"E" and r.sqlstates == ["25P02"]
                   and not rb.errors and r2.status == b"I", (st, r, rb, r2))
    finally:
        a.close()
        b.close()


def prepared_sql_leg(gate):
    """SQL-level PREPARE / EXECUTE across transactions and connections."""
    want = mg.direct_rows("SELECT bid, bbalance FROM public.pgbench_branches ORDER BY bid")
    want_t = mg.direct_rows("SELECT count(*) FROM public.pgbench_tellers")
    a = connect(gate)
    a.autocommit = True
    b = connect(gate)
    b.autocommit = True
    hog = wire(gate)
    ac, bc = a.cursor(), b.cursor()
    errors = []
    pids = set()
    try:
        ac.execute("PREPARE q(int) AS SELECT bid, bbalance, pg_backend_pid() FROM pgbench_branches "
                   "WHERE bid <= $1 ORDER BY bid")
        # The same name, another statement, in another session.
        bc.execute("PREPARE q AS SELECT count(*) FROM pgbench_tellers")
        for i in range(8):
            if i % 2 == 1:
                hog.query("BEGIN; SELECT 1")  # holds one of the two connections
            ac.execute("EXECUTE q(%s)", (10 ** 6,))
            rows = ac.fetchall()
            pids.update(r[2] for r in rows)
            if [(r[0], r[1]) for r in rows] != want:
                errors.append(("a", i, rows[:3]))
            bc.execute("EXECUTE q")
            got = bc.fetchall()
            if got != want_t:
                errors.append(("b", i, got))
            if i % 2 == 1:
                hog.query("COMMIT")
        mg.R.check("EXECUTE of a SQL-level prepared statement returns its own rows on every "
                   "pooled connection, while another client uses the same name for another "
                   f"statement (ran on {len(pids)} backend processes)",
                   not errors and len(pids) >= 2, (errors[:5], pids))
        try:
            ac.execute("PREPARE q AS SELECT 1")
            dup = None
        except psycopg2.Error as ex:
            dup = ex.pgcode
        mg.R.eq("PREPARE of a name the session already has: 42P05", dup, "42P05")
        ac.execute("DEALLOCATE q")
        try:
            ac.execute("EXECUTE q(1)")
            gone = None
        except psycopg2.Error as ex:
            gone = ex.pgcode
        mg.R.eq("after DEALLOCATE, EXECUTE says 26000", gone, "26000")
        bc.execute("EXECUTE q")
        mg.R.eq("the other client's statement of that name still works", bc.fetchall(), want_t)
    finally:
        a.close()
        b.close()
        hog.close()


def prepared_name_clash_leg(gate):
    """Two clients PREPARE the same SQL-level name (one through the extended protocol, as JDBC
    sends it) on the one connection left free: neither sees the other's statement."""
    a = wire(gate)
    b = wire(gate)
    hog = wire(gate)
    try:
        hog.query("BEGIN; SELECT 1")  # one of the two connections is busy: a and b share the other
        ra = a.query("PREPARE zz AS SELECT 'from-a'::text")
        rb = b.extended("PREPARE zz AS SELECT 'from-b'::text")
        ea = a.query("EXECUTE zz")
        eb = b.extended("EXECUTE zz")
        ea2 = a.extended("EXECUTE zz")
        dup = b.extended("PREPARE zz AS SELECT 1")
        hog.query("COMMIT")
        mg.R.check("the same SQL-level statement name prepared by two clients on one shared "
                   "connection (simple and extended protocol): each EXECUTE returns its own",
                   not ra.errors and not rb.errors and ea.text_rows() == [["from-a"]]
                   and eb.text_rows() == [["from-b"]] and ea2.text_rows() == [["from-a"]],
                   (ra, rb, ea, eb, ea2))
        tags = [t for t, _p in rb.messages]
        mg.R.eq("the client sees one ParseComplete, one BindComplete, no CloseComplete and one "
                "CommandComplete for its PREPARE (meshgate's DEALLOCATE stays hidden)",
                (tags.count(b"1"), tags.count(b"2"), tags.count(b"3"), rb.tags), (1, 1, 0, ["PREPARE"]))
        mg.R.eq("PREPARE through the extended protocol of a name the session has: 42P05",
                dup.sqlstates, ["42P05"])
        r = b.query("SELECT 1")
        mg.R.check("the session stays usable", r.text_rows() == [["1"]], r)
    finally:
        a.close()
        b.close()
        hog.close()


def prepared_protocol_leg(gate):
    """Protocol-level named statements (Parse with a name) across Sync cycles and connections."""
    want = mg.direct_rows("SELECT abalance FROM public.pgbench_accounts WHERE aid = 7")
    want_b = mg.direct_rows("SELECT bbalance FROM public.pgbench_branches WHERE bid = 1")
    a = wire(gate)
    b = wire(gate)
    hog = wire(gate)
    errors = []
    pids = set()
    try:
        a.parse("SELECT abalance, pg_backend_pid() FROM pgbench_accounts WHERE aid = $1", "s1", (23,))
        r = a.sync()
        b.parse("SELECT bbalance FROM pgbench_branches WHERE bid = $1", "s1", (23,))
        rb = b.sync()
        if r.errors or rb.errors:
            errors.append(("parse", r, rb))
        for i in range(8):
            if i % 2 == 1:
                hog.query("BEGIN; SELECT 1")
            a.bind("", "s1", ["7"])
            a.execute("")
            r = a.sync()
            if r.errors or [row[:1] for row in r.text_rows()] != [[str(x[0])] for x in want]:
                errors.append(("a", i, r))
            else:
                pids.update(row[1] for row in r.text_rows())
            if any(t == b"1" for t, _p in r.messages):
                errors.append(("a: a ParseComplete the client did not ask for", i))
            b.bind("", "s1", ["1"])
            b.describe(b"S", "s1")
            b.execute("")
            rb = b.sync()
            if rb.errors or rb.text_rows() != [[str(x[0])] for x in want_b]:
                errors.append(("b", i, rb))
            if i % 2 == 1:
                hog.query("COMMIT")
        mg.R.check("a protocol-level named statement works in every later Sync cycle on every "
                   "pooled connection (re-prepared transparently, no stray ParseComplete), while "
                   f"another client has another statement of that name (ran on {len(pids)} "
                   "backend processes)", not errors and len(pids) >= 2, (errors[:4], pids))
        a.parse("SELECT 1", "s1")
        r = a.sync()
        mg.R.eq("Parse of a statement name the session already has: 42P05", r.sqlstates, ["42P05"])
        a.close_object(b"S", "s1")
        a.bind("", "s1", ["7"])
        a.execute("")
        r = a.sync()
        mg.R.eq("after Close, Bind of the statement says 26000", r.sqlstates, ["26000"])
        b.bind("", "s1", ["1"])
        b.execute("")
        rb = b.sync()
        mg.R.check("the other client's statement of that name still works after the Close",
                   not rb.errors and rb.text_rows() == [[str(x[0])] for x in want_b], rb)
        # A refused re-prepare is an error the client sees, and the session stays usable.
        r = a.query("SELECT 1")
        mg.R.check("the session stays usable", r.text_rows() == [["1"]], r)
    finally:
        a.close()
        b.close()
        hog.close()


def cursor_leg(gate):
    want = mg.direct_rows("SELECT bid FROM public.pgbench_branches ORDER BY bid")
    a = wire(gate)
    b = wire(gate)
    try:
        r = a.query("DECLARE hc CURSOR WITH HOLD FOR SELECT bid FROM pgbench_branches ORDER BY bid")
        got = []
        for _ in range(len(want) + 1):
            b.query("BEGIN; SELECT 1")
            b.query("COMMIT")
            f = a.query("FETCH 1 FROM hc")
            if f.errors:
                got.append(("error", f.errors))
                break
            got.extend(tuple(int(x) for x in row) for row in f.text_rows())
        c = a.query("CLOSE hc")
        mg.R.check("a WITH HOLD cursor keeps working across transactions while other clients "
                   "come and go", not r.errors and got == [tuple(x) for x in want] and not c.errors,
                   (r, got[:5], c))
        r = a.query("BEGIN; DECLARE c2 CURSOR FOR SELECT bid FROM pgbench_branches ORDER BY bid; "
                    "FETCH 1 FROM c2")
        r2 = a.query("FETCH 1 FROM c2")
        a.query("COMMIT")
        mg.R.check("a cursor inside a transaction block works", not r.errors and not r2.errors
                   and r.text_rows() + r2.text_rows() == [[str(x[0])] for x in want[:2]], (r, r2))
    finally:
        a.close()
        b.close()


def jdbc_leg(gate):
    # Both JDBC connections share the two pooled connections (while one is in a transaction,
    # the other has the remaining one to itself).
    if not os.path.exists(mg.JDBC_JAR):
        mg.R.check("pgjdbc is installed", False, mg.JDBC_JAR)
        return
    env = {"MG_PORT": str(gate.port), "MG_USER": USER, "MG_PASSWORD": password(USER),
           "EXPECT_ABALANCE": str(mg.direct_rows(
               "SELECT abalance FROM public.pgbench_accounts WHERE aid = 3")[0][0]),
           "EXPECT_BCOUNT": str(mg.direct_rows(
               "SELECT count(*) FROM public.pgbench_tellers WHERE tid > 0")[0][0])}
    here = os.path.dirname(os.path.abspath(__file__))
    rc, out, err = mg.run(["java", "-cp", mg.JDBC_JAR,
                           os.path.join(here, "..", "clients", "JdbcTxPool.java")], env, timeout=120)
    mg.relay(out, "jdbc")
    mg.R.check("jdbc: the transaction-pool client ran to the end", "done" in out and rc == 0,
               (out + err)[-1500:])


def refused_leg(gate):
    a = wire(gate)
    try:
        r = a.query("LISTEN txpool_channel")
        mg.R.check("LISTEN is refused with a clear error", r.sqlstates and r.sqlstates[0] in ("0A000", "42501"), r)
        r = a.query("SELECT pg_advisory_lock(42)")
        mg.R.check("session-level advisory locks are refused (they would outlive the checkout)",
                   r.sqlstates and r.sqlstates[0] in ("0A000", "42501"), r)
        r = a.query("SELECT 1 INTO TEMP txpool_tmp")
        mg.R.check("temporary tables (session-scoped) cannot be made", r.sqlstates
                   and r.sqlstates[0] in ("0A000", "42501"), r)
        r = a.query("SELECT 1")
        mg.R.check("the session stays usable after the refusals", r.text_rows() == [["1"]], r)
    finally:
        a.close()


def clients_leg(gate):
    """The psql, psycopg2, JDBC and node-postgres suites, unchanged, against the transaction-pool
    gate (reported as txpool/<suite>)."""
    saved_port, saved_audit = mg.ENV.mg_port, mg.ENV.audit
    orig_check = mg.R.check

    def check(desc, cond, detail=""):
        if not mg.R.suite.startswith("txpool/"):
            mg.R.suite = "txpool/" + mg.R.suite
        return orig_check(desc, cond, detail)

    mg.ENV.mg_port, mg.ENV.audit = gate.port, os.path.join(gate.dir, "audit.jsonl")
    mg.R.check = check
    try:
        for name in ("psql", "psycopg2", "jdbc", "node"):
            try:
                mg.SUITES[name]()
            except Exception as ex:  # noqa: BLE001
                check(f"the {name} suite ran to the end", False, repr(ex))
    finally:
        mg.ENV.mg_port, mg.ENV.audit = saved_port, saved_audit
        del mg.R.check
        mg.R.suite = "txpool"


def suite_txpool():
    mg.R.suite = "txpool"
    g = start_gate("txpool", 4)
    if g is not None:
        try:
            pgbench_leg(g)
            clients_leg(g)
            mg.R.check("the txpool gate is still running", g.alive(), g.log_tail())
        finally:
            g.stop()
    g2 = start_gate("txpool2", 2)
    if g2 is None:
        return
    try:
        for leg in (transaction_leg, settings_leg, extended_settings_leg, prepared_sql_leg,
                    prepared_name_clash_leg,
                    prepared_protocol_leg,
                    cursor_leg, jdbc_leg, refused_leg):
            try:
                leg(g2)
            except Exception as ex:  # noqa: BLE001
                mg.R.check(f"{leg.__name__} ran to the end", False, repr(ex))
        mg.R.check("the txpool2 gate is still running", g2.alive(), g2.log_tail())
    finally:
        g2.stop()


SUITES = {"txpool": suite_txpool}
