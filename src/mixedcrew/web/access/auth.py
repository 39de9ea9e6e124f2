"""Credentials: passwords, session and token secrets (the principal they act as is in `deps`).

Passwords are hashed with scrypt (the standard library's hashlib): no new
dependency. Session and token secrets are 256 random bits; only their
SHA-256 is stored, so a copy of the database gives no usable credential.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets

# scrypt with n=2**14, r=8 needs 16 MiB and ~50 ms a hash: slow for guessing, fine for a login.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
MIN_PASSWORD, MAX_PASSWORD = 8, 1024

SESSION_COOKIE = "mixedcrew_session"
SESSION_HOURS = 12
TOKEN_DAYS, MAX_TOKEN_DAYS = 90, 366

USER_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@+\-]{0,79}$")


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P,
                            dklen=32)
    b64 = base64.b64encode
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${b64(salt).decode()}${b64(digest).decode()}"


def verify_password(password: str, stored: str | None) -> bool:
    if not stored or len(password) > MAX_PASSWORD:
        return False
    try:
        kind, n, r, p, salt, digest = stored.split("$")
        if kind != "scrypt":
            return False
        want = base64.b64decode(digest)
        got = hashlib.scrypt(password.encode("utf-8"), salt=base64.b64decode(salt), n=int(n), r=int(r),
                             p=int(p), dklen=len(want))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got, want)


def password_problem(password: str) -> str | None:
    if len(password) < MIN_PASSWORD:
        return f"the password has {len(password)} characters; use at least {MIN_PASSWORD}"
    if len(password) > MAX_PASSWORD:
        return f"the password has {len(password)} characters; use at most {MAX_PASSWORD}"
    return None


def name_problem(name: str) -> str | None:
    if not USER_NAME.match(name):
        return (f"user name {name[:80]!r} is not allowed: use 1 to 80 letters, digits and _ . @ + -, "
                "starting with a letter or digit")
    return None


def new_secret(kind: str) -> str:
    """A fresh session or token secret; the prefix tells a leaked one apart at a glance."""
    return ("mxs_" if kind == "session" else "mxt_") + secrets.token_urlsafe(32)


def secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()
