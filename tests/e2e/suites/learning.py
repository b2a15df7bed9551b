"""Suite "learning": column and type learning (issue 4 item 5) against a meshgate of its own.

The suite creates its own tables in schema `learn` of the e2e warehouse (superuser connection)
and a domain `learnd` over them, then changes the tables under a running meshgate:
  - a product whose source does not exist at start is reported (check --live, /readyz, metric)
    and becomes usable at its first use after the table is created (no reload);
  - a masked column dropped, a row-filter column renamed, a masked column's type changed so its
    `round` mask no longer applies, and the source table itself renamed away: after a reload each
    is named by `meshgate check --live` (exit 1), listed by /readyz (200 "degraded"; 503 with
    ?strict) and counted by meshgate_products_unavailable, and statements on the product get
    55000 naming product, column and backend, while other products keep working;
  - restored and reloaded, the product answers again with its policies applied.
Expected rows are computed from the warehouse directly, never written down.
"""

import os
import re
import sys
import time
from decimal import ROUND_FLOOR, Decimal

import psycopg2

mg = sys.modules["__main__"]
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _owngate  # noqa: E402
import _pgwire  # noqa: E402
from _owngate import fetch_all, http_get, wait_for  # noqa: E402

USER = "learn_ana"
DOMAIN = """\
domain: learnd
description: column learning e2e
owners: [group:learn-owners]
backend: warehouse
products:
  people:
    source: learn.people
    description: people with masked phone, coarse score and a region filter
    columns:
      phone: { tags: [pii.phone], description: phone number }
    access: { allow: [group:learners] }
    row_filters:
      - name: own-region
        where: "region = @user.region"
    masks:
      - name: hide-phone
        column: phone
        with: null
      - name: coarse-score
        column: score
        with: { round: 10 }
  late:
    source: learn.late
    access: { allow: [group:learners] }
  late_ext:
    source: learn.late_ext
    access: { allow: [group:learners] }
"""




def metric(body, name):
    for line in body.splitlines():
        m = re.match(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})? ([^ ]+)", line)
        if m and m.group(1) == name and not m.group(2):
            return float(m.group(3))
    return None


def reloads_ok(body):
    total = 0.0
    for line in body.splitlines():
        if line.startswith("meshgate_config_reloads_total{") and 'result="ok"' in line:
            total += float(line.split()[-1])
    return total


def superuser(sql):
    c = mg.direct()
    try:
        c.autocommit = True
        with c.cursor() as cur:
            cur.execute(sql)
    finally:
        c.close()


class Learning:
    def __init__(self, R):
        self.R = R
        self.gate = _owngate.Gate(
            "learning", {"learnd.yaml": DOMAIN},
            {USER: {"password": "learn-pw", "groups": ["learners"],
                    "attributes": {"region": "EU"}, "search_path": ["learnd"]}})
        self.gate.cfg["admin"]["host"] = "127.0.0.1"
        self.gate.cfg["admin"]["health_check_interval_ms"] = 500

    # -- helpers --------------------------------------------------------------------------
    def admin(self, path):
        return http_get(self.gate.cfg["admin"]["port"], path)

    def query(self, sql):
        return fetch_all(lambda: psycopg2.connect(host="127.0.0.1", port=self.gate.port, dbname="mesh",
                                                  user=USER, password="learn-pw", sslmode="disable",
                                                  connect_timeout=5), sql)

    def extended(self, sql, params=()):
        """Parse/Bind/Execute through the extended protocol (_pgwire): (text rows, sqlstates)."""
        c = _pgwire.Conn("127.0.0.1", self.gate.port, USER, "learn-pw")
        try:
            r = c.extended(sql, params)
            return r.text_rows(), r.sqlstates
        finally:
            c.close()

    def check_live(self):
        return mg.run([mg.ENV.mg_bin, "check", "--config", self.gate.config, "--live"])

    def reload(self):
        before = reloads_ok(self.admin("/metrics")[1])
        self.gate.proc.send_signal(1)  # SIGHUP
        return wait_for(lambda: reloads_ok(self.admin("/metrics")[1]) > before, 20)

    def expected_people(self):
        rows = mg.direct_rows("SELECT id, score FROM learn.people WHERE region = 'EU' ORDER BY id")
        out = []
        for rid, score in rows:
            s = None if score is None else (Decimal(score) / 10).to_integral_value(ROUND_FLOOR) * 10
            out.append((rid, None, s))
        return out

    def people_answer(self):
        rows, err = self.query("SELECT id, phone, score FROM learnd.people ORDER BY id")
        if err is not None:
            return None, err
        return [(r[0], r[1], None if r[2] is None else Decimal(r[2])) for r in rows], None

    # -- checks ---------------------------------------------------------------------------
    def setup(self):
        superuser("""
            DROP SCHEMA IF EXISTS learn CASCADE;
            CREATE SCHEMA learn;
            CREATE TABLE learn.people (id int PRIMARY KEY, name text, phone text, region text,
                                       score numeric(10,2));
            INSERT INTO learn.people
              SELECT g, 'p' || g, '+49-555-' || g, CASE WHEN g % 3 = 0 THEN 'US' ELSE 'EU' END,
                     (g * 7.35)::numeric(10,2)
              FROM generate_series(1, 12) g;
            GRANT USAGE ON SCHEMA learn TO meshgate;
            GRANT SELECT ON learn.people TO meshgate;
        """)

    def usable(self, when):
        R = self.R
        got, err = self.people_answer()
        want = self.expected_people()
        R.check(f"{when}: learnd.people answers with its row filter and masks applied",
                err is None and got == want and len(want) > 0, f"err={err} got={got} want={want}")

    def reported(self, when, column_parts):
        """The product learnd.people is unavailable: check --live, /readyz, metric, statements."""
        R = self.R
        rc, out, err = self.check_live()
        text = out + err
        lines = [l for l in text.splitlines() if "learnd.people" in l]
        R.check(f"{when}: meshgate check --live exits 1", rc == 1, text[-1500:])
        R.check(f"{when}: check --live names the product, its source, backend, "
                f"{' and '.join(column_parts)} and who must act",
                any(all(p in l for p in ["learn.people", "backend warehouse", "owners of domain learnd",
                                         "learnd.yaml"] + column_parts) for l in lines), text[-1500:])
        status, body = self.admin("/readyz")
        R.check(f"{when}: /readyz stays 200 but says degraded and names learnd.people",
                status == 200 and "degraded" in body and "learnd.people" in body
                and all(p in body for p in column_parts), (status, body))
        status, body = self.admin("/readyz?strict")
        R.check(f"{when}: /readyz?strict is 503 naming learnd.people",
                status == 503 and "learnd.people" in body, (status, body))
        n = metric(self.admin("/metrics")[1], "meshgate_products_unavailable")
        R.check(f"{when}: meshgate_products_unavailable counts it", n is not None and n >= 1, n)
        rows, ex = self.query("SELECT id FROM learnd.people")
        msg = str(getattr(ex, "pgerror", "") or "")
        R.check(f"{when}: a statement on it gets 55000 naming product, column and backend",
                ex is not None and ex.pgcode == "55000" and "learnd.people is unavailable" in msg
                and "backend warehouse" in msg and all(p in msg for p in column_parts),
                f"rows={rows} err={ex!r} {msg}")
        rows, states = self.extended("SELECT id FROM learnd.people WHERE id > $1", ("0",))
        R.check(f"{when}: the same through the extended protocol (Parse): 55000",
                states == ["55000"], f"rows={rows} sqlstates={states}")
        rows, ex = self.query("SELECT count(*) FROM learnd.people p JOIN learnd.late l ON true")
        R.check(f"{when}: a join that reads it gets the same 55000", ex is not None and ex.pgcode == "55000",
                f"rows={rows} err={ex!r}")
        want = mg.direct_rows("SELECT count(*) FROM learn.late")
        R.eq(f"{when}: another product of the same domain still answers",
             self.query("SELECT count(*) FROM learnd.late"), (want, None))

    def restored(self, when):
        R = self.R
        R.check(f"{when}: reload after the repair", self.reload())
        self.usable(when)
        rc, out, err = self.check_live()
        R.check(f"{when}: meshgate check --live exits 0 again", rc == 0, (out + err)[-1500:])
        status, body = self.admin("/readyz")
        R.check(f"{when}: /readyz is plain ready again", status == 200 and body.strip() == "ready",
                (status, body))
        R.eq(f"{when}: meshgate_products_unavailable is 0 again",
             metric(self.admin("/metrics")[1], "meshgate_products_unavailable"), 0.0)

    def drift(self, when, break_sql, repair_sql, column_parts):
        superuser(break_sql)
        self.R.check(f"{when}: the reload still succeeds (one drifted product never fails a "
                     f"reload)", self.reload(), self.gate.log_tail())
        self.reported(when, column_parts)
        superuser(repair_sql)
        self.restored(f"{when}, repaired")

    def run(self):
        R = self.R
        self.setup()
        superuser("DROP TABLE IF EXISTS learn.late, learn.late_ext")
        R.check("the learning gate starts although learn.late does not exist", self.gate.start(),
                self.gate.log_tail())
        try:
            self.usable("at start")
            rc, out, err = self.check_live()
            R.check("check --live names the missing source learn.late (exit 1)",
                    rc == 1 and any("learnd.late is unavailable" in l and "learn.late " in l and "does not exist" in l
                                    and "backend warehouse" in l for l in (out + err).splitlines()),
                    out + err)
            status, body = self.admin("/readyz")
            R.check("/readyz lists learnd.late as unavailable (200, degraded)",
                    status == 200 and "learnd.late: its source learn.late on backend warehouse does not exist" in body,
                    (status, body))
            R.check("meshgate_products_unavailable is 2 (late and late_ext)",
                    metric(self.admin("/metrics")[1], "meshgate_products_unavailable") == 2.0,
                    self.admin("/metrics")[1][-400:])
            superuser("""
                CREATE TABLE learn.late (id int, note text);
                INSERT INTO learn.late SELECT g, 'n' || g FROM generate_series(1, 5) g;
                GRANT SELECT ON learn.late TO meshgate;
            """)
            want = mg.direct_rows("SELECT id, note FROM learn.late ORDER BY id")
            R.eq("first use after the table was created: learnd.late answers (no reload)",
                 self.query("SELECT id, note FROM learnd.late ORDER BY id"), (want, None))
            R.check("/readyz no longer lists learnd.late",
                    wait_for(lambda: "learnd.late:" not in self.admin("/readyz")[1], 5),
                    self.admin("/readyz"))
            R.eq("meshgate_products_unavailable is 1 after the first use (late_ext still missing)",
                 metric(self.admin("/metrics")[1], "meshgate_products_unavailable"), 1.0)
            superuser("""
                CREATE TABLE learn.late_ext (id int, note text);
                INSERT INTO learn.late_ext SELECT g, 'x' || g FROM generate_series(1, 7) g;
                GRANT SELECT ON learn.late_ext TO meshgate;
            """)
            want = [[str(i), n] for i, n in
                    mg.direct_rows("SELECT id, note FROM learn.late_ext WHERE id > 2 ORDER BY id")]
            R.eq("first use through the extended protocol: learnd.late_ext answers",
                 self.extended("SELECT id, note FROM learnd.late_ext WHERE id > $1 ORDER BY id", ("2",)),
                 (want, []))
            rc, out, err = self.check_live()
            R.check("check --live passes once every source exists", rc == 0, out + err)

            self.drift("masked column dropped",
                       "ALTER TABLE learn.people DROP COLUMN phone",
                       "ALTER TABLE learn.people ADD COLUMN phone text",
                       ["phone", "hide-phone"])
            self.drift("row-filter column renamed",
                       "ALTER TABLE learn.people RENAME COLUMN region TO area",
                       "ALTER TABLE learn.people RENAME COLUMN area TO region",
                       ["region", "own-region"])
            self.drift("masked column's type changed so its round mask breaks",
                       "ALTER TABLE learn.people ALTER COLUMN score TYPE text",
                       "ALTER TABLE learn.people ALTER COLUMN score TYPE numeric(10,2) USING score::numeric",
                       ["score", "coarse-score", "round"])
            # Without a reload or a statement: the background refresh (after each round of
            # backend health checks) notices a source that is back.
            superuser("ALTER TABLE learn.late RENAME TO late_gone")
            R.check("late renamed away, reload: /readyz lists learnd.late again",
                    self.reload() and "learnd.late:" in self.admin("/readyz")[1], self.admin("/readyz"))
            superuser("ALTER TABLE learn.late_gone RENAME TO late")
            R.check("renamed back: /readyz recovers by itself (no reload, no statement)",
                    wait_for(lambda: self.admin("/readyz") == (200, "ready\n"), 20),
                    self.admin("/readyz"))
            self.drift("source table renamed away",
                       "ALTER TABLE learn.people RENAME TO people_gone",
                       "ALTER TABLE learn.people_gone RENAME TO people",
                       ["does not exist"])
            R.check("the gate is still running", self.gate.alive(), self.gate.log_tail())
        finally:
            self.gate.stop()
            superuser("DROP SCHEMA IF EXISTS learn CASCADE")


def suite_learning():
    mg.R.suite = "learning"
    Learning(mg.R).run()


SUITES = {"learning": suite_learning}
