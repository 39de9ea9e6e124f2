"""The branches API under /api: branch a revision, compare two scenarios (and the chart of it).
"""

from __future__ import annotations

from typing import Annotated, Any

import plotly.io as pio
from fastapi import APIRouter, Query, Request, Response
from pydantic import Field

from mixedcrew.web.branches.ops import ops_between
from mixedcrew.web.branches.service import MAX_NAME, Branches
from mixedcrew.web.deps import API_REFUSALS, MAX_ID, In, Principal, ScenarioId, Who

router = APIRouter(prefix="/api", responses=API_REFUSALS)

Other = Annotated[int | None, Query(alias="with", ge=1, le=MAX_ID,
                                    description="the scenario to compare with (default: the origin)")]


def branches(request: Request) -> Branches:
    found: Branches = request.app.state.branches
    return found


class BranchIn(In):
    name: str = Field(default="branch", max_length=MAX_NAME)
    revision: int | None = Field(default=None, ge=1, le=MAX_ID, description="default: the latest")


@router.post("/scenarios/{scenario_id}/branches", status_code=201, tags=["branches"],
             summary="Branch a revision under a name: a new scenario; the origin is not touched")
def make_branch(request: Request, who: Who, scenario_id: ScenarioId,
                body: BranchIn | None = None) -> dict[str, Any]:
    body = body or BranchIn()
    b = branches(request).branch(who, scenario_id, body.revision, body.name)
    return {"id": b.id, "name": b.name, "of": b.of, "revision": b.revision,
            "links": {"scenario": f"/api/scenarios/{b.id}", "compare": f"/scenarios/{b.id}/compare"}}


@router.get("/scenarios/{scenario_id}/branches", tags=["branches"], summary="Branches made from a scenario")
def list_branches(request: Request, who: Who, scenario_id: ScenarioId) -> list[dict[str, Any]]:
    return [{"id": b.id, "name": b.name, "of": b.of, "revision": b.revision, "job": b.job}
            for b in branches(request).branches_of(who, scenario_id)]


def comparison(request: Request, who: Principal, scenario_id: int, other: int | None) -> dict[str, Any]:
    """What differs, the violations before and after, the operations to propose it back, and the paired
    risk figures of the what-if job that made it (if one did)."""
    from mixedcrew.whatif.diff import compare_manifests

    svc = branches(request)
    base, a, bid, b = svc.pair(who, scenario_id, other)
    diff = compare_manifests(a, b)
    origin = svc.origin(who, bid)
    job = origin.job if origin and origin.job and origin.of == base else None
    return {"base": base, "branch": bid, "changes": diff.as_json(), "lines": diff.lines(("base", "branch")),
            "violations": {"before": [v.as_json() for v in diff.before.violations] if diff.before else [],
                           "after": [v.as_json() for v in diff.after.violations] if diff.after else []},
            "ops": ops_between(a, b), "is_origin": bool(origin and origin.of == base),
            "risk": svc.risk_figures(job) if job else None, "risk_job": job,
            "risk_runs": {"base": svc.latest_risk(who, base), "branch": svc.latest_risk(who, bid)}}


@router.get("/scenarios/{scenario_id}/compare", tags=["branches"],
            summary="This scenario against another (default: its origin): changes, violations, operations")
def compare(request: Request, who: Who, scenario_id: ScenarioId, other: Other = None) -> dict[str, Any]:
    return comparison(request, who, scenario_id, other)


@router.get("/scenarios/{scenario_id}/compare/figure", tags=["branches"], response_class=Response,
            summary="Both manifests on one time axis, what differs outlined (plotly JSON)",
            responses={200: {"content": {"application/json": {}}}})
def compare_figure(request: Request, who: Who, scenario_id: ScenarioId, other: Other = None) -> Response:
    from mixedcrew.whatif.diff import compare_manifests
    from mixedcrew.whatif.page import timeline_figure

    _, a, _, b = branches(request).pair(who, scenario_id, other)
    fig = timeline_figure(a, b, compare_manifests(a, b), None, ("base", "branch"))
    return Response(pio.to_json(fig, validate=False), media_type="application/json")
