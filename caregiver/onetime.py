"""Showing a new secret link once, without storing it in clear.

Sessions live in the database; a new invite or share link travels in the session
to the next page only sealed with a key derived from SECRET_KEY, which the
database does not hold. Tokens are token_urlsafe(32): 32 random bytes.
"""
import base64
import hashlib
import hmac
import secrets

from flask import current_app


def _key():
    secret = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(secret, b"one-time-reveal", hashlib.sha256).digest()


def seal(token):
    """The token for the one-time display, unreadable without the app's secret key.

    The session lives in the database; the token must never be stored there in
    clear. token_urlsafe(32) is 32 random bytes: they are XORed with a pad made by
    HMAC-SHA256 (keyed from SECRET_KEY, which is not in the database) of a fresh nonce."""
    raw = base64.urlsafe_b64decode(token + "=")
    nonce = secrets.token_bytes(16)
    pad = hmac.new(_key(), nonce, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(nonce + bytes(a ^ b for a, b in zip(raw, pad))).decode()


def unseal(sealed):
    try:
        blob = base64.urlsafe_b64decode(sealed.encode())
    except (ValueError, AttributeError):
        return None
    if len(blob) != 48:
        return None
    nonce, cipher = blob[:16], blob[16:]
    pad = hmac.new(_key(), nonce, hashlib.sha256).digest()
    raw = bytes(a ^ b for a, b in zip(cipher, pad))
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")
