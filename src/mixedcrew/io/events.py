"""Events from outside a scenario (`--event`, an events file, the API), checked like `[[events]]`.

One validator for every door: an event given on the command line, in a
file of `[[events]]` or in a request body goes through the same model
checks as an event written in a scenario (fields, kinds, instants inside
the supported range) and the same reference checks against the scenario it
will join (flights, people, capsules, vehicle types and sites it names; its
id unique among the scenario's events and the others given).

`validate_events` is the core (no I/O); `load_events` reads `--event`
values, bounded like every other input.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter, ValidationError

from mixedcrew.domain import Event, Scenario
from mixedcrew.errors import Problem, ScenarioError
from mixedcrew.io.locate import LineIndex, PathKey, format_path
from mixedcrew.io.scenario_file import parse_toml, read_input, validation_found
from mixedcrew.references import check_references

# Longer than any real inline event; a longer value is refused before it is parsed.
MAX_INLINE_CHARS = 4096
EXAMPLE = ('{ id = "leak", kind = "damage", at = 2022-12-15T00:00:00Z, flight = "MS22", '
           "seats_lost = 3 }")

_WRAP = "event = "
_ADAPTER: TypeAdapter[Any] = TypeAdapter(Event)


def validate_events(scenario: Scenario, events: Sequence[Event]) -> list[tuple[int, PathKey, str]]:
    """(index into `events`, path inside that event, message) for each reference problem.

    The events are checked as if appended to the scenario's own: what they
    name must exist there, and their ids must be new (to it and to each other).
    """
    n = len(scenario.events)
    combined = scenario.model_copy(update={"events": (*scenario.events, *events)})
    out: list[tuple[int, PathKey, str]] = []
    for path, message in check_references(combined):
        if (len(path) >= 3 and path[0] == "events" and isinstance(path[1], int) and path[1] >= n
                and path[2:] != ("id",)):
            out.append((path[1] - n, tuple(path[2:]), message))
    own = {e.id for e in scenario.events}
    first: dict[str, int] = {}
    for k, e in enumerate(events):
        if e.id in own:
            out.append((k, ("id",), f"event id {e.id!r} is already in the scenario: give a new id"))
        elif e.id in first:
            out.append((k, ("id",), f"duplicate event id {e.id!r} (also given as event {first[e.id] + 1})"))
        first.setdefault(e.id, k)
    return sorted(out, key=lambda found: found[0])


def parse_event(item: Any) -> tuple[Event | None, list[tuple[PathKey, str]]]:
    """One event from parsed data (a dict), or the (path, message) of each field problem."""
    if not isinstance(item, dict):
        return None, [((), f"an event is a table such as {EXAMPLE}, not {type(item).__name__}")]
    try:
        return _ADAPTER.validate_python(item), []
    except ValidationError as err:
        # The scenario loader's wording and paths, as if the event stood in [[events]].
        return None, validation_found(err, item)


def events_from_data(data: Any, filename: str, text: str = "",
                     where: PathKey = ("events",)) -> tuple[list[Event], list[Problem]]:
    """Events from a parsed list of tables (as `events = [...]` or `[[events]]`); problems located."""
    index = LineIndex(text)
    if not isinstance(data, list):
        return [], [Problem(filename, index.line_of(where), format_path(where),
                            f"must be a list of event tables ([[events]]), not {type(data).__name__}")]
    events: list[Event] = []
    problems: list[Problem] = []
    for i, item in enumerate(data):
        event, found = parse_event(item)
        if event is not None:
            events.append(event)
        for path, message in found:
            full = (*where, i, *path)
            problems.append(Problem(filename, index.line_of(full), format_path(full), message))
    return events, problems


def load_events(values: Iterable[str], scenario: Scenario, option: str = "--event") -> tuple[Event, ...]:
    """Events from `--event` values: inline TOML tables or files of `[[events]]`.

    Raises ScenarioError listing every problem: file problems with file and
    line, inline ones named by the option. Checked against `scenario`.
    """
    events: list[Event] = []
    origin: list[tuple[str, LineIndex | None, PathKey]] = []
    problems: list[Problem] = []
    for value in values:
        got, where, found = _one_value(value, option)
        events += got
        origin += where
        problems += found
    if not problems:
        for k, path, message in validate_events(scenario, events):
            name, index, base = origin[k]
            full = (*base, *path)
            problems.append(Problem(name, index.line_of(full) if index else None, format_path(full),
                                    message))
    if not problems and not events:
        problems.append(Problem(option, None, "", f"give at least one event, e.g. {EXAMPLE}"))
    if problems:
        raise ScenarioError(problems)
    return tuple(events)


def _one_value(value: str, option: str
               ) -> tuple[list[Event], list[tuple[str, LineIndex | None, PathKey]], list[Problem]]:
    stripped = value.strip()
    if not stripped.startswith("{"):
        path = Path(value)
        if not path.exists() and not path.is_symlink():
            return [], [], [Problem(option, None, "", (
                f"{_shown(value)} is neither an inline table nor a file: write e.g. {EXAMPLE}"))]
        data, text = parse_toml(read_input(path), str(path))
        extra = sorted(set(data) - {"events"})
        if extra:
            index = LineIndex(text)
            return [], [], [Problem(str(path), index.line_of((k,)), k, (
                "unknown field: an events file holds only [[events]] tables")) for k in extra]
        items = data.get("events", [])
        events, problems = events_from_data(items, str(path), text)
        index = LineIndex(text)
        where: list[tuple[str, LineIndex | None, PathKey]] = [(str(path), index, ("events", i))
                 for i in range(len(items) if isinstance(items, list) else 0)]
        # `where` lines up with `events` whenever no item failed, the only time it is read
        return events, where, problems
    if len(value) > MAX_INLINE_CHARS:
        return [], [], [Problem(option, None, "", (
            f"an inline event of {len(value):,} characters is over the limit of {MAX_INLINE_CHARS:,}"))]
    try:
        data, _ = parse_toml(f"{_WRAP}{value}\n", option)
    except ScenarioError as err:
        return [], [], [Problem(option, None, "", f"{_shown(value)}: {_column(p.message)}; "
                                                  f"write e.g. {EXAMPLE}") for p in err.problems]
    event, found = parse_event(data.get("event"))
    shown = _shown(value)
    problems = [Problem(option, None, format_path(path), f"{message} (in {shown})")
                for path, message in found]
    return ([event] if event else []), [(option, None, ())], problems


def _column(message: str) -> str:
    """A TOML message's column counted in the value given, not in the wrapped text parsed."""
    return re.sub(r"\(column (\d+)\)", lambda m: f"(column {max(1, int(m[1]) - len(_WRAP))})", message)


def _shown(value: str, width: int = 60) -> str:
    """A value as one short line (control characters escaped), for a message."""
    text = repr(value)
    return text if len(text) <= width else text[: width - 1] + "…"
