"""Credentials: passwords, session and token secrets (the principal they act as is in `deps`).

Passwords are hashed with scrypt (the standard library's hashlib): no new
dependency, at OWASP's current parameters (N=2^17, r=8, p=1: 128 MiB and
about 0.4 s a hash), at most `HASHING_AT_ONCE` at a time so that logins
cannot exhaust the server's memory. A password is at least 8 characters
and not one of the common passwords shipped in common-passwords.txt
(zxcvbn's list, MIT). Stored hashes keep their own parameters, so older
ones still verify. Session and token secrets are 256 random bits; only
their SHA-256 is stored, so a copy of the database gives no usable credential.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import re
import secrets
import threading
from importlib import resources

# OWASP Password Storage Cheat Sheet: scrypt N=2^17 (128 MiB), r=8, p=1.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**17, 8, 1
SCRYPT_MAXMEM = 2 * 128 * SCRYPT_N * SCRYPT_R * SCRYPT_P  # hashlib's default (32 MiB) is too small
HASHING_AT_ONCE = 2  # 2 x 128 MiB at most, however many logins arrive together
_hashing = threading.BoundedSemaphore(HASHING_AT_ONCE)
MIN_PASSWORD, MAX_PASSWORD = 8, 1024

SESSION_COOKIE = "mixedcrew_session"
SESSION_HOURS = 12
TOKEN_DAYS, MAX_TOKEN_DAYS = 90, 366

USER_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@+\-]{0,79}$")


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int, dklen: int) -> bytes:
    with _hashing:
        return hashlib.scrypt(password.encode("utf-8", "surrogatepass"), salt=salt, n=n, r=r, p=p,
                              dklen=dklen, maxmem=max(SCRYPT_MAXMEM, 2 * 128 * n * r * p))


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = _scrypt(password, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P, 32)
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
        if int(n) > SCRYPT_N or int(r) > SCRYPT_R or int(p) > SCRYPT_P:
            return False  # not a hash this server made: never let a row ask for more memory
        got = _scrypt(password, base64.b64decode(salt), int(n), int(r), int(p), len(want))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got, want)


def password_problem(password: str, name: str = "") -> str | None:
    if len(password) < MIN_PASSWORD:
        return f"the password has {len(password)} characters; use at least {MIN_PASSWORD}"
    if len(password) > MAX_PASSWORD:
        return f"the password has {len(password)} characters; use at most {MAX_PASSWORD}"
    if password.lower() in common_passwords():
        return "the password is one of the most common passwords: choose another (a few unrelated words)"
    if name and password.lower() == name.lower():
        return "the password is the user name: choose another"
    return None


@functools.cache
def common_passwords() -> frozenset[str]:
    """The shipped list (lower case), read once."""
    text = resources.files("mixedcrew.web.access").joinpath("common-passwords.txt").read_text("utf-8")
    return frozenset(ln.strip().lower() for ln in text.splitlines() if ln.strip() and not ln.startswith("#"))


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
