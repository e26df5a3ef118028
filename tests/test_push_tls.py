"""The sender connects to the address it vetted, and TLS still checks the push
service's name: a local HTTPS server with a certificate for web.push.apple.com (made
here) stands in, reached at 127.0.0.1 with no DNS lookup; a certificate for another
name is refused. A name that does not resolve now is tried again later, not deleted."""
import datetime as dt
import json
import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import http_ece
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from caregiver import push
from tests.push_receiver import Phone


def certificate(tmp_path, name):
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = dt.datetime.now(dt.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(minutes=1))
            .not_valid_after(now + dt.timedelta(hours=1))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = tmp_path / f"{name}.pem", tmp_path / f"{name}.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


@pytest.fixture
def tls_service(tmp_path):
    """An HTTPS push service on 127.0.0.1 presenting a certificate for web.push.apple.com."""
    got = []

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_POST(self):
            got.append((self.headers["Host"], self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(201)
            self.send_header("Content-Length", "0")
            self.end_headers()

    cert, key = certificate(tmp_path, "web.push.apple.com")
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1], cert, got, tmp_path
    server.shutdown()
    server.server_close()


def _send(target, phone, trust):
    return push.post(target, {"title": "Sam"}, p256dh=phone.p256dh, auth=phone.auth,
                     private_key=push.new_private_key(), subject="mailto:ops@example.org", ttl=60,
                     urgency="high", topic="t", timeout=5, tls=ssl.create_default_context(cafile=str(trust)))


class _Origin:
    origin = "https://web.push.apple.com"


def test_the_sender_connects_to_the_vetted_address_and_checks_the_services_name(tls_service):
    port, cert, got, tmp_path = tls_service
    phone = Phone(_Origin, "p")
    target = push.Target("https", "web.push.apple.com", port, "/push/p", "127.0.0.1", "https://web.push.apple.com")
    answer = _send(target, phone, cert)
    assert answer.status == 201, answer
    [(host, body)] = got
    assert host.startswith("web.push.apple.com")
    assert json.loads(http_ece.decrypt(body, private_key=phone.key, auth_secret=phone.auth_secret,
                                       version="aes128gcm")) == {"title": "Sam"}
    # The same address under another name: the certificate does not match, nothing is sent.
    other = push.Target("https", "fcm.googleapis.com", port, "/push/p", "127.0.0.1", "https://fcm.googleapis.com")
    answer = _send(other, phone, cert)
    assert answer.status is None and "certificate" in answer.error.lower()
    assert len(got) == 1


def test_a_name_that_does_not_resolve_now_is_not_refused_for_good():
    def failing(host, port, type=None):
        raise OSError("temporary failure in name resolution")
    with pytest.raises(push.NotResolved):
        push.vet_endpoint("https://web.push.apple.com/x", [".push.apple.com"], resolve=failing)
