"""Configuration: safe defaults, overridden by CAREGIVER_* environment variables.

The database and the generated secret key live in the instance folder, never in the
repository.
"""
import os
import secrets
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

DEFAULTS = {
    "DATABASE": None,  # default: <instance>/caregiver.db
    "SESSION_IDLE_MINUTES": 60 * 24 * 7,  # a caregiver's phone stays signed in a week
    "SESSION_MAX_DAYS": 30,  # then they sign in again, whatever they do
    "SESSION_COOKIE_SECURE": True,  # set CAREGIVER_SESSION_COOKIE_SECURE=0 for plain http
    "LOGIN_MAX_FAILURES": 5,  # per account and per address, before slowing down
    "LOGIN_LOCK_SECONDS": 60,  # first lock; doubles with each further failure
    "SIGNUP_MAX_PER_ADDRESS": 10,  # new accounts from one address before waiting (then as above)
    "INVITE_DAYS": 7,
    "CHECKIN_MAX_DAYS_BACK": 14,
    "AUDIT_KEEP_DAYS": 365,  # the audit log (sign-ins, addresses) is purged after this
    "TRUST_PROXY": 0,  # number of reverse proxies in front (ProxyFix)
    # Where people reach the app, e.g. https://care.example.org: share, invite and reset
    # links are built for it, and a request naming another host is refused. Unset, only
    # this machine's own names are served (make run on 127.0.0.1 or localhost).
    "BASE_URL": "",
    # Web Push (caregiver/push.py). The key signs every alert (VAPID, RFC 8292); unset,
    # one is generated into instance/vapid_private_key on first start, like the secret key.
    "VAPID_PRIVATE_KEY": "",
    # Who runs this server, for the push services (a mailto: or https: address);
    # unset, BASE_URL, else a placeholder that a push service may refuse.
    "VAPID_SUBJECT": "",
    # The only hosts alerts are sent to (a leading dot allows any name under it): the
    # browsers' push services. Sources: Chromium's push_messaging_constants.cc (FCM),
    # Mozilla autopush's endpoint host, WebKit's "Meet Web Push" (any subdomain of
    # push.apple.com), Windows Push Notification Services (*.notify.windows.com).
    "PUSH_HOSTS": "fcm.googleapis.com android.googleapis.com updates.push.services.mozilla.com"
                  " .push.apple.com .notify.windows.com",
}

_BOOL = {"1": True, "true": True, "yes": True, "on": True,
         "0": False, "false": False, "no": False, "off": False}


def _coerce(default, raw):
    if isinstance(default, bool):
        return _BOOL.get(raw.strip().lower(), default)
    if isinstance(default, int):
        return int(raw)
    return raw


def from_environment(environ=os.environ):
    """CAREGIVER_<NAME> overrides <NAME> for every known setting."""
    overrides = {}
    for name, default in DEFAULTS.items():
        raw = environ.get(f"CAREGIVER_{name}")
        if raw is not None:
            overrides[name] = _coerce(default, raw) if default is not None else raw
    if "CAREGIVER_SECRET_KEY" in environ:
        overrides["SECRET_KEY"] = environ["CAREGIVER_SECRET_KEY"]
    return overrides


LOCAL_HOSTS = ["localhost", "127.0.0.1"]


def host_settings(base_url):
    """Flask's TRUSTED_HOSTS and PREFERRED_URL_SCHEME for BASE_URL: links are built from
    the request's Host header, which is only trusted when it names the app's own host."""
    if not base_url:
        return {"TRUSTED_HOSTS": LOCAL_HOSTS}
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"CAREGIVER_BASE_URL must look like https://care.example.org, not {base_url!r}")
    return {"TRUSTED_HOSTS": [parts.hostname], "PREFERRED_URL_SCHEME": parts.scheme}


def secret_key(instance_path):
    """Read the secret key from instance/secret_key, creating it on first start."""
    return instance_secret(instance_path, "secret_key", lambda: secrets.token_hex(32))


def instance_secret(instance_path, name, make):
    """Read instance/<name>, writing make() there first if it does not exist."""
    path = Path(instance_path) / name
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        # Written whole to a private temporary file, then linked into place: a worker
        # starting at the same moment sees either no key or the whole key, and os.link
        # fails for all but the first, so two workers never get two keys.
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".secret_key-")
        try:
            with os.fdopen(fd, "w") as f:
                f.write(make())
                f.flush()
                os.fsync(f.fileno())
            try:
                os.link(tmp, path)
            except FileExistsError:
                pass
        finally:
            os.unlink(tmp)
    return path.read_text().strip()
