"""e2e suite `identity`: client-certificate and JWT logins (SPEC §5, issue 4 item 7).

Starts its own `meshgate serve` from a copy of the shared config with `listen.tls.client_ca_file`
and a `jwt:` section added; every key, certificate and token is made here with the `openssl` CLI,
so nothing is written down in advance. Expectations (row counts) come from the warehouse.
"""

import base64
import json
import os
import re
import shutil
import signal
import socket
import ssl
import struct
import subprocess
import sys
import time

mg = sys.modules["__main__"]

ISSUER = "https://idp.identity-test.example/"
AUDIENCE = "meshgate-e2e"


def b64u(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def openssl(*args, input_bytes=None):
    p = subprocess.run(["openssl", *args], input=input_bytes, capture_output=True, timeout=60)
    if p.returncode != 0:
        raise RuntimeError(f"openssl {' '.join(args)} failed: {p.stderr.decode(errors='replace')}")
    return p.stdout


def der_ecdsa_to_raw(der):
    """DER ECDSA-Sig-Value -> JOSE r||s (32 bytes each)."""
    assert der[0] == 0x30
    i = 2 if der[1] < 0x80 else 2 + (der[1] & 0x7F)
    out = b""
    for _ in range(2):
        assert der[i] == 0x02
        n = der[i + 1]
        v = der[i + 2:i + 2 + n].lstrip(b"\x00")
        out += v.rjust(32, b"\x00")
        i += 2 + n
    return out


class Keys:
    """JWT signing keys (RSA 2048, EC P-256, and an attacker's RSA key) and the JWKS."""

    def __init__(self, d):
        self.rsa = os.path.join(d, "jwt-rsa.pem")
        self.ec = os.path.join(d, "jwt-ec.pem")
        self.rogue = os.path.join(d, "jwt-rogue.pem")
        openssl("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", self.rsa)
        openssl("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", self.rogue)
        openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", self.ec)
        modulus = openssl("rsa", "-in", self.rsa, "-noout", "-modulus").decode().strip()
        n = bytes.fromhex(modulus.split("=", 1)[1])
        text = openssl("rsa", "-in", self.rsa, "-noout", "-text").decode()
        e = int(re.search(r"publicExponent: (\d+)", text).group(1))
        spki = openssl("pkey", "-in", self.ec, "-pubout", "-outform", "DER")
        point = spki[-65:]
        assert point[0] == 4, "expected an uncompressed P-256 point"
        self.jwks = {"keys": [
            {"kty": "RSA", "kid": "rsa-1", "alg": "RS256", "use": "sig", "n": b64u(n),
             "e": b64u(e.to_bytes((e.bit_length() + 7) // 8, "big"))},
            {"kty": "EC", "kid": "ec-1", "crv": "P-256", "x": b64u(point[1:33]),
             "y": b64u(point[33:65])},
        ]}

    def token(self, claims, alg="RS256", kid=None, key=None):
        header = {"alg": alg, "typ": "JWT"}
        if kid is None:
            kid = {"RS256": "rsa-1", "ES256": "ec-1"}.get(alg)
        if kid:
            header["kid"] = kid
        signing_input = (b64u(json.dumps(header).encode()) + "." +
                         b64u(json.dumps(claims).encode())).encode()
        if alg == "none":
            return signing_input.decode() + "."
        pem = key or (self.ec if alg == "ES256" else self.rsa)
        sig = openssl("dgst", "-sha256", "-sign", pem, input_bytes=signing_input)
        if alg == "ES256":
            sig = der_ecdsa_to_raw(sig)
        return signing_input.decode() + "." + b64u(sig)


class Pki:
    """A client CA, a certificate CN=alice it issued, and the same CN from an untrusted CA."""

    def __init__(self, d):
        self.d = d
        ext = os.path.join(d, "client.ext")
        with open(ext, "w") as f:
            f.write("basicConstraints=CA:FALSE\nextendedKeyUsage=clientAuth\n")
        self.ca_crt, self.ca_key = self._ca("identity-test-ca")
        rogue_crt, rogue_key = self._ca("rogue-ca")
        self.alice = self._client("alice", self.ca_crt, self.ca_key, ext)
        self.nobody = self._client("nobody", self.ca_crt, self.ca_key, ext)
        self.rogue_alice = self._client("alice-rogue", rogue_crt, rogue_key, ext, cn="alice")

    def _ca(self, name):
        crt, key = os.path.join(self.d, name + ".crt"), os.path.join(self.d, name + ".key")
        openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                "-days", "2", "-subj", "/CN=" + name, "-keyout", key, "-out", crt)
        return crt, key

    def _client(self, name, ca_crt, ca_key, ext, cn=None):
        key, csr, crt = (os.path.join(self.d, name + s) for s in (".key", ".csr", ".crt"))
        openssl("req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                "-subj", "/CN=" + (cn or name), "-keyout", key, "-out", csr)
        openssl("x509", "-req", "-in", csr, "-CA", ca_crt, "-CAkey", ca_key, "-CAcreateserial",
                "-days", "2", "-extfile", ext, "-out", crt)
        os.chmod(key, 0o600)  # libpq refuses a group/world-readable key
        return crt, key


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def wait_port(port, proc, secs=30):
    deadline = time.monotonic() + secs
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return False
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return True
        except OSError:
            time.sleep(0.2)
    return False


def render_config(src_dir, d, port, admin_port, ca_file, jwks_file, audit):
    cfg_dir = os.path.join(d, "cfg")
    shutil.copytree(src_dir, cfg_dir, ignore=shutil.ignore_patterns("*.log", "*.pid", "*.jsonl"))
    path = os.path.join(cfg_dir, "meshgate.yaml")
    text = open(path).read()
    env = mg.ENV
    text = re.sub(rf"(\n  port: ){env.mg_port}\n", rf"\g<1>{port}\n", text, count=1)
    text = re.sub(rf"(\n  port: ){env.admin_port}\n", rf"\g<1>{admin_port}\n", text, count=1)
    text = text.replace(f"path: {env.audit}", f"path: {audit}")
    m = re.search(r"\n(\s+)key_file: [^\n]*\n", text)
    assert m, "listen.tls.key_file not found in the shared config"
    text = text[:m.end()] + f"{m.group(1)}client_ca_file: {ca_file}\n" + text[m.end():]
    text += (f"\njwt:\n  jwks_file: {jwks_file}\n  issuer: \"{ISSUER}\"\n"
             f"  audience: {AUDIENCE}\n  user_claim: sub\n  groups_claim: groups\n")
    assert f"port: {port}" in text and f"port: {admin_port}" in text and audit in text
    with open(path, "w") as f:
        f.write(text)
    return path


def raw_login(port, user, password, tls=True):
    """Logs in speaking the protocol directly, so the server's SQLSTATE is visible (libpq shows
    only the text of a connection-time error). Returns ("ok",), ("sasl",) when the server asks
    for SCRAM instead of a password, or ("error", sqlstate, message)."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    try:
        if tls:
            sock.sendall(struct.pack("!ii", 8, 80877103))
            if sock.recv(1) != b"S":
                return ("error", "no-tls", "")
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
            sock = ctx.wrap_socket(sock)
        body = struct.pack("!i", 196608) + b"user\0" + user.encode() + b"\0database\0mesh\0\0"
        sock.sendall(struct.pack("!i", len(body) + 4) + body)
        buf = b""

        def read_message():
            nonlocal buf
            while len(buf) < 5 or len(buf) < 1 + struct.unpack("!i", buf[1:5])[0]:
                chunk = sock.recv(65536)
                if not chunk:
                    raise ConnectionError("closed")
                buf += chunk
            n = struct.unpack("!i", buf[1:5])[0]
            tag, payload, buf = buf[:1], buf[5:1 + n], buf[1 + n:]
            return tag, payload

        while True:
            tag, payload = read_message()
            if tag == b"R":
                code = struct.unpack("!i", payload[:4])[0]
                if code == 0:
                    return ("ok",)
                if code == 3:
                    pw = password.encode() + b"\0"
                    sock.sendall(b"p" + struct.pack("!i", len(pw) + 4) + pw)
                    continue
                if code == 10:
                    return ("sasl",)
                return ("error", f"auth-code-{code}", "")
            if tag == b"E":
                fields = {}
                for part in payload.split(b"\0"):
                    if part:
                        fields[part[:1].decode()] = part[1:].decode(errors="replace")
                return ("error", fields.get("C"), fields.get("M"))
    finally:
        sock.close()


def fatal_states(stderr):
    return re.findall(r"(?:FATAL|ERROR):\s+([0-9A-Z]{5}):", stderr)


def psql(port, user, sql, password="", sslmode="require", extra=""):
    conn = (f"host=127.0.0.1 port={port} dbname=mesh user={user} sslmode={sslmode} "
            f"connect_timeout=10 {extra}").strip()
    cmd = [mg.PSQL, "-X", "-w", "-q", "-t", "-A", "-v", "ON_ERROR_STOP=1", "-v", "VERBOSITY=verbose",
           conn, "-c", sql]
    env = {"PGPASSWORD": password, "PGCONNECT_TIMEOUT": "10",
           # A missing file means "no certificate": never pick up ~/.postgresql/postgresql.crt.
           "PGSSLCERT": "/nonexistent/identity-e2e.crt", "PGSSLKEY": "/nonexistent/identity-e2e.key"}
    return mg.run(cmd, env)


def audit_auth_events(path):
    out = []
    try:
        with open(path) as f:
            for line in f:
                try:
                    ev = json.loads(line)
                except ValueError:
                    continue
                if ev.get("event") == "auth":
                    out.append(ev)
    except OSError:
        pass
    return out


def suite_identity():
    R = mg.R
    R.suite = "identity"
    env = mg.ENV
    d = os.path.join(env.work, "identity")
    os.makedirs(d, exist_ok=True)
    keys = Keys(d)
    pki = Pki(d)
    jwks_file = os.path.join(d, "jwks.json")
    with open(jwks_file, "w") as f:
        json.dump(keys.jwks, f)
    port, admin_port = free_port(), free_port()
    audit = os.path.join(d, "audit.jsonl")
    cfg = render_config(os.path.dirname(env.mg_config), d, port, admin_port, pki.ca_crt, jwks_file,
                        audit)
    log = open(os.path.join(d, "meshgate.log"), "w")
    proc = subprocess.Popen([env.mg_bin, "serve", "--config", cfg], stdout=log,
                            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                            start_new_session=True)
    try:
        up = wait_port(port, proc)
        if not R.check("meshgate starts with client_ca_file and a jwt section", up,
                       open(os.path.join(d, "meshgate.log")).read()[-3000:]):
            return
        run_checks(R, port, keys, pki, audit)
        jwks_lifecycle(R, port, keys, proc, cfg, d)
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=5)
        log.close()


def run_checks(R, port, keys, pki, audit):
    now = int(time.time())
    n_eu = mg.direct_rows("SELECT count(*) FROM public.customers WHERE region = 'EU'")[0][0]
    n_us = mg.direct_rows("SELECT count(*) FROM public.customers WHERE region = 'US'")[0][0]
    assert n_eu != n_us, "the warehouse must tell the two regions apart"
    count_sql = "SELECT count(*) FROM sales.customers"

    def claims(**over):
        c = {"iss": ISSUER, "aud": AUDIENCE, "sub": "erin", "exp": now + 600, "iat": now - 5,
             "groups": ["analysts"], "region": "US", "purposes": ["fraud"]}
        c.update(over)
        return {k: v for k, v in c.items() if v is not None}

    # --- JWT: erin is not in `users:`; her groups and region come from the token.
    rc, out, err = psql(port, "erin", count_sql, password=keys.token(claims()))
    R.eq("RS256 token: erin logs in and sees her token's region (US) rows",
         (rc, mg.lines(out), fatal_states(err)), (0, [str(n_us)], []))
    rc, out, err = psql(port, "erin", count_sql,
                        password=keys.token(claims(region="EU"), alg="ES256"))
    R.eq("ES256 token: the region attribute comes from the token (EU rows)",
         (rc, mg.lines(out), fatal_states(err)), (0, [str(n_eu)], []))
    rc, out, err = psql(port, "erin", count_sql,
                        password=keys.token(claims(groups=["marketing-team"])))
    R.eq("a token without the analysts group logs in but is denied the product",
         (rc != 0, mg.lines(out), fatal_states(err)), (True, [], ["42501"]))

    refused = {
        "expired token": keys.token(claims(exp=now - 3600, iat=now - 7200)),
        "not-yet-valid token": keys.token(claims(nbf=now + 3600)),
        "wrong signature (attacker's RSA key, real kid)": keys.token(claims(), key=keys.rogue),
        "wrong audience": keys.token(claims(aud="another-service")),
        "wrong issuer": keys.token(claims(iss="https://evil.example/")),
        "alg none": keys.token(claims(), alg="none"),
        "unknown kid": keys.token(claims(), kid="rsa-2"),
        "token naming another user": keys.token(claims(sub="alice")),
        "garbage instead of a token": "not-a-token",
    }
    for what, token in refused.items():
        r = raw_login(port, "erin", token)
        R.eq(f"{what}: 28P01", r[:2], ("error", "28P01"))
    # The failure message gives nothing away: the same text for an expired and a forged token.
    msgs = {what: raw_login(port, "erin", refused[what]) for what in
            ("expired token", "wrong signature (attacker's RSA key, real kid)", "wrong audience")}
    R.check("expired, forged and wrong-audience refusals read the same to the client",
            len(set(msgs.values())) == 1, msgs)
    R.eq("a valid token through the raw protocol logs in", raw_login(port, "erin", keys.token(claims())),
         ("ok",))
    R.eq("over plaintext no password (token) is asked for: SCRAM is offered",
         raw_login(port, "erin", keys.token(claims()), tls=False), ("sasl",))
    rc, out, err = psql(port, "erin", count_sql, password=keys.token(claims()), sslmode="disable")
    R.check("a valid token over plaintext does not log in", rc != 0 and not mg.lines(out), err)
    # SCRAM users keep SCRAM.
    rc, out, err = psql(port, "alice", count_sql, password=mg.Env.password("alice"))
    R.eq("alice still logs in with her SCRAM password over TLS",
         (rc, mg.lines(out)), (0, [str(n_eu)]))
    R.eq("a SCRAM user is offered SCRAM, never a token prompt",
         raw_login(port, "alice", keys.token(claims(sub="alice"))), ("sasl",))
    rc, out, err = psql(port, "alice", count_sql, password=keys.token(claims(sub="alice")))
    R.check("a token is no password for a SCRAM user", rc != 0 and not mg.lines(out), err)

    # --- Client certificates.
    crt, key = pki.alice
    rc, out, err = psql(port, "alice", count_sql, extra=f"sslcert={crt} sslkey={key}")
    R.eq("certificate CN=alice from the client CA logs in as alice without a password",
         (rc, mg.lines(out), fatal_states(err)), (0, [str(n_eu)], []))
    rc, out, err = psql(port, "bob", count_sql, extra=f"sslcert={crt} sslkey={key}")
    R.check("certificate CN=alice does not log in bob (SCRAM is asked for, none is given)",
            rc != 0 and not mg.lines(out) and "password" in err, err)
    crt, key = pki.nobody
    rc, out, err = psql(port, "nobody", count_sql, extra=f"sslcert={crt} sslkey={key}")
    R.check("certificate of an unconfigured user does not log in", rc != 0, err)
    crt, key = pki.rogue_alice
    rc, out, err = psql(port, "alice", count_sql, extra=f"sslcert={crt} sslkey={key}")
    R.check("certificate CN=alice from another CA fails the TLS handshake",
            rc != 0 and not mg.lines(out) and "28P01" not in err, err)

    # --- Audit: each method and outcome is recorded, with the refusal's reason.
    deadline = time.monotonic() + 10
    events = []
    while time.monotonic() < deadline:
        events = audit_auth_events(audit)
        if any(e.get("method") == "cert" for e in events):
            break
        time.sleep(0.2)
    ok_methods = {e.get("method") for e in events if e.get("result") == "ok"}
    jwt_failures = [str(e.get("reason", "")) for e in events
                    if e.get("method") == "jwt" and e.get("result") != "ok"]
    R.check("the audit log records successful jwt and cert logins",
            {"jwt", "cert"} <= ok_methods, json.dumps(events)[-1500:])
    R.check("the audit log gives the reason of a jwt refusal (expired, bad_signature)",
            any("expired" in r for r in jwt_failures) and
            any("bad_signature" in r for r in jwt_failures), jwt_failures)


def jwks_lifecycle(R, port, keys, proc, cfg, d):
    """`check` and `serve` read the JWKS; SIGHUP re-reads it (rotation); a bad one is refused."""
    env = mg.ENV
    now = int(time.time())
    jwks_file = os.path.join(d, "jwks.json")
    good = json.dumps(keys.jwks)
    claims = {"iss": ISSUER, "aud": AUDIENCE, "sub": "erin", "exp": now + 600,
              "groups": ["analysts"], "region": "US"}

    rc, out, err = mg.run([env.mg_bin, "check", "--config", cfg])
    R.check("meshgate check accepts the config with its JWKS", rc == 0, out + err)
    bad_jwks = os.path.join(d, "jwks-bad.json")
    with open(bad_jwks, "w") as f:
        f.write('{"keys":[{"kty":"oct","k":"c2VjcmV0"}]}')
    bad_cfg = os.path.join(os.path.dirname(cfg), "meshgate-bad-jwks.yaml")
    with open(bad_cfg, "w") as f:
        f.write(open(cfg).read().replace(f"jwks_file: {jwks_file}", f"jwks_file: {bad_jwks}"))
    rc, out, err = mg.run([env.mg_bin, "check", "--config", bad_cfg])
    R.check("meshgate check refuses a JWKS with no usable key and names the file",
            rc != 0 and bad_jwks in out + err and "no usable" in out + err, out + err)
    rc, out, err = mg.run([env.mg_bin, "serve", "--config", bad_cfg], timeout=60)
    R.check("meshgate serve refuses to start with that JWKS",
            rc not in (0, 124) and "no usable" in out + err, (rc, out + err))

    # Rotation: a new key appears in the file; SIGHUP makes it usable.
    rotated = keys.token(claims, kid="rsa-2", key=keys.rogue)
    R.eq("before the rotation a token of the new key is refused",
         raw_login(port, "erin", rotated)[:2], ("error", "28P01"))
    new_set = json.loads(good)
    n_hex = openssl("rsa", "-in", keys.rogue, "-noout", "-modulus").decode().strip().split("=", 1)[1]
    new_set["keys"].append({"kty": "RSA", "kid": "rsa-2", "n": b64u(bytes.fromhex(n_hex)),
                            "e": new_set["keys"][0]["e"]})
    try:
        with open(jwks_file, "w") as f:
            json.dump(new_set, f)
        proc.send_signal(signal.SIGHUP)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and raw_login(port, "erin", rotated) != ("ok",):
            time.sleep(0.2)
        R.eq("after editing the JWKS and SIGHUP the new key's token logs in",
             raw_login(port, "erin", rotated), ("ok",))
        # A broken JWKS on reload keeps the keys in use.
        with open(jwks_file, "w") as f:
            f.write("{not json")
        proc.send_signal(signal.SIGHUP)
        time.sleep(1.5)
        R.eq("a SIGHUP with a broken JWKS keeps the previous keys",
             raw_login(port, "erin", rotated), ("ok",))
    finally:
        with open(jwks_file, "w") as f:
            f.write(good)


SUITES = {"identity": suite_identity}
