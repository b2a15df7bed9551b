"""Suite "scram_mock": an unknown user gets a mock SCRAM exchange whose salt cannot tell it from
a user that exists: stable for that name across replicas and restarts of one deployment (the
seed derives from the deployment's hash key), different between names, and a known user gets the
salt of their verifier. Reads the salt off the wire (server-first-message)."""

import base64
import os
import socket
import struct
import sys

import yaml

mg = sys.modules["__main__"]
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _owngate import Gate  # noqa: E402


def _read_message(sock):
    head = b""
    while len(head) < 5:
        chunk = sock.recv(5 - len(head))
        if not chunk:
            raise ConnectionError("closed")
        head += chunk
    tag, length = head[:1], struct.unpack("!I", head[1:])[0]
    body = b""
    while len(body) < length - 4:
        chunk = sock.recv(length - 4 - len(body))
        if not chunk:
            raise ConnectionError("closed")
        body += chunk
    return tag, body


def scram_salt(port, user):
    """The salt meshgate's server-first-message gives `user` (base64 text)."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        params = b"user\0" + user.encode() + b"\0database\0mesh\0\0"
        s.sendall(struct.pack("!II", 8 + len(params), 196608) + params)
        tag, body = _read_message(s)
        if tag != b"R" or struct.unpack("!I", body[:4])[0] != 10:
            raise AssertionError(f"expected AuthenticationSASL, got {tag!r} {body[:40]!r}")
        first = b"n,,n=,r=" + base64.b64encode(os.urandom(18))
        mech = b"SCRAM-SHA-256\0"
        payload = mech + struct.pack("!I", len(first)) + first
        s.sendall(b"p" + struct.pack("!I", 4 + len(payload)) + payload)
        tag, body = _read_message(s)
        if tag != b"R" or struct.unpack("!I", body[:4])[0] != 11:
            raise AssertionError(f"expected AuthenticationSASLContinue, got {tag!r} {body[:80]!r}")
        fields = dict(p.split("=", 1) for p in body[4:].decode().split(","))
        return fields["s"]


def suite_scram_mock():
    R = mg.R
    R.suite = "scram_mock"
    ghost, other = "no_such_user_7f3a", "no_such_user_91c2"
    shared = scram_salt(mg.ENV.mg_port, ghost)
    R.eq("an unknown user gets the same salt on every attempt", scram_salt(mg.ENV.mg_port, ghost),
         shared)
    R.check("two unknown users get different salts", scram_salt(mg.ENV.mg_port, other) != shared)
    with open(mg.ENV.mg_config) as fh:
        cfg = yaml.safe_load(fh)
    verifier = cfg["users"]["alice"]["password"]  # SCRAM-SHA-256$<iter>:<salt>$<stored>:<server>
    R.eq("a configured user gets the salt of their verifier", scram_salt(mg.ENV.mg_port, "alice"),
         verifier.split("$")[1].split(":")[1])

    gate = Gate("scram-mock", {}, {})
    if not R.check("a second gate of the same deployment starts", gate.start(), gate.log_tail()):
        return
    try:
        R.eq("another replica of the deployment gives an unknown user the same salt",
             scram_salt(gate.port, ghost), shared)
        gate.stop()
        if R.check("the second gate restarts", gate.start(), gate.log_tail()):
            R.eq("after a restart an unknown user still gets the same salt",
                 scram_salt(gate.port, ghost), shared)
    finally:
        gate.stop()


SUITES = {"scram_mock": suite_scram_mock}
