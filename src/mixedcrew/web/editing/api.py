"""The editing API: changes, proposals and their approval, seats, people, and the audit log.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response
from fastapi.responses import JSONResponse

from mixedcrew.domain import Scenario
from mixedcrew.web.deps import (
    API_REFUSALS,
    MAX_ID,
    ErrorOut,
    ScenarioId,
    Who,
    attachment,
    csv_safe,
    library,
)
from mixedcrew.web.editing.changes import ChangeIn
from mixedcrew.web.editing.schemas import AuditOut, ChangeOut, ProposalOut, RejectIn, SeatMapOut
from mixedcrew.web.editing.seats import seat_maps
from mixedcrew.web.editing.service import Editing
from mixedcrew.web.storage.records import AuditEntry

router = APIRouter(prefix="/api", responses=API_REFUSALS)


def editing(request: Request) -> Editing:
    found: Editing = request.app.state.editing
    return found


ProposalId = Annotated[int, Path(description="proposal id", ge=1, le=MAX_ID)]


After = Annotated[int, Query(ge=0, le=MAX_ID, description="only entries with a larger id (for paging)")]


Limit = Annotated[int, Query(ge=1, le=5000)]


def names(request: Request, scenario_id: int) -> Scenario:
    """The scenario whose people and flights sentences name: its latest revision (parsed once, cached)."""
    return library(request).head_scenario(scenario_id)[1]


@router.get("/audit", tags=["administration"],
            summary="The whole audit log, users and tokens included (administrators)")
def whole_audit(request: Request, who: Who, after: After = 0, limit: Limit = 1000) -> list[AuditOut]:
    return [AuditOut.of(e) for e in editing(request).audit(who, None, after_id=after, limit=limit)]


@router.post("/scenarios/{scenario_id}/changes", status_code=201, tags=["changes"],
             summary="Change people, seats or flights: applied now (201) or stored as a proposal (202)",
             responses={202: {"model": ChangeOut, "description": "stored as a proposal"},
                        409: {"model": ErrorOut, "description": "no free seat, or a later revision "
                                                                "touched the same things"},
                        422: {"model": ErrorOut, "description": "malformed operations"}})
def submit_change(request: Request, who: Who, scenario_id: ScenarioId, body: ChangeIn) -> JSONResponse:
    outcome = editing(request).submit(who, scenario_id, body)
    out = ChangeOut(applied=outcome.applied, revision=outcome.revision, effects=list(outcome.effects),
                    proposal=ProposalOut.of(outcome.proposal, names(request, scenario_id))
                    if outcome.proposal else None)
    return JSONResponse(out.model_dump(mode="json"), status_code=201 if outcome.applied else 202)


@router.get("/scenarios/{scenario_id}/proposals", tags=["changes"], summary="Proposals, newest first")
def list_proposals(request: Request, who: Who, scenario_id: ScenarioId,
                   state: Annotated[str | None, Query(pattern="^(open|applied|rejected|stale)$")] = None
                   ) -> list[ProposalOut]:
    found = editing(request).proposals(who, scenario_id, state)
    s = names(request, scenario_id)
    return [ProposalOut.of(p, s) for p in found]


@router.get("/proposals/{proposal_id}", tags=["changes"], summary="One proposal")
def get_proposal(request: Request, who: Who, proposal_id: ProposalId) -> ProposalOut:
    p = editing(request).proposal(who, proposal_id)
    return ProposalOut.of(p, names(request, p.scenario_id))


@router.post("/proposals/{proposal_id}/approve", tags=["changes"],
             summary="Approve for your agency; with the last approval the change applies",
             responses={409: {"model": ErrorOut, "description": "stale (with the reason), or not open"}})
def approve(request: Request, who: Who, proposal_id: ProposalId) -> ProposalOut:
    p = editing(request).approve(who, proposal_id)
    return ProposalOut.of(p, names(request, p.scenario_id))


@router.post("/proposals/{proposal_id}/reject", tags=["changes"],
             summary="Reject: the proposing side or an agency asked to approve",
             responses={409: {"model": ErrorOut, "description": "not open"}})
def reject(request: Request, who: Who, proposal_id: ProposalId, body: RejectIn) -> ProposalOut:
    p = editing(request).reject(who, proposal_id, body.reason)
    return ProposalOut.of(p, names(request, p.scenario_id))


@router.get("/scenarios/{scenario_id}/seats", tags=["changes"],
            summary="Every flight's seats up and down: whose each is, who sits in it")
def seats(request: Request, who: Who, scenario_id: ScenarioId) -> dict[str, object]:
    svc = library(request)
    svc.member(who, scenario_id)
    head, scenario = svc.head_scenario(scenario_id)
    return {"revision": head, "flights": [SeatMapOut.of(m).model_dump() for m in seat_maps(scenario)]}


@router.get("/scenarios/{scenario_id}/people", tags=["changes"],
            summary="People of the scenario's latest revision (of one agency with ?agency=)")
def people(request: Request, who: Who, scenario_id: ScenarioId,
           agency: Annotated[str | None, Query(max_length=80)] = None) -> dict[str, object]:
    svc = library(request)
    svc.member(who, scenario_id)
    head, scenario = svc.head_scenario(scenario_id)
    chosen = [p for p in scenario.people if agency is None or p.agency == agency]
    return {"revision": head, "people": [p.model_dump(mode="json", by_alias=True, exclude_defaults=True)
                                         for p in chosen],
            "assignments": [a.model_dump(mode="json", exclude_defaults=True) for a in scenario.assignments
                            if agency is None or scenario.agency_of(a) == agency
                            or scenario.person_by_id[a.person].agency == agency]}


@router.get("/scenarios/{scenario_id}/audit", tags=["audit"],
            summary="The scenario's audit log: who, when, before and after, which proposal")
def scenario_audit(request: Request, who: Who, scenario_id: ScenarioId, after: After = 0,
                   limit: Limit = 1000) -> list[AuditOut]:
    entries = editing(request).audit(who, scenario_id, after_id=after, limit=limit)
    s = names(request, scenario_id)
    return [AuditOut.of(e, s) for e in entries]


AUDIT_COLUMNS = ("id", "at", "revision", "actor", "agency", "action", "entity", "proposal_id", "note",
                 "before", "after")


def audit_csv(entries: list[AuditEntry]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(AUDIT_COLUMNS)
    for e in entries:
        writer.writerow([csv_safe(cell) for cell in (
            e.id, e.at.isoformat().replace("+00:00", "Z"), e.revision or "", e.actor, e.agency or "",
            e.action, e.entity, e.proposal_id or "", e.note,
            "" if e.before is None else json.dumps(e.before, sort_keys=True),
            "" if e.after is None else json.dumps(e.after, sort_keys=True))])
    return out.getvalue()


@router.get("/scenarios/{scenario_id}/audit.csv", tags=["audit"], response_class=Response,
            summary="The scenario's whole audit log as CSV (before/after as JSON)",
            responses={200: {"content": {"text/csv": {}}}})
def scenario_audit_csv(request: Request, who: Who, scenario_id: ScenarioId) -> Response:
    entries: list[AuditEntry] = []
    ed = editing(request)
    while True:  # in pages, so the export holds every entry however long the log
        page = ed.audit(who, scenario_id, after_id=entries[-1].id if entries else 0, limit=5000)
        entries += page
        if len(page) < 5000:
            break
    return Response(audit_csv(entries), media_type="text/csv; charset=utf-8",
                    headers=attachment(f"scenario-{scenario_id}-audit.csv"))
