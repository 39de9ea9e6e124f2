"""Reads and writes of the storage rows, returning plain records.

The only module that touches `tables`. Each function runs inside the
caller's transaction (`Database.transaction()`), so a request that stores
several rows stores all of them or none.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from mixedcrew.web.storage.tables import FINISHED_STATES, JobRow, RevisionRow, ScenarioRow


@dataclass(frozen=True)
class StoredRevision:
    scenario_id: int
    number: int
    filename: str
    source: bytes
    sha256: str
    size: int
    created_at: datetime
    note: str


@dataclass(frozen=True)
class StoredScenario:
    id: int
    name: str
    created_at: datetime
    head: int
    filename: str
    size: int
    updated_at: datetime


@dataclass(frozen=True)
class StoredJob:
    id: int
    scenario_id: int
    revision: int
    kind: str
    params: dict[str, Any]
    state: str
    progress: float
    message: str
    result: dict[str, Any] | None
    error: str | None
    cancel_requested: bool
    output_scenario_id: int | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None

    @property
    def finished(self) -> bool:
        return self.state in FINISHED_STATES


def json_safe(value: Any) -> Any:
    """Plain JSON for a JSON column: NaN and infinities (which PostgreSQL's json refuses) become null."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    return value


def _revision(row: RevisionRow) -> StoredRevision:
    return StoredRevision(row.scenario_id, row.number, row.filename, row.source, row.sha256, row.size,
                          row.created_at, row.note)


def _job(row: JobRow) -> StoredJob:
    return StoredJob(row.id, row.scenario_id, row.revision, row.kind, dict(row.params), row.state,
                     row.progress, row.message, row.result, row.error, row.cancel_requested,
                     row.output_scenario_id, row.created_at, row.started_at, row.finished_at)


# --- scenarios -----------------------------------------------------------------------


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
    session.add(rev)
    session.flush()
    return _revision(rev)


def lock_scenario(session: Session, scenario_id: int) -> int | None:
    """Lock a scenario's row for this transaction and return its head (None: no such scenario).

    Every change to a scenario takes this lock first, so changes to one
    scenario apply one after another, each on the head the previous left.
    """
    return session.scalar(select(ScenarioRow.head).where(ScenarioRow.id == scenario_id).with_for_update())


def _scenario_query():  # type: ignore[no-untyped-def]
    return (select(ScenarioRow, RevisionRow.filename, RevisionRow.size, RevisionRow.created_at)
            .join(RevisionRow, (RevisionRow.scenario_id == ScenarioRow.id)
                  & (RevisionRow.number == ScenarioRow.head)))


def _stored(row: ScenarioRow, filename: str, size: int, updated: datetime) -> StoredScenario:
    return StoredScenario(row.id, row.name, row.created_at, row.head, filename, size, updated)


def list_scenarios(session: Session) -> list[StoredScenario]:
    rows = session.execute(_scenario_query().order_by(ScenarioRow.id.desc())).all()
    return [_stored(*r) for r in rows]


def get_scenario(session: Session, scenario_id: int) -> StoredScenario | None:
    row = session.execute(_scenario_query().where(ScenarioRow.id == scenario_id)).first()
    return _stored(*row) if row else None


def get_revision(session: Session, scenario_id: int, number: int | None = None) -> StoredRevision | None:
    query = select(RevisionRow).where(RevisionRow.scenario_id == scenario_id)
    if number is None:
        query = query.join(ScenarioRow, (ScenarioRow.id == RevisionRow.scenario_id)
                           & (ScenarioRow.head == RevisionRow.number))
    else:
        query = query.where(RevisionRow.number == number)
    row = session.scalars(query).first()
    return _revision(row) if row else None


def list_revisions(session: Session, scenario_id: int) -> list[StoredRevision]:
    """Every revision of a scenario, latest first, without their bytes."""
    rows = session.execute(
        select(RevisionRow.scenario_id, RevisionRow.number, RevisionRow.filename, RevisionRow.sha256,
               RevisionRow.size, RevisionRow.created_at, RevisionRow.note)
        .where(RevisionRow.scenario_id == scenario_id).order_by(RevisionRow.number.desc())).all()
    return [StoredRevision(r.scenario_id, r.number, r.filename, b"", r.sha256, r.size, r.created_at, r.note)
            for r in rows]


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


def count_scenarios(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(ScenarioRow)) or 0


# --- jobs ----------------------------------------------------------------------------


def create_job(session: Session, *, scenario_id: int, revision: int, kind: str,
               params: dict[str, Any], runner: str, now: datetime) -> StoredJob:
    """A queued job, held by `runner` (the server that will run it) from the start."""
    row = JobRow(scenario_id=scenario_id, revision=revision, kind=kind, params=json_safe(params),
                 state="queued",
                 progress=0.0, message="waiting for a worker", cancel_requested=False, runner=runner,
                 created_at=now, heartbeat_at=now)
    session.add(row)
    session.flush()
    return _job(row)


def get_job(session: Session, job_id: int) -> StoredJob | None:
    row = session.get(JobRow, job_id)
    return _job(row) if row else None


def list_jobs(session: Session, scenario_id: int | None = None, limit: int = 200) -> list[StoredJob]:
    query = select(JobRow).order_by(JobRow.id.desc()).limit(limit)
    if scenario_id is not None:
        query = query.where(JobRow.scenario_id == scenario_id)
    return [_job(r) for r in session.scalars(query)]


def start_job(session: Session, job_id: int, *, runner: str, now: datetime) -> bool:
    """queued -> running, unless it was cancelled (or taken) meanwhile."""
    done = session.execute(
        update(JobRow).where(JobRow.id == job_id, JobRow.state == "queued",
                             JobRow.cancel_requested.is_(False))
        .values(state="running", runner=runner, started_at=now, heartbeat_at=now, message="started"))
    return done.rowcount == 1  # type: ignore[attr-defined]


def record_progress(session: Session, job_id: int, *, progress: float, message: str | None,
                    now: datetime) -> bool:
    """Store progress of a running job; True when a cancel was asked for."""
    values: dict[str, Any] = {"progress": min(max(progress, 0.0), 1.0), "heartbeat_at": now}
    if message is not None:
        values["message"] = message
    session.execute(update(JobRow).where(JobRow.id == job_id, JobRow.state == "running").values(**values))
    return bool(session.scalar(select(JobRow.cancel_requested).where(JobRow.id == job_id)))


def finish_job(session: Session, job_id: int, *, state: str, now: datetime, message: str,
               result: dict[str, Any] | None = None, error: str | None = None,
               output_scenario_id: int | None = None) -> bool:
    """running -> a finished state. False when it was no longer running (failed by a sweep)."""
    assert state in FINISHED_STATES, state
    values: dict[str, Any] = {"state": state, "finished_at": now, "message": message,
                              "result": None if result is None else json_safe(result),
                              "error": error, "output_scenario_id": output_scenario_id}
    if state == "succeeded":
        values["progress"] = 1.0
    done = session.execute(update(JobRow).where(JobRow.id == job_id, JobRow.state == "running")
                           .values(**values))
    return done.rowcount == 1  # type: ignore[attr-defined]


def request_cancel(session: Session, job_id: int, *, now: datetime) -> StoredJob | None:
    """A queued job is cancelled at once; a running one is asked to stop; a finished one is left."""
    row = session.get(JobRow, job_id, with_for_update=True)
    if row is None:
        return None
    if row.state == "queued":
        row.state, row.finished_at, row.message = "cancelled", now, "cancelled before it started"
        row.cancel_requested = True
    elif row.state == "running":
        row.cancel_requested = True
        row.message = "stopping"
    session.flush()
    return _job(row)


def heartbeat(session: Session, *, runner: str, now: datetime) -> list[int]:
    """Touch the unfinished jobs `runner` holds; return those whose cancel was asked for."""
    mine = (JobRow.runner == runner, JobRow.state.in_(("queued", "running")))
    session.execute(update(JobRow).where(*mine).values(heartbeat_at=now))
    return list(session.scalars(select(JobRow.id).where(*mine, JobRow.cancel_requested.is_(True))))


def fail_runner_jobs(session: Session, *, runner: str, now: datetime, error: str) -> list[int]:
    """Mark failed the unfinished jobs of one server (it is shutting down)."""
    ids = list(session.scalars(select(JobRow.id).where(
        JobRow.runner == runner, JobRow.state.in_(("queued", "running")))))
    if ids:
        session.execute(update(JobRow).where(JobRow.id.in_(ids), JobRow.state.in_(("queued", "running")))
                        .values(state="failed", finished_at=now, error=error, message="server stopped"))
    return ids


def fail_orphaned_jobs(session: Session, *, now: datetime, stale_before: datetime,
                       spare_runner: str | None = None) -> list[int]:
    """Mark failed every unfinished job whose server is gone (no heartbeat since `stale_before`).

    `spare_runner`'s jobs are left alone: they belong to the server calling this.
    """
    query = select(JobRow).where(JobRow.state.in_(("queued", "running"))).with_for_update()
    failed = []
    for row in session.scalars(query):
        if spare_runner is not None and row.runner == spare_runner:
            continue
        last = row.heartbeat_at or row.created_at
        if last >= stale_before:
            continue
        was = row.state
        row.state, row.finished_at = "failed", now
        row.error = (f"the server stopped while this job was {was} (last seen "
                     f"{last.strftime('%Y-%m-%dT%H:%M:%SZ')}); start it again")
        row.message = "server stopped"
        failed.append(row.id)
    session.flush()
    return failed
