"""A push service for the tests: an HTTP server on 127.0.0.1 that checks what a real
one would (the VAPID JWT's signature against the app's public key, its audience and
expiry) and decrypts each message with the phone's private key, made here as a
browser makes it. So the real encryption and headers are tested, not a mock.
"""
import json
import os
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import http_ece
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from py_vapid import Vapid02

from caregiver.push import b64d, b64e


class Phone:
    """A browser's push subscription: its key pair and auth secret."""

    def __init__(self, receiver, name):
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.auth_secret = os.urandom(16)
        self.endpoint = f"{receiver.origin}/push/{name}"
        self.name = name

    @property
    def p256dh(self):
        return b64e(self.key.public_key().public_bytes(serialization.Encoding.X962,
                                                       serialization.PublicFormat.UncompressedPoint))

    @property
    def auth(self):
        return b64e(self.auth_secret)

    def form(self):
        return {"endpoint": self.endpoint, "p256dh": self.p256dh, "auth": self.auth}


class Receiver:
    def __init__(self, public_key):
        self.public_key = public_key  # the app's VAPID key, base64url
        self.phones = {}
        self.received = []  # (phone name, headers, message) for each 201
        self.answers = {}  # phone name -> statuses to give before 201 (e.g. [500])
        self.seen = []  # (phone name, status) of every request
        self.delay = 0.0
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                status, extra = receiver.handle(self.path, dict(self.headers), body)
                self.send_response(status)
                for name, value in extra.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.origin = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def phone(self, name):
        self.phones[name] = Phone(self, name)
        return self.phones[name]

    def verify(self, headers):
        """The VAPID header (RFC 8292): our app's key, a valid signature, our origin."""
        scheme, _, params = headers["Authorization"].partition(" ")
        assert scheme == "vapid", headers["Authorization"]
        parts = dict(p.split("=", 1) for p in params.split(","))
        assert parts["k"] == self.public_key, "signed with another key"
        assert Vapid02.verify(headers["Authorization"]), "bad JWT signature"
        claims = json.loads(b64d(parts["t"].split(".")[1]))
        assert claims["aud"] == self.origin, claims
        assert time.time() < claims["exp"] <= time.time() + 24 * 3600, claims
        assert claims["sub"]

    def handle(self, path, headers, body):
        name = path.rsplit("/", 1)[-1]
        if self.delay:
            time.sleep(self.delay)
        with self.lock:
            phone = self.phones.get(name)
            if phone is None:
                self.seen.append((name, 410))
                return 410, {}
            pending = self.answers.get(name) or []
            if pending:
                status = pending.pop(0)
                self.seen.append((name, status))
                return status, ({"Retry-After": "120"} if status == 429 else {})
        self.verify(headers)
        assert headers["Content-Encoding"] == "aes128gcm"
        message = json.loads(http_ece.decrypt(body, private_key=phone.key, auth_secret=phone.auth_secret,
                                              version="aes128gcm"))
        with self.lock:
            self.seen.append((name, 201))
            self.received.append((name, headers, message))
        return 201, {}

    def messages(self, name=None):
        return [m for n, _, m in self.received if name is None or n == name]

    def close(self):
        self.server.shutdown()
        self.server.server_close()
