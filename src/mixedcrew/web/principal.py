"""Who a request (or the command line) acts as, and what its credential allows.

Below the features and free of FastAPI, so that `mixedcrew users` can act on the
accounts without loading the web framework; deps.py re-exports it for routes."""

from __future__ import annotations

from dataclasses import dataclass

from mixedcrew.web.errors import Forbidden

# What a credential may do. A page session has read and write; a token may be
# narrowed, e.g. to `calendar` for a calendar app that subscribes to .ics feeds.
SCOPES = ("read", "write", "calendar")
SESSION_SCOPES = ("read", "write")
SCOPE_WORDS = {"read": "read scenarios, manifests, exports, jobs, proposals and the audit log",
               "write": "change people, seats and flights, propose, approve, reject, start and stop jobs",
               "calendar": "read the iCalendar feeds only"}


@dataclass(frozen=True)
class Principal:
    """The user a request acts as, and what its credential allows."""

    user_id: int | None
    name: str
    agency: str | None
    is_admin: bool
    scopes: frozenset[str]
    credential_id: int | None = None
    via: str = "token"  # session | token | command line

    def can(self, scope: str) -> bool:
        return scope in self.scopes

    def need(self, scope: str) -> None:
        if scope not in self.scopes:
            allowed = ", ".join(sorted(self.scopes)) or "nothing"
            raise Forbidden(f"this {self.via} may {allowed}; {scope!r} is needed here "
                            f"({SCOPE_WORDS.get(scope, scope)})")

    def need_admin(self, what: str) -> None:
        if not self.is_admin:
            raise Forbidden(f"only administrators {what}; {self.name} is a user of {self.agency}")

    @property
    def side(self) -> str:
        """Who this user speaks for: their agency, or the administrators."""
        return self.agency or "administrators"


def command_line_principal(who: str) -> Principal:
    """The command line (e.g. `mixedcrew users add`) acting with the database's own rights."""
    return Principal(None, f"command line ({who})"[:120], None, True, frozenset(SCOPES), None, "command line")
