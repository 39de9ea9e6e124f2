"""What the scenario pages and API do, in domain words: upload files and their revisions, list them.

Every public method takes `who` (the Principal asking) and checks its
rights first. Routes translate the errors into HTTP (see `errors` and `app`).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from pathlib import PurePosixPath
from typing import Any

from sqlalchemy.orm import Session

from mixedcrew.domain import Scenario
from mixedcrew.errors import ScenarioError
from mixedcrew.io.scenario_file import loads_scenario
from mixedcrew.web.deps import Library, Principal, audit_by
from mixedcrew.web.errors import FieldError, Invalid, NotFound, TooLarge
from mixedcrew.web.manifest import ManifestView
from mixedcrew.web.scenarios import store
from mixedcrew.web.settings import WebSettings
from mixedcrew.web.storage import history, records
from mixedcrew.web.storage.audit_log import file_facts
from mixedcrew.web.storage.db import Database
from mixedcrew.web.storage.records import utcnow


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


class Scenarios:
    """Uploads and revisions of scenario files, checked against who asks (`who`), in domain words.

    Reading goes through the shared `Library`; changing people, seats and flights is `editing`'s.
    """

    def __init__(self, settings: WebSettings, db: Database, library: Library):
        self.settings = settings
        self.db = db
        self.library = library

    def scenarios(self, who: Principal) -> list[records.StoredScenario]:
        return self.library.scenarios(who)

    def scenario(self, who: Principal, scenario_id: int) -> records.StoredScenario:
        return self.library.scenario(who, scenario_id)

    def view(self, who: Principal, scenario_id: int, number: int | None = None,
             scope: str = "read") -> ManifestView:
        return self.library.view(who, scenario_id, number, scope)

    def _validated(self, filename: str | None, raw: bytes) -> tuple[str, Scenario]:
        if len(raw) > self.settings.max_upload_bytes:
            raise TooLarge(len(raw), self.settings.max_upload_bytes)
        name = clean_filename(filename)
        try:
            return name, loads_scenario(raw, name)
        except ScenarioError as err:
            raise Invalid(scenario_problems(err)) from None

    def upload(self, who: Principal, filename: str | None, raw: bytes) -> records.StoredScenario:
        """Validate and store a scenario file; its bytes are kept exactly as sent. Administrators only."""
        who.need("write")
        who.need_admin("upload scenario files (a file sets every agency's part at once)")
        name, scenario = self._validated(filename, raw)
        title = (scenario.scenario.name or PurePosixPath(name).stem)[:200]
        now = utcnow()
        with self.db.transaction() as session:
            saved = history.add_scenario(session, name=title, filename=name, source=raw, now=now)
            audit_file(session, who, saved.id, 1, "upload", raw, name, now)
        self.library.parsed.put(hashlib.sha256(raw).hexdigest(), scenario)
        return saved

    def upload_revision(self, who: Principal, scenario_id: int, filename: str | None,
                        raw: bytes) -> records.StoredRevision:
        """A new version of a stored scenario: appended, the earlier ones kept. Administrators only."""
        who.need("write")
        who.need_admin("upload scenario files (a file sets every agency's part at once)")
        self.library.scenario(who, scenario_id)
        name, scenario = self._validated(filename, raw)
        now = utcnow()
        with self.db.transaction() as session:
            if history.lock_scenario(session, scenario_id) is None:
                raise NotFound("scenario", scenario_id)
            rev = history.add_revision(session, scenario_id, filename=name, source=raw, now=now,
                                     note="uploaded")
            audit_file(session, who, scenario_id, rev.number, "revision", raw, name, now)
        self.library.parsed.put(rev.sha256, scenario)
        return rev

    def revisions(self, who: Principal, scenario_id: int) -> list[records.StoredRevision]:
        self.library.member(who, scenario_id)
        with self.db.reading() as session:
            return store.list_revisions(session, scenario_id)

    def revision(self, who: Principal, scenario_id: int, number: int | None = None,
                 scope: str = "read") -> records.StoredRevision:
        self.library.member(who, scenario_id, scope)
        with self.db.reading() as session:
            rev = history.get_revision(session, scenario_id, number)
        if rev is None:
            raise NotFound("scenario" if number is None else "revision", scenario_id
                           if number is None else f"{scenario_id}/{number}")
        return rev


def audit_file(session: Session, who: Principal, scenario_id: int, number: int, action: str, raw: bytes,
               filename: str, now: Any) -> None:
    """A whole file stored: it touches everything, so every older proposal becomes stale."""
    audit_by(session, who, now, action, f"scenario:{scenario_id}", scenario_id=scenario_id, revision=number,
             after=file_facts(raw, filename), keys=["*"])


def problem_lines(errors: list[FieldError]) -> list[str]:
    return [e.text or e.msg for e in errors]
