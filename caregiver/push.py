"""Web Push, spoken directly: the message encrypted to the phone (RFC 8291, aes128gcm),
signed by this server (VAPID, RFC 8292) and POSTed to the phone's push service (RFC 8030).

No Flask here: the sender and the tests call it with plain values. An endpoint came
from a browser, so it is untrusted input: `vet_endpoint` refuses anything but https to
a known push service whose every address is public, and `post` connects to the very
address that was vetted (no second DNS lookup) while TLS still checks the service's name.
"""
import base64
import http.client
import ipaddress
import json
import os
import socket
import ssl
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

import http_ece
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from py_vapid import Vapid02

MAX_ENDPOINT = 1024  # longer than any push service's address (FCM's are about 200)
MAX_PAYLOAD = 3000  # well under the 4096 bytes every push service accepts
JWT_SECONDS = 12 * 60 * 60  # RFC 8292: at most 24 hours


class Refused(ValueError):
    """An endpoint the server will not send to; the message says why."""


class NotResolved(OSError):
    """The endpoint's name did not resolve now: maybe a passing DNS failure, so the
    sender tries again later (and the subscribe page refuses it)."""


def b64d(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def b64e(raw):
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


# --- Keys ---------------------------------------------------------------------------

def new_private_key():
    """A VAPID private key as base64url of its 32 raw bytes."""
    key = ec.generate_private_key(ec.SECP256R1())
    return b64e(key.private_numbers().private_value.to_bytes(32, "big"))


def vapid(private_key):
    return Vapid02.from_raw(private_key.encode())


def public_key(private_key):
    """The application server key a browser subscribes with (base64url, uncompressed point)."""
    return b64e(vapid(private_key).public_key.public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint))


# --- Which endpoints ------------------------------------------------------------------

@dataclass(frozen=True)
class Target:
    scheme: str
    host: str  # the name TLS checks and the Host header carries
    port: int
    path: str
    address: str  # the vetted address connected to
    origin: str  # the JWT's audience


def host_allowed(host, allowed):
    """`allowed`: names, where ".push.apple.com" allows any name under push.apple.com."""
    for entry in allowed:
        if entry.startswith("."):
            if host.endswith(entry) and len(host) > len(entry):
                return True
        elif host == entry:
            return True
    return False


def _is_ip(host):
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def vet_endpoint(url, allowed, allow_local=False, resolve=socket.getaddrinfo):
    """The Target to POST to, or Refused. `allow_local` (tests only) lets http://127.0.0.1 through."""
    if not isinstance(url, str) or len(url) > MAX_ENDPOINT:
        raise Refused("the address is too long")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise Refused("the address is not a URL") from None
    host = (parts.hostname or "").lower()
    if parts.username is not None or parts.password is not None:
        raise Refused("the address holds a user name")
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    if allow_local and parts.scheme == "http" and host == "127.0.0.1":
        port = port or 80
        return Target("http", host, port, path, host, f"http://{host}:{port}")
    if parts.scheme != "https":
        raise Refused("the address is not https")
    if not host:
        raise Refused("the address names no host")
    if _is_ip(host):
        raise Refused("the address is a bare IP address")
    if not host_allowed(host, allowed):
        raise Refused(f"{host} is not a known push service")
    port = port or 443
    try:
        found = resolve(host, port, type=socket.SOCK_STREAM)
    except UnicodeError:
        raise Refused(f"{host} is not a valid name") from None
    except OSError:
        raise NotResolved(f"{host} does not resolve") from None
    addresses = [info[4][0] for info in found]
    if not addresses:
        raise NotResolved(f"{host} does not resolve")
    for address in addresses:
        ip = ipaddress.ip_address(address.split("%")[0])
        if not ip.is_global or ip.is_multicast:  # private, loopback, link-local, reserved
            raise Refused(f"{host} resolves to a private address")
    origin = f"https://{host}" + ("" if port == 443 else f":{port}")
    return Target("https", host, port, path, addresses[0], origin)


class PinnedHTTPSConnection(http.client.HTTPSConnection):
    """Connects to the vetted address, while TLS checks the certificate against the name."""

    def __init__(self, host, address, port, timeout, context=None):
        super().__init__(host, port, timeout=timeout, context=context or ssl.create_default_context())
        self.address = address

    def connect(self):
        sock = socket.create_connection((self.address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


# --- Sending ----------------------------------------------------------------------------

def encrypt(payload, p256dh, auth):
    """RFC 8291: the body only the phone can read (a new key and salt every time)."""
    server_key = ec.generate_private_key(ec.SECP256R1())
    return http_ece.encrypt(payload, salt=os.urandom(16), private_key=server_key,
                            dh=b64d(p256dh), auth_secret=b64d(auth), version="aes128gcm")


def vapid_header(private_key, origin, subject):
    claims = {"aud": origin, "exp": int(time.time()) + JWT_SECONDS, "sub": subject}
    return vapid(private_key).sign(claims)["Authorization"]


@dataclass
class Answer:
    status: int | None  # None: no answer (timeout, connection refused, TLS failure)
    retry_after: int | None = None
    error: str | None = None


def retry_after_seconds(value):
    """Retry-After as seconds (a number or an HTTP date), or None."""
    if not value:
        return None
    if value.strip().isdigit():
        return int(value.strip())
    from email.utils import parsedate_to_datetime
    try:
        when = parsedate_to_datetime(value)
        return max(0, int(when.timestamp() - time.time()))
    except (TypeError, ValueError, OverflowError):
        return None


def post(target, message, *, p256dh, auth, private_key, subject, ttl, urgency, topic, timeout=10, tls=None):
    """Encrypt `message` (a dict) to the phone and hand it to its push service. `tls`:
    an ssl context (tests trust their own certificate with it); the system's by default."""
    body = encrypt(json.dumps(message, separators=(",", ":")).encode(), p256dh, auth)
    headers = {
        "Authorization": vapid_header(private_key, target.origin, subject),
        "Content-Encoding": "aes128gcm",
        "Content-Type": "application/octet-stream",
        "TTL": str(ttl),
        "Urgency": urgency,
        "Topic": topic,  # a message not yet delivered is replaced by a newer one with this topic
    }
    if target.scheme == "https":
        conn = PinnedHTTPSConnection(target.host, target.address, target.port, timeout, tls)
    else:
        conn = http.client.HTTPConnection(target.address, target.port, timeout=timeout)
    try:
        conn.request("POST", target.path, body=body, headers=headers)
        response = conn.getresponse()
        response.read(4096)
        return Answer(response.status, retry_after_seconds(response.getheader("Retry-After")),
                      None if response.status < 300 else response.reason[:200])
    except (OSError, http.client.HTTPException) as e:  # timeouts are OSErrors
        return Answer(None, None, f"{type(e).__name__}: {e}"[:200])
    finally:
        conn.close()
