"""Reads of the scenario list and of a scenario's revisions (the writes are `storage.history`'s).
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mixedcrew.web.storage.records import (
    StoredRevision,
)
from mixedcrew.web.storage.tables import (
    RevisionRow,
    ScenarioRow,
)


def list_revisions(session: Session, scenario_id: int) -> list[StoredRevision]:
    """Every revision of a scenario, latest first, without their bytes."""
    rows = session.execute(
        select(RevisionRow.scenario_id, RevisionRow.number, RevisionRow.filename, RevisionRow.sha256,
               RevisionRow.size, RevisionRow.created_at, RevisionRow.note)
        .where(RevisionRow.scenario_id == scenario_id).order_by(RevisionRow.number.desc())).all()
    return [StoredRevision(r.scenario_id, r.number, r.filename, b"", r.sha256, r.size, r.created_at, r.note)
            for r in rows]


def count_scenarios(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(ScenarioRow)) or 0
