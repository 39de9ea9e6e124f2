"""Hash chains over the audit log and each scenario's revisions, and the walk that verifies them.

Every audit entry carries `hash = SHA-256(prev_hash + canonical JSON of the
entry)`, where `prev_hash` is the hash of the entry before it (the first one
chains to `GENESIS`); every revision does the same within its scenario, over
its facts and the SHA-256 of its bytes. Rewriting, reordering or deleting a
row (short of the newest) breaks the chain at that row, as in
certificate-transparency logs: `verify` names the first entry that does not
verify. Appends are serialised so the chain never forks: SQLite writers hold
the write lock; PostgreSQL takes a transaction-scoped advisory lock.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from mixedcrew.web.storage.tables import AuditRow, RevisionRow

GENESIS = "0" * 64
# Any fixed number: the advisory lock that serialises appends to the audit chain on PostgreSQL.
AUDIT_LOCK = 0x6D78_6175_6469_74


def _canonical(fields: dict[str, Any]) -> bytes:
    return json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False).encode("utf-8")


def _instant(at: datetime) -> str:
    return (at if at.tzinfo else at.replace(tzinfo=UTC)).astimezone(UTC).isoformat()


def link(prev_hash: str, fields: dict[str, Any]) -> str:
    return hashlib.sha256(prev_hash.encode("ascii") + b"\n" + _canonical(fields)).hexdigest()


def audit_fields(row: AuditRow) -> dict[str, Any]:
    """What an audit entry's hash covers: every column but its id (known only once it is stored; the
    order is in the links) and the hashes themselves."""
    return {"at": _instant(row.at), "scenario_id": row.scenario_id, "revision": row.revision,
            "actor_id": row.actor_id, "actor": row.actor, "agency": row.agency, "action": row.action,
            "entity": row.entity, "before": row.before, "after": row.after, "keys": list(row.keys or ()),
            "proposal_id": row.proposal_id, "note": row.note}


def as_stored(value: Any) -> Any:
    """A JSON value as the database gives it back (tuples as lists, keys as strings), so the hash
    computed before the insert is the one a reader computes."""
    return None if value is None else json.loads(json.dumps(value, allow_nan=False))


def revision_fields(row: RevisionRow) -> dict[str, Any]:
    """What a revision's hash covers: its place, facts, and the SHA-256 of the bytes as stored."""
    return {"scenario_id": row.scenario_id, "number": row.number, "filename": row.filename,
            "sha256": hashlib.sha256(row.source).hexdigest(), "size": row.size,
            "created_at": _instant(row.created_at), "note": row.note}


def lock_audit_chain(session: Session) -> None:
    """Serialise appends to the audit chain until this transaction ends (SQLite: already serial)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": AUDIT_LOCK})


def last_audit_hash(session: Session) -> str:
    found = session.scalar(select(AuditRow.hash).order_by(AuditRow.id.desc()).limit(1))
    return found or GENESIS


def last_revision_hash(session: Session, scenario_id: int) -> str:
    found = session.scalar(select(RevisionRow.hash).where(RevisionRow.scenario_id == scenario_id)
                           .order_by(RevisionRow.number.desc()).limit(1))
    return found or GENESIS


@dataclass(frozen=True)
class Broken:
    """The first row whose hash does not verify, and why."""

    what: str  # "audit entry 7" or "revision 3 of scenario 2"
    reason: str

    def __str__(self) -> str:
        return f"{self.what} does not verify: {self.reason}"


@dataclass(frozen=True)
class Verified:
    audit_entries: int
    revisions: int
    scenarios: int
    audit_head: str  # the newest entry's hash: note it, and a later `verify --since` proves nothing went


def _walk(rows: Iterator[Any], fields: Any, name: Any, seen: set[str] | None = None
          ) -> tuple[int, str, Broken | None]:
    prev, count = GENESIS, 0
    for row in rows:
        count += 1
        if row.prev_hash != prev:
            return count, prev, Broken(name(row), "it does not follow the entry before it (one was changed, "
                                            "removed or put in between)")
        try:
            want = link(prev, fields(row))
        except (TypeError, ValueError) as err:
            return count, prev, Broken(name(row), f"its content cannot be read back ({err})")
        if row.hash != want:
            return count, prev, Broken(name(row), "its content is not what was written (the row was "
                                                  "rewritten)")
        prev = row.hash
        if seen is not None:
            seen.add(prev)
    return count, prev, None


def verify(session: Session, since: str | None = None) -> Verified | Broken:
    """Walk the audit chain, then each scenario's revisions; the first row that breaks, or the counts.

    `since`: an audit head noted earlier; the chain must still pass through it. That catches what a
    chain alone cannot: the newest entries removed, the chain cut back to an earlier point.
    """
    audit = session.scalars(select(AuditRow).order_by(AuditRow.id).execution_options(yield_per=500))
    seen: set[str] | None = set() if since else None
    entries, head, broken = _walk(iter(audit), audit_fields, lambda r: f"audit entry {r.id}", seen)
    if broken:
        return broken
    if since and seen is not None and since not in seen:
        return Broken(f"the audit head {since[:16]}...", "the chain no longer passes through it: entries "
                      "written up to that point were removed or rewritten")
    ids = session.scalars(select(RevisionRow.scenario_id).distinct().order_by(RevisionRow.scenario_id)).all()
    revisions = 0
    for scenario_id in ids:
        rows = session.scalars(select(RevisionRow).where(RevisionRow.scenario_id == scenario_id)
                               .order_by(RevisionRow.number))
        count, _, broken = _walk(iter(rows), revision_fields,
                                 lambda r: f"revision {r.number} of scenario {r.scenario_id}")
        if broken:
            return broken
        revisions += count
    return Verified(entries, revisions, len(ids), head)
