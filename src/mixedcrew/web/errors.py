"""The failures every feature reports, in domain words; `app` turns them into HTTP.

Unauthenticated -> 401, Forbidden -> 403, NotFound -> 404, Invalid -> 422,
TooLarge -> 413, Conflict -> 409.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


class Unauthenticated(Exception):
    """No credential, or one that is unknown, expired or revoked (HTTP 401)."""


class Forbidden(Exception):
    """A known principal asking for something outside its rights (HTTP 403)."""


class NotFound(LookupError):
    def __init__(self, what: str, ident: object):
        self.what, self.ident = what, ident
        super().__init__(f"no {what} {ident!r}")


@dataclass(frozen=True)
class FieldError:
    loc: tuple[str | int, ...]
    msg: str
    type: str
    line: int | None = None
    text: str | None = None  # the CLI's line: FILE:LINE: path: message

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"loc": list(self.loc), "msg": self.msg, "type": self.type}
        if self.line is not None:
            out["line"] = self.line
        if self.text is not None:
            out["text"] = self.text
        return out


class Invalid(ValueError):
    def __init__(self, errors: list[FieldError]):
        self.errors = errors
        super().__init__("; ".join(e.msg for e in errors))


class TooLarge(ValueError):
    def __init__(self, size: int, limit: int):
        self.size, self.limit = size, limit
        super().__init__(f"the file is {size} bytes; uploads may be at most {limit} bytes")


class Conflict(RuntimeError):
    pass
