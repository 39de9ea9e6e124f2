"""The access pages: log in and out, your tokens, and users (administrators).

Plain forms that post and redirect; no script needed.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from mixedcrew.web.access.api import TokenId, UserId, accounts, client_address, set_session_cookie
from mixedcrew.web.access.auth import SESSION_COOKIE, TOKEN_DAYS
from mixedcrew.web.deps import (
    SCOPES,
    Who,
    render,
)
from mixedcrew.web.errors import Conflict, Forbidden, Invalid, TooManyAttempts, Unauthenticated

router = APIRouter(include_in_schema=False)


def _safe_next(target: str | None) -> str:
    """Only a path on this site: never an open redirect to another."""
    if not target or not target.startswith("/") or target.startswith("//") or urlsplit(target).netloc:
        return "/"
    return target


def login_page(request: Request, *, status: int = 200, problem: str | None = None, name: str = "",
               next: str | None = None) -> HTMLResponse:
    """The login form; after logging in, back to `next` or the page that was asked for."""
    target = next or request.query_params.get("next") or (
        request.url.path if request.method == "GET" and request.url.path != "/login" else "/")
    return render(request, "login.html", status, problem=problem, login_name=name, next=_safe_next(target))


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request) -> HTMLResponse:
    return login_page(request)


@router.post("/login", response_class=HTMLResponse)
def login(request: Request, name: Annotated[str, Form(max_length=80)],
          password: Annotated[str, Form(max_length=1024)],
          next: Annotated[str, Form(max_length=2000)] = "/") -> Response:
    try:
        secret, _, _ = accounts(request).login(name, password, client_address(request))
    except Unauthenticated as err:
        return login_page(request, status=401, problem=str(err), name=name, next=next)
    except TooManyAttempts as err:
        page = login_page(request, status=429, problem=str(err), name=name, next=next)
        page.headers["Retry-After"] = str(err.retry_after_s)
        return page
    response = RedirectResponse(_safe_next(next), status_code=303)
    set_session_cookie(request, response, secret)
    return response


@router.post("/logout")
def logout(request: Request, who: Who) -> Response:
    accounts(request).logout(who)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


def _account(request: Request, who: Any, status: int = 200, **extra: Any) -> HTMLResponse:
    tokens = accounts(request).tokens(who)
    return render(request, "account.html", status, tokens=tokens, scopes=SCOPES, days=TOKEN_DAYS, **extra)


@router.get("/account", response_class=HTMLResponse)
def account(request: Request, who: Who) -> HTMLResponse:
    return _account(request, who)


@router.post("/account/tokens", response_class=HTMLResponse)
def create_token(request: Request, who: Who, label: Annotated[str, Form(max_length=80)] = "",
                 days: Annotated[int, Form()] = TOKEN_DAYS,
                 scopes: Annotated[list[str] | None, Form()] = None) -> HTMLResponse:
    try:
        secret, cred = accounts(request).create_token(who, label=label, days=days,
                                                              scopes=tuple(scopes or ("read",)))
    except Invalid as err:
        return _account(request, who, 422, problems=[e.msg for e in err.errors])
    return _account(request, who, 201, new_token=secret, new_token_id=cred.id)


@router.post("/account/tokens/{token_id}/revoke")
def revoke_token(request: Request, who: Who, token_id: TokenId) -> Response:
    accounts(request).revoke_token(who, token_id)
    return RedirectResponse("/account", status_code=303)


def _users(request: Request, who: Any, status: int = 200, problems: list[str] | None = None) -> HTMLResponse:
    return render(request, "users.html", status, users=accounts(request).users(who),
                  problems=problems or [])


@router.get("/admin/users", response_class=HTMLResponse)
def users(request: Request, who: Who) -> HTMLResponse:
    return _users(request, who)


@router.post("/admin/users", response_class=HTMLResponse)
def add_user(request: Request, who: Who, name: Annotated[str, Form(max_length=80)],
             agency: Annotated[str, Form(max_length=80)] = "",
             password: Annotated[str, Form(max_length=1024)] = "") -> Response:
    try:
        accounts(request).add_user(who, name=name, agency=agency or None, is_admin=not agency,
                                           password=password or None)
    except Invalid as err:
        return _users(request, who, 422, [e.msg for e in err.errors])
    except Conflict as err:
        return _users(request, who, 409, [str(err)])
    return RedirectResponse("/admin/users", status_code=303)


@router.post("/admin/users/{user_id}/disabled")
def set_disabled(request: Request, who: Who, user_id: UserId,
                 disabled: Annotated[bool, Form()]) -> Response:
    if user_id == who.user_id and disabled:
        raise Forbidden("an administrator cannot disable their own account")
    accounts(request).change_user(who, user_id, disabled=disabled)
    return RedirectResponse("/admin/users", status_code=303)
