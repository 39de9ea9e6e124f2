"""Reads and writes of job rows: created, started, progress, finished, stopped, swept after a crash.

Each function runs inside the caller's transaction.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import String, cast, func, literal, select, update
from sqlalchemy.orm import Session

from mixedcrew.web.storage.records import (
    StoredJob,
    job_record,
    json_safe,
)
from mixedcrew.web.storage.tables import (
    FINISHED_STATES,
    AuditRow,
    JobRow,
)


def create_job(session: Session, *, scenario_id: int, revision: int, kind: str,
               params: dict[str, Any], runner: str, now: datetime) -> StoredJob:
    """A queued job, held by `runner` (the server that will run it) from the start."""
    row = JobRow(scenario_id=scenario_id, revision=revision, kind=kind, params=json_safe(params),
                 state="queued",
                 progress=0.0, message="waiting for a worker", cancel_requested=False, runner=runner,
                 created_at=now, heartbeat_at=now)
    session.add(row)
    session.flush()
    return job_record(row)


def queued_jobs(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(JobRow).where(JobRow.state == "queued"))
               or 0)


def active_jobs(session: Session, *, actor_id: int | None = None, agency: str | None = None) -> int:
    """Jobs queued or running that this user (or anyone of this agency) started.

    Who started a job is in the audit log's `job.start` entry (the job row has no owner).
    """
    started = (AuditRow.action == "job.start") & (
        AuditRow.entity == literal("job:") + cast(JobRow.id, String))
    query = (select(func.count()).select_from(JobRow).join(AuditRow, started)
             .where(JobRow.state.in_(("queued", "running"))))
    if actor_id is not None:
        query = query.where(AuditRow.actor_id == actor_id)
    if agency is not None:
        query = query.where(AuditRow.agency == agency)
    return int(session.scalar(query) or 0)


def get_job(session: Session, job_id: int) -> StoredJob | None:
    row = session.get(JobRow, job_id)
    return job_record(row) if row else None


def list_jobs(session: Session, scenario_id: int | None = None, limit: int = 200) -> list[StoredJob]:
    query = select(JobRow).order_by(JobRow.id.desc()).limit(limit)
    if scenario_id is not None:
        query = query.where(JobRow.scenario_id == scenario_id)
    return [job_record(r) for r in session.scalars(query)]


def start_job(session: Session, job_id: int, *, runner: str, now: datetime) -> bool:
    """queued -> running, unless it was cancelled (or taken) meanwhile."""
    done = session.execute(
        update(JobRow).where(JobRow.id == job_id, JobRow.state == "queued",
                             JobRow.cancel_requested.is_(False))
        .values(state="running", runner=runner, started_at=now, heartbeat_at=now, message="started"))
    return bool(done.rowcount == 1)  # type: ignore[attr-defined]


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
               output_scenario_id: int | None = None, runner: str | None = None) -> bool:
    """running -> a finished state. False when it was no longer running, or (given `runner`) no
    longer this server's: a server taken for dead whose job was resumed elsewhere finishes nothing."""
    assert state in FINISHED_STATES, state
    values: dict[str, Any] = {"state": state, "finished_at": now, "message": message,
                              "result": None if result is None else json_safe(result),
                              "error": error, "output_scenario_id": output_scenario_id}
    if state == "succeeded":
        values["progress"] = 1.0
    mine = () if runner is None else (JobRow.runner == runner,)
    done = session.execute(update(JobRow).where(JobRow.id == job_id, JobRow.state == "running", *mine)
                           .values(**values))
    return bool(done.rowcount == 1)  # type: ignore[attr-defined]


def set_output(session: Session, job_id: int, scenario_id: int) -> None:
    """The scenario a finished job saved (a plan)."""
    session.execute(update(JobRow).where(JobRow.id == job_id).values(output_scenario_id=scenario_id))


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
    return job_record(row)


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


def resume_orphaned_jobs(session: Session, *, now: datetime, stale_before: datetime, runner: str,
                         max_resumes: int) -> tuple[list[StoredJob], list[int]]:
    """Queue again, for `runner`, every unfinished job whose server is gone (no heartbeat since
    `stale_before`): jobs are deterministic, so running one again gives the result it would have.

    A job whose stop was asked for is recorded as stopped; one already resumed `max_resumes` times
    (it may be what brings its server down) is failed with the reason. `runner`'s own jobs are left
    alone. Returns (the jobs queued again, the ids finished instead).
    """
    query = select(JobRow).where(JobRow.state.in_(("queued", "running"))).with_for_update()
    resumed, finished = [], []
    for row in session.scalars(query):
        last = row.heartbeat_at or row.created_at
        if row.runner == runner or last >= stale_before:
            continue
        seen = last.strftime("%Y-%m-%dT%H:%M:%SZ")
        if row.cancel_requested:
            row.state, row.finished_at, row.message = "cancelled", now, "stopped on request"
            finished.append(row.id)
        elif row.resumed >= max_resumes:
            row.error = (f"the server stopped while this job was {row.state} (last seen {seen}), "
                         f"{row.resumed + 1} times: the job may be what stops it; see the server's log "
                         "before starting it again")
            row.state, row.finished_at, row.message = "failed", now, "server stopped"
            finished.append(row.id)
        else:
            row.state, row.runner, row.heartbeat_at = "queued", runner, now
            row.started_at, row.progress, row.resumed = None, 0.0, row.resumed + 1
            row.message = f"resumed: queued again after the server stopped (last seen {seen})"
            resumed.append(row.id)
    session.flush()
    again = session.scalars(select(JobRow).where(JobRow.id.in_(resumed)).order_by(JobRow.id))
    return [job_record(r) for r in again], finished
