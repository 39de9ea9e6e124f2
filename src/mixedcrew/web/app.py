"""The FastAPI app: storage opened and migrated on start, jobs resumed safely, routes and assets."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import plotly
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from mixedcrew import __version__
from mixedcrew.web.access import api as api_access
from mixedcrew.web.access import pages as pages_access
from mixedcrew.web.access.guard import Authenticate, unauthenticated_json
from mixedcrew.web.deps import Who
from mixedcrew.web.errors import Conflict, Forbidden, Invalid, NotFound, TooLarge, Unauthenticated
from mixedcrew.web.jobs.kinds import default_kinds
from mixedcrew.web.jobs.runner import Kinds
from mixedcrew.web.limits import BodyLimit, JsonLimit
from mixedcrew.web.scenarios import api, pages
from mixedcrew.web.scenarios.service import Service
from mixedcrew.web.settings import WebSettings
from mixedcrew.web.storage.db import Database

log = logging.getLogger("mixedcrew.web")

HERE = Path(__file__).resolve().parent
PLOTLY_JS = Path(plotly.__file__).resolve().parent / "package_data" / "plotly.min.js"
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
        svc = Service(settings, db, kinds if kinds is not None else default_kinds())
        failed = svc.runner.start()
        if failed:
            log.warning("jobs %s were unfinished when the server last stopped: marked failed", failed)
        app.state.service = svc
        try:
            yield
        finally:
            svc.runner.close(settings.shutdown_wait_s)
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

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> FileResponse:
        return FileResponse(HERE / "static" / "favicon.svg", media_type="image/svg+xml")

    @app.get("/openapi.json", include_in_schema=False)
    def openapi(who: Who) -> JSONResponse:
        who.need("read")
        return JSONResponse(app.openapi())

    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.include_router(api.router)
    app.include_router(api_access.router)
    app.include_router(pages.router)
    app.include_router(pages_access.router)
    return app


def _refusal(request: Request, status: int, message: str) -> Response:
    """401 or 403 from the door: the login page for a browser, JSON for a script."""
    if wants_html(request):
        if status == 401:
            return pages_access.login_page(request, status=401, problem=message)
        return pages.error_page(request, status, message)
    if status == 401:
        return unauthenticated_json(message)
    return JSONResponse({"detail": message}, status_code=status)


def wants_html(request: Request) -> bool:
    return not request.url.path.startswith("/api") and "text/html" in request.headers.get("accept", "")


def _errors(app: FastAPI) -> None:
    def reply(request: Request, status: int, detail: object) -> Response:
        if wants_html(request):
            return pages.error_page(request, status, detail)
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

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, err: StarletteHTTPException) -> Response:
        if wants_html(request):
            return pages.error_page(request, err.status_code, err.detail)
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
