"""The scenario pages: the list and upload, a scenario's page, new revisions, the API page.

Plain forms that work without scripts, enhanced by /static/app.js.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Query, Request, Response, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse

from mixedcrew.instants import to_instant
from mixedcrew.web.deps import (
    ScenarioId,
    Who,
    mib,
    render,
    scenario_panels,
)
from mixedcrew.web.errors import Invalid, TooLarge
from mixedcrew.web.scenarios.api import service
from mixedcrew.web.scenarios.service import problem_lines, sent_filename

router = APIRouter(include_in_schema=False)


def _index(request: Request, who: Any, status: int = 200, problems: list[str] | None = None,
           filename: str | None = None) -> HTMLResponse:
    svc = service(request)
    return render(request, "index.html", status, scenarios=svc.scenarios(who), problems=problems or [],
                  filename=filename, limit=mib(svc.settings.max_upload_bytes))


@router.get("/", response_class=HTMLResponse)
def index(request: Request, who: Who) -> HTMLResponse:
    return _index(request, who)


@router.post("/scenarios", response_class=HTMLResponse)
def upload(request: Request, who: Who, file: Annotated[UploadFile, File()]) -> Response:
    svc = service(request)
    raw = file.file.read(svc.settings.max_upload_bytes + 1)
    try:
        stored = svc.upload(who, sent_filename(file), raw)
    except Invalid as err:
        return _index(request, who, 422, problem_lines(err.errors), file.filename)
    except TooLarge as err:
        return _index(request, who, 413, [str(err)], file.filename)
    return RedirectResponse(f"/scenarios/{stored.id}", status_code=303)


def _scenario(request: Request, who: Any, scenario_id: int, status: int = 200,
              problems: list[str] | None = None, filename: str | None = None,
              at: str | None = None) -> HTMLResponse:
    svc = service(request)
    stored, view = svc.scenario(who, scenario_id), svc.view(who, scenario_id)
    snapshot, at_problem = None, None
    if at:
        try:
            snapshot = view.snapshot(to_instant(at))
        except ValueError as err:
            status, at_problem = 422, f"date: {err}"
    return render(request, "scenario.html", status, stored=stored, view=view,
                  revisions=svc.revisions(who, scenario_id), problems=problems or [], filename=filename,
                  limit=mib(svc.settings.max_upload_bytes), at=at or "", snapshot=snapshot,
                  at_problem=at_problem, **scenario_panels(request, who, scenario_id))


@router.get("/scenarios/{scenario_id}", response_class=HTMLResponse)
def scenario_page(request: Request, who: Who, scenario_id: ScenarioId,
                  at: Annotated[str | None, Query(max_length=40)] = None) -> HTMLResponse:
    """The manifest; `?at=DATE` shows who is aboard then (the date picker without scripts)."""
    return _scenario(request, who, scenario_id, at=at)


@router.post("/scenarios/{scenario_id}/revisions", response_class=HTMLResponse)
def upload_revision(request: Request, who: Who, scenario_id: ScenarioId,
                    file: Annotated[UploadFile, File()]) -> Response:
    svc = service(request)
    raw = file.file.read(svc.settings.max_upload_bytes + 1)
    try:
        svc.upload_revision(who, scenario_id, sent_filename(file), raw)
    except Invalid as err:
        return _scenario(request, who, scenario_id, 422, problem_lines(err.errors), file.filename)
    except TooLarge as err:
        return _scenario(request, who, scenario_id, 413, [str(err)], file.filename)
    return RedirectResponse(f"/scenarios/{scenario_id}", status_code=303)


@router.get("/api-docs", response_class=HTMLResponse)
def api_docs(request: Request, who: Who) -> HTMLResponse:
    """The OpenAPI document as a page, served from here (no CDN)."""
    who.need("read")
    spec = request.app.openapi()
    routes = []
    for path, methods in spec["paths"].items():
        for method, op in methods.items():
            body = (op.get("requestBody") or {}).get("content", {})
            routes.append({"method": method.upper(), "path": path, "summary": op.get("summary", ""),
                           "tag": (op.get("tags") or [""])[0], "parameters": op.get("parameters", []),
                           "body": list(body), "responses": op.get("responses", {})})
    return render(request, "api.html", spec=spec, routes=routes)
