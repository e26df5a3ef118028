"""What proves who someone is: passwords (argon2id), recovery codes and two-step
codes (TOTP). No views: auth.py, account.py and cli.py use these."""
import hashlib
import hmac
import json
import re
import secrets
import time

import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from . import audit, throttle
from .db import now_utc, one
from .sealing import seal, unseal
from .sessions import end_user_sessions

hasher = PasswordHasher()  # argon2id with the library's current (OWASP-level) parameters
_DUMMY_HASH = hasher.hash("not a real password, used to even out timing")

# Recovery codes: 4 groups of 4 from 30 characters that cannot be mistaken for
# one another (no 0/O, 1/I/L, U/V): about 78 bits each.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_COUNT = 10


# --- Passwords ----------------------------------------------------------------------

def verify_password(password_hash, password):
    """True if `password` matches; a missing account costs the same time as a wrong password."""
    try:
        return hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def set_password(db, user_id, new_hash, via, circle_id=None, **detail):
    """A password reset (not a change by the user): the new hash, every session of the
    account ended, its sign-in lock lifted, and an audit entry. Inside a write."""
    user = one("SELECT username FROM users WHERE id = ?", [user_id])
    db.execute("UPDATE users SET password_hash = ? WHERE id = ?", [new_hash, user_id])
    end_user_sessions(db, user_id)
    throttle.clear(db, [throttle.account_key(user["username"])])
    audit.log(db, "password.reset", user_id, circle_id, via=via, **detail)


# --- Recovery codes -----------------------------------------------------------------

def normalize_code(code):
    return re.sub(r"[^0-9A-Z]", "", (code or "").upper())


def _hash_code(code, salt):
    return salt + "$" + hashlib.sha256((salt + normalize_code(code)).encode()).hexdigest()


def new_recovery_codes(db, user_id):
    """Ten fresh codes (the old ones stop working). Inside a write; returns them in
    clear, once: only salted hashes are stored."""
    codes = ["-".join("".join(secrets.choice(CODE_ALPHABET) for _ in range(4)) for _ in range(4))
             for _ in range(CODE_COUNT)]
    now = now_utc()
    db.execute("DELETE FROM recovery_codes WHERE user_id = ?", [user_id])
    for code in codes:
        db.execute("INSERT INTO recovery_codes (user_id, code_hash, created_at) VALUES (?, ?, ?)",
                   [user_id, _hash_code(code, secrets.token_hex(8)), now])
    audit.log(db, "recovery_codes.created", user_id)
    return codes


def use_recovery_code(db, user_id, code, purpose):
    """Marks one unused code as used and returns True if `code` is one. Inside a write."""
    wanted = normalize_code(code)
    if len(wanted) != 16:
        return False
    for row in db.query("SELECT id, code_hash FROM recovery_codes WHERE user_id = ? AND used_at IS NULL",
                        [user_id]):
        salt = row["code_hash"].split("$", 1)[0]
        if hmac.compare_digest(_hash_code(wanted, salt), row["code_hash"]):
            if db.execute("UPDATE recovery_codes SET used_at = ? WHERE id = ? AND used_at IS NULL",
                          [now_utc(), row["id"]]).rowcount != 1:
                return False
            audit.log(db, "recovery_code.used", user_id, purpose=purpose,
                      left=unused_recovery_codes(db, user_id))
            return True
    return False


def unused_recovery_codes(db, user_id):
    return db.execute("SELECT count(*) FROM recovery_codes WHERE user_id = ? AND used_at IS NULL",
                      [user_id]).fetchone()[0]


def seal_codes(codes):
    return seal(json.dumps(codes), "recovery-codes")


def unseal_codes(sealed):
    text = unseal(sealed, "recovery-codes") if sealed else None
    return json.loads(text) if text else None


# --- Two-step sign-in (TOTP) --------------------------------------------------------

def _clock():
    """Seconds since the epoch (tests move it to step through 30-second windows)."""
    return time.time()


def totp_step(secret, code):
    """The time step whose code `code` is (now, or one step either side for clock
    drift), or None."""
    code = re.sub(r"\s", "", code or "")
    if not re.fullmatch(r"[0-9]{6}", code):
        return None
    totp = pyotp.TOTP(secret)
    current = int(_clock()) // totp.interval
    for step in (current - 1, current, current + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def seal_totp(secret):
    return seal(secret, "totp")


def check_totp(db, user_id, code):
    """True if `code` is the user's current code and was not used before. Inside a
    write, so two requests cannot both use one code."""
    row = one("SELECT totp_secret, totp_last_step FROM users WHERE id = ?", [user_id])
    secret = unseal(row["totp_secret"], "totp") if row and row["totp_secret"] else None
    if not secret:
        return False
    step = totp_step(secret, code)
    if step is None or (row["totp_last_step"] is not None and step <= row["totp_last_step"]):
        return False  # wrong, or a code already used (replayed within its window)
    db.execute("UPDATE users SET totp_last_step = ? WHERE id = ?", [step, user_id])
    return True


def second_factor(db, user_id, code, purpose):
    """'totp' or 'recovery-code' for a right code (which is then spent), else None."""
    if re.fullmatch(r"[0-9]{6}", re.sub(r"\s", "", code or "")):
        return "totp" if check_totp(db, user_id, code) else None
    return "recovery-code" if use_recovery_code(db, user_id, code, purpose) else None


def has_two_step(user_id):
    row = one("SELECT totp_secret FROM users WHERE id = ?", [user_id])
    return bool(row and row["totp_secret"])
