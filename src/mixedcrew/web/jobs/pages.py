"""The job pages: start a job from a scenario's page, the job list, a job's page, stop.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from mixedcrew.web.deps import (
    Principal,
    ScenarioId,
    Who,
    library,
    render,
)
from mixedcrew.web.jobs.api import JobId, service

router = APIRouter(include_in_schema=False)


def scenario_panel(request: Request, who: Principal, scenario_id: int) -> dict[str, Any]:
    """The job kinds and the latest jobs, for the scenario's page."""
    svc = service(request)
    return {"kinds": [(k, k.unavailable()) for k in svc.kinds.values()],
            "jobs": svc.jobs(who, scenario_id)[:20]}


@router.post("/scenarios/{scenario_id}/jobs")
def start_job(request: Request, who: Who, scenario_id: ScenarioId, kind: Annotated[str, Form()]) -> Response:
    job = service(request).start_job(who, scenario_id, kind, {})
    return RedirectResponse(f"/jobs/{job.id}", status_code=303)


@router.get("/jobs", response_class=HTMLResponse)
def jobs_page(request: Request, who: Who) -> HTMLResponse:
    svc = service(request)
    names = {s.id: s.name for s in library(request).scenarios(who)}
    return render(request, "jobs.html", jobs=svc.jobs(who), names=names)


@router.get("/jobs/{job_id}", response_class=HTMLResponse)
def job_page(request: Request, who: Who, job_id: JobId) -> HTMLResponse:
    svc = service(request)
    job = svc.job(who, job_id)
    kind = svc.kinds.get(job.kind)
    return render(request, "job.html", job=job, stored=library(request).scenario(who, job.scenario_id),
                  title=kind.title if kind else job.kind)


@router.post("/jobs/{job_id}/stop")
def stop_job(request: Request, who: Who, job_id: JobId) -> Response:
    service(request).cancel_job(who, job_id)
    return RedirectResponse(f"/jobs/{job_id}", status_code=303)
