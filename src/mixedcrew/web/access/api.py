"""The access API: logging in and out, who this credential is, tokens, users (administrators).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request, Response
from fastapi.responses import JSONResponse

from mixedcrew.web.access.auth import SESSION_COOKIE, SESSION_HOURS
from mixedcrew.web.access.schemas import (
    LoginIn,
    MeOut,
    NewTokenOut,
    TokenIn,
    TokenOut,
    UserChange,
    UserIn,
    UserOut,
)
from mixedcrew.web.access.service import Accounts
from mixedcrew.web.deps import (
    API_REFUSALS,
    MAX_ID,
    ErrorOut,
    Who,
)

router = APIRouter(prefix="/api", responses=API_REFUSALS)


def accounts(request: Request) -> Accounts:
    found: Accounts = request.app.state.accounts
    return found


TokenId = Annotated[int, Path(description="token id", ge=1, le=MAX_ID)]


UserId = Annotated[int, Path(description="user id", ge=1, le=MAX_ID)]


def set_session_cookie(request: Request, response: Response, secret: str) -> None:
    response.set_cookie(SESSION_COOKIE, secret, max_age=SESSION_HOURS * 3600, httponly=True,
                        samesite="strict", secure=request.url.scheme == "https", path="/")


def client_address(request: Request) -> str | None:
    """The peer's address, for throttling logins. Forwarded headers are not trusted: anyone can send
    them; behind a proxy, have it pass the client's address to uvicorn (--forwarded-allow-ips)."""
    return request.client.host if request.client else None


@router.post("/login", tags=["access"], summary="Log in with name and password: sets the session cookie",
             responses={429: {"model": ErrorOut, "description": "too many failed logins: see Retry-After"}})
def login(request: Request, body: LoginIn) -> JSONResponse:
    secret, cred, who = accounts(request).login(body.name, body.password, client_address(request))
    response = JSONResponse({**MeOut.of(who).model_dump(mode="json"),
                             "expires_at": cred.expires_at.isoformat()})
    set_session_cookie(request, response, secret)
    return response


@router.post("/logout", status_code=204, tags=["access"], summary="End this page session")
def logout(request: Request, who: Who) -> Response:
    accounts(request).logout(who)
    response = Response(status_code=204)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/me", tags=["access"], summary="Who this credential is, and what it may do")
def me(who: Who) -> MeOut:
    who.need("read")
    return MeOut.of(who)


@router.get("/tokens", tags=["access"],
            summary="Your API tokens (every user's, for administrators with all=true)")
def list_tokens(request: Request, who: Who, all: bool = False) -> list[TokenOut]:
    return [TokenOut.of(t) for t in accounts(request).tokens(who, everyone=all)]


@router.post("/tokens", status_code=201, tags=["access"],
             summary="Make an API token; the secret is in this answer only")
def create_token(request: Request, who: Who, body: TokenIn) -> NewTokenOut:
    secret, cred = accounts(request).create_token(who, label=body.label, days=body.days,
                                                          scopes=tuple(body.scopes))
    return NewTokenOut(**TokenOut.of(cred).model_dump(), token=secret)


@router.delete("/tokens/{token_id}", tags=["access"], summary="Revoke a token: it stops working at once")
def revoke_token(request: Request, who: Who, token_id: TokenId) -> TokenOut:
    return TokenOut.of(accounts(request).revoke_token(who, token_id))


@router.get("/users", tags=["administration"], summary="Every user (administrators)")
def list_users(request: Request, who: Who) -> list[UserOut]:
    return [UserOut.of(u) for u in accounts(request).users(who)]


@router.post("/users", status_code=201, tags=["administration"],
             summary="Add a user of an agency, or an administrator (administrators)")
def add_user(request: Request, who: Who, body: UserIn) -> UserOut:
    return UserOut.of(accounts(request).add_user(
        who, name=body.name, agency=body.agency, is_admin=body.is_admin, password=body.password))


@router.patch("/users/{user_id}", tags=["administration"],
              summary="Disable or enable a user, or set their password (administrators)")
def change_user(request: Request, who: Who, user_id: UserId, body: UserChange) -> UserOut:
    return UserOut.of(accounts(request).change_user(who, user_id, disabled=body.disabled,
                                                            password=body.password))
