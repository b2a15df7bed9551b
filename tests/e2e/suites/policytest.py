"""Suite `policytest`: the domain-owner tools, `meshgate test` and `meshgate explain --format json`.

Runs the documented example cases (docs/examples/sales-cases.yaml, the same cases as the example
in docs/policy-tests.md) against the e2e configuration, without and with --live (rows from the
real warehouse), then copies of the file with one case made wrong (each must fail, and only that
case), and malformed copies (refused with file:line, no case run). Nothing here is hard-coded
about the data: the cases state policy guarantees, and each broken copy is derived from the file.
"""

import json
import os
import re
import sys

mg = sys.modules["__main__"]

REPO = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", ".."))
CASES = os.path.join(REPO, "docs", "examples", "sales-cases.yaml")
DOC = os.path.join(REPO, "docs", "policy-tests.md")
LINE = re.compile(r"^(PASS|FAIL)  (.+?)(?::|  \(|$)")


def secrets_env():
    return {k: os.environ[k] for k in ("WAREHOUSE_PG_PASSWORD", "MESHGATE_HASH_KEY") if k in os.environ}


def mg_test(path, *extra):
    return mg.run([mg.ENV.mg_bin, "test", "--config", mg.ENV.mg_config, *extra, path], secrets_env(),
                  timeout=120)


def verdicts(out):
    """{case name: "PASS" | "FAIL"} from the report lines, and the FAIL lines themselves."""
    got, fails = {}, {}
    for line in out.splitlines():
        m = LINE.match(line)
        if m:
            got[m.group(2)] = m.group(1)
            if m.group(1) == "FAIL":
                fails[m.group(2)] = line
    return got, fails


def case_names(text):
    return [m.group(1).strip() for m in re.finditer(r"^- name: (.+)$", text, re.M)]


def case_block(text, name):
    """(start, end) character offsets of the case named `name` in the file text."""
    m = re.search(r"^- name: " + re.escape(name) + r"\s*$", text, re.M)
    assert m, f"case {name!r} not in the example file"
    nxt = re.search(r"^(- name: |# ---)", text[m.end():], re.M)
    return m.start(), (m.end() + nxt.start()) if nxt else len(text)


def edit_case(text, name, old, new):
    start, end = case_block(text, name)
    block = text[start:end]
    assert old in block, f"{old!r} not in case {name!r}"
    return text[:start] + block.replace(old, new, 1) + text[end:]


def write(name, text):
    path = os.path.join(mg.ENV.work, "policytest", name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)
    return path


def significant_lines(text):
    return [l.rstrip() for l in text.splitlines() if l.strip() and not l.lstrip().startswith("#")]


def parse_simple_cases(text):
    """The example file's cases as dicts (user, purpose, sql, has_rows): enough of YAML for the
    file's own shape (one key per line, `sql: |` blocks), so the suite needs no YAML package."""
    cases = []
    for name in case_names(text):
        start, end = case_block(text, name)
        lines = text[start:end].split("\n")
        c = {"name": name, "purpose": None, "has_rows": False}
        i = 1
        while i < len(lines):
            m = re.match(r"^  (\w+):\s?(.*)$", lines[i])
            i += 1
            if not m:
                continue
            key, value = m.group(1), m.group(2)
            if key == "sql" and value.strip() == "|":
                body = []
                while i < len(lines) and (lines[i].startswith("    ") or not lines[i].strip()):
                    body.append(lines[i][4:])
                    i += 1
                c["sql"] = "\n".join(body).strip()
            elif key == "sql":
                c["sql"] = value.strip()
            elif key in ("user", "purpose"):
                c[key] = re.sub(r"\s+#.*$", "", value).strip()
            elif key == "rows":
                c["has_rows"] = True
        cases.append(c)
    return cases


def rows_through_gate(case):
    """The rows of the case's SQL sent through the running `meshgate serve` as its user, as text
    (NULL = None), or an error text."""
    extra = f"options='-c meshgate.purpose={case['purpose']}'" if case.get("purpose") else ""
    cmd = [mg.PSQL, "-X", "-q", "-A", "-t", "-F", "\x1f", "-P", "null=\x1e", "-v", "ON_ERROR_STOP=1",
           mg.conninfo(case["user"], "plain", extra), "-c", case["sql"]]
    rc, out, err = mg.run(cmd, {"PGPASSWORD": mg.Env.password(case["user"]), "PGCONNECT_TIMEOUT": "10"})
    if rc != 0:
        return None, err
    rows = []
    for line in out.split("\n"):
        if line == "":
            continue
        rows.append([None if v == "\x1e" else v for v in line.split("\x1f")])
    return rows, ""


def suite_policytest():
    R = mg.R
    R.suite = "policytest"
    text = open(CASES).read()
    names = case_names(text)
    R.check("the example case file holds cases", len(names) >= 10, names)

    # The documentation shows exactly the cases of the example file.
    doc = open(DOC).read()
    blocks = re.findall(r"```yaml\n(- name:.*?)```", doc, re.S)
    R.check("docs/policy-tests.md shows exactly the cases of docs/examples/sales-cases.yaml",
            any(significant_lines(b) == significant_lines(text) for b in blocks),
            "no ```yaml block of the doc equals the file (comments and blank lines aside)")

    rc, out, err = mg.run([mg.ENV.mg_bin, "test", "--help"])
    R.check("meshgate test --help exits 0 and shows the case format",
            rc == 0 and "rewritten_contains" in out and "--live" in out, out + err)
    rc, out, err = mg.run([mg.ENV.mg_bin, "test", "--config", mg.ENV.mg_config])
    R.check("meshgate test without a case file is a usage error (exit 2)", rc == 2, out + err)

    # The documented cases pass, decisions only and then with rows from the warehouse.
    for live in (False, True):
        label = " --live" if live else ""
        rc, out, err = mg_test(CASES, *(["--live"] if live else []))
        got, fails = verdicts(out)
        R.check(f"meshgate test{label} passes every example case and exits 0",
                rc == 0 and got == {n: "PASS" for n in names}, f"exit {rc}\n{out}{err}")
        R.check(f"meshgate test{label} ends with the summary line",
                out.strip().splitlines()[-1:] == [f"{len(names)} passed, 0 failed"], out)
        if live:
            R.check("with --live every case that lists rows had them compared",
                    "rows not compared" not in out, out)
        else:
            R.check("without --live the rows are reported as not compared",
                    "rows not compared without --live" in out, out)

    # --live runs what `meshgate serve` runs: a case file whose rows are taken from the running
    # gate (psql as each case's user, with its purpose) passes `meshgate test --live`.
    derived, problems = [], []
    for c in parse_simple_cases(text):
        if not c["has_rows"]:
            continue
        rows, why = rows_through_gate(c)
        if rows is None:
            problems.append(f"{c['name']}: {why}")
            continue
        derived.append(f"- name: {json.dumps(c['name'] + ' (rows from meshgate serve)')}\n"
                       f"  user: {c['user']}\n"
                       + (f"  purpose: {c['purpose']}\n" if c.get("purpose") else "")
                       + f"  sql: {json.dumps(c['sql'])}\n  expect: allow\n"
                       f"  rows: {json.dumps(rows)}\n")
    R.check("every example case with rows runs through meshgate serve", not problems and derived,
            "\n".join(problems))
    if derived:
        path = write("rows-from-gate.yaml", "".join(derived))
        rc, out, err = mg_test(path, "--live")
        got, fails = verdicts(out)
        R.check("meshgate test --live gives the rows meshgate serve returns for the same user and SQL",
                rc == 0 and len(got) == len(derived) and set(got.values()) == {"PASS"},
                f"exit {rc}\n{out}{err}")

    # One case made wrong per copy: that case fails, the others still pass, the exit code is 1.
    wrong = [
        ("flipped-expect.yaml", "mallory is denied on customers",
         lambda t: edit_case(edit_case(t, "mallory is denied on customers", "expect: deny", "expect: allow"),
                             "mallory is denied on customers", '  sqlstate: "42501"\n', ""),
         [], "expected allow, got deny"),
        ("flipped-allow.yaml", "the sales data team is not bound to a region",
         lambda t: edit_case(edit_case(t, "the sales data team is not bound to a region", "expect: allow",
                                       "expect: deny"),
                             "the sales data team is not bound to a region", "  rows: [[EU], [US]]\n", ""),
         [], "expected deny, got allow"),
        ("wrong-sqlstate.yaml", "physical table names never resolve",
         lambda t: edit_case(t, "physical table names never resolve", '"42P01"', '"42501"'),
         [], "expected SQLSTATE 42501, got 42P01"),
        ("wrong-fragment.yaml", "e-mail addresses reach analysts only as keyed hashes",
         lambda t: edit_case(t, "e-mail addresses reach analysts only as keyed hashes", '["sha256"]',
                             '["sha256", "md5("]'),
         [], 'rewritten SQL lacks "md5("'),
        ("wrong-row.yaml", "the sales data team is not bound to a region",
         lambda t: edit_case(t, "the sales data team is not bound to a region", "rows: [[EU], [US]]",
                             "rows: [[EU]]"),
         ["--live"], "rows differ"),
        ("wrong-value.yaml", "analysts never see phone numbers",
         lambda t: edit_case(t, "analysts never see phone numbers", "rows: [[0]]", "rows: [[1]]"),
         ["--live"], 'row 1: expected ["1"], got ["0"]'),
    ]
    for fname, case, mutate, extra, why in wrong:
        path = write(fname, mutate(text))
        rc, out, err = mg_test(path, *extra)
        got, fails = verdicts(out)
        others = {n: v for n, v in got.items() if n != case}
        R.check(f"a copy with a wrong case ({fname}{' --live' if extra else ''}) exits 1 and fails that case",
                rc == 1 and got.get(case) == "FAIL" and why in fails.get(case, ""),
                f"exit {rc}\n{out}{err}")
        R.check(f"... and every other case of {fname} still passes",
                len(others) == len(names) - 1 and set(others.values()) == {"PASS"} and
                f"{len(names) - 1} passed, 1 failed" in out, out)
    # A wrong row is not a failure without --live (rows are compared only against the backend).
    path = write("wrong-row-nolive.yaml", wrong[4][2](text))
    rc, out, err = mg_test(path)
    R.check("a wrong row passes without --live (rows are compared only with --live)", rc == 0, out + err)

    # Malformed copies: refused before any case runs, naming the file, line and column.
    first = names[0]
    start, _ = case_block(text, first)
    typo_line = text[:start].count("\n") + 3  # "- name", "  user", then the inserted key
    lines = text[start:].split("\n")
    typo = text[:start] + "\n".join(lines[:2] + ["  purpos: fraud"] + lines[2:])
    path = write("typo-key.yaml", typo)
    rc, out, err = mg_test(path)
    R.check("a case file with an unknown key exits 2 and names file:line:col with a suggestion",
            rc == 2 and f"{path}:{typo_line}:3:" in err and 'did you mean "purpose"' in err
            and not verdicts(out)[0], f"exit {rc}\n{out}{err}")
    missing = edit_case(text, first, "expect: allow", "")
    path = write("missing-expect.yaml", missing)
    rc, out, err = mg_test(path)
    R.check("a case without `expect` exits 2 naming the case's line",
            rc == 2 and re.search(re.escape(path) + r":\d+:\d+: error: .*missing required key \"expect\"", err),
            f"exit {rc}\n{out}{err}")
    path = write("syntax.yaml", text + "\n- name: [unterminated\n")
    syntax_line = (text + "\n- name: [unterminated\n").count("\n") + 1
    rc, out, err = mg_test(path)
    R.check("a case file with a YAML syntax error exits 2 and names file:line",
            rc == 2 and re.search(re.escape(path) + r":(\d+):\d+: error: YAML syntax error", err)
            and abs(int(re.search(re.escape(path) + r":(\d+):", err).group(1)) - syntax_line) <= 1,
            f"exit {rc}\n{out}{err}")
    unknown_user = edit_case(text, first, "user: alice", "user: alise")
    path = write("unknown-user.yaml", unknown_user)
    rc, out, err = mg_test(path)
    R.check("a case whose user is not in the configuration exits 2 with a suggestion",
            rc == 2 and 'user "alise" is not in the configuration' in err and 'did you mean "alice"' in err,
            f"exit {rc}\n{out}{err}")

    # meshgate explain --format json: the decision, each policy with its scope, route, rewrite.
    backend = re.search(r"^backends:\s*\n\s+([A-Za-z0-9_]+):", open(mg.ENV.mg_config).read(), re.M).group(1)
    rc, out, err = mg.run([mg.ENV.mg_bin, "explain", "--config", mg.ENV.mg_config, "--user", "alice",
                           "--purpose", "fraud", "--format", "json",
                           "SELECT email, phone FROM sales.customers"], secrets_env())
    try:
        j = json.loads(out)
    except ValueError:
        j = {}
    pol = {p.get("name"): p for p in j.get("policies", [])}
    R.check("explain --format json prints one object with the decision, the route and the rewrite",
            rc == 0 and j.get("decision") == "allow" and j.get("route") == backend
            and j.get("purpose") == "fraud" and "public.customers" in (j.get("rewritten_sql") or ""),
            out + err)
    R.check("explain --format json tells global policies from domain-file ones",
            pol.get("pii-email", {}).get("scope") == "global"
            and pol.get("own-region", {}).get("scope") == "domain"
            and "sales.yaml" in pol.get("own-region", {}).get("origin", "")
            and pol.get("hide-phone", {}).get("scope") == "domain", out)
    key = os.environ.get("MESHGATE_HASH_KEY", "")
    R.check("explain output carries no hash-mask key material",
            key and key not in out and not re.search(r"'[0-9a-f]{64,}'", out), out)
    rc, out, err = mg.run([mg.ENV.mg_bin, "explain", "--config", mg.ENV.mg_config, "--user", "mallory",
                           "--format", "json", "SELECT * FROM sales.customers"], secrets_env())
    try:
        j = json.loads(out)
    except ValueError:
        j = {}
    R.check("explain --format json of a refusal gives deny, its SQLSTATE and exit 1",
            rc == 1 and j.get("decision") == "deny" and j.get("sqlstate") == "42501", out + err)


SUITES = {"policytest": suite_policytest}
