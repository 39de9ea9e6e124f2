"""What the access API accepts and returns: accounts and tokens.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from mixedcrew.web.access.auth import MAX_TOKEN_DAYS, TOKEN_DAYS
from mixedcrew.web.deps import In, Out, Principal
from mixedcrew.web.storage.records import (
    StoredCredential,
    StoredUser,
)

Scope = Literal["read", "write", "calendar"]


class LoginIn(In):
    name: str = Field(max_length=80)
    password: str = Field(max_length=1024)


class UserIn(In):
    name: str = Field(max_length=80, description="1 to 80 letters, digits and _ . @ + -")
    agency: str | None = Field(default=None, max_length=80, description="left out for an administrator")
    is_admin: bool = False
    password: str | None = Field(default=None, max_length=1024,
                                 description="at least 8 characters; left out: a token-only account")


class UserChange(In):
    disabled: bool | None = None
    password: str | None = Field(default=None, max_length=1024)


class UserOut(Out):
    id: int
    name: str
    agency: str | None
    is_admin: bool
    disabled: bool
    created_at: datetime

    @classmethod
    def of(cls, u: StoredUser) -> UserOut:
        return cls(id=u.id, name=u.name, agency=u.agency, is_admin=u.is_admin, disabled=u.disabled,
                   created_at=u.created_at)


class MeOut(Out):
    id: int | None
    name: str
    agency: str | None
    is_admin: bool
    scopes: list[str]
    via: str

    @classmethod
    def of(cls, p: Principal) -> MeOut:
        return cls(id=p.user_id, name=p.name, agency=p.agency, is_admin=p.is_admin,
                   scopes=sorted(p.scopes), via=p.via)


class TokenIn(In):
    label: str = Field(default="", max_length=80)
    days: int = Field(default=TOKEN_DAYS, ge=1, le=MAX_TOKEN_DAYS)
    scopes: list[Scope] = Field(default=["read", "write"], min_length=1, max_length=3)


class TokenOut(Out):
    id: int
    user_id: int
    label: str
    scopes: list[str]
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None

    @classmethod
    def of(cls, c: StoredCredential) -> TokenOut:
        return cls(id=c.id, user_id=c.user_id, label=c.label, scopes=list(c.scopes), created_at=c.created_at,
                   expires_at=c.expires_at, revoked_at=c.revoked_at)


class NewTokenOut(TokenOut):
    token: str = Field(description="the secret: shown this once, stored only as a hash")
