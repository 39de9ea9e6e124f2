"""The job pages: start a job from a scenario's page, the job list, a job's page, stop.
"""

from __future__ import annotations

import tomllib
from datetime import date, datetime
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.concurrency import run_in_threadpool

from mixedcrew.instants import format_instant, to_instant
from mixedcrew.io.events import EXAMPLE
from mixedcrew.rules import RULES
from mixedcrew.web.deps import (
    Principal,
    ScenarioId,
    Who,
    library,
    render,
)
from mixedcrew.web.errors import FieldError, Forbidden, Invalid, NotFound
from mixedcrew.web.jobs.api import JobId, service

router = APIRouter(include_in_schema=False)


def scenario_panel(request: Request, who: Principal, scenario_id: int) -> dict[str, Any]:
    """The job kinds and the latest jobs, for the scenario's page."""
    svc = service(request)
    return {"kinds": [(k, k.unavailable()) for k in svc.kinds.values()],
            "jobs": svc.jobs(who, scenario_id)[:20], "rule_ids": list(RULES),
            "event_example": EXAMPLE}


@router.post("/scenarios/{scenario_id}/jobs")
async def start_job(request: Request, who: Who, scenario_id: ScenarioId) -> Response:
    """A job from the scenario page's forms: the kind, and its parameters as form fields."""
    form = await request.form()
    fields: dict[str, list[str]] = {}
    for key, value in form.multi_items():
        if isinstance(value, str):
            fields.setdefault(key, []).append(value)
    kind = (fields.get("kind") or [""])[0]
    params = form_params(fields)
    job = await run_in_threadpool(service(request).start_job, who, scenario_id, kind, params)
    return RedirectResponse(f"/jobs/{job.id}", status_code=303)


# Form fields that are a kind's parameters as they are; checkboxes and event lists are read below.
PLAIN = ("from", "until", "time_limit", "seed", "trials", "name")


def form_params(fields: dict[str, list[str]]) -> dict[str, Any]:
    """A kind's parameters from a form: empty fields left out (the kind's default), `ignore` as
    the rule ids ticked, checkboxes as booleans, events as one inline TOML table a line."""
    params: dict[str, Any] = {k: fields[k][0].strip() for k in PLAIN if fields.get(k, [""])[0].strip()}
    if "ignore" in fields:
        params["ignore"] = fields["ignore"]
    if "given" in fields:  # the form had checkboxes: an unticked one is sent as nothing at all
        given = set(fields["given"])
        if "best_effort" in given:
            params["best_effort"] = "best_effort" in fields
        if "compare" in given:
            params["compare"] = "segregated" if "compare" in fields else None
    for name in ("stress", "events"):
        text = fields.get(name, [""])[0]
        if text.strip():
            params[name] = event_tables(text, name)
    return params


def event_tables(text: str, field: str) -> list[Any]:
    """Inline TOML tables, one a line (`{ id = "g", kind = "grounding", ... }`), as JSON-ready dicts."""
    out = []
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            table = tomllib.loads(f"event = {line.strip()}")["event"]
        except tomllib.TOMLDecodeError as err:
            raise Invalid([FieldError(("form", field), f"line {n}: {err}: write one event a line, e.g. "
                                      f"{EXAMPLE}", "value_error")]) from None
        out.append(json_ready(table))
    return out


def json_ready(value: Any) -> Any:
    """TOML's datetimes as the ISO strings a job's stored parameters hold."""
    if isinstance(value, dict):
        return {k: json_ready(v) for k, v in value.items()}
    if isinstance(value, list):
        return [json_ready(v) for v in value]
    if isinstance(value, datetime | date):
        return format_instant(to_instant(value))
    return value


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
    lib = library(request)
    output = None  # the scenario a plan (or what-if) saved: its differences from the input on the chart
    if job.output_scenario_id is not None:
        try:
            output = lib.scenario(who, job.output_scenario_id)
        except (NotFound, Forbidden):  # removed since, or not shared with `who`: no chart
            output = None
    return render(request, "job.html", job=job, stored=lib.scenario(who, job.scenario_id), output=output,
                  title=kind.title if kind else job.kind, params=effective_params(kind, job.params))


def effective_params(kind: Any, given: dict[str, Any]) -> list[tuple[str, Any]]:
    """Every parameter the job ran with, defaults included: what was asked for, shown in full."""
    if kind is None or kind.params is None:
        return sorted(given.items())
    try:
        values = kind.params.model_validate(given).model_dump(mode="json", by_alias=True)
    except ValueError:  # parameters of an older version of the kind: show them as stored
        return sorted(given.items())
    return [(name, values[name]) for name in values]


@router.post("/jobs/{job_id}/stop")
def stop_job(request: Request, who: Who, job_id: JobId) -> Response:
    service(request).cancel_job(who, job_id)
    return RedirectResponse(f"/jobs/{job_id}", status_code=303)
