"""Pages for access: log in and out, your tokens, a scenario's crew and seats, its proposals and audit
log, and users (administrators). Plain forms that post and redirect; no script needed."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote, urlsplit

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from mixedcrew.web.access.api import set_session_cookie
from mixedcrew.web.access.auth import SESSION_COOKIE, TOKEN_DAYS
from mixedcrew.web.deps import SCOPES, Who
from mixedcrew.web.editing.changes import ChangeIn
from mixedcrew.web.editing.seats import seat_maps
from mixedcrew.web.editing.service import proposal_lines
from mixedcrew.web.errors import Conflict, Forbidden, Invalid, Unauthenticated
from mixedcrew.web.scenarios.pages import render, service

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
        secret, _, _ = service(request).accounts.login(name, password)
    except Unauthenticated as err:
        return login_page(request, status=401, problem=str(err), name=name, next=next)
    response = RedirectResponse(_safe_next(next), status_code=303)
    set_session_cookie(request, response, secret)
    return response


@router.post("/logout")
def logout(request: Request, who: Who) -> Response:
    service(request).accounts.logout(who)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


# --- tokens ------------------------------------------------------------------------------


def _account(request: Request, who: Any, status: int = 200, **extra: Any) -> HTMLResponse:
    tokens = service(request).accounts.tokens(who)
    return render(request, "account.html", status, tokens=tokens, scopes=SCOPES, days=TOKEN_DAYS, **extra)


@router.get("/account", response_class=HTMLResponse)
def account(request: Request, who: Who) -> HTMLResponse:
    return _account(request, who)


@router.post("/account/tokens", response_class=HTMLResponse)
def create_token(request: Request, who: Who, label: Annotated[str, Form(max_length=80)] = "",
                 days: Annotated[int, Form()] = TOKEN_DAYS,
                 scopes: Annotated[list[str] | None, Form()] = None) -> HTMLResponse:
    try:
        secret, cred = service(request).accounts.create_token(who, label=label, days=days,
                                                              scopes=tuple(scopes or ("read",)))
    except Invalid as err:
        return _account(request, who, 422, problems=[e.msg for e in err.errors])
    return _account(request, who, 201, new_token=secret, new_token_id=cred.id)


@router.post("/account/tokens/{token_id}/revoke")
def revoke_token(request: Request, who: Who, token_id: int) -> Response:
    service(request).accounts.revoke_token(who, token_id)
    return RedirectResponse("/account", status_code=303)


# --- a scenario's crew, proposals, audit ---------------------------------------------------


@router.get("/scenarios/{scenario_id}/crew", response_class=HTMLResponse)
def crew(request: Request, who: Who, scenario_id: int,
         done: Annotated[str | None, Query(max_length=300)] = None) -> HTMLResponse:
    return _crew(request, who, scenario_id, done=done)


def _crew(request: Request, who: Any, scenario_id: int, status: int = 200, problems: list[str] | None = None,
          done: str | None = None) -> HTMLResponse:
    svc = service(request)
    stored = svc.scenario(who, scenario_id)
    head, scenario = svc.head_scenario(scenario_id)
    maps = {(m.flight, m.direction): m for m in seat_maps(scenario)}
    mine = [p for p in scenario.people if who.is_admin or p.agency == who.agency]
    return render(request, "crew.html", status, stored=stored, scenario=scenario, head=head, maps=maps,
                  mine=mine, done=done, problems=problems or [])


def _form_ops(form: dict[str, str]) -> list[dict[str, Any]]:
    op = form.get("op", "")
    if op == "assign":
        return [{"op": "assign", "person": form.get("person", ""), "up": form.get("up", ""),
                 "down": form.get("down") or None}]
    if op == "unassign":
        return [{"op": "unassign", "person": form.get("person", ""), "up": form.get("up", "")}]
    if op == "set_availability":
        window = {k: form[f] for k, f in (("from", "from"), ("until", "until")) if form.get(f)}
        return [{"op": "set_availability", "person": form.get("person", ""), "available": window}]
    return [{"op": op}]


@router.post("/scenarios/{scenario_id}/crew", response_class=HTMLResponse)
async def change_crew(request: Request, who: Who, scenario_id: int) -> Response:
    form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    from starlette.concurrency import run_in_threadpool

    return await run_in_threadpool(_change_crew, request, who, scenario_id, form)


def _change_crew(request: Request, who: Any, scenario_id: int, form: dict[str, str]) -> Response:
    try:
        change = ChangeIn.model_validate({"ops": _form_ops(form), "note": form.get("note", "")[:500]})
        outcome = service(request).editing.submit(who, scenario_id, change)
    except ValidationError as err:
        lines = [f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in err.errors(include_url=False)]
        return _crew(request, who, scenario_id, status=422, problems=lines)
    except Invalid as err:
        return _crew(request, who, scenario_id, status=422, problems=[e.msg for e in err.errors])
    except Conflict as err:
        return _crew(request, who, scenario_id, status=409, problems=[str(err)])
    if outcome.applied:
        done = f"Applied as revision {outcome.revision}."
    else:
        assert outcome.proposal is not None
        done = (f"Stored as proposal {outcome.proposal.id}: it waits for the approval of "
                f"{', '.join(outcome.proposal.needs)}.")
    return RedirectResponse(f"/scenarios/{scenario_id}/crew?done={quote(done)}", status_code=303)


@router.get("/scenarios/{scenario_id}/proposals", response_class=HTMLResponse)
def proposals(request: Request, who: Who, scenario_id: int) -> HTMLResponse:
    return _proposals(request, who, scenario_id)


def _proposals(request: Request, who: Any, scenario_id: int, status: int = 200,
               problems: list[str] | None = None) -> HTMLResponse:
    svc = service(request)
    stored = svc.scenario(who, scenario_id)
    found = svc.editing.proposals(who, scenario_id)
    return render(request, "proposals.html", status, stored=stored, proposals=found, lines=proposal_lines,
                  problems=problems or [])


def _decide(request: Request, who: Any, proposal_id: int, approve: bool, reason: str = "") -> Response:
    editing = service(request).editing
    p = editing.proposal(who, proposal_id)
    try:
        editing.approve(who, proposal_id) if approve else editing.reject(who, proposal_id, reason)
    except Conflict as err:
        return _proposals(request, who, p.scenario_id, status=409, problems=[str(err)])
    return RedirectResponse(f"/scenarios/{p.scenario_id}/proposals#proposal-{proposal_id}", status_code=303)


@router.post("/proposals/{proposal_id}/approve")
def approve(request: Request, who: Who, proposal_id: int) -> Response:
    return _decide(request, who, proposal_id, True)


@router.post("/proposals/{proposal_id}/reject")
def reject(request: Request, who: Who, proposal_id: int,
           reason: Annotated[str, Form(max_length=500)] = "") -> Response:
    return _decide(request, who, proposal_id, False, reason)


@router.get("/scenarios/{scenario_id}/audit", response_class=HTMLResponse)
def audit(request: Request, who: Who, scenario_id: int,
          after: Annotated[int, Query(ge=0)] = 0) -> HTMLResponse:
    svc = service(request)
    stored = svc.scenario(who, scenario_id)
    entries = svc.editing.audit(who, scenario_id, after_id=after, limit=200)
    return render(request, "audit.html", stored=stored, entries=entries,
                  more=entries[-1].id if len(entries) == 200 else None)


# --- users (administrators) ------------------------------------------------------------------


def _users(request: Request, who: Any, status: int = 200, problems: list[str] | None = None) -> HTMLResponse:
    return render(request, "users.html", status, users=service(request).accounts.users(who),
                  problems=problems or [])


@router.get("/admin/users", response_class=HTMLResponse)
def users(request: Request, who: Who) -> HTMLResponse:
    return _users(request, who)


@router.post("/admin/users", response_class=HTMLResponse)
def add_user(request: Request, who: Who, name: Annotated[str, Form(max_length=80)],
             agency: Annotated[str, Form(max_length=80)] = "",
             password: Annotated[str, Form(max_length=1024)] = "") -> Response:
    try:
        service(request).accounts.add_user(who, name=name, agency=agency or None, is_admin=not agency,
                                           password=password or None)
    except Invalid as err:
        return _users(request, who, 422, [e.msg for e in err.errors])
    except Conflict as err:
        return _users(request, who, 409, [str(err)])
    return RedirectResponse("/admin/users", status_code=303)


@router.post("/admin/users/{user_id}/disabled")
def set_disabled(request: Request, who: Who, user_id: int,
                 disabled: Annotated[bool, Form()]) -> Response:
    if user_id == who.user_id and disabled:
        raise Forbidden("an administrator cannot disable their own account")
    service(request).accounts.change_user(who, user_id, disabled=disabled)
    return RedirectResponse("/admin/users", status_code=303)
