"""What every command shares: the two consoles, exit statuses, and the turn of
the project's errors into one line each (exit status 2, never a traceback)."""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import typer
from rich.console import Console

# Typer 0.29 vendors Click and does not re-export the running command's context
# (Typer is pinned in pyproject.toml; tests/test_errors.py pins the flagged messages).
from typer._click.globals import get_current_context

from mixedcrew.errors import DataError, MixedcrewError, OutputError, Problem, ScenarioError

if TYPE_CHECKING:
    from mixedcrew.domain import Scenario

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
        except (ScenarioError, DataError, OutputError) as e:
            fail(e.problems)
        except MixedcrewError as e:
            fail([with_flag(e)])

    return wrapper


def with_flag(e: MixedcrewError) -> str:
    """The error's message with the running command's flag for the parameter it names:
    "trials must be at least 1, got 0" becomes "--trials must be at least 1, got 0"."""
    message = str(e)
    ctx = get_current_context(silent=True)
    if e.parameter is None or ctx is None:
        return message
    flags = [o for p in ctx.command.params if p.name == e.parameter for o in p.opts if o.startswith("--")]
    if not flags:
        return message
    name = e.parameter
    if message.startswith(name) and message[len(name):len(name) + 1] in (" ", ":"):
        return flags[0] + message[len(name):]
    return f"{flags[0]}: {message}"


def parse_instant(value: str | None, option: str) -> datetime | None:
    if value is None:
        return None
    # here, not at the top: instants.py builds on pydantic, which `--version` does without
    from mixedcrew.instants import to_instant

    try:
        return to_instant(value)
    except ValueError as e:
        fail([f"{option}: {e}"])


# --- what every command checks before its work ---------------------------------------------
# The models and the file layer are imported where used, as parse_instant does: `--version`
# and `--help` start without pydantic.


def load(file: Path) -> Scenario:
    """A scenario to work on: loaded (bounded, every problem located) and not empty.

    An empty scenario (no station) would check clean and leave every other
    command nothing to work on: one clear error for every command instead.
    """
    from mixedcrew.io.scenario_file import load_scenario

    scenario = load_scenario(file)
    if not scenario.stations:
        fail([Problem(str(file), None, "", "the scenario has no [[stations]]: nothing to work on "
                                           "(docs/scenario.md shows a complete example)")])
    return scenario


def require_output(path: Path, option: str = "-o") -> None:
    """Exit 2 with one line if `path` cannot be written: before any long work."""
    from mixedcrew.io.output import check_target

    why = check_target(path)
    if why:
        fail([f"{option} {path}: {why}"])


def in_range(value: float, option: str, low: float, high: float, unit: str = "") -> None:
    """Exit 2 naming the option unless low <= value <= high (nan and inf refused)."""
    if isinstance(value, float) and not math.isfinite(value) or not low <= value <= high:
        fail([f"{option}: must be from {_num(low)} to {_num(high)}{unit}, got {_num(value)}"])


def one_of(value: str | None, option: str, choices: Sequence[str]) -> None:
    """Exit 2 naming the option unless `value` (when given) is one of `choices`."""
    if value is not None and value not in choices:
        fail([f"{option}: unknown value {value!r}: choose {', '.join(choices)}"])


def _num(value: float) -> str:
    return f"{value:,}" if isinstance(value, int) else f"{value:g}"


def window(start: datetime | None, end: datetime | None, start_option: str = "--from",
           end_option: str = "--until") -> None:
    """Exit 2 when a window ends before (or as) it starts."""
    from mixedcrew.instants import format_instant

    if start is not None and end is not None and end <= start:
        fail([f"{end_option}: {format_instant(end)} is not after {start_option} "
              f"{format_instant(start)}: give a window that ends after it starts"])
