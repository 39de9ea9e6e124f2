"""The FastAPI app: storage opened and migrated on start, each feature's service and routes, the
middleware (the door, body caps, security headers) and the map from errors to HTTP.

Unauthenticated -> 401, Forbidden -> 403, NotFound -> 404, Invalid -> 422,
TooLarge -> 413, Conflict -> 409, QuotaExceeded and TooManyAttempts -> 429 with Retry-After;
malformed requests -> 422.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import plotly
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from mixedcrew import __version__
from mixedcrew.web.access import api as access_api
from mixedcrew.web.access import pages as access_pages
from mixedcrew.web.access.guard import Authenticate, unauthenticated_json
from mixedcrew.web.access.service import Accounts
from mixedcrew.web.access.throttle import LoginThrottle
from mixedcrew.web.branches import api as branches_api
from mixedcrew.web.branches import pages as branches_pages
from mixedcrew.web.branches.service import Branches
from mixedcrew.web.deps import API_REFUSALS, Library, Who, error_page
from mixedcrew.web.editing import api as editing_api
from mixedcrew.web.editing import pages as editing_pages
from mixedcrew.web.editing.changes import ChangeIn
from mixedcrew.web.editing.service import Editing
from mixedcrew.web.errors import (
    Conflict,
    Forbidden,
    Invalid,
    NotFound,
    QuotaExceeded,
    TooLarge,
    TooManyAttempts,
    Unauthenticated,
)
from mixedcrew.web.jobs import api as jobs_api
from mixedcrew.web.jobs import pages as jobs_pages
from mixedcrew.web.jobs.kinds import default_kinds
from mixedcrew.web.jobs.runner import Kinds
from mixedcrew.web.jobs.service import Jobs
from mixedcrew.web.limits import BodyLimit, JsonLimit
from mixedcrew.web.scenarios import api as scenarios_api
from mixedcrew.web.scenarios import pages as scenarios_pages
from mixedcrew.web.scenarios.service import Scenarios
from mixedcrew.web.settings import WebSettings
from mixedcrew.web.storage.db import Database, current_revision

log = logging.getLogger("mixedcrew.web")

HERE = Path(__file__).resolve().parent
PLOTLY_JS = Path(plotly.__file__).resolve().parent / "package_data" / "plotly.min.js"
# the charts' shared script: the standalone report inlines the same file
TIMELINE_JS = HERE.parent / "report" / "timeline.js"
# Multipart framing around an upload: boundaries and part headers.
FORM_OVERHEAD = 64 * 1024

# Scripts and styles only from this server: names in a scenario are text, never code.
# Plotly sets inline styles on its SVG, hence 'unsafe-inline' for styles only.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
       "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'")


def create_app(settings: WebSettings, *, kinds: Kinds | None = None) -> FastAPI:
    """The app for `settings`. The database is opened (and migrated) when the app starts."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        db = Database.open(settings.db_url)
        library = Library(settings, db)
        jobs = Jobs(settings, db, kinds if kinds is not None else default_kinds(), library)
        app.state.db, app.state.library, app.state.jobs = db, library, jobs
        app.state.scenarios = Scenarios(settings, db, library)
        app.state.accounts = Accounts(db, LoginThrottle(
            per_account=settings.login_failures_per_account, per_address=settings.login_failures_per_address,
            window_s=settings.login_window_s))
        app.state.editing = editing = Editing(db, library)
        app.state.branches = Branches(db, library)

        def propose_change(who: Any, scenario_id: int, ops: list[dict[str, Any]], note: str,
                           base_revision: int | None) -> Any:
            """A branch proposed back: a change like any other (the branches feature imports no editing)."""
            change = ChangeIn.model_validate({"ops": ops, "note": note[:500], "base_revision": base_revision})
            return editing.submit(who, scenario_id, change)

        app.state.propose_change = propose_change
        app.state.start_job = jobs.start_job  # the comparison page's "risk of both"
        touched = jobs.runner.start()
        if touched:
            log.warning("jobs %s were unfinished when the server last stopped: taken over", touched)
        try:
            yield
        finally:
            jobs.runner.close(settings.shutdown_wait_s)
            db.dispose()

    # Swagger UI and ReDoc load their scripts from a CDN: off. /openapi.json is the
    # machine-readable spec (for signed-in users, like everything else); /api-docs
    # renders it here, offline.
    app = FastAPI(title="mixedcrew", version=__version__, lifespan=lifespan, docs_url=None, redoc_url=None,
                  openapi_url=None,
                  description="Crew rotations for stations with mixed, multi-agency crews: scenarios, "
                              "manifest views, checks, jobs and exports. Every route needs a page "
                              "session (POST /api/login) or an API token (`Authorization: Bearer ...`).")
    # Outermost last: headers on every answer, then the door, then the body caps.
    app.add_middleware(JsonLimit, limit=settings.max_json_bytes, max_depth=settings.max_json_depth)
    app.add_middleware(BodyLimit, limit=settings.max_upload_bytes + FORM_OVERHEAD,
                       shown_limit=settings.max_upload_bytes)
    app.add_middleware(Authenticate, refuse=_refusal)

    @app.middleware("http")
    async def security_headers(request: Request, call_next):  # type: ignore[no-untyped-def]
        response = await call_next(request)
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        return response

    _errors(app)

    @app.get("/static/vendor/plotly.min.js", include_in_schema=False)
    def plotly_js() -> FileResponse:
        return FileResponse(PLOTLY_JS, media_type="text/javascript",
                            headers={"Cache-Control": "public, max-age=86400"})

    @app.get("/static/timeline.js", include_in_schema=False)
    def timeline_js() -> FileResponse:
        return FileResponse(TIMELINE_JS, media_type="text/javascript")

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> FileResponse:
        return FileResponse(HERE / "static" / "favicon.svg", media_type="image/svg+xml")

    @app.get("/openapi.json", include_in_schema=False)
    def openapi(who: Who) -> JSONResponse:
        who.need("read")
        return JSONResponse(app.openapi())

    @app.get("/api/health", tags=["server"], summary="Liveness and schema revision",
             responses=API_REFUSALS)
    def health(request: Request, who: Who) -> dict[str, Any]:
        who.need("read")
        state = request.app.state
        return {"ok": True, "schema": current_revision(state.db.engine),
                "runner": state.jobs.runner.runner_id}

    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    # What other features show on a scenario's page; the scenario feature imports none of them.
    app.state.scenario_panels = (jobs_pages.scenario_panel, editing_pages.scenario_panel,
                                 branches_pages.scenario_panel)
    app.state.header_panels = (editing_pages.header_panel,)
    for feature in (scenarios_api, access_api, editing_api, jobs_api, branches_api):
        app.include_router(feature.router)
    for feature in (scenarios_pages, access_pages, editing_pages, jobs_pages, branches_pages):
        app.include_router(feature.router)
    return app


def _refusal(request: Request, status: int, message: str) -> Response:
    """401 or 403 from the door: the login page for a browser, JSON for a script."""
    if wants_html(request):
        if status == 401:
            return access_pages.login_page(request, status=401, problem=message)
        return error_page(request, status, message)
    if status == 401:
        return unauthenticated_json(message)
    return JSONResponse({"detail": message}, status_code=status)


def wants_html(request: Request) -> bool:
    return not request.url.path.startswith("/api") and "text/html" in request.headers.get("accept", "")


def _errors(app: FastAPI) -> None:
    def reply(request: Request, status: int, detail: object) -> Response:
        if wants_html(request):
            return error_page(request, status, detail)
        return JSONResponse({"detail": detail}, status_code=status)

    @app.exception_handler(Unauthenticated)
    async def unauthenticated(request: Request, err: Unauthenticated) -> Response:
        return _refusal(request, 401, str(err))

    @app.exception_handler(Forbidden)
    async def forbidden(request: Request, err: Forbidden) -> Response:
        return reply(request, 403, str(err))

    @app.exception_handler(NotFound)
    async def not_found(request: Request, err: NotFound) -> Response:
        return reply(request, 404, str(err))

    @app.exception_handler(Invalid)
    async def invalid(request: Request, err: Invalid) -> Response:
        return reply(request, 422, [e.as_json() for e in err.errors])

    @app.exception_handler(TooLarge)
    async def too_large(request: Request, err: TooLarge) -> Response:
        return reply(request, 413, str(err))

    @app.exception_handler(Conflict)
    async def conflict(request: Request, err: Conflict) -> Response:
        return reply(request, 409, str(err))

    @app.exception_handler(QuotaExceeded)
    async def quota(request: Request, err: QuotaExceeded) -> Response:
        response = reply(request, 429, str(err))
        response.headers["Retry-After"] = "30"  # jobs take seconds to minutes; ask again soon
        return response

    @app.exception_handler(TooManyAttempts)
    async def too_many(request: Request, err: TooManyAttempts) -> Response:
        response = reply(request, 429, str(err))
        response.headers["Retry-After"] = str(err.retry_after_s)
        return response

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, err: StarletteHTTPException) -> Response:
        if wants_html(request):
            return error_page(request, err.status_code, err.detail)
        return JSONResponse({"detail": err.detail}, status_code=err.status_code, headers=err.headers)

    @app.exception_handler(RequestValidationError)
    async def bad_request(request: Request, err: RequestValidationError) -> Response:
        detail = [{"loc": list(e["loc"]), "msg": _message(e), "type": e["type"]} for e in err.errors()]
        return reply(request, 422, detail)


def _message(error: dict) -> str:  # type: ignore[type-arg]
    """pydantic's message, with the parser's reason for malformed JSON and no 'Value error, '."""
    msg = str(error["msg"]).removeprefix("Value error, ")
    reason = (error.get("ctx") or {}).get("error")
    if error["type"] == "json_invalid" and reason:
        msg = f"{msg}: {reason}"
    return msg
