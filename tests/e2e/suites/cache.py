"""Rewrite cache (issue 3 item 6): statements that differ only in constants share one rewrite.

Through the shared gate: the hit counter on /metrics moves when the same statement shape comes
back with new literals, every result equals the warehouse's own answer for that literal, users
with different policies never share a rewrite, and the audit log holds the normalized statement
(no literal) with one fingerprint per shape."""
import json
import random
import re
import sys
import time
import urllib.request

mg = sys.modules["__main__"]


def counter(name):
    body = urllib.request.urlopen(f"http://127.0.0.1:{mg.ENV.admin_port}/metrics", timeout=5).read().decode()
    m = re.search(rf"^{name}(?:\{{\}})? ([0-9.e+]+)$", body, re.M)
    return float(m.group(1)) if m else None, body


def suite_cache():
    R = mg.R
    R.suite = "cache"
    hits0, body = counter("meshgate_rewrite_cache_hits_total")
    misses0, _ = counter("meshgate_rewrite_cache_misses_total")
    R.check("/metrics exposes meshgate_rewrite_cache_hits_total and _misses_total",
            hits0 is not None and misses0 is not None, body[:600])
    R.check("/metrics exposes meshgate_rewrite_duration_seconds",
            "meshgate_rewrite_duration_seconds_count" in body, body[:600])
    if hits0 is None or misses0 is None:
        return

    # pgbench's lookup with new literals, over the simple protocol (psycopg2 interpolates).
    n_accounts = mg.direct_rows("SELECT count(*) FROM public.pgbench_accounts")[0][0]
    aids = random.sample(range(1, n_accounts + 1), 25)
    want = {aid: mg.direct_rows("SELECT abalance FROM public.pgbench_accounts WHERE aid = %s", (aid,))
            for aid in aids}
    got = {}
    c = mg.mg_connect("bench")
    c.autocommit = True
    try:
        cur = c.cursor()
        for aid in aids:
            cur.execute("SELECT abalance FROM pgbench_accounts WHERE aid = %s", (aid,))
            got[aid] = cur.fetchall()
        # A shape with several constants of several kinds, and a negative number.
        cur.execute("SELECT aid, abalance FROM bench.pgbench_accounts "
                    "WHERE aid BETWEEN %s AND %s AND abalance > -1 ORDER BY 1 LIMIT %s", (aids[0], aids[0] + 4, 3))
        ranged = cur.fetchall()
        cur.execute("SELECT aid, abalance FROM bench.pgbench_accounts "
                    "WHERE aid BETWEEN %s AND %s AND abalance > -1 ORDER BY 1 LIMIT %s", (aids[1], aids[1] + 9, 5))
        ranged2 = cur.fetchall()
        # ORDER BY positions stay constants: a different position must order differently.
        cur.execute("SELECT aid, -aid AS neg FROM bench.pgbench_accounts WHERE aid <= 3 ORDER BY 1")
        by1 = [r[0] for r in cur.fetchall()]
        cur.execute("SELECT aid, -aid AS neg FROM bench.pgbench_accounts WHERE aid <= 3 ORDER BY 2")
        by2 = [r[0] for r in cur.fetchall()]
    finally:
        c.close()
    R.eq("25 lookups with different literals return the warehouse's rows", got, want)
    R.eq("a cached range query returns the warehouse's rows (1)", ranged, mg.direct_rows(
        "SELECT aid, abalance FROM public.pgbench_accounts WHERE aid BETWEEN %s AND %s AND abalance > -1 "
        "ORDER BY 1 LIMIT 3", (aids[0], aids[0] + 4)))
    R.eq("a cached range query returns the warehouse's rows (2)", ranged2, mg.direct_rows(
        "SELECT aid, abalance FROM public.pgbench_accounts WHERE aid BETWEEN %s AND %s AND abalance > -1 "
        "ORDER BY 1 LIMIT 5", (aids[1], aids[1] + 9)))
    R.eq("ORDER BY 1 and ORDER BY 2 are different statements", (by1, by2), ([1, 2, 3], [3, 2, 1]))

    hits1, _ = counter("meshgate_rewrite_cache_hits_total")
    misses1, _ = counter("meshgate_rewrite_cache_misses_total")
    R.check("the hit counter moved by at least 24 for 25 lookups of one shape",
            hits1 - hits0 >= 24 + 1, f"hits {hits0} -> {hits1}, misses {misses0} -> {misses1}")
    R.check("the miss counter moved (each new shape is decided once)",
            1 <= misses1 - misses0 <= 6, f"misses {misses0} -> {misses1}")

    # Different policies never share a rewrite: alice sees only EU customers (row filter), bob
    # (sales-data-team) all of them. Same shape, alternating users, new literals.
    cust = mg.direct_rows("SELECT id, region FROM public.customers ORDER BY id")
    ids = [r[0] for r in cust]
    region = dict(cust)
    seen = {"alice": {}, "bob": {}}
    conns = {u: mg.mg_connect(u) for u in seen}
    try:
        for u, conn in conns.items():
            conn.autocommit = True
            conn.cursor().execute("SET meshgate.purpose = 'fraud'")
        for i in ids:
            for u, conn in conns.items():
                cur = conn.cursor()
                cur.execute("SELECT id FROM sales.customers WHERE id = %s", (i,))
                seen[u][i] = [r[0] for r in cur.fetchall()]
    finally:
        for conn in conns.values():
            conn.close()
    R.eq("alice (row filter) gets only EU customers through the shared shape",
         seen["alice"], {i: ([i] if region[i] == "EU" else []) for i in ids})
    R.eq("bob (exempt) gets every customer through the same shape", seen["bob"], {i: [i] for i in ids})

    # Audit: the statement is normalized (log_literals is false in the e2e config) and all the
    # lookups share one fingerprint.
    time.sleep(0.3)
    events = []
    try:
        with open(mg.ENV.audit) as f:
            events = [json.loads(l) for l in f if l.strip()]
    except Exception as ex:  # noqa: BLE001
        R.check("the audit log is readable", False, ex)
    looks = [e for e in events if e.get("user") == "bench" and e.get("decision") == "allow"
             and "pgbench_accounts WHERE aid =" in (e.get("statement") or "")]
    R.check("audited lookups carry the normalized statement, not the literal",
            len(looks) >= 25 and all(e["statement"].endswith("WHERE aid = $1") for e in looks[-25:])
            and not any(str(a) in e["statement"] for e in looks[-25:] for a in aids),
            json.dumps(looks[-2:])[:800])
    R.check("audited lookups share one non-null fingerprint",
            len({e.get("fingerprint") for e in looks[-25:]}) == 1 and bool(looks and looks[-1].get("fingerprint")),
            json.dumps(looks[-2:])[:800])


SUITES = {"cache": suite_cache}
