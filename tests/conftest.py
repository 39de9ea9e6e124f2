"""Shared fixtures: small scenarios built in Python, and the shipped small example.

`world` is a tiny, clean station: two segments (A, B), two vehicle types,
two crewed flights with two people each, an agreement that both keep. A
check of it finds nothing, so a test changes one thing and sees one rule
break. `build` turns a dict or TOML text into a Scenario.
"""

from __future__ import annotations

import copy
import tomllib
from pathlib import Path
from typing import Any

import pytest

from mixedcrew.domain import Scenario
from mixedcrew.io.scenario_file import load_scenario, loads_scenario, validate_scenario

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def _person(pid: str, name: str, agency: str, segment: str, *trained: dict[str, Any]) -> dict[str, Any]:
    return {"id": pid, "name": name, "agency": agency, "segments": [segment], "trained": list(trained)}


def _trained(vehicle_type: str, commander: bool = False, ready: str = "2022-01-01") -> dict[str, Any]:
    return {"vehicle_type": vehicle_type, "ready": ready, "commander": commander}


# Instants of the two flights, named so tests can say what they mean.
S1 = {"launch": "2023-01-01T00:00:00Z", "dock": "2023-01-01T06:00:00Z",
      "undock": "2023-06-01T00:00:00Z", "land": "2023-06-01T04:00:00Z"}
D1 = {"launch": "2023-01-10T00:00:00Z", "dock": "2023-01-11T00:00:00Z",
      "undock": "2023-06-10T00:00:00Z", "land": "2023-06-10T12:00:00Z"}

BASE: dict[str, Any] = {
    "scenario": {"name": "tiny"},
    "stations": [{
        "id": "ST",
        "segments": [{"id": "A", "min_operators": 1}, {"id": "B", "min_operators": 1}],
        "crew": [{"from": "2020-01-01", "nominal": 4, "maximum": 6, "handover_days": 10}],
        "ports": [
            {"id": "p1", "interface": "SSVP"},
            {"id": "p2", "interface": "IDSS"},
            {"id": "p3", "interface": "SSVP"},
            {"id": "p4", "interface": "IDSS"},
        ],
    }],
    "launch_sites": [{"id": "bai"}, {"id": "ksc"}],
    "agencies": [{"id": "BLUE", "home_segment": "A"}, {"id": "RED", "home_segment": "B"}],
    "vehicle_types": [
        {"id": "soyuz", "name": "Soyuz MS", "seats": 3, "max_docked_days": 200,
         "docking": ["SSVP"], "launch_sites": ["bai"]},
        {"id": "dragon", "name": "Crew Dragon", "seats": 4, "max_docked_days": 240,
         "docking": ["IDSS"], "launch_sites": ["ksc"]},
    ],
    "capsules": [{"id": "cap1", "name": "Endurance", "vehicle_type": "dragon", "turnaround_days": 30}],
    "certifications": [
        {"agency": a, "vehicle_type": v, "from": "2020-01-01"}
        for a in ("BLUE", "RED") for v in ("soyuz", "dragon")
    ],
    "people": [
        _person("r1", "Orlov, Oleg", "RED", "B", _trained("soyuz", commander=True)),
        _person("b1", "Baker, Beth", "BLUE", "A", _trained("soyuz")),
        _person("b2", "Brown, Bill", "BLUE", "A", _trained("dragon", commander=True)),
        _person("r2", "Rudin, Roman", "RED", "B", _trained("dragon")),
        # spares, on no flight unless a test assigns them
        _person("r3", "Reva, Rita", "RED", "B", _trained("soyuz"), _trained("dragon")),
        _person("b3", "Bell, Ben", "BLUE", "A", _trained("soyuz"), _trained("dragon")),
    ],
    "flights": [
        {"id": "S1", "name": "Soyuz-1", "vehicle_type": "soyuz", "station": "ST", "port": "p1",
         "launch_site": "bai", **S1},
        {"id": "D1", "name": "Dragon-1", "vehicle_type": "dragon", "capsule": "cap1", "station": "ST",
         "port": "p2", "launch_site": "ksc", **D1},
    ],
    "assignments": [
        {"person": "r1", "up": "S1", "down": "S1", "role": "commander"},
        {"person": "b1", "up": "S1", "down": "S1"},
        {"person": "b2", "up": "D1", "down": "D1", "role": "commander"},
        {"person": "r2", "up": "D1", "down": "D1"},
    ],
    "agreements": [{
        "id": "swap", "name": "Crew swap", "parties": ["BLUE", "RED"],
        "from": "2022-01-01", "until": "2030-01-01", "tolerance": 1,
        "quotas": [
            {"vehicle_type": "soyuz", "party": "BLUE", "per_flight": 1},
            {"vehicle_type": "dragon", "party": "RED", "per_flight": 1},
        ],
    }],
    "events": [],
}


def build_scenario(data: dict[str, Any] | str, checked: bool = True) -> Scenario:
    """A Scenario from a dict or TOML text.

    checked: run the loader's validation (cross-references, flight instant
    order), so a test's data is known to be a file mixedcrew would accept.
    Unchecked builds are for states the loader refuses (ORDER's instants,
    a vehicle at a port it does not fit).
    """
    if isinstance(data, str):
        return loads_scenario(data) if checked else Scenario.model_validate(tomllib.loads(data))
    return validate_scenario(data) if checked else Scenario.model_validate(data)


class World:
    """A mutable copy of BASE with small editing helpers; `.scenario()` freezes it."""

    def __init__(self, data: dict[str, Any]):
        self.data = data

    def get(self, collection: str, ident: str) -> dict[str, Any]:
        return next(x for x in self.data[collection] if x["id"] == ident)

    def flight(self, ident: str) -> dict[str, Any]:
        return self.get("flights", ident)

    def person(self, ident: str) -> dict[str, Any]:
        return self.get("people", ident)

    @property
    def station(self) -> dict[str, Any]:
        return self.data["stations"][0]

    def add(self, collection: str, **item: Any) -> dict[str, Any]:
        self.data.setdefault(collection, []).append(item)
        return item

    def add_flight(self, ident: str, vehicle_type: str, port: str | None, launch: str,
                   dock: str | None = None, undock: str | None = None, land: str | None = None,
                   **more: Any) -> dict[str, Any]:
        site = "bai" if vehicle_type == "soyuz" else "ksc"
        item = {"id": ident, "name": ident, "vehicle_type": vehicle_type, "station": "ST",
                "launch_site": site, "launch": launch, "dock": dock, "undock": undock, "land": land,
                "port": port, **more}
        return self.add("flights", **{k: v for k, v in item.items() if v is not None})

    def assign(self, person: str, up: str, down: str | None = None, **more: Any) -> dict[str, Any]:
        item = {"person": person, "up": up, **({"down": down} if down else {}), **more}
        return self.add("assignments", **item)

    def assignment(self, person: str, up: str) -> dict[str, Any]:
        return next(a for a in self.data["assignments"] if a["person"] == person and a["up"] == up)

    def unassign(self, person: str) -> None:
        self.data["assignments"] = [a for a in self.data["assignments"] if a["person"] != person]

    def event(self, kind: str, ident: str, at: str, **more: Any) -> dict[str, Any]:
        return self.add("events", id=ident, kind=kind, at=at, **more)

    def scenario(self, checked: bool = True) -> Scenario:
        return build_scenario(self.data, checked)


@pytest.fixture
def world() -> World:
    """A fresh, editable copy of the tiny clean station."""
    return World(copy.deepcopy(BASE))


@pytest.fixture
def build():
    """build(dict | toml_text, checked=True) -> Scenario."""
    return build_scenario


@pytest.fixture(scope="session")
def small() -> Scenario:
    """examples/small.toml: ISS winter 2022-23, with the MS-22 coolant leak."""
    return load_scenario(EXAMPLES / "small.toml")
