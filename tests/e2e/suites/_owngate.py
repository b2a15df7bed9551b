"""A private `meshgate serve` for a suite that needs its own domains and users.

The shared gate started by run.sh keeps its config; a suite that adds products starts this one:
a copy of the e2e config (ENV.mg_config) with the suite's domain files added to a copy of the
demo domains, the suite's users added (verifiers from `meshgate passwd`), its own listen and
admin ports and its own audit log (two writers must never share one hash chain). Stopped by pid.
Also the small helpers the suites with their own gates share: wait_for, http_get, fetch_all.
"""

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import psycopg2
import yaml


def _mg():
    return sys.modules["__main__"]


def wait_for(pred, secs=20.0, step=0.1):
    """pred()'s first truthy value within `secs`, else its last value."""
    deadline = time.monotonic() + secs
    while time.monotonic() < deadline:
        v = pred()
        if v:
            return v
        time.sleep(step)
    return pred()


def http_get(port, path):
    """(status, body) of GET http://127.0.0.1:port/path; (0, why) when there is no answer."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as ex:
        return ex.code, ex.read().decode(errors="replace")
    except Exception as ex:  # noqa: BLE001
        return 0, str(ex)


def fetch_all(connect, sql):
    """(rows, None) or (None, psycopg2.Error): `sql` in autocommit on a fresh connect()."""
    try:
        conn = connect()
    except psycopg2.Error as ex:
        return None, ex
    try:
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute(sql)
            return cur.fetchall(), None
    except psycopg2.Error as ex:
        return None, ex
    finally:
        conn.close()


def _free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def verifier(password):
    mg = _mg()
    rc, out, err = mg.run([mg.ENV.mg_bin, "passwd"], input_text=password + "\n")
    v = out.strip().splitlines()[-1] if out.strip() else ""
    if rc != 0 or not v.startswith("SCRAM-SHA-256$"):
        raise RuntimeError(f"meshgate passwd failed: {out}{err}")
    return v


class Gate:
    def __init__(self, name, domains, users, pool_size=None, allowed_functions=None):
        """domains: {file name: YAML text}; users: {name: {password, groups, attributes, search_path}}."""
        mg = _mg()
        self.dir = os.path.join(mg.ENV.work, f"gate-{name}")
        shutil.rmtree(self.dir, ignore_errors=True)
        os.makedirs(os.path.join(self.dir, "domains"))
        src = os.path.dirname(mg.ENV.mg_config)
        for f in sorted(os.listdir(os.path.join(src, "domains"))):
            if f.endswith(".yaml"):
                shutil.copy(os.path.join(src, "domains", f), os.path.join(self.dir, "domains", f))
        for f, text in domains.items():
            with open(os.path.join(self.dir, "domains", f), "w") as fh:
                fh.write(text)
        with open(mg.ENV.mg_config) as fh:
            cfg = yaml.safe_load(fh)
        self.passwords = {}
        for u, spec in users.items():
            spec = dict(spec)
            pw = spec.pop("password")
            self.passwords[u] = pw
            spec["password"] = verifier(pw)
            cfg["users"][u] = spec
        cfg["audit"]["path"] = os.path.join(self.dir, "audit.jsonl")
        cfg["domains_dir"] = os.path.join(self.dir, "domains") + "/"
        if pool_size is not None:
            for b in cfg["backends"].values():
                b["pool_size"] = pool_size
        if allowed_functions is not None:
            cfg["allowed_functions"] = allowed_functions
        self.cfg = cfg
        self.config = os.path.join(self.dir, "meshgate.yaml")
        self.log = os.path.join(self.dir, "meshgate.log")
        self.proc = None
        self.port = None

    def start(self, timeout=30):
        for _attempt in range(3):
            self.port, admin = _free_port(), _free_port()
            self.cfg["listen"]["port"] = self.port
            self.cfg["admin"]["port"] = admin
            with open(self.config, "w") as fh:
                yaml.safe_dump(self.cfg, fh, sort_keys=False)
            logf = open(self.log, "w")
            self.proc = subprocess.Popen([_mg().ENV.mg_bin, "serve", "--config", self.config],
                                         stdout=logf, stderr=subprocess.STDOUT,
                                         stdin=subprocess.DEVNULL, start_new_session=True)
            logf.close()
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                if self.proc.poll() is not None:
                    break
                try:
                    socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                    return True
                except OSError:
                    time.sleep(0.05)
            self.stop()
            if "in use" not in self.log_tail().lower():
                return False
        return False

    def reload_domain(self, file_name, text):
        """Rewrites one domain file and sends SIGHUP (the caller waits for the effect)."""
        with open(os.path.join(self.dir, "domains", file_name), "w") as fh:
            fh.write(text)
        self.proc.send_signal(signal.SIGHUP)

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def log_tail(self, n=40):
        try:
            with open(self.log) as fh:
                return "".join(fh.readlines()[-n:])
        except OSError:
            return ""

    def stop(self):
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self.proc = None
