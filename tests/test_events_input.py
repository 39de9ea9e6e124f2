"""Events from outside a scenario (`--event`, events files) pass the checks of `[[events]]`.

The review's cases: an unknown flight, year 9999, `events = 5`, a binary
file, an early return of an unknown person, an unknown capsule, site or
flight, duplicate ids — each one located line, never a traceback, never
an event that `check` would then refuse.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from mixedcrew.domain import Damage, Scenario
from mixedcrew.errors import ScenarioError
from mixedcrew.io.events import load_events, validate_events
from mixedcrew.io.scenario_file import load_scenario

SMALL = load_scenario(Path(__file__).resolve().parents[1] / "examples" / "small.toml")
LEAK = ('{ id = "leak2", kind = "damage", at = 2022-12-15T00:00:00Z, flight = "MS22", '
        "seats_lost = 1 }")


def messages(values: list[str], scenario: Scenario = SMALL) -> list[str]:
    with pytest.raises(ScenarioError) as info:
        load_events(values, scenario)
    lines = [str(p) for p in info.value.problems]
    assert all("\n" not in line for line in lines)
    return lines


def test_a_valid_inline_event_is_parsed() -> None:
    (event,) = load_events([LEAK], SMALL)
    assert isinstance(event, Damage) and event.flight == "MS22" and event.seats_lost == 1


@pytest.mark.parametrize("change, expected", [
    (('"MS22"', '"MS99"'), "--event: flight: unknown flight 'MS99'"),
    (("2022-12-15T00:00:00Z", "9999-12-15T00:00:00Z"), "out of range: instants are supported"),
    (('"leak2"', '"' + SMALL.events[0].id + '"'), "is already in the scenario"),
    (("seats_lost = 1", "seats_lost = 0"), "seats_lost: Input should be greater than or equal to 1"),
    (('kind = "damage"', 'kind = "meteor"'), "unknown kind 'meteor'"),
])
def test_inline_events_are_checked_like_scenario_events(change: tuple[str, str], expected: str) -> None:
    (line,) = messages([LEAK.replace(*change)])
    assert line.startswith("--event: ") and expected in line, line


@pytest.mark.parametrize("event, field, what", [
    ('{ id = "r", kind = "early_return", at = 2023-01-01, people = ["ghost"] }', "people[0]",
     "unknown person 'ghost'"),
    ('{ id = "g", kind = "grounding", at = 2023-01-01, capsule = "nocapsule" }', "capsule",
     "unknown capsule 'nocapsule'"),
    ('{ id = "s", kind = "site_outage", at = 2023-01-01, site = "moon" }', "site",
     "unknown launch site 'moon'"),
    ('{ id = "c", kind = "contingency_seat", at = 2023-01-01, flight = "XX" }', "flight",
     "unknown flight 'XX'"),
])
def test_every_reference_is_checked(event: str, field: str, what: str) -> None:
    (line,) = messages([event])
    assert line.startswith(f"--event: {field}: {what}"), line


def test_duplicate_ids_among_given_events() -> None:
    (line,) = messages([LEAK, LEAK])
    assert "duplicate event id 'leak2'" in line


def test_the_same_checks_for_files_with_lines(tmp_path: Path) -> None:
    f = tmp_path / "events.toml"
    f.write_text('[[events]]\nid = "a"\nkind = "damage"\nat = 2022-12-15\nflight = "NOPE"\n'
                 'seats_lost = 1\n\n[[events]]\nid = "b"\nkind = "site_outage"\nat = 2023-01-01\n'
                 'site = "moon"\n', encoding="utf-8")
    assert messages([str(f)]) == [
        f"{f}:5: events[0].flight: unknown flight 'NOPE'",
        f"{f}:12: events[1].site: unknown launch site 'moon'",
    ]


@pytest.mark.parametrize("content, expected", [
    (b"events = 5\n", ":1: events: must be a list of event tables"),
    (b"\x7fELF\x02\x01\x01\x00\xd0\xff", ":1: byte 0xd0 is not UTF-8"),
    (b"events = " + b"[" * 500 + b"]" * 500 + b"\n", ":1: arrays or inline tables nested more than"),
    (b"flights = []\n", ":1: flights: unknown field: an events file holds only [[events]]"),
    (b"[[events]]\nid = 'x'\n", ":1: events[0].kind: required field is missing"),
])
def test_bad_event_files_are_located(tmp_path: Path, content: bytes, expected: str) -> None:
    f = tmp_path / "e.toml"
    f.write_bytes(content)
    (line,) = messages([str(f)])
    assert line.startswith(str(f)) and expected in line, line


def test_neither_table_nor_file_and_no_events() -> None:
    (line,) = messages(["nope.toml"])
    assert "is neither an inline table nor a file" in line
    assert messages([]) == [messages([])[0]]
    assert "give at least one event" in messages([])[0]


def test_an_overlong_inline_event_is_refused_before_parsing() -> None:
    (line,) = messages(["{" + " " * 10_000 + "}"])
    assert "over the limit" in line


def test_validate_events_is_the_library_core() -> None:
    bad = Damage(id="z", kind="damage", at=SMALL.flights[0].launch, flight="nowhere", seats_lost=1)
    good = Damage(id="y", kind="damage", at=SMALL.flights[0].launch, flight=SMALL.flights[0].id,
                  seats_lost=1)
    assert validate_events(SMALL, [good]) == []
    assert validate_events(SMALL, [good, bad]) == [(1, ("flight",), "unknown flight 'nowhere'")]
