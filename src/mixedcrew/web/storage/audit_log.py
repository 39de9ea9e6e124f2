"""The audit log: appended to by every feature, in the same transaction as the change it records.

Only appends and reads here; the database refuses anything else (see migrations 0002 and
0003). Each entry is chained to the one before it (`storage.chain`).
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mixedcrew.web.storage.chain import as_stored, audit_fields, last_audit_hash, link, lock_audit_chain
from mixedcrew.web.storage.records import (
    AuditEntry,
    audit_record,
    json_safe,
)
from mixedcrew.web.storage.tables import (
    AuditRow,
)


def append_audit(session: Session, *, at: datetime, actor: str, action: str, entity: str,
                 actor_id: int | None = None, agency: str | None = None, scenario_id: int | None = None,
                 revision: int | None = None, before: Any = None, after: Any = None,
                 keys: tuple[str, ...] | list[str] = (), proposal_id: int | None = None,
                 note: str = "") -> int:
    row = AuditRow(at=at, scenario_id=scenario_id, revision=revision, actor_id=actor_id, actor=actor[:120],
                   agency=agency, action=action, entity=entity[:200], before=as_stored(json_safe(before)),
                   after=as_stored(json_safe(after)), keys=list(keys), proposal_id=proposal_id, note=note)
    lock_audit_chain(session)
    row.prev_hash = last_audit_hash(session)
    row.hash = link(row.prev_hash, audit_fields(row))
    session.add(row)
    session.flush()
    return row.id


def list_audit(session: Session, *, scenario_id: int | None = None, after_id: int = 0,
               limit: int = 1000) -> list[AuditEntry]:
    """Audit entries in the order they were written, from `after_id` on (for paging)."""
    query = select(AuditRow).where(AuditRow.id > after_id).order_by(AuditRow.id).limit(limit)
    if scenario_id is not None:
        query = query.where(AuditRow.scenario_id == scenario_id)
    return [audit_record(r) for r in session.scalars(query)]


def audit_after_revision(session: Session, scenario_id: int, revision: int) -> list[AuditEntry]:
    """Entries that produced revisions later than `revision` (what may make a proposal stale)."""
    query = (select(AuditRow).where(AuditRow.scenario_id == scenario_id, AuditRow.revision > revision)
             .order_by(AuditRow.id))
    return [audit_record(r) for r in session.scalars(query)]


def count_audit(session: Session, scenario_id: int | None = None) -> int:
    query = select(func.count()).select_from(AuditRow)
    if scenario_id is not None:
        query = query.where(AuditRow.scenario_id == scenario_id)
    return session.scalar(query) or 0


def file_facts(raw: bytes, filename: str) -> dict[str, Any]:
    return {"filename": filename, "size": len(raw), "sha256": hashlib.sha256(raw).hexdigest()}
