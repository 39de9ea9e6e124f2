"""What every command shares: the two consoles, exit statuses, and the turn of
the project's errors into one line each (exit status 2, never a traceback)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import datetime
from typing import Any, NoReturn

import typer
from rich.console import Console

from mixedcrew.errors import DataError, MixedcrewError, Problem, ScenarioError

# emoji=False: rich would otherwise print a name or id such as ":rocket:" as an emoji.
out = Console(highlight=False, soft_wrap=True, emoji=False)
err = Console(stderr=True, highlight=False, soft_wrap=True, emoji=False)

EXIT_VIOLATIONS = 1
EXIT_FINDING = 1
EXIT_BAD_INPUT = 2


def fail(problems: list[Problem] | list[str]) -> NoReturn:
    for p in problems:
        err.print(str(p), markup=False)
    raise typer.Exit(EXIT_BAD_INPUT)


def guarded(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Turn the project's errors into clear lines and exit status 2, never a traceback."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except (ScenarioError, DataError) as e:
            fail(e.problems)
        except MixedcrewError as e:
            fail([str(e)])

    return wrapper


def parse_instant(value: str | None, option: str) -> datetime | None:
    if value is None:
        return None
    # here, not at the top: instants.py builds on pydantic, which `--version` does without
    from mixedcrew.instants import to_instant

    try:
        return to_instant(value)
    except ValueError as e:
        fail([f"{option}: {e}"])
