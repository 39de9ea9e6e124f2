"""What the job pages and API do: start a job on a scenario's head, read it, stop it; a job's
manifest stored as a new scenario.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError
from sqlalchemy.orm import Session

from mixedcrew.web.deps import Library, Principal, audit_by
from mixedcrew.web.errors import Conflict, FieldError, Invalid, NotFound, QuotaExceeded
from mixedcrew.web.jobs import store
from mixedcrew.web.jobs.runner import JobOutcome, JobRunner, Kinds
from mixedcrew.web.settings import WebSettings
from mixedcrew.web.storage import audit_log, history, records
from mixedcrew.web.storage.audit_log import file_facts
from mixedcrew.web.storage.db import Database
from mixedcrew.web.storage.records import utcnow


class Jobs:
    """Starting, reading and stopping jobs of a scenario, checked against who asks (`who`)."""

    def __init__(self, settings: WebSettings, db: Database, kinds: Kinds, library: Library):
        self.settings = settings
        self.db = db
        self.kinds = kinds
        self.library = library
        self.runner = JobRunner(db, kinds, library.scenario_at, workers=settings.job_workers,
                                heartbeat_s=settings.heartbeat_s, stale_after_s=settings.stale_after_s,
                                save=self._save_output)

    def start_job(self, who: Principal, scenario_id: int, kind: str,
                  params: dict[str, Any]) -> records.StoredJob:
        self.library.member(who, scenario_id, "write")
        if kind not in self.kinds:
            raise Invalid([FieldError(("body", "kind"), (
                f"unknown job kind {kind!r}: the kinds are {', '.join(self.kinds)}"), "value_error")])
        why = self.kinds[kind].unavailable()
        if why:
            raise Invalid([FieldError(("body", "kind"), f"{kind} jobs cannot run here: {why}",
                                      "unavailable")])
        try:
            checked = self.kinds[kind].params.model_validate(params)
        except ValidationError as err:
            raise Invalid([FieldError(("body", "params", *e["loc"]), e["msg"].removeprefix("Value error, "),
                                      e["type"])
                           for e in err.errors(include_url=False)]) from None
        now = utcnow()
        with self.db.transaction() as session:
            current = history.get_scenario(session, scenario_id)
            if current is None:
                raise NotFound("scenario", scenario_id)
            self._within_quota(session, who)
            job = store.create_job(session, scenario_id=scenario_id, revision=current.head, kind=kind,
                                   params=checked.model_dump(mode="json", by_alias=True,
                                                             exclude_defaults=True),
                                   runner=self.runner.runner_id, now=now)
            audit_by(session, who, now, "job.start", f"job:{job.id}", scenario_id=scenario_id,
                     after={"kind": kind, "params": job.params, "revision": job.revision})
        self.runner.submit(job)
        return job

    def _within_quota(self, session: Session, who: Principal) -> None:
        """QuotaExceeded (429) when this user, or their agency, has too many jobs queued or running."""
        per_user, per_agency = self.settings.max_jobs_per_user, self.settings.max_jobs_per_agency
        if who.user_id is not None and store.active_jobs(session, actor_id=who.user_id) >= per_user:
            raise QuotaExceeded("jobs per user", per_user, (
                f"quota 'jobs per user' reached: {who.name} has {per_user} jobs queued or running; "
                "wait for one to finish or stop one"))
        if who.agency is not None and store.active_jobs(session, agency=who.agency) >= per_agency:
            raise QuotaExceeded("jobs per agency", per_agency, (
                f"quota 'jobs per agency' reached: {who.agency} has {per_agency} jobs queued or "
                "running; wait for one to finish"))
        queued = self.settings.max_queued_jobs
        if not who.is_admin and store.queued_jobs(session) >= queued:
            raise QuotaExceeded("queued jobs", queued, (
                f"quota 'queued jobs' reached: {queued} jobs are waiting for a worker; try again "
                "when one has started (administrators' jobs are still taken)"))

    def job(self, who: Principal, job_id: int, scope: str = "read") -> records.StoredJob:
        who.need(scope)
        with self.db.reading() as session:
            found = store.get_job(session, job_id)
        if found is None:
            raise NotFound("job", job_id)
        self.library.member(who, found.scenario_id, scope)
        return found

    def jobs(self, who: Principal, scenario_id: int | None = None) -> list[records.StoredJob]:
        if scenario_id is not None:
            self.library.member(who, scenario_id)
        who.need("read")
        with self.db.reading() as session:
            found = store.list_jobs(session, scenario_id)
        if who.is_admin or scenario_id is not None:
            return found
        seen: dict[int, bool] = {}
        return [j for j in found if seen.setdefault(j.scenario_id, self.library.visible(who, j.scenario_id))]

    def cancel_job(self, who: Principal, job_id: int) -> records.StoredJob:
        self.job(who, job_id, "write")
        now = utcnow()
        with self.db.transaction() as session:
            job = store.request_cancel(session, job_id, now=now)
            if job is None:
                raise NotFound("job", job_id)
            if job.finished and not job.cancel_requested:
                raise Conflict(f"job {job_id} has already {job.state}; there is nothing to stop")
            audit_by(session, who, now, "job.stop", f"job:{job_id}", scenario_id=job.scenario_id,
                     after={"state": job.state, "cancel_requested": True})
        self.runner.cancel(job_id)
        return job

    def _save_output(self, session: Session, job: records.StoredJob, outcome: JobOutcome) -> int:
        assert outcome.scenario_toml is not None
        source = outcome.scenario_toml.encode("utf-8")
        name = outcome.scenario_name or f"{job.kind} of scenario {job.scenario_id} (job {job.id})"
        now = utcnow()
        saved = history.add_scenario(session, name=name[:200], filename=f"{job.kind}-{job.id}.toml",
                                   source=source, now=now, note=f"made by job {job.id}")
        audit_log.append_audit(session, at=now, actor=f"job {job.id}", action="upload",
                                  entity=f"scenario:{saved.id}", scenario_id=saved.id, revision=1,
                                  after=file_facts(source, saved.filename), keys=["*"],
                                  note=f"saved by the {job.kind} job {job.id} of scenario {job.scenario_id}")
        return saved.id
