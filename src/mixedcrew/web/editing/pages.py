"""The editing pages: a scenario's crew and seats, its proposals, its audit log.

Plain forms that post and redirect; no script needed.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Form, Query, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import ValidationError

from mixedcrew.web.deps import (
    MAX_ID,
    Principal,
    ScenarioId,
    Who,
    library,
    render,
)
from mixedcrew.web.editing.api import ProposalId, editing
from mixedcrew.web.editing.changes import ChangeIn
from mixedcrew.web.editing.eligibility import candidates, moves, ways_down
from mixedcrew.web.editing.seats import seat_maps
from mixedcrew.web.editing.window import crew_window
from mixedcrew.web.editing.words import audit_words, op_words, proposal_words
from mixedcrew.web.errors import Conflict, Invalid

router = APIRouter(include_in_schema=False)


def scenario_panel(request: Request, who: Principal, scenario_id: int) -> dict[str, Any]:
    """How many proposals wait, for the scenario's page."""
    return {"open_proposals": len(editing(request).proposals(who, scenario_id, "open"))}


def header_panel(request: Request, who: Principal) -> dict[str, Any]:
    """Proposals waiting for `who`'s agency: in the header of every page and per scenario on the list."""
    by_scenario = editing(request).waiting_for(who)
    return {"waiting_for_you": sum(by_scenario.values()), "waiting_by_scenario": by_scenario}


@router.get("/scenarios/{scenario_id}/crew", response_class=HTMLResponse)
def crew(request: Request, who: Who, scenario_id: ScenarioId,
         done: Annotated[str | None, Query(max_length=300)] = None,
         start: Annotated[str | None, Query(alias="from", max_length=10)] = None,
         until: Annotated[str | None, Query(max_length=10)] = None,
         seat: Annotated[str | None, Query(max_length=80)] = None,
         listing: Annotated[str | None, Query(alias="list", max_length=10)] = None,
         up: Annotated[str | None, Query(max_length=80)] = None,
         person: Annotated[str | None, Query(max_length=80)] = None,
         ride: Annotated[str | None, Query(max_length=170)] = None,
         window_from: Annotated[str | None, Query(max_length=10)] = None,
         window_until: Annotated[str | None, Query(max_length=10)] = None) -> HTMLResponse:
    """`?seat=FLIGHT` chooses the flight whose seat the picker fills (default: the first shown).
    The assign and move forms' "List" buttons send the form itself by GET (no script needed):
    `list=down` with the form's `up` and `person` lists the flights that person could come down on,
    `list=to` with its `ride` the flights the one moved could go to; `window_*` keep the window."""
    start, until = start or window_from, until or window_until
    if listing == "down":
        seat = seat or up
    return _crew(request, who, scenario_id, done=done, start=start, until=until, seat=seat,
                 rider=person if listing == "down" else None, ride=ride if listing == "to" else None)


def _crew(request: Request, who: Any, scenario_id: int, status: int = 200, problems: list[str] | None = None,
          done: str | None = None, start: str | None = None, until: str | None = None,
          seat: str | None = None, rider: str | None = None, ride: str | None = None) -> HTMLResponse:
    """The seats of the flights in a window (default: open and future ones), grouped by flight, and
    the people who fly in it: a whole station history would be a page of megabytes."""
    svc = library(request)
    stored = svc.scenario(who, scenario_id)
    head, scenario = svc.head_scenario(scenario_id)
    problems = list(problems or [])
    try:
        window = crew_window(scenario, start, until, datetime.now(UTC))
    except ValueError as err:
        problems.append(str(err))
        status = 422
        window = crew_window(scenario, None, None, datetime.now(UTC))
    flights = [f for f in scenario.flights if window.holds(f)]
    shown = {f.id for f in flights}
    maps = {(m.flight, m.direction): m for m in seat_maps(scenario) if m.flight in shown}
    riding = {a.person for a in scenario.assignments if a.up in shown or a.down in shown}
    riders = {a.person for a in scenario.assignments}
    mine = [p for p in scenario.people if (who.is_admin or p.agency == who.agency)
            and (p.id in riding or p.id not in riders)]
    # the picker: people who could ride the chosen flight first, the others with the checker's reasons
    ours = [p for p in scenario.people if who.is_admin or p.agency == who.agency]
    chosen = next((f for f in flights if f.id == seat), flights[0] if flights else None)
    picks = candidates(scenario, chosen, ours) if chosen else []
    # the way down, listed for one person: the one asked for, else the first the picker offers
    able = [c.person for c in picks if c.can]
    down_for = next((p for p in able if p.id == rider), able[0] if able else None)
    downs = ways_down(scenario, down_for, chosen, flights) if chosen and down_for else []
    rides = sorted([(a, scenario.person_by_id[a.person]) for a in scenario.assignments
                    if a.up in shown and a.person in scenario.person_by_id
                    and (who.is_admin or scenario.person_by_id[a.person].agency == who.agency)],
                   key=lambda r: (r[1].name, r[0].up))
    # the move's flights, listed for one ride: the one asked for, else the first
    moving = next((r for r in rides if f"{r[1].id}@{r[0].up}" == ride), rides[0] if rides else None)
    tos = moves(scenario, moving[1], moving[0].up, flights) if moving else []
    return render(request, "crew.html", status, stored=stored, scenario=scenario, head=head, maps=maps,
                  flights=flights, window=window, mine=mine, done=done, problems=problems,
                  chosen=chosen, picks=picks, rides=rides, down_for=down_for, downs=downs,
                  moving=moving, tos=tos)


def _window_of(form: dict[str, str]) -> tuple[str | None, str | None]:
    """The crew page's window (from, until), carried by its forms, so an answer shows the same flights."""
    # Named apart from the availability form's own from/until.
    return form.get("window_from", "")[:10] or None, form.get("window_until", "")[:10] or None


def _form_ops(form: dict[str, str]) -> list[dict[str, Any]]:
    op = form.get("op", "")
    if op == "assign":
        return [{"op": "assign", "person": form.get("person", ""), "up": form.get("up", ""),
                 "down": form.get("down") or None}]
    if op == "unassign":
        return [{"op": "unassign", "person": form.get("person", ""), "up": form.get("up", "")}]
    if op == "move":  # the ride picked as PERSON@FLIGHT: one select, so the pair is always consistent
        person, _, src = form.get("ride", "").partition("@")
        return [{"op": "move", "person": person, "from": src, "up": form.get("up", ""),
                 "down": form.get("down") or None}]
    if op == "set_availability":
        window = {k: form[f] for k, f in (("from", "from"), ("until", "until")) if form.get(f)}
        return [{"op": "set_availability", "person": form.get("person", ""), "available": window}]
    return [{"op": op}]


@router.post("/scenarios/{scenario_id}/crew", response_class=HTMLResponse)
async def change_crew(request: Request, who: Who, scenario_id: ScenarioId) -> Response:
    form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    from starlette.concurrency import run_in_threadpool

    return await run_in_threadpool(_change_crew, request, who, scenario_id, form)


def _change_crew(request: Request, who: Any, scenario_id: int, form: dict[str, str]) -> Response:
    try:
        change = ChangeIn.model_validate({"ops": _form_ops(form), "note": form.get("note", "")[:500]})
        outcome = editing(request).submit(who, scenario_id, change)
    except ValidationError as err:
        lines = [f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in err.errors(include_url=False)]
        return _crew(request, who, scenario_id, 422, lines, None, *_window_of(form))
    except Invalid as err:
        return _crew(request, who, scenario_id, 422, [e.msg for e in err.errors], None, *_window_of(form))
    except Conflict as err:
        return _crew(request, who, scenario_id, 409, [str(err)], None, *_window_of(form))
    if outcome.applied:
        done = f"Applied as revision {outcome.revision}."
    else:
        assert outcome.proposal is not None
        done = (f"Stored as proposal {outcome.proposal.id}: it waits for the approval of "
                f"{', '.join(outcome.proposal.needs)}.")
    kept = "".join(f"&{k}={quote(v)}" for k, v in zip(("from", "until"), _window_of(form), strict=True) if v)
    return RedirectResponse(f"/scenarios/{scenario_id}/crew?done={quote(done)}{kept}", status_code=303)


@router.get("/scenarios/{scenario_id}/proposals", response_class=HTMLResponse)
def proposals(request: Request, who: Who, scenario_id: ScenarioId) -> HTMLResponse:
    return _proposals(request, who, scenario_id)


def _proposals(request: Request, who: Any, scenario_id: int, status: int = 200,
               problems: list[str] | None = None) -> HTMLResponse:
    svc = library(request)
    stored = svc.scenario(who, scenario_id)
    found = editing(request).proposals(who, scenario_id)
    _, names = svc.head_scenario(scenario_id)
    return render(request, "proposals.html", status, stored=stored, proposals=found,
                  lines=lambda p: [op_words(op, names) for op in p.change.get("ops", [])],
                  sentence=lambda p: proposal_words(p, names), problems=problems or [])


def _decide(request: Request, who: Any, proposal_id: int, approve: bool, reason: str = "") -> Response:
    ed = editing(request)
    p = ed.proposal(who, proposal_id)
    try:
        ed.approve(who, proposal_id) if approve else ed.reject(who, proposal_id, reason)
    except Conflict as err:
        return _proposals(request, who, p.scenario_id, status=409, problems=[str(err)])
    return RedirectResponse(f"/scenarios/{p.scenario_id}/proposals#proposal-{proposal_id}", status_code=303)


@router.post("/proposals/{proposal_id}/approve")
def approve(request: Request, who: Who, proposal_id: ProposalId) -> Response:
    return _decide(request, who, proposal_id, True)


@router.post("/proposals/{proposal_id}/reject")
def reject(request: Request, who: Who, proposal_id: ProposalId,
           reason: Annotated[str, Form(max_length=500)] = "") -> Response:
    return _decide(request, who, proposal_id, False, reason)


@router.get("/scenarios/{scenario_id}/audit", response_class=HTMLResponse)
def audit(request: Request, who: Who, scenario_id: ScenarioId,
          after: Annotated[int, Query(ge=0, le=MAX_ID)] = 0) -> HTMLResponse:
    svc = library(request)
    stored = svc.scenario(who, scenario_id)
    entries = editing(request).audit(who, scenario_id, after_id=after, limit=200)
    _, names = svc.head_scenario(scenario_id)
    return render(request, "audit.html", stored=stored, entries=entries,
                  sentence=lambda e: audit_words(e, names),
                  more=entries[-1].id if len(entries) == 200 else None)
