"""Long work as jobs: recorded in the database, run on worker threads, stoppable.

A job kind is a function `run(scenario, params, ctx) -> JobOutcome` with a
pydantic model for its parameters. `ctx.progress(fraction, message)` stores
progress (throttled) and raises `JobCancelled` once a stop was asked for;
long loops should call it, or poll `ctx.cancelled`. Kinds are passed to
the app (see `default_kinds`), so tests and later modules add their own.

Every state change is a row update guarded by the state it expects, so a
job that a sweep has marked failed (its server was gone) is never revived.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
import traceback
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from pydantic import BaseModel
from sqlalchemy.orm import Session

from mixedcrew.domain import Scenario
from mixedcrew.errors import JobError, MixedcrewError
from mixedcrew.web.jobs import store
from mixedcrew.web.storage import records
from mixedcrew.web.storage.db import Database
from mixedcrew.web.storage.records import utcnow

log = logging.getLogger("mixedcrew.web.jobs")


class JobCancelled(Exception):
    """Raised inside a job by `ctx.progress` once a stop was asked for."""


@dataclass(frozen=True)
class JobOutcome:
    result: dict[str, Any]
    message: str = "done"
    # A manifest to store as a new scenario (e.g. a plan), and its name.
    scenario_toml: str | None = None
    scenario_name: str | None = None


class JobContext:
    """What a running job sees: progress reporting and the stop signal."""

    def __init__(self, job_id: int, report: Callable[[float, str | None], bool],
                 stop: threading.Event, min_interval_s: float = 0.5):
        self.job_id = job_id
        self._report = report
        self.stop = stop
        self._min_interval = min_interval_s
        self._last = 0.0

    @property
    def cancelled(self) -> bool:
        return self.stop.is_set()

    def raise_if_cancelled(self) -> None:
        if self.stop.is_set():
            raise JobCancelled()

    def progress(self, fraction: float, message: str | None = None, *, force: bool = False) -> None:
        """Record progress in [0, 1]; stored at most every `min_interval_s` unless forced."""
        self.raise_if_cancelled()
        now = time.monotonic()
        if force or now - self._last >= self._min_interval:
            self._last = now
            if self._report(fraction, message):
                self.stop.set()
        self.raise_if_cancelled()


JobFn = Callable[[Scenario, dict[str, Any], JobContext], JobOutcome]


@dataclass(frozen=True)
class JobKind:
    name: str
    title: str
    description: str
    run: JobFn
    params: type[BaseModel]
    # None when the kind can run here; otherwise why not (e.g. a module missing).
    unavailable: Callable[[], str | None] = field(default=lambda: None)


Kinds = Mapping[str, JobKind]


class JobRunner:
    """Runs a server's jobs on a small thread pool and keeps their rows alive."""

    def __init__(self, db: Database, kinds: Kinds, load: Callable[[int, int], Scenario], *,
                 workers: int = 2, heartbeat_s: float = 5.0, stale_after_s: float = 30.0,
                 save: Callable[[Session, records.StoredJob, JobOutcome], int] | None = None,
                 max_resumes: int = 3):
        self.db = db
        self.kinds = kinds
        self.load = load  # (scenario id, revision) -> Scenario
        self.save = save  # stores a job's manifest as a scenario (same transaction), returns its id
        self.runner_id = uuid.uuid4().hex
        self.heartbeat_s = heartbeat_s
        self.stale_after_s = stale_after_s
        self.max_resumes = max_resumes
        # Daemon threads, not an executor: a solver that ignores a stop must not keep
        # the process alive after shutdown (its job is already marked failed by then).
        self._queue: queue.SimpleQueue[tuple[records.StoredJob, threading.Event] | None] = queue.SimpleQueue()
        self._workers = [threading.Thread(target=self._work, name=f"mixedcrew-job-{i}", daemon=True)
                         for i in range(max(1, workers))]
        self._stops: dict[int, threading.Event] = {}
        self._running: set[int] = set()
        self._lock = threading.Lock()
        self._closing = threading.Event()
        self._beat: threading.Thread | None = None

    # -- lifecycle --------------------------------------------------------------

    def start(self) -> list[int]:
        """Queue again the jobs a dead server left unfinished, then start the workers and heartbeat."""
        touched = self.sweep(stale_after_s=0.0)
        for worker in self._workers:
            worker.start()
        self._beat = threading.Thread(target=self._beat_loop, name="mixedcrew-heartbeat", daemon=True)
        self._beat.start()
        return touched

    def close(self, wait_s: float = 5.0) -> None:
        """Ask every job to stop, wait a little, and fail those still running."""
        self._closing.set()
        with self._lock:
            stops = list(self._stops.values())
        for ev in stops:
            ev.set()
        for _ in self._workers:
            self._queue.put(None)
        deadline = time.monotonic() + wait_s
        while time.monotonic() < deadline and self._active():
            time.sleep(0.05)
        with self.db.transaction() as session:
            store.fail_runner_jobs(session, runner=self.runner_id, now=utcnow(),
                                   error="the server shut down before this job finished; start it again")
        if self._beat is not None:
            self._beat.join(timeout=self.heartbeat_s + 1)

    def _active(self) -> list[int]:
        with self._lock:
            return list(self._running)

    def sweep(self, stale_after_s: float | None = None) -> list[int]:
        """Take over the unfinished jobs of servers that stopped: queued again here (see
        `store.resume_orphaned_jobs`). Returns the ids touched."""
        stale = self.stale_after_s if stale_after_s is None else stale_after_s
        now = utcnow()
        with self.db.transaction() as session:
            resumed, finished = store.resume_orphaned_jobs(
                session, now=now, stale_before=now - timedelta(seconds=stale), runner=self.runner_id,
                max_resumes=self.max_resumes)
        for job in resumed:
            self.submit(job)
        if resumed:
            log.warning("queued again %d job(s) left unfinished by a stopped server: %s", len(resumed),
                        [j.id for j in resumed])
        if finished:
            log.warning("finished %d job(s) left by a stopped server (stopped on request, or resumed "
                        "too often): %s", len(finished), finished)
        return [j.id for j in resumed] + finished

    def _beat_loop(self) -> None:
        while not self._closing.wait(self.heartbeat_s):
            try:
                with self.db.transaction() as session:
                    stop_ids = store.heartbeat(session, runner=self.runner_id, now=utcnow())
                for job_id in stop_ids:
                    self.cancel(job_id)
                self.sweep()
            except Exception:  # a database hiccup must not end the heartbeat
                log.exception("job heartbeat failed")

    # -- jobs -------------------------------------------------------------------

    def submit(self, job: records.StoredJob) -> None:
        if self._closing.is_set():
            return  # its row stays queued; close() marks it failed
        stop = threading.Event()
        with self._lock:
            self._stops[job.id] = stop
        self._queue.put((job, stop))

    def _work(self) -> None:
        while True:
            item = self._queue.get()
            if item is None or self._closing.is_set():
                return
            self._run(*item)

    def cancel(self, job_id: int) -> None:
        with self._lock:
            stop = self._stops.get(job_id)
        if stop is not None:
            stop.set()

    def _run(self, job: records.StoredJob, stop: threading.Event) -> None:
        with self._lock:
            self._running.add(job.id)
        try:
            with self.db.transaction() as session:
                if not store.start_job(session, job.id, runner=self.runner_id, now=utcnow()):
                    return  # cancelled while queued
            self._execute(job, stop)
        except Exception:
            log.exception("job %s: could not record its outcome", job.id)
        finally:
            with self._lock:
                self._stops.pop(job.id, None)
                self._running.discard(job.id)

    def _execute(self, job: records.StoredJob, stop: threading.Event) -> None:
        def report(fraction: float, message: str | None) -> bool:
            with self.db.transaction() as session:
                return store.record_progress(session, job.id, progress=fraction, message=message,
                                             now=utcnow())

        ctx = JobContext(job.id, report, stop)
        kind = self.kinds[job.kind]
        try:
            outcome = kind.run(self.load(job.scenario_id, job.revision), job.params, ctx)
        except JobCancelled:
            return self._finish(job.id, "cancelled", "stopped on request")
        except (JobError, MixedcrewError) as err:
            return self._finish(job.id, "failed", "failed", error=str(err))
        except Exception as err:
            log.error("job %s (%s) crashed:\n%s", job.id, job.kind, traceback.format_exc())
            return self._finish(job.id, "failed", "failed",
                                error=f"internal error in the {job.kind} job: {type(err).__name__}: {err}")
        if stop.is_set():
            return self._finish(job.id, "cancelled", "stopped on request")
        self._finish(job.id, "succeeded", outcome.message, result=outcome.result, job=job, outcome=outcome)

    def _finish(self, job_id: int, state: str, message: str, *, result: dict[str, Any] | None = None,
                error: str | None = None, job: records.StoredJob | None = None,
                outcome: JobOutcome | None = None) -> None:
        """Record the end; a manifest the job made is stored in the same transaction, or not at all."""
        with self.db.transaction() as session:
            # The job's row first (as stopping one does), then the manifest and its audit entry.
            if not store.finish_job(session, job_id, state=state, now=utcnow(), message=message,
                                    result=result, error=error, runner=self.runner_id):
                return  # no longer this server's job (taken over after it was thought dead)
            if job is not None and outcome is not None and outcome.scenario_toml and self.save:
                store.set_output(session, job_id, self.save(session, job, outcome))
