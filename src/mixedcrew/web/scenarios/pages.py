"""The HTML pages: plain forms that work without scripts, enhanced by /static/app.js."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from mixedcrew import __version__
from mixedcrew.instants import format_day, format_instant
from mixedcrew.web.deps import Who
from mixedcrew.web.errors import Invalid, TooLarge
from mixedcrew.web.scenarios.service import Service, problem_lines, sent_filename

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=Path(__file__).resolve().parent / "templates")
templates.env.globals.update(version=__version__)
templates.env.filters.update(instant=format_instant, day=format_day,
                             json_text=lambda v: json.dumps(v, ensure_ascii=False, sort_keys=True))

STATE_WORDS = {"queued": "waiting", "running": "running", "succeeded": "done", "failed": "failed",
               "cancelled": "stopped"}
templates.env.globals.update(state_words=STATE_WORDS)


def service(request: Request) -> Service:
    svc: Service = request.app.state.service
    return svc


def render(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
    context.setdefault("who", getattr(request.state, "principal", None))
    return templates.TemplateResponse(request, name, context, status_code=status)


def error_page(request: Request, status: int, detail: object) -> HTMLResponse:
    lines = [d.get("text") or d.get("msg", "") for d in detail] if isinstance(detail, list) else [str(detail)]
    titles = {401: "Log in", 403: "Not allowed", 404: "Not found", 409: "Conflict", 413: "Too large",
              422: "Not accepted"}
    return render(request, "error.html", status, code=status, title=titles.get(status, "Error"),
                  lines=lines)


def _mib(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MiB" if n >= 1024 * 1024 else f"{n // 1024} KiB"


def _index(request: Request, who: Any, status: int = 200, problems: list[str] | None = None,
           filename: str | None = None) -> HTMLResponse:
    svc = service(request)
    return render(request, "index.html", status, scenarios=svc.scenarios(who), problems=problems or [],
                  filename=filename, limit=_mib(svc.settings.max_upload_bytes))


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
              problems: list[str] | None = None, filename: str | None = None) -> HTMLResponse:
    svc = service(request)
    stored, view = svc.scenario(who, scenario_id), svc.view(who, scenario_id)
    kinds = [(k, k.unavailable()) for k in svc.kinds.values()]
    return render(request, "scenario.html", status, stored=stored, view=view, kinds=kinds,
                  jobs=svc.jobs(who, scenario_id)[:20], revisions=svc.revisions(who, scenario_id),
                  open_proposals=len(svc.editing.proposals(who, scenario_id, "open")),
                  problems=problems or [], filename=filename, limit=_mib(svc.settings.max_upload_bytes))


@router.get("/scenarios/{scenario_id}", response_class=HTMLResponse)
def scenario_page(request: Request, who: Who, scenario_id: int) -> HTMLResponse:
    return _scenario(request, who, scenario_id)


@router.post("/scenarios/{scenario_id}/revisions", response_class=HTMLResponse)
def upload_revision(request: Request, who: Who, scenario_id: int,
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


@router.post("/scenarios/{scenario_id}/jobs")
def start_job(request: Request, who: Who, scenario_id: int, kind: Annotated[str, Form()]) -> Response:
    job = service(request).start_job(who, scenario_id, kind, {})
    return RedirectResponse(f"/jobs/{job.id}", status_code=303)


@router.get("/jobs", response_class=HTMLResponse)
def jobs_page(request: Request, who: Who) -> HTMLResponse:
    svc = service(request)
    names = {s.id: s.name for s in svc.scenarios(who)}
    return render(request, "jobs.html", jobs=svc.jobs(who), names=names)


@router.get("/jobs/{job_id}", response_class=HTMLResponse)
def job_page(request: Request, who: Who, job_id: int) -> HTMLResponse:
    svc = service(request)
    job = svc.job(who, job_id)
    kind = svc.kinds.get(job.kind)
    return render(request, "job.html", job=job, stored=svc.scenario(who, job.scenario_id),
                  title=kind.title if kind else job.kind)


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


@router.post("/jobs/{job_id}/stop")
def stop_job(request: Request, who: Who, job_id: int) -> Response:
    service(request).cancel_job(who, job_id)
    return RedirectResponse(f"/jobs/{job_id}", status_code=303)
