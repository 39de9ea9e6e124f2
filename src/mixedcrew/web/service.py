"""What the pages and the API both do, in domain words: upload, look up, start and stop jobs.

Routes translate these errors into HTTP: NotFound -> 404, Invalid -> 422,
TooLarge -> 413, Conflict -> 409.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from pydantic import ValidationError
from sqlalchemy.orm import Session

from mixedcrew.domain import Scenario
from mixedcrew.errors import ScenarioError
from mixedcrew.io.scenario_file import loads_scenario
from mixedcrew.web import store
from mixedcrew.web.db import Database
from mixedcrew.web.jobs import JobOutcome, JobRunner, Kinds, utcnow
from mixedcrew.web.manifest import ManifestCache, ManifestView
from mixedcrew.web.settings import WebSettings


class NotFound(LookupError):
    def __init__(self, what: str, ident: object):
        self.what, self.ident = what, ident
        super().__init__(f"no {what} {ident!r}")


@dataclass(frozen=True)
class FieldError:
    loc: tuple[str | int, ...]
    msg: str
    type: str
    line: int | None = None
    text: str | None = None  # the CLI's line: FILE:LINE: path: message

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"loc": list(self.loc), "msg": self.msg, "type": self.type}
        if self.line is not None:
            out["line"] = self.line
        if self.text is not None:
            out["text"] = self.text
        return out


class Invalid(ValueError):
    def __init__(self, errors: list[FieldError]):
        self.errors = errors
        super().__init__("; ".join(e.msg for e in errors))


class TooLarge(ValueError):
    def __init__(self, size: int, limit: int):
        self.size, self.limit = size, limit
        super().__init__(f"the file is {size} bytes; uploads may be at most {limit} bytes")


class Conflict(RuntimeError):
    pass


def scenario_problems(err: ScenarioError) -> list[FieldError]:
    return [FieldError(("body", "file", *([p.path] if p.path else [])), p.message, "scenario", p.line,
                       str(p)) for p in err.problems]


def clean_filename(name: str | None) -> str:
    """The uploaded file's own name; a name with a path or control characters is refused."""
    name = (name or "").strip() or "scenario.toml"
    bad = any(unicodedata.category(c).startswith("C") for c in name)
    if bad or "/" in name or "\\" in name or name in (".", "..") or len(name) > 255:
        raise Invalid([FieldError(("body", "file", "filename"), (
            f"file name {name[:80]!r} is not a plain file name: send the file's own name, "
            "without folders or control characters"), "filename")])
    return name


class Service:
    def __init__(self, settings: WebSettings, db: Database, kinds: Kinds):
        self.settings = settings
        self.db = db
        self.kinds = kinds
        self.cache = ManifestCache(settings.cached_manifests)
        self.runner = JobRunner(db, kinds, self.scenario_at, workers=settings.job_workers,
                                heartbeat_s=settings.heartbeat_s, stale_after_s=settings.stale_after_s,
                                save=self._save_output)

    # -- scenarios ---------------------------------------------------------------

    def _validated(self, filename: str | None, raw: bytes) -> tuple[str, Scenario]:
        if len(raw) > self.settings.max_upload_bytes:
            raise TooLarge(len(raw), self.settings.max_upload_bytes)
        name = clean_filename(filename)
        try:
            return name, loads_scenario(raw, name)
        except ScenarioError as err:
            raise Invalid(scenario_problems(err)) from None

    def upload(self, filename: str | None, raw: bytes) -> store.StoredScenario:
        """Validate and store a scenario file; its bytes are kept exactly as sent."""
        name, scenario = self._validated(filename, raw)
        title = (scenario.scenario.name or PurePosixPath(name).stem)[:200]
        with self.db.transaction() as session:
            return store.add_scenario(session, name=title, filename=name, source=raw, now=utcnow())

    def upload_revision(self, scenario_id: int, filename: str | None, raw: bytes) -> store.StoredRevision:
        """A new version of a stored scenario: appended, the earlier ones kept."""
        self.scenario(scenario_id)
        name, _ = self._validated(filename, raw)
        with self.db.transaction() as session:
            try:
                return store.add_revision(session, scenario_id, filename=name, source=raw, now=utcnow(),
                                          note="uploaded")
            except LookupError:
                raise NotFound("scenario", scenario_id) from None

    def revisions(self, scenario_id: int) -> list[store.StoredRevision]:
        self.scenario(scenario_id)
        with self.db.reading() as session:
            return store.list_revisions(session, scenario_id)

    def scenarios(self) -> list[store.StoredScenario]:
        with self.db.reading() as session:
            return store.list_scenarios(session)

    def scenario(self, scenario_id: int) -> store.StoredScenario:
        with self.db.reading() as session:
            found = store.get_scenario(session, scenario_id)
        if found is None:
            raise NotFound("scenario", scenario_id)
        return found

    def revision(self, scenario_id: int, number: int | None = None) -> store.StoredRevision:
        with self.db.reading() as session:
            rev = store.get_revision(session, scenario_id, number)
        if rev is None:
            raise NotFound("scenario" if number is None else "revision", scenario_id
                           if number is None else f"{scenario_id}/{number}")
        return rev

    def view(self, scenario_id: int, number: int | None = None) -> ManifestView:
        """The parsed, checked manifest of a revision; its bytes are read only when not cached."""
        with self.db.reading() as session:
            digest = store.revision_digest(session, scenario_id, number)
        if digest is None:
            self.revision(scenario_id, number)  # raises NotFound with the right words
        assert digest is not None

        def build() -> ManifestView:
            rev = self.revision(scenario_id, digest[0])
            return ManifestView.of(loads_scenario(rev.source, rev.filename))

        return self.cache.get(digest[1], build)

    def scenario_at(self, scenario_id: int, number: int) -> Scenario:
        return self.view(scenario_id, number).scenario

    # -- jobs -------------------------------------------------------------------

    def start_job(self, scenario_id: int, kind: str, params: dict[str, Any]) -> store.StoredJob:
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
        with self.db.transaction() as session:
            current = store.get_scenario(session, scenario_id)
            if current is None:
                raise NotFound("scenario", scenario_id)
            job = store.create_job(session, scenario_id=scenario_id, revision=current.head, kind=kind,
                                   params=checked.model_dump(mode="json", by_alias=True,
                                                             exclude_defaults=True),
                                   runner=self.runner.runner_id, now=utcnow())
        self.runner.submit(job)
        return job

    def job(self, job_id: int) -> store.StoredJob:
        with self.db.reading() as session:
            found = store.get_job(session, job_id)
        if found is None:
            raise NotFound("job", job_id)
        return found

    def jobs(self, scenario_id: int | None = None) -> list[store.StoredJob]:
        if scenario_id is not None:
            self.scenario(scenario_id)
        with self.db.reading() as session:
            return store.list_jobs(session, scenario_id)

    def cancel_job(self, job_id: int) -> store.StoredJob:
        with self.db.transaction() as session:
            job = store.request_cancel(session, job_id, now=utcnow())
        if job is None:
            raise NotFound("job", job_id)
        if job.finished and not job.cancel_requested:
            raise Conflict(f"job {job_id} has already {job.state}; there is nothing to stop")
        self.runner.cancel(job_id)
        return job

    def _save_output(self, session: Session, job: store.StoredJob, outcome: JobOutcome) -> int:
        assert outcome.scenario_toml is not None
        source = outcome.scenario_toml.encode("utf-8")
        name = outcome.scenario_name or f"{job.kind} of scenario {job.scenario_id} (job {job.id})"
        saved = store.add_scenario(session, name=name[:200], filename=f"{job.kind}-{job.id}.toml",
                                   source=source, now=utcnow(), note=f"made by job {job.id}")
        return saved.id


def problem_lines(errors: list[FieldError]) -> list[str]:
    return [e.text or e.msg for e in errors]


