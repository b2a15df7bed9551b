"""A tiny PostgreSQL wire-protocol (v3) client for the e2e suites, in plain Python sockets.

It exists so a test can send exactly the bytes it means (the extended protocol message by message,
several statements in one Parse, a statement text in a client encoding the test chose) and see
exactly what came back: every byte received is kept in `Conn.received`, so a suite can scan the
whole conversation (rows, errors, notices, parameter status) for strings that must never appear.

Authentication: SCRAM-SHA-256 (no channel binding), MD5, cleartext, trust. Plaintext only.
Not a general-purpose driver: no COPY IN, no TLS, results as raw bytes.
"""

import base64
import hashlib
import hmac
import os
import socket
import struct


class WireError(Exception):
    pass


class Result:
    """What one query (simple) or one Sync-terminated batch (extended) produced."""

    def __init__(self):
        self.columns = []        # names of the last RowDescription
        self.types = []          # their type OIDs
        self.rows = []           # lists of bytes (None for NULL), all data rows in order
        self.tags = []           # CommandComplete tags
        self.errors = []         # dicts: field letter -> str ('C' = SQLSTATE, 'M' = message)
        self.notices = []        # dicts, same shape
        self.copy_data = b""     # CopyData payloads of a COPY TO STDOUT
        self.messages = []       # (tag, payload) of everything in order
        self.status = None       # transaction status of the closing ReadyForQuery

    @property
    def sqlstates(self):
        return [e.get("C") for e in self.errors]

    def text_rows(self):
        return [[None if v is None else v.decode("utf-8", "replace") for v in r] for r in self.rows]

    def __repr__(self):
        return (f"Result(columns={self.columns}, rows={self.text_rows()[:5]}, tags={self.tags}, "
                f"errors={self.errors}, notices={self.notices})")


def _fields(payload):
    out = {}
    i = 0
    while i < len(payload) and payload[i] != 0:
        code = chr(payload[i])
        end = payload.index(b"\0", i + 1)
        out[code] = payload[i + 1:end].decode("utf-8", "replace")
        i = end + 1
    return out


def _cstr(s):
    if isinstance(s, str):
        s = s.encode()
    return s + b"\0"


class Conn:
    def __init__(self, host, port, user, password, database="mesh", params=None, timeout=20):
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.received = bytearray()
        self.parameters = {}
        self.startup_errors = []
        self.startup_notices = []
        self.backend_key = None
        body = struct.pack("!I", 196608)
        startup = {"user": user, "database": database}
        startup.update(params or {})
        for k, v in startup.items():
            body += _cstr(k) + _cstr(v)
        body += b"\0"
        self._send_raw(struct.pack("!I", len(body) + 4) + body)
        self._authenticate(user, password)

    # -- low level -------------------------------------------------------------------------------
    def _send_raw(self, data):
        self.sock.sendall(data)

    def send(self, tag, payload=b""):
        self._send_raw(tag + struct.pack("!I", len(payload) + 4) + payload)

    def _read_exact(self, n):
        buf = bytearray()
        while len(buf) < n:
            chunk = self.sock.recv(n - len(buf))
            if not chunk:
                raise WireError("connection closed by the server")
            buf += chunk
        self.received += buf
        return bytes(buf)

    def read_message(self):
        head = self._read_exact(5)
        tag = head[:1]
        (length,) = struct.unpack("!I", head[1:])
        return tag, self._read_exact(length - 4)

    def close(self):
        try:
            self.send(b"X")
        except OSError:
            pass
        try:
            self.sock.close()
        except OSError:
            pass

    # -- authentication --------------------------------------------------------------------------
    def _authenticate(self, user, password):
        scram = None
        while True:
            tag, p = self.read_message()
            if tag == b"R":
                (code,) = struct.unpack("!I", p[:4])
                if code == 0:
                    continue
                if code == 3:
                    self.send(b"p", _cstr(password))
                elif code == 5:
                    inner = hashlib.md5(password.encode() + user.encode()).hexdigest()
                    self.send(b"p", _cstr("md5" + hashlib.md5(inner.encode() + p[4:8]).hexdigest()))
                elif code == 10:
                    mechs = [m for m in p[4:].split(b"\0") if m]
                    if b"SCRAM-SHA-256" not in mechs:
                        raise WireError(f"no usable SASL mechanism in {mechs}")
                    scram = _Scram(password)
                    first = scram.client_first()
                    self.send(b"p", _cstr("SCRAM-SHA-256") + struct.pack("!i", len(first)) + first)
                elif code == 11:
                    self.send(b"p", scram.client_final(p[4:]))
                elif code == 12:
                    scram.verify_server(p[4:])
                else:
                    raise WireError(f"unsupported authentication request {code}")
            elif tag == b"E":
                self.startup_errors.append(_fields(p))
                raise WireError(f"startup refused: {_fields(p)}")
            elif tag == b"N":
                self.startup_notices.append(_fields(p))
            elif tag == b"S":
                k, v = p.split(b"\0")[:2]
                self.parameters[k.decode()] = v.decode("utf-8", "replace")
            elif tag == b"K":
                self.backend_key = struct.unpack("!II", p)
            elif tag == b"Z":
                return
            else:
                raise WireError(f"unexpected message {tag!r} during startup")

    # -- responses -------------------------------------------------------------------------------
    def collect(self, until_ready=True):
        """Reads responses until ReadyForQuery."""
        r = Result()
        while True:
            tag, p = self.read_message()
            r.messages.append((tag, p))
            if tag == b"T":
                (n,) = struct.unpack("!H", p[:2])
                cols, types, i = [], [], 2
                for _ in range(n):
                    end = p.index(b"\0", i)
                    cols.append(p[i:end].decode("utf-8", "replace"))
                    types.append(struct.unpack("!I", p[end + 7:end + 11])[0])
                    i = end + 1 + 18
                r.columns, r.types = cols, types
            elif tag == b"D":
                (n,) = struct.unpack("!H", p[:2])
                row, i = [], 2
                for _ in range(n):
                    (ln,) = struct.unpack("!i", p[i:i + 4])
                    i += 4
                    if ln < 0:
                        row.append(None)
                    else:
                        row.append(p[i:i + ln])
                        i += ln
                r.rows.append(row)
            elif tag == b"C":
                r.tags.append(p.rstrip(b"\0").decode("utf-8", "replace"))
            elif tag == b"E":
                r.errors.append(_fields(p))
            elif tag == b"N":
                r.notices.append(_fields(p))
            elif tag == b"d":
                r.copy_data += p
            elif tag == b"G":
                # COPY FROM STDIN: this client never sends data; it aborts the copy.
                self.send(b"f", _cstr("attack client sends no COPY data"))
            elif tag == b"S":
                k, v = p.split(b"\0")[:2]
                self.parameters[k.decode()] = v.decode("utf-8", "replace")
            elif tag == b"Z":
                r.status = p[:1]
                if until_ready:
                    return r
            # 1 2 3 n s t c H W A I: nothing to record beyond `messages`

    # -- simple protocol -------------------------------------------------------------------------
    def query(self, sql):
        """One simple Query message (str is sent as UTF-8, bytes as they are)."""
        if isinstance(sql, str):
            sql = sql.encode()
        self.send(b"Q", sql + b"\0")
        return self.collect()

    # -- extended protocol -----------------------------------------------------------------------
    def parse(self, sql, name="", param_types=()):
        if isinstance(sql, str):
            sql = sql.encode()
        payload = _cstr(name) + sql + b"\0" + struct.pack("!H", len(param_types))
        for t in param_types:
            payload += struct.pack("!I", t)
        self.send(b"P", payload)

    def bind(self, portal="", statement="", params=(), result_formats=()):
        payload = _cstr(portal) + _cstr(statement) + struct.pack("!H", 0)
        payload += struct.pack("!H", len(params))
        for v in params:
            if v is None:
                payload += struct.pack("!i", -1)
            else:
                if isinstance(v, str):
                    v = v.encode()
                payload += struct.pack("!i", len(v)) + v
        payload += struct.pack("!H", len(result_formats))
        for f in result_formats:
            payload += struct.pack("!H", f)
        self.send(b"B", payload)

    def describe(self, kind, name=""):
        self.send(b"D", kind + _cstr(name))

    def execute(self, portal="", max_rows=0):
        self.send(b"E", _cstr(portal) + struct.pack("!I", max_rows))

    def close_object(self, kind, name=""):
        self.send(b"C", kind + _cstr(name))

    def flush(self):
        self.send(b"H")

    def sync(self):
        self.send(b"S")
        return self.collect()

    def extended(self, sql, params=(), name="", portal=""):
        """Parse/Bind/Describe/Execute/Sync of one statement; returns the Result."""
        self.parse(sql, name)
        self.bind(portal, name, params)
        self.describe(b"P", portal)
        self.execute(portal)
        return self.sync()


class _Scram:
    def __init__(self, password):
        self.password = password.encode()
        self.nonce = base64.b64encode(os.urandom(18)).decode()
        self.first_bare = f"n=,r={self.nonce}"

    def client_first(self):
        return ("n,," + self.first_bare).encode()

    def client_final(self, server_first):
        sf = server_first.decode()
        attrs = dict(kv.split("=", 1) for kv in sf.split(","))
        if not attrs["r"].startswith(self.nonce):
            raise WireError("SCRAM server nonce does not extend the client nonce")
        salt = base64.b64decode(attrs["s"])
        iters = int(attrs["i"])
        salted = hashlib.pbkdf2_hmac("sha256", self.password, salt, iters)
        client_key = hmac.new(salted, b"Client Key", hashlib.sha256).digest()
        stored = hashlib.sha256(client_key).digest()
        without_proof = f"c=biws,r={attrs['r']}"
        self.auth_message = f"{self.first_bare},{sf},{without_proof}".encode()
        sig = hmac.new(stored, self.auth_message, hashlib.sha256).digest()
        proof = bytes(a ^ b for a, b in zip(client_key, sig))
        self.server_key = hmac.new(salted, b"Server Key", hashlib.sha256).digest()
        return f"{without_proof},p={base64.b64encode(proof).decode()}".encode()

    def verify_server(self, server_final):
        attrs = dict(kv.split("=", 1) for kv in server_final.decode().split(","))
        want = hmac.new(self.server_key, self.auth_message, hashlib.sha256).digest()
        if base64.b64decode(attrs.get("v", "")) != want:
            raise WireError("SCRAM server signature does not verify")
