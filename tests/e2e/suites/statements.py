"""Statement classes of SPEC §3 through real clients against the real backend (issue 3 items 2, 3).

COPY, cursors, PREPARE/EXECUTE and EXPLAIN carry the same rewrite as a plain SELECT; refusals come
with their SQLSTATE before anything reaches the backend; EXPLAIN never shows key material; an
unqualified function or operator that is not pg_catalog's never runs. Expectations come from the
warehouse (direct superuser connection) and the test's own hash key.
"""

import base64
import hashlib
import hmac
import os
import socket
import struct
import sys

import psycopg2

mg = sys.modules["__main__"]


# ---------------------------------------------------------------------------------------------
# A minimal PostgreSQL wire client (SCRAM-SHA-256), for the extended protocol's COPY path that
# neither psql nor psycopg2 exercises.

class Wire:
    def __init__(self, user):
        self.s = socket.create_connection(("127.0.0.1", mg.ENV.mg_port), timeout=20)
        self.buf = b""
        params = b"user\0" + user.encode() + b"\0database\0mesh\0\0"
        self.s.sendall(struct.pack("!ii", 8 + len(params), 196608) + params)
        self._auth(mg.Env.password(user))

    def send(self, tag, body):
        self.s.sendall(tag + struct.pack("!i", 4 + len(body)) + body)

    def recv(self):
        while len(self.buf) < 5 or len(self.buf) < 1 + struct.unpack("!i", self.buf[1:5])[0]:
            chunk = self.s.recv(65536)
            if not chunk:
                raise EOFError("connection closed")
            self.buf += chunk
        n = struct.unpack("!i", self.buf[1:5])[0]
        tag, body = self.buf[:1], self.buf[5:1 + n]
        self.buf = self.buf[1 + n:]
        return tag, body

    def _auth(self, password):
        tag, body = self.recv()
        assert tag == b"R" and struct.unpack("!i", body[:4])[0] == 10, (tag, body)
        nonce = base64.b64encode(os.urandom(18)).decode()
        first_bare = f"n=,r={nonce}"
        first = ("n,," + first_bare).encode()
        self.send(b"p", b"SCRAM-SHA-256\0" + struct.pack("!i", len(first)) + first)
        tag, body = self.recv()
        assert tag == b"R" and struct.unpack("!i", body[:4])[0] == 11, (tag, body)
        server_first = body[4:].decode()
        attrs = dict(kv.split("=", 1) for kv in server_first.split(","))
        salted = hashlib.pbkdf2_hmac("sha256", password.encode(), base64.b64decode(attrs["s"]), int(attrs["i"]))
        client_key = hmac.new(salted, b"Client Key", hashlib.sha256).digest()
        stored = hashlib.sha256(client_key).digest()
        without_proof = f"c=biws,r={attrs['r']}"
        auth_msg = f"{first_bare},{server_first},{without_proof}".encode()
        sig = hmac.new(stored, auth_msg, hashlib.sha256).digest()
        proof = base64.b64encode(bytes(a ^ b for a, b in zip(client_key, sig))).decode()
        self.send(b"p", f"{without_proof},p={proof}".encode())
        while True:
            tag, body = self.recv()
            if tag == b"E":
                raise RuntimeError(body)
            if tag == b"Z":
                return

    def extended(self, sql):
        """Parse/Bind/Describe/Execute/Sync of `sql`; returns [(tag, body)] up to ReadyForQuery."""
        self.send(b"P", b"\0" + sql.encode() + b"\0" + struct.pack("!h", 0))
        self.send(b"B", b"\0\0" + struct.pack("!hhh", 0, 0, 0))
        self.send(b"D", b"P\0")
        self.send(b"E", b"\0" + struct.pack("!i", 0))
        self.send(b"S", b"")
        out = []
        while True:
            tag, body = self.recv()
            out.append((tag, body))
            if tag == b"Z":
                return out

    def close(self):
        try:
            self.send(b"X", b"")
        finally:
            self.s.close()


def error_code(msgs):
    for tag, body in msgs:
        if tag == b"E":
            for field in body.split(b"\0"):
                if field[:1] == b"C":
                    return field[1:].decode()
    return None


# ---------------------------------------------------------------------------------------------

def hmac_pads_hex(key):
    k = key.encode()
    if len(k) > 64:
        k = hashlib.sha256(k).digest()
    k = k.ljust(64, b"\0")
    return bytes(b ^ 0x36 for b in k).hex(), bytes(b ^ 0x5c for b in k).hex()


def leaked_key_material(text, pads):
    low = text.lower()
    # Any 16-hex-digit window of either pad, or the key itself, counts as a leak.
    for p in pads:
        for i in range(0, len(p) - 16, 8):
            if p[i:i + 16] in low:
                return p[i:i + 16]
    if mg.ENV.hash_key and mg.ENV.hash_key in text:
        return mg.ENV.hash_key
    return None


def suite_statements():
    R = mg.R
    R.suite = "statements"
    psql, lines, sqlstates, keyed_hash = mg.psql, mg.lines, mg.sqlstates, mg.keyed_hash
    cust, eu, us = mg.expectations()
    masked_select = "SELECT id, email, region FROM sales.customers ORDER BY id"
    want_rows = [[str(r[0]), keyed_hash(r[2]), r[5]] for r in eu]

    # COPY ------------------------------------------------------------------------------------
    rc, sel, err = psql("alice", [masked_select])
    R.eq("the masked SELECT returns alice's EU rows with hashed e-mails", [l.split("|") for l in lines(sel)], want_rows)
    rc, out, err = psql("alice", [f"COPY ({masked_select}) TO STDOUT"])
    R.eq("COPY (query) TO STDOUT equals the masked SELECT output", [l.split("\t") for l in lines(out)], want_rows)
    rc, out, err = psql("alice", ["COPY sales.customers (id, email, region) TO STDOUT WITH (FORMAT csv, HEADER)"])
    got = [l.split(",") for l in lines(out)]
    R.eq("COPY product (cols) TO STDOUT WITH (FORMAT csv, HEADER) is the masked, filtered product",
         got, [["id", "email", "region"]] + want_rows)
    rc, out, err = psql("alice", ["COPY sales.customers TO STDOUT"])
    all_text = out
    R.check("COPY product TO STDOUT carries no raw e-mail, phone or US row",
            rc == 0 and lines(out) and not any(r[2] in all_text or (r[3] and r[3] in all_text) for r in cust)
            and not any(f"\t{r[1]}\t" in all_text for r in us), out + err)

    # COPY through the extended protocol: CopyOutResponse, CopyData, CopyDone are relayed.
    try:
        w = Wire("alice")
        msgs = w.extended(f"COPY ({masked_select}) TO STDOUT")
        tags = [t for t, _ in msgs]
        data = [b.decode().rstrip("\n").split("\t") for t, b in msgs if t == b"d"]
        R.check("extended protocol COPY relays CopyOutResponse, CopyData, CopyDone, CommandComplete",
                b"H" in tags and b"c" in tags and tags[-2:] == [b"C", b"Z"], tags)
        R.eq("extended protocol COPY rows equal the masked SELECT output", data, want_rows)
        msgs = w.extended("COPY sales.customers FROM STDIN")
        R.eq("extended protocol COPY FROM STDIN is refused with 42501 (no CopyInResponse)",
             (error_code(msgs), b"G" in [t for t, _ in msgs]), ("42501", False))
        msgs = w.extended("SELECT 'still-ok'")
        R.check("the extended-protocol session stays usable", any(t == b"D" and b"still-ok" in b for t, b in msgs), msgs)
        w.close()
    except Exception as ex:  # noqa: BLE001 - a broken relay is a failed check
        R.check("extended protocol COPY", False, repr(ex))

    # COPY FROM STDIN never reaches the backend; file/program targets are refused.
    before = mg.direct_rows("SELECT count(*) FROM public.orders")[0][0]
    rc, out, err = mg.run([mg.PSQL, "-X", "-q", "-v", "ON_ERROR_STOP=0", "-v", "VERBOSITY=verbose",
                           mg.conninfo("alice"), "-c", "COPY sales.orders FROM STDIN", "-c", "SELECT 'still-ok'"],
                          {"PGPASSWORD": mg.Env.password("alice")}, input_text="999999\t1\t1\n\\.\n")
    R.check("COPY FROM STDIN is refused with 42501 and nothing is written",
            sqlstates(err) == ["42501"] and "still-ok" in out
            and mg.direct_rows("SELECT count(*) FROM public.orders")[0][0] == before, out + err)
    for sql in ("COPY sales.customers TO '/tmp/mg-stmt-copy'", "COPY (SELECT 1) TO '/tmp/mg-stmt-copy'",
                "COPY sales.customers TO PROGRAM 'touch /tmp/mg-stmt-prog'", "COPY public.customers TO STDOUT"):
        rc, out, err = psql("alice", [sql, "SELECT 'still-ok'"])
        want = "42P01" if "public.customers" in sql else "42501"
        R.check(f"{sql} is refused with {want}",
                sqlstates(err) == [want] and lines(out) == ["still-ok"]
                and not os.path.exists("/tmp/mg-stmt-copy") and not os.path.exists("/tmp/mg-stmt-prog"), out + err)
    rc, out, err = psql("mallory", ["COPY sales.customers TO STDOUT"])
    R.check("COPY of a product the user may not read is refused with 42501", sqlstates(err) == ["42501"] and not lines(out),
            out + err)

    # Cursors ---------------------------------------------------------------------------------
    rc, out, err = psql("alice", ["BEGIN", "DECLARE c SCROLL CURSOR FOR SELECT id, email, region FROM sales.customers ORDER BY id",
                                  "FETCH 2 FROM c", "MOVE BACKWARD 2 IN c", "FETCH ALL FROM c", "CLOSE c", "COMMIT"])
    got = [l.split("|") for l in lines(out)]
    R.eq("DECLARE/FETCH/MOVE/CLOSE in psql: masked EU rows (2, then all after moving back)",
         got, want_rows[:2] + want_rows, )
    rc, out, err = psql("alice", ["DECLARE h CURSOR WITH HOLD FOR SELECT id, email, region FROM sales.customers ORDER BY id",
                                  "FETCH 1 FROM h", "CLOSE ALL"])
    R.eq("a WITH HOLD cursor outside a transaction fetches masked rows", [l.split("|") for l in lines(out)], want_rows[:1])
    rc, out, err = psql("alice", ["BEGIN", "DECLARE c CURSOR FOR SELECT * FROM sales.orders FOR UPDATE", "ROLLBACK",
                                  "BEGIN", "DECLARE c CURSOR FOR SELECT id FROM public.customers", "ROLLBACK"])
    R.eq("DECLARE ... FOR UPDATE and DECLARE over a raw table are refused", sqlstates(err), ["42501", "42P01"])

    # PREPARE / EXECUTE -----------------------------------------------------------------------
    e, u = eu[0], us[0]
    rc, out, err = psql("alice", ["PREPARE q(int) AS SELECT id, email, region FROM sales.customers WHERE id = $1",
                                  f"EXECUTE q({e[0]})", f"EXECUTE q({u[0]})", "DEALLOCATE q"])
    R.eq("PREPARE/EXECUTE returns the masked EU row and nothing for a US id",
         [l.split("|") for l in lines(out)], [[str(e[0]), keyed_hash(e[2]), "EU"]])
    # PostgreSQL refuses subqueries in EXECUTE arguments (0A000); meshgate checks them first, so
    # a raw table there is refused by meshgate (42P01), and functions are pinned to pg_catalog.
    rc, out, err = psql("alice", ["PREPARE q(text) AS SELECT $1",
                                  "EXECUTE q((SELECT max(email) FROM sales.customers WHERE region = 'US'))",
                                  "EXECUTE q((SELECT email FROM public.customers LIMIT 1))",
                                  "EXECUTE q(lower('MIXED-Case'))", "DEALLOCATE ALL"])
    raw = [r[2] for r in cust]
    R.check("EXECUTE arguments are checked: no raw e-mail, the raw table refused by meshgate",
            not any(x in out for x in raw) and sqlstates(err) == ["0A000", "42P01"]
            and "does not exist" in err and lines(out) == ["mixed-case"], out + err)
    rc, out, err = psql("alice", ["PREPARE d AS DELETE FROM sales.orders", "SELECT 'still-ok'"])
    R.check("PREPARE of a write is refused with 42501", sqlstates(err) == ["42501"] and lines(out) == ["still-ok"], out + err)

    # EXPLAIN ---------------------------------------------------------------------------------
    pads = hmac_pads_hex(mg.ENV.hash_key)
    # Control: the checker finds the pads when a plan prints them (a direct, literal-pad query).
    with mg.direct() as dc:
        with dc.cursor() as c:
            c.execute("EXPLAIN SELECT 1 FROM public.customers WHERE encode(sha256(decode(%s, 'hex') || "
                      "convert_to(email, 'UTF8')), 'hex') = 'x'", (pads[1],))
            control = "\n".join(r[0] for r in c.fetchall())
    R.check("control: a plan of a literal-pad mask shows key material to the checker",
            leaked_key_material(control, pads) is not None, control)
    queries = [
        "SELECT email FROM sales.customers WHERE email = 'x' ORDER BY email",
        "SELECT email, count(*) FROM sales.customers WHERE email > 'a' GROUP BY email ORDER BY 1",
        "SELECT c.email FROM sales.customers c JOIN sales.orders o ON o.customer_id = c.id "
        "WHERE c.email <> 'x' ORDER BY c.email DESC",
        "SELECT DISTINCT email FROM sales.customers",
    ]
    for fmt in ("", "(FORMAT TEXT) ", "(FORMAT JSON) ", "(FORMAT XML) ", "(FORMAT YAML) ", "(ANALYZE) ",
                "(ANALYZE, BUFFERS, FORMAT JSON) ", "(ANALYZE, FORMAT XML) ", "(ANALYZE, FORMAT YAML, SETTINGS) "):
        for i, q in enumerate(queries):
            for user in (("alice",) if "orders" in q else ("alice", "bob")):
                rc, out, err = psql(user, [f"EXPLAIN {fmt}{q}"])
                leak = leaked_key_material(out + err, pads)
                R.check(f"EXPLAIN {fmt}of query {i} as {user} runs and shows no key material",
                        rc == 0 and lines(out) and not err.strip() and leak is None, f"leak={leak}\n{out}{err}")
    for sql in ("EXPLAIN VERBOSE SELECT email FROM sales.customers", "EXPLAIN (VERBOSE, FORMAT JSON) SELECT 1",
                "EXPLAIN (ANALYZE, VERBOSE) SELECT email FROM sales.customers", "EXPLAIN ANALYZE DELETE FROM sales.orders"):
        rc, out, err = psql("alice", [sql, "SELECT 'still-ok'"])
        R.check(f"{sql} is refused with 42501", sqlstates(err) == ["42501"] and lines(out) == ["still-ok"], out + err)
    rc, out, err = psql("bench", ["EXPLAIN SELECT abalance FROM bench.pgbench_accounts WHERE aid = 1"])
    R.check("EXPLAIN of the pgbench lookup is allowed", rc == 0 and "Scan" in out and not err.strip(), out + err)

    # Session-level refusals --------------------------------------------------------------------
    for sql in ("SET ROLE postgres", "SET SESSION AUTHORIZATION postgres", "SELECT set_config('role', 'postgres', false)",
                "SELECT pg_catalog.set_config('search_path', 'public', false)", "RESET ROLE; SELECT 1",
                "SELECT 'leaked-before-refusal'; COPY sales.orders FROM STDIN", "LISTEN x", "CHECKPOINT"):
        rc, out, err = psql("alice", [sql, "SELECT current_user = session_user"])
        R.check(f"{sql} is refused with 42501/0A000 and changes nothing",
                len(sqlstates(err)) == 1 and sqlstates(err)[0] in ("42501", "0A000")
                and "leaked-before-refusal" not in out and lines(out) == ["t"], out + err)

    # Unqualified functions and operators outside pg_catalog ------------------------------------
    with mg.direct() as dc:
        dc.autocommit = True
        with dc.cursor() as c:
            c.execute("CREATE OR REPLACE FUNCTION public.e2e_stmt_probe(text) RETURNS text LANGUAGE sql "
                      "AS $$ SELECT 'stmt-probe-leaked:' || $1 $$")
            c.execute("GRANT EXECUTE ON FUNCTION public.e2e_stmt_probe(text) TO PUBLIC")
            # A better-matching overload of a pg_catalog function name: length(varchar) would win
            # over pg_catalog.length(text) for a varchar argument if the call were unqualified.
            c.execute("CREATE OR REPLACE FUNCTION public.length(character varying) RETURNS integer LANGUAGE sql "
                      "AS $$ SELECT -4242 $$")
            c.execute("GRANT EXECUTE ON FUNCTION public.length(character varying) TO PUBLIC")
    try:
        for sql in ("SELECT e2e_stmt_probe(email) FROM sales.customers",
                    "COPY (SELECT e2e_stmt_probe(email) FROM sales.customers) TO STDOUT",
                    "EXPLAIN ANALYZE SELECT e2e_stmt_probe(email) FROM sales.customers",
                    "PREPARE p AS SELECT e2e_stmt_probe('x'); EXECUTE p",
                    "EXECUTE nosuch(e2e_stmt_probe('x'))"):
            rc, out, err = psql("alice", [sql, "SELECT 'still-ok'"])
            R.check(f"an unqualified public function never runs: {sql}",
                    "stmt-probe-leaked" not in out + err and len(sqlstates(err)) == 1 and lines(out)[-1:] == ["still-ok"],
                    out + err)
        rc, out, err = psql("alice", ["SELECT length(name::varchar) FROM sales.customers ORDER BY id"])
        R.eq("an unqualified call resolves to pg_catalog even when public has a better overload",
             lines(out), [str(len(r[1])) for r in eu])
        # An operator in public that matches better than pg_catalog's (numeric = integer).
        with mg.direct() as dc:
            dc.autocommit = True
            with dc.cursor() as c:
                c.execute("CREATE OR REPLACE FUNCTION public.e2e_stmt_eq(numeric, integer) RETURNS boolean "
                          "LANGUAGE plpgsql AS $$ BEGIN RAISE NOTICE 'op-leaked:%', $1; RETURN true; END $$")
                c.execute("GRANT EXECUTE ON FUNCTION public.e2e_stmt_eq(numeric, integer) TO PUBLIC")
                c.execute("DROP OPERATOR IF EXISTS public.= (numeric, integer)")
                c.execute("CREATE OPERATOR public.= (leftarg = numeric, rightarg = integer, function = public.e2e_stmt_eq)")
        for sql in ("SELECT count(*) FROM sales.customers WHERE balance = 1",
                    "SELECT count(*) FROM sales.customers WHERE balance = ANY(ARRAY[1, 2])",
                    "COPY (SELECT id FROM sales.customers WHERE balance = 1) TO STDOUT",
                    "SELECT count(*) FROM sales.customers WHERE balance = (SELECT 1)"):
            rc, out, err = psql("alice", [sql])
            R.check(f"an operator in public never runs: {sql}",
                    rc == 0 and "op-leaked" not in out + err and lines(out) in (["0"], []), out + err)
    finally:
        with mg.direct() as dc:
            dc.autocommit = True
            with dc.cursor() as c:
                c.execute("DROP OPERATOR IF EXISTS public.= (numeric, integer)")
                c.execute("DROP FUNCTION IF EXISTS public.e2e_stmt_eq(numeric, integer)")
                c.execute("DROP FUNCTION IF EXISTS public.length(character varying)")
                c.execute("DROP FUNCTION IF EXISTS public.e2e_stmt_probe(text)")


# Expressions whose value depends on operator precedence and grouping: through meshgate (where
# every operator is rewritten to OPERATOR(pg_catalog.op) and the statement deparsed) they must
# equal PostgreSQL's own answer.
EXPRESSIONS = [
    "1 + 2 * 3", "(1 + 2) * 3", "3 * (1 + 2)", "10 - 4 - 3", "10 - (4 - 3)", "2 ^ 3 ^ 2", "2 ^ (3 ^ 2)",
    "100 / 10 / 5", "100 / (10 / 5)", "-2 ^ 2", "(-2) ^ 2", "- (2 + 3) * 4", "2 - -2", "7 % 4 * 2", "7 % (4 * 2)",
    "1 = 1 IS NULL", "true = (NULL IS NULL)", "(NULL IS NULL) = true", "true = (1 BETWEEN 0 AND 2)",
    "1 + 1 BETWEEN 2 AND 3", "true = ('a' LIKE 'a')", "'a' || 'b' LIKE 'ab'", "'ab' LIKE 'a' || '%'",
    "true = (1 IS DISTINCT FROM 2)", "true = (1 < 2)", "true = NOT false", "NOT 1 = 2 AND 2 > 1",
    "1 + 1 = 2 AND 3 > 2 OR NOT 1 >= 2", "(true = false) IS NOT TRUE", "'a' = ANY('{a}') IS TRUE",
    "1 = ANY (SELECT 1) IS TRUE", "2 > ALL (SELECT 1) = true", "1 IN (SELECT 1)", "1 NOT IN (SELECT 2)",
    "ROW(1, 2) < ROW(1, 3)", "(1, 2) = (1, 2)", "ROW(1, 2) = ANY(ARRAY[ROW(1, 2)])", "ARRAY[1] || 2 = ARRAY[1, 2]",
    "'x' || 1::text || 'y'", "'2020-01-01'::date + 1", "now() - interval '1 day' < now()",
    "'a' COLLATE \"C\" < 'b'", "@ -5 + 1", "|/ 16 * 2", "'abc' ~ 'b' AND 'abc' !~ 'z'", "1 << 2 + 1",
    "5 & 3 | 8", "1::numeric = 1", "'ab' LIKE 'a%'", "'ab' NOT LIKE 'a%'", "'AB' ILIKE 'a%'",
    "'AB' NOT ILIKE 'a%'", "'a%b' LIKE 'a!%b' ESCAPE '!'", "'ab' SIMILAR TO 'a_'", "'ab' NOT SIMILAR TO '(a|c)%'",
    "true = ('ab' LIKE 'a%')", "'ab' LIKE 'a%' = true", "'a' || 'b' ILIKE 'A' || '%'", "COALESCE(NULL, 1) + 1", "CASE 1 WHEN 1 THEN 2 END * 3", "NULLIF(1, 1) IS NULL",
]


def suite_statements_expressions():
    R = mg.R
    R.suite = "statements"
    # Each expression is its own column (libpg_query's deparser drops the parentheses of a cast
    # over AND/OR/NOT, `(a AND b)::text`, with or without meshgate's qualification).
    sql = "SELECT " + ", ".join(f"{e}" for e in EXPRESSIONS)
    want = list(mg.direct_rows(sql)[0])
    c = mg.mg_connect("alice")
    try:
        c.autocommit = True
        with c.cursor() as cur:
            cur.execute(sql)
            got = list(cur.fetchone())
    finally:
        c.close()
    for e, g, w in zip(EXPRESSIONS, got, want):
        R.eq(f"operator precedence after qualification: {e}", g, w)


def free_port():
    with socket.socket() as sk:
        sk.bind(("127.0.0.1", 0))
        return sk.getsockname()[1]


def suite_statements_routing():
    """PREPARE / DECLARE on a product's backend, EXECUTE / FETCH (which touch no product) follow
    them there rather than to the catalog backend. Needs two backends: a copy of the config where
    the sales domain runs on `warehouse2` (the same PostgreSQL, its own connections), served by
    this suite's own meshgate."""
    import re
    import shutil
    import subprocess
    import tempfile
    import time
    R = mg.R
    R.suite = "statements"
    cust, eu, us = mg.expectations()
    src = os.path.dirname(mg.ENV.mg_config)
    work = tempfile.mkdtemp(prefix="mg-stmt-", dir=mg.ENV.work)
    cfg_dir = os.path.join(work, "cfg")
    shutil.copytree(src, cfg_dir, ignore=shutil.ignore_patterns("*.pid", "*.log", "audit*"))
    cfg = os.path.join(cfg_dir, os.path.basename(mg.ENV.mg_config))
    text = open(cfg).read()
    block = re.search(r"^  warehouse:\n(?:    .*\n)+", text, re.M)
    port, admin = free_port(), free_port()
    text = text[:block.end()] + block.group(0).replace("  warehouse:", "  warehouse2:", 1) + text[block.end():]
    text = re.sub(rf"(\bport:\s*){mg.ENV.mg_port}\b", rf"\g<1>{port}", text)
    text = re.sub(rf"(\bport:\s*){mg.ENV.admin_port}\b", rf"\g<1>{admin}", text)
    text = re.sub(r"(\bpath:\s*)\S*audit\S*", rf"\g<1>{os.path.join(work, 'audit.jsonl')}", text)
    open(cfg, "w").write(text)
    sales = os.path.join(cfg_dir, "domains", "sales.yaml")
    sales_text = open(sales).read()
    open(sales, "w").write(re.sub(r"^backend: warehouse$", "backend: warehouse2", sales_text, flags=re.M))
    log = open(os.path.join(work, "meshgate.log"), "w")
    proc = subprocess.Popen([mg.ENV.mg_bin, "serve", "--config", cfg], stdout=log, stderr=subprocess.STDOUT,
                            stdin=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.time() + 30
        up = False
        while time.time() < deadline and proc.poll() is None:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                up = True
                break
            except OSError:
                time.sleep(0.2)
        if not R.check("routing: a meshgate with sales on a second backend starts", up,
                       open(os.path.join(work, "meshgate.log")).read()[-3000:]):
            return

        def psql2(commands):
            cmd = [mg.PSQL, "-X", "-q", "-v", "ON_ERROR_STOP=0", "-v", "VERBOSITY=verbose", "-A", "-F", "|", "-t",
                   f"host=127.0.0.1 port={port} dbname=mesh user=alice sslmode=disable connect_timeout=10"]
            for c in commands:
                cmd += ["-c", c]
            return mg.run(cmd, {"PGPASSWORD": mg.Env.password("alice")})

        e = eu[0]
        rc, out, err = psql2(["SELECT 'catalog-first'",
                              "PREPARE q(int) AS SELECT id, email FROM sales.customers WHERE id = $1",
                              f"EXECUTE q({e[0]})", "DEALLOCATE q",
                              "DECLARE h CURSOR WITH HOLD FOR SELECT id, email FROM sales.customers ORDER BY id",
                              "FETCH 2 FROM h", "MOVE 1 IN h", "CLOSE h"])
        R.eq("routing: EXECUTE and FETCH run on the backend that holds the statement / cursor",
             (mg.lines(out), mg.sqlstates(err)),
             (["catalog-first", f"{e[0]}|{mg.keyed_hash(e[2])}"]
              + [f"{r[0]}|{mg.keyed_hash(r[2])}" for r in eu[:2]], []))
    finally:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)
        log.close()
        shutil.rmtree(work, ignore_errors=True)


SUITES = {"statements": lambda: (suite_statements(), suite_statements_expressions(),
                                 suite_statements_routing())}
