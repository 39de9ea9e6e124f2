"""A scenario's history: the scenario rows and their append-only revisions, read and written by every
feature that stores a file (uploads, changes, jobs' output). Each function runs in the caller's
transaction (`Database.transaction()`), so a request that stores several rows stores all or none.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from mixedcrew.web.storage.chain import last_revision_hash, link, revision_fields
from mixedcrew.web.storage.records import (
    StoredRevision,
    StoredScenario,
    revision_record,
    scenario_query,
    scenario_record,
)
from mixedcrew.web.storage.tables import (
    RevisionRow,
    ScenarioRow,
)


def add_scenario(session: Session, *, name: str, filename: str, source: bytes, now: datetime,
                 note: str = "uploaded") -> StoredScenario:
    row = ScenarioRow(name=name, created_at=now, head=0)
    session.add(row)
    session.flush()
    add_revision(session, row.id, filename=filename, source=source, now=now, note=note)
    found = get_scenario(session, row.id)
    assert found is not None
    return found


def add_revision(session: Session, scenario_id: int, *, filename: str, source: bytes, now: datetime,
                 note: str = "") -> StoredRevision:
    """Append a revision and make it the head. The row lock serialises concurrent appends."""
    scenario = session.get(ScenarioRow, scenario_id, with_for_update=True)
    if scenario is None:
        raise LookupError(f"no scenario {scenario_id}")
    scenario.head += 1
    rev = RevisionRow(scenario_id=scenario_id, number=scenario.head, filename=filename, source=source,
                      sha256=hashlib.sha256(source).hexdigest(), size=len(source), created_at=now,
                      note=note)
    rev.prev_hash = last_revision_hash(session, scenario_id)  # the scenario's row lock keeps it unforked
    rev.hash = link(rev.prev_hash, revision_fields(rev))
    session.add(rev)
    session.flush()
    return revision_record(rev)


def lock_scenario(session: Session, scenario_id: int) -> int | None:
    """Lock a scenario's row for this transaction and return its head (None: no such scenario).

    Every change to a scenario takes this lock first, so changes to one
    scenario apply one after another, each on the head the previous left.
    """
    return session.scalar(select(ScenarioRow.head).where(ScenarioRow.id == scenario_id).with_for_update())


def list_scenarios(session: Session) -> list[StoredScenario]:
    rows = session.execute(scenario_query().order_by(ScenarioRow.id.desc())).all()
    return [scenario_record(*r) for r in rows]


def get_scenario(session: Session, scenario_id: int) -> StoredScenario | None:
    row = session.execute(scenario_query().where(ScenarioRow.id == scenario_id)).first()
    return scenario_record(*row) if row else None


def get_revision(session: Session, scenario_id: int, number: int | None = None) -> StoredRevision | None:
    query = select(RevisionRow).where(RevisionRow.scenario_id == scenario_id)
    if number is None:
        query = query.join(ScenarioRow, (ScenarioRow.id == RevisionRow.scenario_id)
                           & (ScenarioRow.head == RevisionRow.number))
    else:
        query = query.where(RevisionRow.number == number)
    row = session.scalars(query).first()
    return revision_record(row) if row else None


def revision_digest(session: Session, scenario_id: int,
                    number: int | None = None) -> tuple[int, str, str] | None:
    """(number, sha256, filename) of a revision, without reading its bytes."""
    query = select(RevisionRow.number, RevisionRow.sha256, RevisionRow.filename).where(
        RevisionRow.scenario_id == scenario_id)
    if number is None:
        query = query.join(ScenarioRow, (ScenarioRow.id == RevisionRow.scenario_id)
                           & (ScenarioRow.head == RevisionRow.number))
    else:
        query = query.where(RevisionRow.number == number)
    row = session.execute(query).first()
    return (row[0], row[1], row[2]) if row else None
