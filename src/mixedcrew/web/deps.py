"""What every feature shares: the principal a request acts as, the stored scenarios as every
feature reads them (`Library`), the audit row of what a principal did, and the pieces of every route
(ids, error shapes, templates).

The door (`access.guard`) puts the Principal on the request; `Who` hands it
to a route. Scopes and rights are checked by each feature's service.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, Generic, TypeVar
from urllib.parse import quote

import fastapi
from fastapi import Depends, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from pydantic import BaseModel, ConfigDict
from sqlalchemy.orm import Session

from mixedcrew import __version__
from mixedcrew.domain import Scenario
from mixedcrew.instants import format_day, format_instant
from mixedcrew.io.scenario_file import loads_scenario
from mixedcrew.web.errors import Forbidden, NotFound, Unauthenticated
from mixedcrew.web.manifest import ManifestCache, ManifestView

# re-exported for the routes; defined without FastAPI, as `mixedcrew users` imports it
from mixedcrew.web.principal import SCOPE_WORDS as SCOPE_WORDS
from mixedcrew.web.principal import SCOPES as SCOPES
from mixedcrew.web.principal import SESSION_SCOPES as SESSION_SCOPES
from mixedcrew.web.principal import Principal as Principal
from mixedcrew.web.principal import command_line_principal as command_line_principal
from mixedcrew.web.settings import WebSettings
from mixedcrew.web.storage import audit_log, history, records
from mixedcrew.web.storage.db import Database


def principal(request: Request) -> Principal:
    """The Principal the door let in (a route on a public path has none: 401)."""
    who = getattr(request.state, "principal", None)
    if who is None:
        raise Unauthenticated("log in first")
    return who  # type: ignore[no-any-return]


Who = Annotated[Principal, Depends(principal)]


# Ids are the Integer columns' values: 32-bit on PostgreSQL (the narrower backend). An id beyond
# them is refused with 422 before it reaches a query, where it would overflow the driver.
MAX_ID = 2**31 - 1
ScenarioId = Annotated[int, fastapi.Path(description="scenario id", ge=1, le=MAX_ID)]


class Out(BaseModel):
    model_config = ConfigDict(frozen=True)


class In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ErrorItem(Out):
    loc: list[str | int]
    msg: str
    type: str
    line: int | None = None


class ErrorOut(Out):
    detail: str | list[ErrorItem]


# The refusals every /api route can answer, for the OpenAPI document.
API_REFUSALS: dict[int | str, dict[str, object]] = {
    401: {"model": ErrorOut, "description": "no credential, or one unknown, expired or revoked"},
    403: {"model": ErrorOut, "description": "outside this user's rights (agency, scope, administrators)"},
    404: {"model": ErrorOut, "description": "unknown id"},
}


def audit_by(session: Session, who: Principal, now: Any, action: str, entity: str, **fields: Any) -> None:
    """An audit row for something `who` did."""
    audit_log.append_audit(session, at=now, actor=who.name, actor_id=who.user_id, agency=who.agency,
                              action=action, entity=entity, **fields)


class Library:
    """The stored scenarios as every feature reads them: parsed once per content, viewed once per
    revision, and who has a part in each. Reading a scenario needs the read scope and a part in it
    (an agency of the scenario, or an administrator)."""

    def __init__(self, settings: WebSettings, db: Database):
        self.db = db
        self.cache = ManifestCache(settings.cached_manifests)
        self.parsed: Lru[Scenario] = Lru(32)

    def head_scenario(self, scenario_id: int) -> tuple[int, Scenario]:
        """The head revision's number and Scenario (parsed once per content)."""
        with self.db.reading() as session:
            digest = history.revision_digest(session, scenario_id)
        if digest is None:
            raise NotFound("scenario", scenario_id)
        return digest[0], self.parsed_revision(scenario_id, digest[0], digest[1], digest[2])

    def parsed_revision(self, scenario_id: int, number: int, sha256: str, filename: str) -> Scenario:
        def parse() -> Scenario:
            with self.db.reading() as session:
                rev = history.get_revision(session, scenario_id, number)
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

    def scenarios(self, who: Principal) -> list[records.StoredScenario]:
        """The scenarios `who` has a part in, newest first."""
        who.need("read")
        with self.db.reading() as session:
            found = history.list_scenarios(session)
        return found if who.is_admin else [s for s in found if self.visible(who, s.id)]

    def scenario(self, who: Principal, scenario_id: int) -> records.StoredScenario:
        self.member(who, scenario_id)
        with self.db.reading() as session:
            found = history.get_scenario(session, scenario_id)
        if found is None:
            raise NotFound("scenario", scenario_id)
        return found

    def view(self, who: Principal, scenario_id: int, number: int | None = None,
             scope: str = "read") -> ManifestView:
        """The parsed, checked manifest of a revision; its bytes are read only when not cached."""
        self.member(who, scenario_id, scope)
        return self._view(scenario_id, number)

    def _view(self, scenario_id: int, number: int | None = None) -> ManifestView:
        with self.db.reading() as session:
            digest = history.revision_digest(session, scenario_id, number)
        if digest is None:
            raise NotFound("scenario" if number is None else "revision", scenario_id
                           if number is None else f"{scenario_id}/{number}")
        rev_number, sha, filename = digest
        return self.cache.get(sha, lambda: ManifestView.of(
            self.parsed_revision(scenario_id, rev_number, sha, filename)))

    def scenario_at(self, scenario_id: int, number: int) -> Scenario:
        return self._view(scenario_id, number).scenario


T = TypeVar("T")


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



def library(request: Request) -> Library:
    found: Library = request.app.state.library
    return found


def scenario_panels(request: Request, who: Principal, scenario_id: int) -> dict[str, Any]:
    """What other features show on a scenario's page (its jobs, its open proposals): each feature
    registers a panel in `app.state.scenario_panels`, so the scenario page imports none of them."""
    context: dict[str, Any] = {}
    for panel in request.app.state.scenario_panels:
        context.update(panel(request, who, scenario_id))
    return context


# A spreadsheet runs a cell that starts with one of these as a formula (=HYPERLINK(...)).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value: Any) -> Any:
    """A CSV cell that no spreadsheet runs: text starting like a formula gets a leading
    apostrophe, as OWASP recommends for CSV injection; numbers are left as they are."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def attachment(name: str) -> dict[str, str]:
    """A download's name, plain ASCII in `filename` and exact in RFC 5987's `filename*`."""
    plain = "".join(c if c.isascii() and c.isprintable() and c not in '"\\;' else "_" for c in name)
    exact = quote(name, safe="")
    return {"Content-Disposition": f"attachment; filename=\"{plain}\"; filename*=UTF-8''{exact}"}


templates = Jinja2Templates(directory=Path(__file__).resolve().parent / "templates")
templates.env.globals.update(version=__version__)
templates.env.filters.update(instant=format_instant, day=format_day,
                             json_text=lambda v: json.dumps(v, ensure_ascii=False, sort_keys=True))


STATE_WORDS = {"queued": "waiting", "running": "running", "succeeded": "done", "failed": "failed",
               "cancelled": "stopped"}
templates.env.globals.update(state_words=STATE_WORDS)


def render(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
    context.setdefault("who", getattr(request.state, "principal", None))
    if context["who"] is not None:
        # what the header shows from other features (proposals waiting for you), as scenario_panels
        for panel in getattr(request.app.state, "header_panels", ()):
            context.update(panel(request, context["who"]))
    return templates.TemplateResponse(request, name, context, status_code=status)


def error_page(request: Request, status: int, detail: object) -> HTMLResponse:
    lines = [d.get("text") or d.get("msg", "") for d in detail] if isinstance(detail, list) else [str(detail)]
    titles = {401: "Log in", 403: "Not allowed", 404: "Not found", 409: "Conflict", 413: "Too large",
              422: "Not accepted"}
    return render(request, "error.html", status, code=status, title=titles.get(status, "Error"),
                  lines=lines)


def mib(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MiB" if n >= 1024 * 1024 else f"{n // 1024} KiB"
