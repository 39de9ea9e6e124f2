"""Every error mixedcrew raises on purpose, in one tree. Each carries where and
why, so the CLI can print one line each (and exit 2) and the web app one answer.

    MixedcrewError                the base; `parameter` names the argument at fault, if one
    ├── ScenarioError             a scenario file (or other input) that cannot be used: every Problem
    ├── DataError                 source data (GCAT lists, supplement, facts) that cannot be imported
    ├── OutputError               an output file that cannot be written: every Problem
    ├── InputTooLarge             an input beyond a documented limit, or not a regular file: its Problem
    ├── InputError                an argument a function cannot use: "trials must be at least 1, got 0"
    │   ├── UnknownRuleError      check(ignore=...) names a rule id that does not exist
    │   ├── PlanInputError        planner options that cannot be planned with
    │   └── RiskInputError        a window, option or scenario the risk engine cannot play
    ├── StressError               stress events that cannot be played: (event index, field, message)
    ├── BackendError              a risk backend (Dask) that cannot start or be reached
    ├── DatabaseError             web: a database URL that cannot be used, or a database unreachable
    ├── JobError                  web: a job that cannot finish, said for the person who started it
    └── RequestFailure            web: what a request may not do, in domain words (web.app maps each to HTTP)
        ├── Unauthenticated       no credential, or an unknown, expired or revoked one (401)
        ├── Forbidden             a known principal asking for something outside its rights (403)
        ├── NotFound              no such thing (404); also a LookupError
        ├── Invalid               fields that cannot be used: every FieldError (422); also a ValueError
        ├── TooLarge              an upload over the limit (413); also a ValueError
        ├── Conflict              a change that clashes with the current state (409)
        ├── QuotaExceeded         a quota reached (429): which one, and its size
        └── TooManyAttempts       too many failed logins: wait `retry_after_s` (429)

Library messages name the library's parameters (`trials`, `end`); the command
line puts its option's flag in their place (`--trials`, `--until`), see
mixedcrew.cli._support. The modules that raise an error re-export it
(`mixedcrew.plan.PlanInputError` is this PlanInputError).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

_ONE_LINE = {ord("\n"): "\\n", ord("\r"): "\\r", 0x2028: "\\u2028", 0x2029: "\\u2029", 0x85: "\\x85"}


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input file: `FILE:LINE: path.to.field: message`."""

    file: str
    line: int | None
    path: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        text = f"{where}: {self.path}: {self.message}" if self.path else f"{where}: {self.message}"
        # One problem, one line: a value with a line break (a name, a path) must not split it.
        return text.translate(_ONE_LINE)


class MixedcrewError(Exception):
    """Base of the project's own errors."""

    #: the function argument the error is about, when it is about one
    parameter: str | None = None


class ScenarioError(MixedcrewError):
    """A scenario file (or any input) that cannot be used; lists every problem found."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class DataError(MixedcrewError):
    """Source data (GCAT lists, supplement, facts) that cannot be imported."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class OutputError(MixedcrewError):
    """An output file that cannot be written (no such directory, a FIFO, disk full)."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class InputTooLarge(MixedcrewError):
    """An input beyond a documented limit, or one that is not a regular file (the readers
    turn it into their own error; a command that meets one bare still prints one line)."""

    def __init__(self, problem: Problem):
        self.problem = problem
        super().__init__(str(problem))


class InputError(MixedcrewError):
    """An argument a function cannot use. The message starts with the parameter's name
    when it is about one ("trials must be at least 1, got 0"), so that the command line
    can put the option's flag there instead."""

    def __init__(self, message: str, *, parameter: str | None = None):
        self.parameter = parameter
        super().__init__(message)


class UnknownRuleError(InputError):
    """Rule ids to ignore that name no rule; `names` are the unknown ones."""

    def __init__(self, names: list[str], rules: list[str]):
        self.names = names
        super().__init__(f"unknown rule id {', '.join(names)}: the rules are {', '.join(rules)}",
                         parameter="ignore")


class PlanInputError(InputError):
    """Options that cannot be planned with (an `until` before the data's horizon)."""


class RiskInputError(InputError):
    """A scenario, window or option the risk engine cannot play, with the reason and the fix."""


class StressError(MixedcrewError):
    """Events that cannot be played as stresses: (event index, field, message) each."""

    def __init__(self, problems: list[tuple[int, str, str]]):
        self.problems = problems
        super().__init__("; ".join(f"stress [{i}] {f}: {m}" for i, f, m in problems))


class BackendError(MixedcrewError):
    """A backend that cannot start or cannot be reached."""


class DatabaseError(MixedcrewError):
    """A database URL that cannot be used, or a database that cannot be reached or migrated."""


class JobError(MixedcrewError):
    """A job that cannot finish, with a message meant for the person who started it."""


# --- what the web app refuses (mixedcrew.web.errors re-exports these) -------------------


class RequestFailure(MixedcrewError):
    """What a request may not do, in domain words; the web app answers each with its status."""


class Unauthenticated(RequestFailure):
    """No credential, or one that is unknown, expired or revoked (HTTP 401)."""


class Forbidden(RequestFailure):
    """A known principal asking for something outside its rights (HTTP 403)."""


class NotFound(RequestFailure, LookupError):
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


class Invalid(RequestFailure, ValueError):
    def __init__(self, errors: list[FieldError]):
        self.errors = errors
        super().__init__("; ".join(e.msg for e in errors))


class TooLarge(RequestFailure, ValueError):
    def __init__(self, size: int, limit: int):
        self.size, self.limit = size, limit
        super().__init__(f"the file is {size} bytes; uploads may be at most {limit} bytes")


class Conflict(RequestFailure, RuntimeError):
    pass


class QuotaExceeded(RequestFailure):
    """A quota reached: `quota` names it (e.g. "jobs per user"), `limit` is its size."""

    def __init__(self, quota: str, limit: int, message: str):
        self.quota, self.limit = quota, limit
        super().__init__(message)


class TooManyAttempts(RequestFailure):
    """Too many failed logins of one account or from one address (HTTP 429, with Retry-After)."""

    def __init__(self, message: str, *, retry_after_s: int):
        self.retry_after_s = retry_after_s
        super().__init__(message)
