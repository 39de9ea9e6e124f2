"""Reads and writes of the access rows (users, credentials, proposals, audit), returning plain records.

With `store`, the only module that touches `tables`. Each function runs in
the caller's transaction. The audit log has only appends and reads here;
the database refuses anything else (see migration 0002).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from mixedcrew.web.scenarios.store import json_safe
from mixedcrew.web.storage.tables import AuditRow, CredentialRow, ProposalRow, UserRow


@dataclass(frozen=True)
class StoredUser:
    id: int
    name: str
    agency: str | None
    is_admin: bool
    disabled: bool
    created_at: datetime
    has_password: bool


@dataclass(frozen=True)
class StoredCredential:
    id: int
    user_id: int
    kind: str
    label: str
    scopes: tuple[str, ...]
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None


@dataclass(frozen=True)
class StoredProposal:
    id: int
    scenario_id: int
    base_revision: int
    author_id: int | None
    author: str
    author_agency: str | None
    change: dict[str, Any]
    keys: tuple[str, ...]
    needs: tuple[str, ...]
    approvals: tuple[str, ...]
    state: str
    reason: str | None
    decided_by: str | None
    decided_at: datetime | None
    result_revision: int | None
    created_at: datetime

    @property
    def waiting_for(self) -> tuple[str, ...]:
        return tuple(a for a in self.needs if a not in self.approvals)


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: datetime
    scenario_id: int | None
    revision: int | None
    actor_id: int | None
    actor: str
    agency: str | None
    action: str
    entity: str
    before: Any
    after: Any
    keys: tuple[str, ...]
    proposal_id: int | None
    note: str


def _user(row: UserRow) -> StoredUser:
    return StoredUser(row.id, row.name, row.agency, row.is_admin, row.disabled, row.created_at,
                      row.password_hash is not None)


def _credential(row: CredentialRow) -> StoredCredential:
    return StoredCredential(row.id, row.user_id, row.kind, row.label, tuple(row.scopes), row.created_at,
                            row.expires_at, row.revoked_at)


def _proposal(row: ProposalRow) -> StoredProposal:
    return StoredProposal(row.id, row.scenario_id, row.base_revision, row.author_id, row.author,
                          row.author_agency, dict(row.change), tuple(row.keys), tuple(row.needs),
                          tuple(row.approvals), row.state, row.reason, row.decided_by, row.decided_at,
                          row.result_revision, row.created_at)


def _audit(row: AuditRow) -> AuditEntry:
    return AuditEntry(row.id, row.at, row.scenario_id, row.revision, row.actor_id, row.actor, row.agency,
                      row.action, row.entity, row.before, row.after, tuple(row.keys or ()),
                      row.proposal_id, row.note)


# --- users ---------------------------------------------------------------------------


def add_user(session: Session, *, name: str, agency: str | None, is_admin: bool,
             password_hash: str | None, now: datetime) -> StoredUser | None:
    """A new user; None when the name is taken."""
    if session.scalar(select(UserRow.id).where(UserRow.name == name)) is not None:
        return None
    row = UserRow(name=name, agency=agency, is_admin=is_admin, password_hash=password_hash, disabled=False,
                  created_at=now)
    session.add(row)
    session.flush()
    return _user(row)


def get_user(session: Session, user_id: int) -> StoredUser | None:
    row = session.get(UserRow, user_id)
    return _user(row) if row else None


def user_by_name(session: Session, name: str) -> tuple[StoredUser, str | None] | None:
    """The user and their password hash (for logging in only)."""
    row = session.scalars(select(UserRow).where(UserRow.name == name)).first()
    return (_user(row), row.password_hash) if row else None


def list_users(session: Session) -> list[StoredUser]:
    return [_user(r) for r in session.scalars(select(UserRow).order_by(UserRow.id))]


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
    return _user(row)


# --- credentials ---------------------------------------------------------------------


def add_credential(session: Session, *, user_id: int, kind: str, label: str, secret_hash: str,
                   scopes: tuple[str, ...], now: datetime, expires_at: datetime) -> StoredCredential:
    row = CredentialRow(user_id=user_id, kind=kind, label=label, secret_hash=secret_hash,
                        scopes=list(scopes), created_at=now, expires_at=expires_at)
    session.add(row)
    session.flush()
    return _credential(row)


def credential_by_hash(session: Session, secret_hash: str) -> tuple[StoredCredential, StoredUser] | None:
    row = session.execute(select(CredentialRow, UserRow).join(UserRow, UserRow.id == CredentialRow.user_id)
                          .where(CredentialRow.secret_hash == secret_hash)).first()
    return (_credential(row[0]), _user(row[1])) if row else None


def get_credential(session: Session, credential_id: int) -> StoredCredential | None:
    row = session.get(CredentialRow, credential_id)
    return _credential(row) if row else None


def list_credentials(session: Session, *, user_id: int | None = None, kind: str = "token",
                     limit: int = 500) -> list[StoredCredential]:
    query = select(CredentialRow).where(CredentialRow.kind == kind).order_by(CredentialRow.id.desc())
    if user_id is not None:
        query = query.where(CredentialRow.user_id == user_id)
    return [_credential(r) for r in session.scalars(query.limit(limit))]


def revoke_credential(session: Session, credential_id: int, *, now: datetime) -> bool:
    """True when it was live and is now revoked."""
    done = session.execute(update(CredentialRow).where(CredentialRow.id == credential_id,
                                                       CredentialRow.revoked_at.is_(None))
                           .values(revoked_at=now))
    return done.rowcount == 1  # type: ignore[attr-defined]


def revoke_user_sessions(session: Session, user_id: int, *, now: datetime, kind: str = "session") -> int:
    done = session.execute(update(CredentialRow).where(CredentialRow.user_id == user_id,
                                                       CredentialRow.kind == kind,
                                                       CredentialRow.revoked_at.is_(None))
                           .values(revoked_at=now))
    return int(done.rowcount)  # type: ignore[attr-defined]


# --- proposals -----------------------------------------------------------------------


def add_proposal(session: Session, *, scenario_id: int, base_revision: int, author_id: int | None,
                 author: str, author_agency: str | None, change: dict[str, Any], keys: list[str],
                 needs: list[str], now: datetime) -> StoredProposal:
    row = ProposalRow(scenario_id=scenario_id, base_revision=base_revision, author_id=author_id,
                      author=author, author_agency=author_agency, change=json_safe(change), keys=keys,
                      needs=needs, approvals=[], state="open", created_at=now)
    session.add(row)
    session.flush()
    return _proposal(row)


def get_proposal(session: Session, proposal_id: int, *, for_update: bool = False) -> StoredProposal | None:
    row = session.get(ProposalRow, proposal_id, with_for_update=for_update)
    return _proposal(row) if row else None


def list_proposals(session: Session, *, scenario_id: int | None = None, state: str | None = None,
                   limit: int = 200) -> list[StoredProposal]:
    query = select(ProposalRow).order_by(ProposalRow.id.desc()).limit(limit)
    if scenario_id is not None:
        query = query.where(ProposalRow.scenario_id == scenario_id)
    if state is not None:
        query = query.where(ProposalRow.state == state)
    return [_proposal(r) for r in session.scalars(query)]


def update_open_proposal(session: Session, proposal_id: int, **values: Any) -> bool:
    """Change an open proposal (approvals, state, reason, decision); False when it is no longer open."""
    done = session.execute(update(ProposalRow).where(ProposalRow.id == proposal_id,
                                                     ProposalRow.state == "open").values(**values))
    return done.rowcount == 1  # type: ignore[attr-defined]


# --- audit ---------------------------------------------------------------------------


def append_audit(session: Session, *, at: datetime, actor: str, action: str, entity: str,
                 actor_id: int | None = None, agency: str | None = None, scenario_id: int | None = None,
                 revision: int | None = None, before: Any = None, after: Any = None,
                 keys: tuple[str, ...] | list[str] = (), proposal_id: int | None = None,
                 note: str = "") -> int:
    row = AuditRow(at=at, scenario_id=scenario_id, revision=revision, actor_id=actor_id, actor=actor[:120],
                   agency=agency, action=action, entity=entity[:200], before=json_safe(before),
                   after=json_safe(after), keys=list(keys), proposal_id=proposal_id, note=note)
    session.add(row)
    session.flush()
    return row.id


def list_audit(session: Session, *, scenario_id: int | None = None, after_id: int = 0,
               limit: int = 1000) -> list[AuditEntry]:
    """Audit entries in the order they were written, from `after_id` on (for paging)."""
    query = select(AuditRow).where(AuditRow.id > after_id).order_by(AuditRow.id).limit(limit)
    if scenario_id is not None:
        query = query.where(AuditRow.scenario_id == scenario_id)
    return [_audit(r) for r in session.scalars(query)]


def audit_after_revision(session: Session, scenario_id: int, revision: int) -> list[AuditEntry]:
    """Entries that produced revisions later than `revision` (what may make a proposal stale)."""
    query = (select(AuditRow).where(AuditRow.scenario_id == scenario_id, AuditRow.revision > revision)
             .order_by(AuditRow.id))
    return [_audit(r) for r in session.scalars(query)]


def count_audit(session: Session, scenario_id: int | None = None) -> int:
    query = select(func.count()).select_from(AuditRow)
    if scenario_id is not None:
        query = query.where(AuditRow.scenario_id == scenario_id)
    return session.scalar(query) or 0
