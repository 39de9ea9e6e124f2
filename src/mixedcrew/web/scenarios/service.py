"""What the pages and the API both do, in domain words: upload, look up, start and stop jobs.

Every public method takes `who` (the Principal asking) and checks its
rights first. Routes translate the errors into HTTP (see `errors`):
Unauthenticated -> 401, Forbidden -> 403, NotFound -> 404, Invalid -> 422,
TooLarge -> 413, Conflict -> 409.
"""

from __future__ import annotations

import hashlib
import re
import threading
import unicodedata
from collections import OrderedDict
from collections.abc import Callable
from pathlib import PurePosixPath
from typing import Any, Generic, TypeVar

from pydantic import ValidationError
from sqlalchemy.orm import Session

from mixedcrew.domain import Scenario
from mixedcrew.errors import ScenarioError
from mixedcrew.io.scenario_file import loads_scenario
from mixedcrew.web.access import store as store_access
from mixedcrew.web.access.service import Accounts
from mixedcrew.web.deps import Principal
from mixedcrew.web.editing.service import Editing, audit_by
from mixedcrew.web.errors import Conflict, FieldError, Forbidden, Invalid, NotFound, TooLarge
from mixedcrew.web.jobs.runner import JobOutcome, JobRunner, Kinds, utcnow
from mixedcrew.web.manifest import ManifestCache, ManifestView
from mixedcrew.web.scenarios import store
from mixedcrew.web.settings import WebSettings
from mixedcrew.web.storage.db import Database

T = TypeVar("T")


def scenario_problems(err: ScenarioError) -> list[FieldError]:
    return [FieldError(("body", "file", *([p.path] if p.path else [])), p.message, "scenario", p.line,
                       str(p)) for p in err.problems]


def clean_filename(name: str | None) -> str:
    """The uploaded file's own name; a name with a path or control characters is refused."""
    name = (name or "").strip() or "scenario.toml"
    bad = any(unicodedata.category(c).startswith("C") for c in name)
    if bad or any(c in name for c in '/\\"') or name in (".", "..") or len(name) > 255:
        raise Invalid([FieldError(("body", "file", "filename"), (
            f"file name {name[:80]!r} is not a plain file name: send the file's own name, "
            "without folders or control characters"), "filename")])
    return name


def sent_filename(upload: Any) -> str | None:
    """The file name as the client sent it, for `clean_filename` to judge.

    The multipart parser cuts a Windows path ('C:\\dir\\x.toml' becomes 'x.toml'), and
    browsers percent-encode quotes and line breaks: a trick hidden either way is
    still seen, and refused.
    """
    name = upload.filename
    raw = upload.headers.get("content-disposition", "") if getattr(upload, "headers", None) else ""
    quoted = re.search(r'filename="((?:[^"\\]|\\.)*)"', raw)
    if quoted:  # headers arrive as Latin-1; the name in them is UTF-8
        text = quoted.group(1).encode("latin-1", "replace").decode("utf-8", "replace")
        name = re.sub(r"\\(.)", r"\1", text)
    if name is None:
        return None
    return re.sub(r"%(0[0-9a-fA-F]|1[0-9a-fA-F]|22|2[fF]|5[cC]|7[fF])",
                  lambda m: chr(int(m.group(1), 16)), name)


class Service:
    """What a request may do, checked against who asks (`who`), in domain words.

    Reading a scenario needs the read scope and a part in it (an agency of the
    scenario, or an administrator); changing one goes through `editing`.
    """

    def __init__(self, settings: WebSettings, db: Database, kinds: Kinds):
        self.settings = settings
        self.db = db
        self.kinds = kinds
        self.cache = ManifestCache(settings.cached_manifests)
        self.parsed: Lru[Scenario] = Lru(32)
        self.accounts = Accounts(db)
        self.editing = Editing(self)
        self.runner = JobRunner(db, kinds, self.scenario_at, workers=settings.job_workers,
                                heartbeat_s=settings.heartbeat_s, stale_after_s=settings.stale_after_s,
                                save=self._save_output)

    # -- who may see what ---------------------------------------------------------

    def head_scenario(self, scenario_id: int) -> tuple[int, Scenario]:
        """The head revision's number and Scenario (parsed once per content)."""
        with self.db.reading() as session:
            digest = store.revision_digest(session, scenario_id)
        if digest is None:
            raise NotFound("scenario", scenario_id)
        return digest[0], self.parsed_revision(scenario_id, digest[0], digest[1], digest[2])

    def parsed_revision(self, scenario_id: int, number: int, sha256: str, filename: str) -> Scenario:
        def parse() -> Scenario:
            with self.db.reading() as session:
                rev = store.get_revision(session, scenario_id, number)
            assert rev is not None
            return loads_scenario(rev.source, filename)

        return self.parsed.get(sha256, parse)

    def member(self, who: Principal, scenario_id: int, scope: str = "read") -> None:
        """Forbidden unless `who` has `scope` and a part in the scenario; NotFound when there is none."""
        who.need(scope)
        _, scenario = self.head_scenario(scenario_id)
        if not who.is_admin and who.agency not in scenario.agency_by_id:
            raise Forbidden(f"{who.name} is a user of {who.agency}, which has no part in scenario "
                            f"{scenario_id} (its agencies: {', '.join(sorted(scenario.agency_by_id))})")

    def visible(self, who: Principal, scenario_id: int) -> bool:
        try:
            self.member(who, scenario_id)
        except (Forbidden, NotFound):
            return False
        return True

    # -- scenarios ---------------------------------------------------------------

    def _validated(self, filename: str | None, raw: bytes) -> tuple[str, Scenario]:
        if len(raw) > self.settings.max_upload_bytes:
            raise TooLarge(len(raw), self.settings.max_upload_bytes)
        name = clean_filename(filename)
        try:
            return name, loads_scenario(raw, name)
        except ScenarioError as err:
            raise Invalid(scenario_problems(err)) from None

    def upload(self, who: Principal, filename: str | None, raw: bytes) -> store.StoredScenario:
        """Validate and store a scenario file; its bytes are kept exactly as sent. Administrators only."""
        who.need("write")
        who.need_admin("upload scenario files (a file sets every agency's part at once)")
        name, scenario = self._validated(filename, raw)
        title = (scenario.scenario.name or PurePosixPath(name).stem)[:200]
        now = utcnow()
        with self.db.transaction() as session:
            saved = store.add_scenario(session, name=title, filename=name, source=raw, now=now)
            audit_file(session, who, saved.id, 1, "upload", raw, name, now)
        self.parsed.put(hashlib.sha256(raw).hexdigest(), scenario)
        return saved

    def upload_revision(self, who: Principal, scenario_id: int, filename: str | None,
                        raw: bytes) -> store.StoredRevision:
        """A new version of a stored scenario: appended, the earlier ones kept. Administrators only."""
        who.need("write")
        who.need_admin("upload scenario files (a file sets every agency's part at once)")
        self.scenario(who, scenario_id)
        name, scenario = self._validated(filename, raw)
        now = utcnow()
        with self.db.transaction() as session:
            if store.lock_scenario(session, scenario_id) is None:
                raise NotFound("scenario", scenario_id)
            rev = store.add_revision(session, scenario_id, filename=name, source=raw, now=now,
                                     note="uploaded")
            audit_file(session, who, scenario_id, rev.number, "revision", raw, name, now)
        self.parsed.put(rev.sha256, scenario)
        return rev

    def revisions(self, who: Principal, scenario_id: int) -> list[store.StoredRevision]:
        self.member(who, scenario_id)
        with self.db.reading() as session:
            return store.list_revisions(session, scenario_id)

    def scenarios(self, who: Principal) -> list[store.StoredScenario]:
        """The scenarios `who` has a part in, newest first."""
        who.need("read")
        with self.db.reading() as session:
            found = store.list_scenarios(session)
        return found if who.is_admin else [s for s in found if self.visible(who, s.id)]

    def scenario(self, who: Principal, scenario_id: int) -> store.StoredScenario:
        self.member(who, scenario_id)
        with self.db.reading() as session:
            found = store.get_scenario(session, scenario_id)
        if found is None:
            raise NotFound("scenario", scenario_id)
        return found

    def revision(self, who: Principal, scenario_id: int, number: int | None = None,
                 scope: str = "read") -> store.StoredRevision:
        self.member(who, scenario_id, scope)
        with self.db.reading() as session:
            rev = store.get_revision(session, scenario_id, number)
        if rev is None:
            raise NotFound("scenario" if number is None else "revision", scenario_id
                           if number is None else f"{scenario_id}/{number}")
        return rev

    def view(self, who: Principal, scenario_id: int, number: int | None = None,
             scope: str = "read") -> ManifestView:
        """The parsed, checked manifest of a revision; its bytes are read only when not cached."""
        self.member(who, scenario_id, scope)
        return self._view(scenario_id, number)

    def _view(self, scenario_id: int, number: int | None = None) -> ManifestView:
        with self.db.reading() as session:
            digest = store.revision_digest(session, scenario_id, number)
        if digest is None:
            raise NotFound("scenario" if number is None else "revision", scenario_id
                           if number is None else f"{scenario_id}/{number}")
        rev_number, sha, filename = digest
        return self.cache.get(sha, lambda: ManifestView.of(
            self.parsed_revision(scenario_id, rev_number, sha, filename)))

    def scenario_at(self, scenario_id: int, number: int) -> Scenario:
        return self._view(scenario_id, number).scenario

    # -- jobs -------------------------------------------------------------------

    def start_job(self, who: Principal, scenario_id: int, kind: str,
                  params: dict[str, Any]) -> store.StoredJob:
        self.member(who, scenario_id, "write")
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
            current = store.get_scenario(session, scenario_id)
            if current is None:
                raise NotFound("scenario", scenario_id)
            job = store.create_job(session, scenario_id=scenario_id, revision=current.head, kind=kind,
                                   params=checked.model_dump(mode="json", by_alias=True,
                                                             exclude_defaults=True),
                                   runner=self.runner.runner_id, now=now)
            audit_by(session, who, now, "job.start", f"job:{job.id}", scenario_id=scenario_id,
                     after={"kind": kind, "params": job.params, "revision": job.revision})
        self.runner.submit(job)
        return job

    def job(self, who: Principal, job_id: int, scope: str = "read") -> store.StoredJob:
        who.need(scope)
        with self.db.reading() as session:
            found = store.get_job(session, job_id)
        if found is None:
            raise NotFound("job", job_id)
        self.member(who, found.scenario_id, scope)
        return found

    def jobs(self, who: Principal, scenario_id: int | None = None) -> list[store.StoredJob]:
        if scenario_id is not None:
            self.member(who, scenario_id)
        who.need("read")
        with self.db.reading() as session:
            found = store.list_jobs(session, scenario_id)
        if who.is_admin or scenario_id is not None:
            return found
        seen: dict[int, bool] = {}
        return [j for j in found if seen.setdefault(j.scenario_id, self.visible(who, j.scenario_id))]

    def cancel_job(self, who: Principal, job_id: int) -> store.StoredJob:
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

    def _save_output(self, session: Session, job: store.StoredJob, outcome: JobOutcome) -> int:
        assert outcome.scenario_toml is not None
        source = outcome.scenario_toml.encode("utf-8")
        name = outcome.scenario_name or f"{job.kind} of scenario {job.scenario_id} (job {job.id})"
        now = utcnow()
        saved = store.add_scenario(session, name=name[:200], filename=f"{job.kind}-{job.id}.toml",
                                   source=source, now=now, note=f"made by job {job.id}")
        store_access.append_audit(session, at=now, actor=f"job {job.id}", action="upload",
                                  entity=f"scenario:{saved.id}", scenario_id=saved.id, revision=1,
                                  after=file_facts(source, saved.filename), keys=["*"],
                                  note=f"saved by the {job.kind} job {job.id} of scenario {job.scenario_id}")
        return saved.id


def file_facts(raw: bytes, filename: str) -> dict[str, Any]:
    return {"filename": filename, "size": len(raw), "sha256": hashlib.sha256(raw).hexdigest()}


def audit_file(session: Session, who: Principal, scenario_id: int, number: int, action: str, raw: bytes,
               filename: str, now: Any) -> None:
    """A whole file stored: it touches everything, so every older proposal becomes stale."""
    audit_by(session, who, now, action, f"scenario:{scenario_id}", scenario_id=scenario_id, revision=number,
             after=file_facts(raw, filename), keys=["*"])


class Lru(Generic[T]):
    """The last few values by key (content hashes), shared by request threads."""

    def __init__(self, size: int):
        self.size = size
        self._items: OrderedDict[str, T] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str, build: Callable[[], T]) -> T:
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        value = build()  # outside the lock: a slow parse must not hold up other requests
        self.put(key, value)
        return value

    def put(self, key: str, value: T) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)


def problem_lines(errors: list[FieldError]) -> list[str]:
    return [e.text or e.msg for e in errors]


