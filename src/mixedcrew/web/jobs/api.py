"""The jobs API under /api: kinds, start, poll, stop.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request

from mixedcrew.web.deps import (
    API_REFUSALS,
    MAX_ID,
    ErrorOut,
    ScenarioId,
    Who,
)
from mixedcrew.web.jobs.schemas import JobIn, JobKindOut, JobOut
from mixedcrew.web.jobs.service import Jobs

router = APIRouter(prefix="/api", responses=API_REFUSALS)


def service(request: Request) -> Jobs:
    found: Jobs = request.app.state.jobs
    return found


JobId = Annotated[int, Path(description="job id", ge=1, le=MAX_ID)]


@router.get("/job-kinds", tags=["jobs"], summary="Kinds of job this server runs, and their parameters")
def job_kinds(request: Request, who: Who) -> list[JobKindOut]:
    who.need("read")
    out = []
    for kind in service(request).kinds.values():
        why = kind.unavailable()
        out.append(JobKindOut(name=kind.name, title=kind.title, description=kind.description,
                              available=why is None, unavailable_because=why,
                              params_schema=kind.params.model_json_schema(by_alias=True)))
    return out


@router.get("/scenarios/{scenario_id}/jobs", tags=["jobs"], summary="Jobs of a scenario, newest first")
def scenario_jobs(request: Request, who: Who, scenario_id: ScenarioId) -> list[JobOut]:
    return [JobOut.of(j) for j in service(request).jobs(who, scenario_id)]


@router.post("/scenarios/{scenario_id}/jobs", status_code=202, tags=["jobs"],
             summary="Start a job on the scenario's latest revision; poll its `links.self`",
             responses={422: {"model": ErrorOut, "description": "unknown kind or bad parameters"}})
def start_job(request: Request, who: Who, scenario_id: ScenarioId, body: JobIn) -> JobOut:
    return JobOut.of(service(request).start_job(who, scenario_id, body.kind, body.params))


@router.get("/jobs", tags=["jobs"], summary="Recent jobs of every scenario, newest first")
def all_jobs(request: Request, who: Who) -> list[JobOut]:
    return [JobOut.of(j) for j in service(request).jobs(who)]


@router.get("/jobs/{job_id}", tags=["jobs"], summary="A job's state, progress and (when done) result")
def get_job(request: Request, who: Who, job_id: JobId) -> JobOut:
    return JobOut.of(service(request).job(who, job_id))


@router.delete("/jobs/{job_id}", status_code=202, tags=["jobs"],
               summary="Stop a job: a queued one at once, a running one at its next progress report",
               responses={409: {"model": ErrorOut, "description": "the job has already finished"}})
def cancel_job(request: Request, who: Who, job_id: JobId) -> JobOut:
    return JobOut.of(service(request).cancel_job(who, job_id))
