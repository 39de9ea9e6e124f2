"""Accounts: users, logging in and out, API tokens; every change to them goes to the audit log."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from mixedcrew.web.access import store
from mixedcrew.web.access.auth import (
    MAX_TOKEN_DAYS,
    SCRYPT_N,
    SESSION_HOURS,
    TOKEN_DAYS,
    hash_password,
    name_problem,
    new_secret,
    password_problem,
    secret_hash,
    verify_password,
)
from mixedcrew.web.access.throttle import LoginThrottle
from mixedcrew.web.errors import Conflict, FieldError, Forbidden, Invalid, NotFound, Unauthenticated
from mixedcrew.web.principal import SCOPES, SESSION_SCOPES, Principal
from mixedcrew.web.storage import audit_log, records
from mixedcrew.web.storage.db import Database
from mixedcrew.web.storage.records import utcnow

_NO_HASH = f"scrypt${SCRYPT_N}$8$1$AAAA$AAAA"  # verified for an unknown name: the same time as a known one
AGENCY_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:+\-]*$")  # the domain's Id


def _invalid(field: str, msg: str, kind: str = "value_error") -> Invalid:
    return Invalid([FieldError(("body", field), msg, kind)])


def principal_of(user: records.StoredUser, credential: records.StoredCredential | None,
                 via: str) -> Principal:
    scopes = frozenset(credential.scopes) if credential else frozenset(SESSION_SCOPES)
    return Principal(user.id, user.name, user.agency, user.is_admin, scopes,
                     credential.id if credential else None, via)


class Accounts:
    def __init__(self, db: Database, throttle: LoginThrottle | None = None):
        self.db = db
        self.throttle = throttle or LoginThrottle()

    # -- who is asking ------------------------------------------------------------

    def authenticate(self, secret: str, now: datetime | None = None) -> Principal:
        """The principal a session or token secret stands for; Unauthenticated with the reason."""
        now = now or utcnow()
        if not secret or len(secret) > 200:
            raise Unauthenticated("no valid credential: log in, or send 'Authorization: Bearer <token>'")
        with self.db.reading() as session:
            found = store.credential_by_hash(session, secret_hash(secret))
        if found is None:
            raise Unauthenticated("unknown credential: log in again, or make a new token")
        cred, user = found
        what = "session" if cred.kind == "session" else f"token {cred.label or cred.id!s}"
        if cred.revoked_at is not None:
            raise Unauthenticated(f"this {what} was revoked on {cred.revoked_at:%Y-%m-%d %H:%M} UTC")
        if cred.expires_at <= now:
            raise Unauthenticated(f"this {what} expired on {cred.expires_at:%Y-%m-%d %H:%M} UTC")
        if user.disabled:
            raise Unauthenticated(f"the account {user.name!r} is disabled: ask an administrator")
        return principal_of(user, cred, cred.kind)

    def login(self, name: str, password: str, address: str | None = None
              ) -> tuple[str, records.StoredCredential, Principal]:
        """A new page session for a correct name and password, unless this name or the client's
        `address` failed too often lately (TooManyAttempts, see `throttle`)."""
        self.throttle.check(name, address)
        # a name no user can have (a control character, NUL) is not looked up: some databases refuse it
        plausible = name_problem(name[:80]) is None
        with self.db.reading() as session:
            found = store.user_by_name(session, name[:80]) if plausible else None
        # scrypt runs even for an unknown name, so timing does not tell names apart
        ok = verify_password(password, found[1] if found else _NO_HASH)
        if found is None or not ok or found[0].disabled:
            if not (found and ok):
                self._failed_login(name, address)
            raise Unauthenticated("wrong user name or password" if not (found and ok)
                                  else f"the account {name!r} is disabled: ask an administrator")
        self.throttle.succeeded(name, address)
        user = found[0]
        secret = new_secret("session")
        now = utcnow()
        with self.db.transaction() as session:
            cred = store.add_credential(session, user_id=user.id, kind="session", label="page session",
                                     secret_hash=secret_hash(secret), scopes=SESSION_SCOPES, now=now,
                                     expires_at=now + timedelta(hours=SESSION_HOURS))
            audit_log.append_audit(session, at=now, actor=user.name, actor_id=user.id, agency=user.agency,
                            action="login", entity=f"session:{cred.id}")
        return secret, cred, principal_of(user, cred, "session")

    def _failed_login(self, name: str, address: str | None) -> None:
        """Count the failure; a lock-out it starts goes to the audit log."""
        locked = self.throttle.failed(name, address)
        if not locked:
            return
        now = utcnow()
        with self.db.transaction() as session:
            for lock in locked:
                audit_log.append_audit(
                    session, at=now, actor=f"login from {address or 'an unknown address'}",
                    action="login.locked", entity=f"{lock.kind}:{lock.key}",
                    after={"failures": lock.failures, "locked_for_s": lock.retry_after_s},
                    note=f"{lock.failures} failed logins: further logins of this {lock.kind} refused "
                         f"for up to {lock.retry_after_s} s")

    def logout(self, who: Principal) -> None:
        if who.via != "session" or who.credential_id is None:
            raise Forbidden("logging out ends a page session; a token is revoked with "
                            "DELETE /api/tokens/{id}")
        now = utcnow()
        with self.db.transaction() as session:
            store.revoke_credential(session, who.credential_id, now=now)
            audit_log.append_audit(session, at=now, actor=who.name, actor_id=who.user_id, agency=who.agency,
                            action="logout", entity=f"session:{who.credential_id}")

    # -- users --------------------------------------------------------------------

    def add_user(self, who: Principal, *, name: str, agency: str | None, is_admin: bool,
                 password: str | None) -> records.StoredUser:
        who.need("write")
        who.need_admin("add users")
        problems = []
        if (why := name_problem(name)) is not None:
            problems.append(FieldError(("body", "name"), why, "value_error"))
        if is_admin == (agency is not None):
            problems.append(FieldError(("body", "agency"), (
                "a user is either an administrator (no agency) or belongs to one agency"), "value_error"))
        if agency is not None and (not AGENCY_ID.match(agency) or len(agency) > 80):
            problems.append(FieldError(("body", "agency"), f"agency {agency!r} is not an agency id",
                                       "value_error"))
        if password is not None and (why := password_problem(password, name)) is not None:
            problems.append(FieldError(("body", "password"), why, "value_error"))
        if problems:
            raise Invalid(problems)
        hashed = hash_password(password) if password is not None else None
        now = utcnow()
        with self.db.transaction() as session:
            user = store.add_user(session, name=name, agency=agency, is_admin=is_admin, password_hash=hashed,
                               now=now)
            if user is None:
                raise Conflict(f"there is already a user named {name!r}")
            audit_log.append_audit(session, at=now, actor=who.name, actor_id=who.user_id, agency=who.agency,
                            action="user.add", entity=f"user:{user.id}",
                            after={"name": name, "agency": agency, "is_admin": is_admin,
                                   "password": password is not None})
        return user

    def users(self, who: Principal) -> list[records.StoredUser]:
        who.need("read")
        who.need_admin("list users")
        with self.db.reading() as session:
            return store.list_users(session)

    def user(self, user_id: int) -> records.StoredUser:
        with self.db.reading() as session:
            found = store.get_user(session, user_id)
        if found is None:
            raise NotFound("user", user_id)
        return found

    def change_user(self, who: Principal, user_id: int, *, disabled: bool | None = None,
                    password: str | None = None) -> records.StoredUser:
        """Disable or enable an account (its sessions and tokens stop working), or set its password."""
        who.need("write")
        who.need_admin("change users")
        if password is not None and (why := password_problem(password)) is not None:
            raise _invalid("password", why)
        before = self.user(user_id)
        values: dict[str, object] = {}
        if disabled is not None:
            values["disabled"] = disabled
        if password is not None:
            values["password_hash"] = hash_password(password)
        now = utcnow()
        with self.db.transaction() as session:
            after = store.update_user(session, user_id, **values)
            if after is None:
                raise NotFound("user", user_id)
            if password is not None:  # a new password ends the sessions opened with the old one
                store.revoke_user_sessions(session, user_id, now=now, kind="session")
            audit_log.append_audit(session, at=now, actor=who.name, actor_id=who.user_id, agency=who.agency,
                            action="user.change", entity=f"user:{user_id}",
                            before={"disabled": before.disabled},
                            after={"disabled": after.disabled, "password_changed": password is not None})
        return after

    def user_named(self, name: str) -> records.StoredUser:
        with self.db.reading() as session:
            found = store.user_by_name(session, name)
        if found is None:
            raise NotFound("user", name)
        return found[0]

    # -- tokens -------------------------------------------------------------------

    def create_token(self, who: Principal, *, label: str, days: int = TOKEN_DAYS,
                     scopes: tuple[str, ...] = SESSION_SCOPES,
                     for_user: records.StoredUser | None = None) -> tuple[str, records.StoredCredential]:
        """A new API token; its secret is returned once and only its hash is kept."""
        who.need("write")
        owner_id = who.user_id if for_user is None else for_user.id
        if for_user is not None and for_user.id != who.user_id:
            who.need_admin("make tokens for other users")
        problems = []
        if not 1 <= days <= MAX_TOKEN_DAYS:
            problems.append(FieldError(("body", "days"), (
                f"a token lasts 1 to {MAX_TOKEN_DAYS} days; {days} asked"), "value_error"))
        unknown = [s for s in scopes if s not in SCOPES]
        if unknown or not scopes:
            problems.append(FieldError(("body", "scopes"), (
                f"scopes are some of {', '.join(SCOPES)}; got {', '.join(map(repr, scopes)) or 'none'}"),
                "value_error"))
        elif for_user is None and not set(scopes) <= who.scopes | {"calendar"}:
            problems.append(FieldError(("body", "scopes"), (
                "a token cannot do more than the credential that makes it"), "value_error"))
        if len(label) > 80 or any(ord(c) < 32 for c in label):
            problems.append(FieldError(("body", "label"), "a label is at most 80 printable characters",
                                       "value_error"))
        if problems:
            raise Invalid(problems)
        if owner_id is None:
            raise Forbidden("the command line makes tokens for a named user")
        secret = new_secret("token")
        now = utcnow()
        ordered = tuple(s for s in SCOPES if s in scopes)
        parent, expires_at = self._within_parent(who, now + timedelta(days=days))
        with self.db.transaction() as session:
            cred = store.add_credential(session, user_id=owner_id, kind="token", label=label,
                                     secret_hash=secret_hash(secret), scopes=ordered, now=now,
                                     expires_at=expires_at)
            audit_log.append_audit(session, at=now, actor=who.name, actor_id=who.user_id, agency=who.agency,
                            action="token.create", entity=f"token:{cred.id}",
                            after={"user_id": owner_id, "label": label, "scopes": list(ordered),
                                   "expires_at": cred.expires_at.isoformat(), "parent_token": parent})
        return secret, cred

    def _within_parent(self, who: Principal, expires_at: datetime) -> tuple[int | None, datetime]:
        """The token making this one (None for a session or the command line), and the new one's
        expiry: never later than the token's, so a token cannot mint what outlives it (the answer's
        `expires_at` shows the date kept)."""
        if who.via != "token" or who.credential_id is None:
            return None, expires_at
        with self.db.reading() as session:
            parent = store.get_credential(session, who.credential_id)
        if parent is None:
            return who.credential_id, expires_at
        return who.credential_id, min(expires_at, parent.expires_at)

    def tokens(self, who: Principal, *, everyone: bool = False) -> list[records.StoredCredential]:
        who.need("read")
        if everyone:
            who.need_admin("list every user's tokens")
        with self.db.reading() as session:
            return store.list_credentials(session, user_id=None if everyone else who.user_id)

    def revoke_token(self, who: Principal, token_id: int) -> records.StoredCredential:
        who.need("write")
        with self.db.reading() as session:
            cred = store.get_credential(session, token_id)
        if cred is None or cred.kind != "token":
            raise NotFound("token", token_id)
        if cred.user_id != who.user_id and not who.is_admin:
            raise Forbidden(f"token {token_id} belongs to another user; only they or an administrator "
                            "may revoke it")
        now = utcnow()
        with self.db.transaction() as session:
            if not store.revoke_credential(session, token_id, now=now):
                raise Conflict(f"token {token_id} was already revoked")
            audit_log.append_audit(session, at=now, actor=who.name, actor_id=who.user_id, agency=who.agency,
                            action="token.revoke", entity=f"token:{token_id}",
                            before={"revoked_at": None}, after={"revoked_at": now.isoformat()})
            # what it minted goes with it, at any depth: a leaked token cannot leave heirs behind
            for child in sorted(store.minted_by(session, {token_id})):
                if store.revoke_credential(session, child, now=now):
                    audit_log.append_audit(session, at=now, actor=who.name, actor_id=who.user_id,
                                           agency=who.agency, action="token.revoke", entity=f"token:{child}",
                                           before={"revoked_at": None},
                                           after={"revoked_at": now.isoformat(), "with_token": token_id})
            found = store.get_credential(session, token_id)
        assert found is not None
        return found
