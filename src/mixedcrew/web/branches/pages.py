"""The branch pages: branch a revision, compare two scenarios, propose a branch back.

Plain forms that post and redirect; the comparison chart is drawn by a script, its table works
without.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.concurrency import run_in_threadpool

from mixedcrew.web.branches.api import branches, comparison
from mixedcrew.web.deps import MAX_ID, Principal, ScenarioId, Who, library, render

router = APIRouter(include_in_schema=False)


def scenario_panel(request: Request, who: Principal, scenario_id: int) -> dict[str, Any]:
    """A scenario's branches and where it came from, for its page."""
    svc = branches(request)
    return {"branches": svc.branches_of(who, scenario_id), "origin": svc.origin(who, scenario_id)}


@router.post("/scenarios/{scenario_id}/branches")
async def branch(request: Request, who: Who, scenario_id: ScenarioId) -> Response:
    library(request).member(who, scenario_id, "write")  # refused before the form is read
    form = await request.form()
    name, revision = str(form.get("name", "")), str(form.get("revision", "")).strip()
    made = branches(request).branch(who, scenario_id, int(revision) if revision.isdigit() else None, name)
    return RedirectResponse(f"/scenarios/{made.id}", status_code=303)


@router.get("/scenarios/{scenario_id}/compare", response_class=HTMLResponse)
def compare_page(request: Request, who: Who, scenario_id: ScenarioId,
                 other: Annotated[int | None, Query(alias="with", ge=1, le=MAX_ID)] = None) -> HTMLResponse:
    """This scenario against `?with=ID` (default: where it was branched from), on one time axis."""
    data = comparison(request, who, scenario_id, other)
    lib = library(request)
    return render(request, "compare.html", base=lib.scenario(who, data["base"]),
                  branch=lib.scenario(who, scenario_id), data=data)


@router.post("/scenarios/{scenario_id}/compare/risk")
async def risk_of_both(request: Request, who: Who, scenario_id: ScenarioId,
                       other: Annotated[int | None, Query(alias="with", ge=1, le=MAX_ID)] = None) -> Response:
    """A risk job on each of the two, with the same trials, seed and window: their trials are drawn
    alike (the same seed), so the figures side by side differ by the manifests."""
    base, _, bid, _ = await run_in_threadpool(branches(request).pair, who, scenario_id, other)
    form = await request.form()
    params = {k: str(form.get(k, "")).strip() for k in ("trials", "seed", "from", "until")}
    start = request.app.state.start_job
    for sid in (base, bid):
        await run_in_threadpool(start, who, sid, "risk", {k: v for k, v in params.items() if v})
    return RedirectResponse(f"/scenarios/{bid}/compare?with={base}#risk-compared", status_code=303)


@router.post("/scenarios/{scenario_id}/propose-back")
def propose_back(request: Request, who: Who, scenario_id: ScenarioId) -> Response:
    origin, outcome = branches(request).propose_back(who, scenario_id, request.app.state.propose_change)
    if outcome.applied:
        done = f"Applied to scenario {origin} as revision {outcome.revision}."
        return RedirectResponse(f"/scenarios/{origin}/crew?done={quote(done)}", status_code=303)
    return RedirectResponse(f"/scenarios/{origin}/proposals#proposal-{outcome.proposal.id}", status_code=303)
