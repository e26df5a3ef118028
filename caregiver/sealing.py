"""Sealing: values that must not be readable from a copy of the database.

Sessions live in the database, and so do two-step (TOTP) secrets. A new invite,
share or reset link on its way to the page that shows it once, recovery codes just
made, a TOTP secret being set up and the stored TOTP secret are sealed with Fernet
(AES-128-CBC with HMAC-SHA256, from the `cryptography` library) under a key derived
from SECRET_KEY, which the database does not hold. A damaged or forged value is
refused, not misread. Each purpose has its own key: a value sealed for one purpose
does not unseal for another.

Changing SECRET_KEY makes sealed values unreadable: links waiting to be shown are
lost (make new ones) and two-step sign-in must be set up again.
"""
import base64

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app


def _fernet(purpose):
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
               info=b"caregiver-seal:" + purpose.encode()).derive(str(current_app.config["SECRET_KEY"]).encode())
    return Fernet(base64.urlsafe_b64encode(key))


def seal(text, purpose):
    """`text` encrypted and authenticated for `purpose`."""
    return _fernet(purpose).encrypt(text.encode()).decode()


def unseal(sealed, purpose):
    """The text sealed by `seal` for `purpose`, or None if it is missing, damaged,
    forged, or sealed for another purpose or key."""
    if not isinstance(sealed, str) or not sealed:
        return None
    try:
        return _fernet(purpose).decrypt(sealed.encode()).decode()
    except (InvalidToken, UnicodeDecodeError, ValueError):
        return None
