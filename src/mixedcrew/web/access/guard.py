"""The door: every request but the login and the package's static files shows a credential first.

One ASGI middleware, in front of every route (and of unknown paths, so a
stranger cannot even tell a 404 from a page): a page session cookie or an
`Authorization: Bearer` token is looked up, and the request goes on as that
Principal; without one it is answered 401 (the login page for a browser).
A page session may not be used from another site (403 on a cross-site
write): the cookie is SameSite=Strict and the Origin is checked as well.
Rights beyond that (scopes, agencies, administrators) are the service's.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

from fastapi import Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from mixedcrew.web.access.auth import SESSION_COOKIE
from mixedcrew.web.errors import Unauthenticated

# (method, path) open to strangers: the way in, and the package's own assets.
PUBLIC = {("GET", "/login"), ("HEAD", "/login"), ("POST", "/login"), ("POST", "/api/login"),
          ("GET", "/favicon.ico")}
PUBLIC_PREFIX = "/static/"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
# Public, yet a form another site could post (login CSRF: the victim logged in as the attacker).
LOGINS = {("POST", "/login"), ("POST", "/api/login")}


def is_public(method: str, path: str) -> bool:
    return (method, path) in PUBLIC or (method in ("GET", "HEAD") and path.startswith(PUBLIC_PREFIX))


def credential_of(request: Request) -> tuple[str | None, str]:
    """The secret the request shows, and how: 'token' (Authorization header) or 'session' (cookie)."""
    header = request.headers.get("authorization", "")
    if header:
        kind, _, value = header.partition(" ")
        return (value.strip() if kind.lower() == "bearer" else ""), "token"
    cookie = request.cookies.get(SESSION_COOKIE)
    return (cookie, "session") if cookie else (None, "none")


def same_site(request: Request) -> bool:
    """The request comes from a page of this server (its Origin's host is ours; the scheme may differ
    behind a proxy that ends TLS), or from no page at all (a script)."""
    origin = request.headers.get("origin")
    if origin:
        return urlsplit(origin).netloc == request.headers.get("host", "")
    return request.headers.get("sec-fetch-site", "same-origin") in ("same-origin", "none")


class Authenticate:
    def __init__(self, app: ASGIApp, *, refuse: Callable[[Request, int, str], Response]):
        self.app = app
        # refuse(request, status, message) -> Response: the login page or JSON, as the app answers
        self.refuse = refuse

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and (scope["method"], scope["path"]) in LOGINS \
                and not same_site(Request(scope)):
            response = self.refuse(Request(scope), 403, "a login from another site is refused")
            return await response(scope, receive, send)
        if scope["type"] != "http" or is_public(scope["method"], scope["path"]):
            return await self.app(scope, receive, send)
        request = Request(scope)
        secret, via = credential_of(request)
        try:
            if secret is None:
                raise Unauthenticated("log in first: send a session cookie from /login, or 'Authorization: "
                                      "Bearer <token>' (tokens: /account or POST /api/tokens)")
            who = await run_in_threadpool(scope["app"].state.accounts.authenticate, secret)
        except Unauthenticated as err:
            response = self.refuse(request, 401, str(err))
            return await response(scope, receive, send)
        if who.via != via:
            # distinct secrets: a page session is not a Bearer token, nor a token a cookie
            message = ("a page session cannot be sent as a Bearer token: make an API token (/account or "
                       "POST /api/tokens)" if via == "token" else
                       "an API token cannot be sent as the session cookie: send 'Authorization: Bearer'")
            response = self.refuse(request, 401, message)
            return await response(scope, receive, send)
        if via == "session" and scope["method"] not in SAFE_METHODS and not same_site(request):
            response = self.refuse(request, 403, "a page session cannot be used from another site")
            return await response(scope, receive, send)
        scope.setdefault("state", {})["principal"] = who
        await self.app(scope, receive, send)


def unauthenticated_json(message: str) -> Response:
    return JSONResponse({"detail": message}, status_code=401,
                        headers={"WWW-Authenticate": 'Bearer realm="mixedcrew"'})
