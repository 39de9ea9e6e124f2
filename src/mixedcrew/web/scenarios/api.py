"""The scenario API under /api: upload, revisions, the manifest views, checks and exports.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Query, Request, Response, UploadFile
from fastapi.responses import JSONResponse

from mixedcrew.instants import to_instant
from mixedcrew.summary import aboard_snapshot
from mixedcrew.web.deps import (
    API_REFUSALS,
    MAX_ID,
    ErrorOut,
    Principal,
    ScenarioId,
    Who,
    attachment,
)
from mixedcrew.web.errors import FieldError, Invalid, NotFound
from mixedcrew.web.manifest import FIGURES, ManifestView, violation_json
from mixedcrew.web.scenarios.exports import CSV_FILES, agency_calendar, manifest_json, person_calendar
from mixedcrew.web.scenarios.schemas import (
    CheckOut,
    ExportLink,
    ExportsOut,
    Facts,
    LedgerOut,
    RevisionOut,
    ScenarioDetail,
    ScenarioOut,
)
from mixedcrew.web.scenarios.service import Scenarios, sent_filename
from mixedcrew.web.storage.records import StoredRevision

router = APIRouter(prefix="/api", responses=API_REFUSALS)


def service(request: Request) -> Scenarios:
    found: Scenarios = request.app.state.scenarios
    return found


def feed_scope(who: Principal) -> str:
    """A calendar feed is read with the read scope, or with a calendar-only token."""
    return "calendar" if who.can("calendar") and not who.can("read") else "read"


@router.get("/scenarios", tags=["scenarios"], summary="Stored scenarios, newest first")
def list_scenarios(request: Request, who: Who) -> list[ScenarioOut]:
    return [ScenarioOut.of(s) for s in service(request).scenarios(who)]


@router.post("/scenarios", status_code=201, tags=["scenarios"], summary="Upload a scenario file (TOML)",
             responses={413: {"model": ErrorOut, "description": "file over the upload limit"},
                        422: {"model": ErrorOut, "description": "problems, one per field, with lines"}})
def upload_scenario(
    request: Request, who: Who, file: Annotated[UploadFile, File(description="scenario file, TOML, UTF-8")],
) -> ScenarioOut:
    svc = service(request)
    raw = file.file.read(svc.settings.max_upload_bytes + 1)
    return ScenarioOut.of(svc.upload(who, sent_filename(file), raw))


@router.get("/scenarios/{scenario_id}", tags=["scenarios"], summary="A scenario and its headline facts")
def get_scenario(request: Request, who: Who, scenario_id: ScenarioId) -> ScenarioDetail:
    svc = service(request)
    stored, view = svc.scenario(who, scenario_id), svc.view(who, scenario_id)
    s = view.summary
    facts = Facts(flights=s.flights, people=s.people, rides=s.rides, first=s.first, last=s.last,
                  peak_aboard=s.peak[0] if s.peak else None, violations=len(view.violations),
                  by_rule=s.violations)
    return ScenarioDetail(**ScenarioOut.of(stored).model_dump(), facts=facts, bars=view.bars)


@router.get("/scenarios/{scenario_id}/source", tags=["scenarios"], response_class=Response,
            summary="The file exactly as uploaded",
            responses={200: {"content": {"application/toml": {}}}})
def download_source(request: Request, who: Who, scenario_id: ScenarioId,
                    revision: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None) -> Response:
    rev = service(request).revision(who, scenario_id, revision)
    return Response(rev.source, media_type="application/toml", headers=attachment(rev.filename))


@router.get("/scenarios/{scenario_id}/revisions", tags=["scenarios"],
            summary="Every stored version of a scenario, latest first")
def list_revisions(request: Request, who: Who, scenario_id: ScenarioId) -> list[RevisionOut]:
    return [RevisionOut.of(r) for r in service(request).revisions(who, scenario_id)]


@router.post("/scenarios/{scenario_id}/revisions", status_code=201, tags=["scenarios"],
             summary="Upload a new version of a scenario (the earlier ones are kept)",
             responses={413: {"model": ErrorOut, "description": "file over the upload limit"},
                        422: {"model": ErrorOut, "description": "problems, one per field, with lines"}})
def upload_revision(
    request: Request, who: Who, scenario_id: ScenarioId,
    file: Annotated[UploadFile, File(description="scenario file, TOML, UTF-8")],
) -> RevisionOut:
    svc = service(request)
    raw = file.file.read(svc.settings.max_upload_bytes + 1)
    return RevisionOut.of(svc.upload_revision(who, scenario_id, sent_filename(file), raw))


@router.get("/scenarios/{scenario_id}/check", tags=["manifest"], summary="Violations, as `mixedcrew check`")
def check_scenario(request: Request, who: Who, scenario_id: ScenarioId) -> CheckOut:
    view = service(request).view(who, scenario_id)
    return CheckOut(violations=[violation_json(v) for v in view.violations],
                    summary=view.report.as_json()["summary"])


@router.get("/scenarios/{scenario_id}/figures/{name}", tags=["manifest"],
            summary="A chart as plotly JSON: stays (by person), ports, aboard",
            responses={200: {"content": {"application/json": {}}}})
def figure(request: Request, who: Who, scenario_id: ScenarioId, name: str) -> Response:
    view = service(request).view(who, scenario_id)
    if name not in FIGURES:
        raise NotFound("figure", name)
    return Response(view.figure_json(name), media_type="application/json")


@router.get("/scenarios/{scenario_id}/ledgers", tags=["manifest"], summary="Seat-exchange ledgers")
def get_ledgers(request: Request, who: Who, scenario_id: ScenarioId) -> list[LedgerOut]:
    view = service(request).view(who, scenario_id)
    return [LedgerOut(agreement=lg.agreement, parties=list(lg.parties), per_year=lg.per_year,
                      totals=lg.totals,
                      flights=[{"flight": r.flight, "label": r.label, "launch": r.launch.isoformat(),
                                "vehicle_type": r.vehicle_type, "party": r.party, "seats": r.seats}
                               for r in lg.flights]) for lg in view.ledgers]


@router.get("/scenarios/{scenario_id}/timeline", tags=["manifest"], response_class=Response,
            summary="The station's spans: who is aboard, docked vehicles and ports, lifeboat seats",
            responses={200: {"content": {"application/json": {}}}})
def timeline(request: Request, who: Who, scenario_id: ScenarioId) -> Response:
    return Response(service(request).view(who, scenario_id).timeline_json(), media_type="application/json")


@router.get("/scenarios/{scenario_id}/aboard", tags=["manifest"],
            summary="Who is aboard at an instant, operators per segment, docked vehicles")
def aboard(request: Request, who: Who, scenario_id: ScenarioId,
           at: Annotated[str, Query(description="UTC instant, e.g. 2023-01-01T00:00:00Z")]) -> dict[str, Any]:
    view = service(request).view(who, scenario_id)
    try:
        t = to_instant(at)
    except ValueError as err:
        raise Invalid([FieldError(("query", "at"), str(err), "value_error")]) from None
    return aboard_snapshot(view.scenario, t, timeline=view.timeline)


@router.get("/scenarios/{scenario_id}/exports", tags=["exports"], summary="Every export of a scenario")
def exports(request: Request, who: Who, scenario_id: ScenarioId) -> ExportsOut:
    view = service(request).view(who, scenario_id)
    base = f"/api/scenarios/{scenario_id}"
    files = [ExportLink(title="manifest (JSON)", href=f"{base}/export.json", media_type="application/json")]
    files += [ExportLink(title=f"{name} (CSV)", href=f"{base}/export/{name}.csv", media_type="text/csv")
              for name in CSV_FILES]
    agencies = [ExportLink(title=a, href=f"{base}/calendars/agency/{a}.ics", media_type="text/calendar")
                for a in view.agencies()]
    people = [ExportLink(title=f"{name} ({agency})", href=f"{base}/calendars/person/{pid}.ics",
                         media_type="text/calendar") for pid, name, agency in view.riders()]
    return ExportsOut(files=files, agency_calendars=agencies, person_calendars=people)


@router.get("/scenarios/{scenario_id}/export.json", tags=["exports"],
            summary="The scenario with its stays, dockings and violations")
def export_json(request: Request, who: Who, scenario_id: ScenarioId) -> JSONResponse:
    return JSONResponse(manifest_json(service(request).view(who, scenario_id)),
                        headers=attachment(f"scenario-{scenario_id}.json"))


@router.get("/scenarios/{scenario_id}/export/{name}.csv", tags=["exports"], response_class=Response,
            summary="stays, flights or violations as CSV", responses={200: {"content": {"text/csv": {}}}})
def export_csv(request: Request, who: Who, scenario_id: ScenarioId, name: str) -> Response:
    view = service(request).view(who, scenario_id)
    if name not in CSV_FILES:
        raise NotFound("export", f"{name}.csv")
    text = CSV_FILES[name](view)
    return Response(text, media_type="text/csv; charset=utf-8",
                    headers=attachment(f"scenario-{scenario_id}-{name}.csv"))


def _feed(request: Request, who: Who, scenario_id: int) -> tuple[StoredRevision, ManifestView]:
    """The revision and view a calendar feed reads, in the feed's scope (one read path for both feeds)."""
    svc = service(request)
    scope = feed_scope(who)
    return svc.revision(who, scenario_id, scope=scope), svc.view(who, scenario_id, scope=scope)


def _calendar_response(body: bytes, name: str) -> Response:
    return Response(body, media_type="text/calendar; charset=utf-8", headers=attachment(name))


@router.get("/scenarios/{scenario_id}/calendars/agency/{agency}.ics", tags=["exports"],
            response_class=Response, summary="iCalendar feed of an agency's flights",
            responses={200: {"content": {"text/calendar": {}}}})
def agency_feed(request: Request, who: Who, scenario_id: ScenarioId, agency: str) -> Response:
    rev, view = _feed(request, who, scenario_id)
    if agency not in view.scenario.agency_by_id:
        raise NotFound("agency", agency)
    body = agency_calendar(view, agency, stamp=rev.created_at, sequence=rev.number)
    return _calendar_response(body, f"scenario-{scenario_id}-{agency}.ics")


@router.get("/scenarios/{scenario_id}/calendars/person/{person}.ics", tags=["exports"],
            response_class=Response, summary="iCalendar feed of one person's rides",
            responses={200: {"content": {"text/calendar": {}}}})
def person_feed(request: Request, who: Who, scenario_id: ScenarioId, person: str) -> Response:
    rev, view = _feed(request, who, scenario_id)
    if person not in view.scenario.person_by_id:
        raise NotFound("person", person)
    body = person_calendar(view, person, stamp=rev.created_at, sequence=rev.number)
    return _calendar_response(body, f"scenario-{scenario_id}-{person}.ics")
