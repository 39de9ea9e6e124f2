"""Reads and writes of user and credential rows, returning plain records; in the caller's transaction.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from mixedcrew.web.storage.records import (
    StoredCredential,
    StoredUser,
    credential_record,
    user_record,
)
from mixedcrew.web.storage.tables import (
    AuditRow,
    CredentialRow,
    UserRow,
)


def add_user(session: Session, *, name: str, agency: str | None, is_admin: bool,
             password_hash: str | None, now: datetime) -> StoredUser | None:
    """A new user; None when the name is taken."""
    if session.scalar(select(UserRow.id).where(UserRow.name == name)) is not None:
        return None
    row = UserRow(name=name, agency=agency, is_admin=is_admin, password_hash=password_hash, disabled=False,
                  created_at=now)
    session.add(row)
    session.flush()
    return user_record(row)


def get_user(session: Session, user_id: int) -> StoredUser | None:
    row = session.get(UserRow, user_id)
    return user_record(row) if row else None


def user_by_name(session: Session, name: str) -> tuple[StoredUser, str | None] | None:
    """The user and their password hash (for logging in only)."""
    row = session.scalars(select(UserRow).where(UserRow.name == name)).first()
    return (user_record(row), row.password_hash) if row else None


def list_users(session: Session) -> list[StoredUser]:
    return [user_record(r) for r in session.scalars(select(UserRow).order_by(UserRow.id))]


def count_users(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(UserRow)) or 0


def update_user(session: Session, user_id: int, **values: Any) -> StoredUser | None:
    """Change `disabled` or `password_hash`; None when there is no such user."""
    allowed = {k: v for k, v in values.items() if k in ("disabled", "password_hash")}
    row = session.get(UserRow, user_id, with_for_update=True)
    if row is None:
        return None
    for key, value in allowed.items():
        setattr(row, key, value)
    session.flush()
    return user_record(row)


def add_credential(session: Session, *, user_id: int, kind: str, label: str, secret_hash: str,
                   scopes: tuple[str, ...], now: datetime, expires_at: datetime) -> StoredCredential:
    row = CredentialRow(user_id=user_id, kind=kind, label=label, secret_hash=secret_hash,
                        scopes=list(scopes), created_at=now, expires_at=expires_at)
    session.add(row)
    session.flush()
    return credential_record(row)


def credential_by_hash(session: Session, secret_hash: str) -> tuple[StoredCredential, StoredUser] | None:
    row = session.execute(select(CredentialRow, UserRow).join(UserRow, UserRow.id == CredentialRow.user_id)
                          .where(CredentialRow.secret_hash == secret_hash)).first()
    return (credential_record(row[0]), user_record(row[1])) if row else None


def get_credential(session: Session, credential_id: int) -> StoredCredential | None:
    row = session.get(CredentialRow, credential_id)
    return credential_record(row) if row else None


def list_credentials(session: Session, *, user_id: int | None = None, kind: str = "token",
                     limit: int = 500) -> list[StoredCredential]:
    query = select(CredentialRow).where(CredentialRow.kind == kind).order_by(CredentialRow.id.desc())
    if user_id is not None:
        query = query.where(CredentialRow.user_id == user_id)
    return [credential_record(r) for r in session.scalars(query.limit(limit))]


def revoke_credential(session: Session, credential_id: int, *, now: datetime) -> bool:
    """True when it was live and is now revoked."""
    done = session.execute(update(CredentialRow).where(CredentialRow.id == credential_id,
                                                       CredentialRow.revoked_at.is_(None))
                           .values(revoked_at=now))
    return bool(done.rowcount == 1)  # type: ignore[attr-defined]


def minted_by(session: Session, token_ids: set[int]) -> set[int]:
    """Tokens made with any of these tokens, at any depth (from the audit log's token.create entries,
    which name the token that made each one as `parent_token`)."""
    made: dict[int, list[int]] = {}
    for entity, after in session.execute(select(AuditRow.entity, AuditRow.after)
                                         .where(AuditRow.action == "token.create")):
        parent = after.get("parent_token") if isinstance(after, dict) else None
        if isinstance(parent, int) and entity.startswith("token:"):
            made.setdefault(parent, []).append(int(entity.removeprefix("token:")))
    found: set[int] = set()
    frontier = list(token_ids)
    while frontier:
        for child in made.get(frontier.pop(), []):
            if child not in found:
                found.add(child)
                frontier.append(child)
    return found - token_ids


def revoke_user_sessions(session: Session, user_id: int, *, now: datetime, kind: str = "session") -> int:
    done = session.execute(update(CredentialRow).where(CredentialRow.user_id == user_id,
                                                       CredentialRow.kind == kind,
                                                       CredentialRow.revoked_at.is_(None))
                           .values(revoked_at=now))
    return int(done.rowcount)  # type: ignore[attr-defined]
