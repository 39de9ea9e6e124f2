"""The HTML pages: plain forms that work without scripts, enhanced by /static/app.js."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from mixedcrew import __version__
from mixedcrew.instants import format_day, format_instant
from mixedcrew.web.service import Invalid, Service, TooLarge, problem_lines

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=Path(__file__).resolve().parent / "templates")
templates.env.globals.update(version=__version__)
templates.env.filters.update(instant=format_instant, day=format_day)

STATE_WORDS = {"queued": "waiting", "running": "running", "succeeded": "done", "failed": "failed",
               "cancelled": "stopped"}
templates.env.globals.update(state_words=STATE_WORDS)


def service(request: Request) -> Service:
    svc: Service = request.app.state.service
    return svc


def render(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
    return templates.TemplateResponse(request, name, context, status_code=status)


def error_page(request: Request, status: int, detail: object) -> HTMLResponse:
    lines = [d.get("text") or d.get("msg", "") for d in detail] if isinstance(detail, list) else [str(detail)]
    titles = {404: "Not found", 409: "Conflict", 413: "Too large", 422: "Not accepted"}
    return render(request, "error.html", status, code=status, title=titles.get(status, "Error"),
                  lines=lines)


def _mib(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MiB" if n >= 1024 * 1024 else f"{n // 1024} KiB"


def _index(request: Request, status: int = 200, problems: list[str] | None = None,
           filename: str | None = None) -> HTMLResponse:
    svc = service(request)
    return render(request, "index.html", status, scenarios=svc.scenarios(), problems=problems or [],
                  filename=filename, limit=_mib(svc.settings.max_upload_bytes))


@router.get("/", response_class=HTMLResponse)
def index(request: Request) -> HTMLResponse:
    return _index(request)


@router.post("/scenarios", response_class=HTMLResponse)
def upload(request: Request, file: Annotated[UploadFile, File()]) -> Response:
    svc = service(request)
    raw = file.file.read(svc.settings.max_upload_bytes + 1)
    try:
        stored = svc.upload(file.filename, raw)
    except Invalid as err:
        return _index(request, 422, problem_lines(err.errors), file.filename)
    except TooLarge as err:
        return _index(request, 413, [str(err)], file.filename)
    return RedirectResponse(f"/scenarios/{stored.id}", status_code=303)


def _scenario(request: Request, scenario_id: int, status: int = 200, problems: list[str] | None = None,
              filename: str | None = None) -> HTMLResponse:
    svc = service(request)
    stored, view = svc.scenario(scenario_id), svc.view(scenario_id)
    kinds = [(k, k.unavailable()) for k in svc.kinds.values()]
    return render(request, "scenario.html", status, stored=stored, view=view, kinds=kinds,
                  jobs=svc.jobs(scenario_id)[:20], revisions=svc.revisions(scenario_id),
                  problems=problems or [], filename=filename, limit=_mib(svc.settings.max_upload_bytes))


@router.get("/scenarios/{scenario_id}", response_class=HTMLResponse)
def scenario_page(request: Request, scenario_id: int) -> HTMLResponse:
    return _scenario(request, scenario_id)


@router.post("/scenarios/{scenario_id}/revisions", response_class=HTMLResponse)
def upload_revision(request: Request, scenario_id: int, file: Annotated[UploadFile, File()]) -> Response:
    svc = service(request)
    raw = file.file.read(svc.settings.max_upload_bytes + 1)
    try:
        svc.upload_revision(scenario_id, file.filename, raw)
    except Invalid as err:
        return _scenario(request, scenario_id, 422, problem_lines(err.errors), file.filename)
    except TooLarge as err:
        return _scenario(request, scenario_id, 413, [str(err)], file.filename)
    return RedirectResponse(f"/scenarios/{scenario_id}", status_code=303)


@router.post("/scenarios/{scenario_id}/jobs")
def start_job(request: Request, scenario_id: int, kind: Annotated[str, Form()]) -> Response:
    job = service(request).start_job(scenario_id, kind, {})
    return RedirectResponse(f"/jobs/{job.id}", status_code=303)


@router.get("/jobs", response_class=HTMLResponse)
def jobs_page(request: Request) -> HTMLResponse:
    svc = service(request)
    names = {s.id: s.name for s in svc.scenarios()}
    return render(request, "jobs.html", jobs=svc.jobs(), names=names)


@router.get("/jobs/{job_id}", response_class=HTMLResponse)
def job_page(request: Request, job_id: int) -> HTMLResponse:
    svc = service(request)
    job = svc.job(job_id)
    kind = svc.kinds.get(job.kind)
    return render(request, "job.html", job=job, stored=svc.scenario(job.scenario_id),
                  title=kind.title if kind else job.kind)


@router.get("/api-docs", response_class=HTMLResponse)
def api_docs(request: Request) -> HTMLResponse:
    """The OpenAPI document as a page, served from here (no CDN)."""
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
def stop_job(request: Request, job_id: int) -> Response:
    service(request).cancel_job(job_id)
    return RedirectResponse(f"/jobs/{job_id}", status_code=303)
