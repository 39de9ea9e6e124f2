"""Tiny random scenarios small enough to search exhaustively, and that search.

Each has one flown flight and two open ones with windows of one or two
days, stays of at most three days on a one-day grid, two seats a flight,
and a handful of people with random training, commander ratings,
certification dates, availability and an optional crew-swap agreement.
The search enumerates exactly the planner's choices (launch step, stay
steps, port, full crew) and asks the checker about each plan.
"""

from __future__ import annotations

import itertools
import random
from datetime import UTC, datetime, timedelta
from typing import Any

from mixedcrew.check import check
from mixedcrew.domain import Assignment, Scenario
from mixedcrew.io.scenario_file import validate_scenario

T0 = datetime(2030, 1, 1, tzinfo=UTC)
DAY = timedelta(days=1)
PER_FLIGHT_RULES = {"TRAINED", "CERT", "COMMANDER", "SEATS", "DOCKED_LIMIT", "PORTS"}


def _t(x: datetime) -> str:
    return x.strftime("%Y-%m-%dT%H:%M:%SZ")


def tiny_scenario(seed: int) -> Scenario:
    rng = random.Random(seed)
    ports = [{"id": "x1", "interface": "X"}, {"id": "y1", "interface": "Y"}]
    if rng.random() < 0.85:
        ports.append({"id": "x2", "interface": "X"})
    people = [
        {"id": "p0", "name": "Zero, Pat", "agency": "BLUE", "segments": ["A"],
         "trained": [{"vehicle_type": "pod", "ready": "2029-01-01", "commander": True}]},
        {"id": "p1", "name": "One, Ron", "agency": "RED", "segments": ["B"],
         "trained": [{"vehicle_type": "pod", "ready": "2029-01-01"}]},
    ]
    for i in range(2, 6):
        agency = rng.choice(["BLUE", "RED"])
        trained = []
        for vt in ("pod", "van"):
            if rng.random() < 0.8:
                ready = T0 - 10 * DAY if rng.random() < 0.7 else T0 + rng.randrange(0, 5) * DAY
                trained.append({"vehicle_type": vt, "ready": _t(ready), "commander": rng.random() < 0.5})
        person: dict[str, Any] = {"id": f"p{i}", "name": f"P{i}, Test", "agency": agency,
                                  "segments": ["A" if agency == "BLUE" else "B"], "trained": trained}
        if rng.random() < 0.2:
            person["available"] = {"until": _t(T0 + rng.randrange(3, 9) * DAY)}
        people.append(person)
    undock0 = rng.choice([1.5, 2.0])
    data: dict[str, Any] = {
        "scenario": {"name": f"tiny {seed}", "min_rest_days": rng.choice([0, 0, 1])},
        "stations": [{
            "id": "ST", "segments": [{"id": "A"}, {"id": "B", "min_operators": rng.choice([0, 1])}],
            "crew": [{"from": "2020-01-01", "nominal": rng.choice([3, 4]), "maximum": rng.choice([4, 6]),
                      "handover_days": rng.choice([1, 2])}],
            "ports": ports,
        }],
        "launch_sites": [{"id": "s1"}],
        "agencies": [{"id": "BLUE", "home_segment": "A"}, {"id": "RED", "home_segment": "B"}],
        "vehicle_types": [
            {"id": "pod", "name": "Pod", "seats": 2, "max_docked_days": 3, "docking": ["X"],
             "launch_sites": ["s1"], "rendezvous_hours": 6, "undock_to_landing_hours": 2},
            {"id": "van", "name": "Van", "seats": 2, "max_docked_days": 3, "docking": ["Y"],
             "launch_sites": ["s1"], "rendezvous_hours": 6, "undock_to_landing_hours": 2},
        ],
        "certifications": [
            {"agency": "BLUE", "vehicle_type": "pod", "from": "2020-01-01"},
            {"agency": "BLUE", "vehicle_type": "van", "from": "2020-01-01"},
            {"agency": "RED", "vehicle_type": "pod", "from": "2020-01-01"},
            {"agency": "RED", "vehicle_type": "van", "from": _t(T0 + rng.randrange(-5, 6) * DAY)},
        ],
        "people": people,
        "flights": [
            {"id": "F0", "vehicle_type": "pod", "station": "ST", "port": "x1", "launch_site": "s1",
             "launch": _t(T0 - DAY), "dock": _t(T0 - DAY + 6 * DAY / 24),
             "undock": _t(T0 + undock0 * DAY), "land": _t(T0 + undock0 * DAY + 2 * DAY / 24)},
            {"id": "O1", "vehicle_type": "pod", "station": "ST", "launch_site": "s1",
             "window": {"from": _t(T0 + DAY), "until": _t(T0 + (1 + rng.choice([1, 2])) * DAY)}},
            {"id": "O2", "vehicle_type": rng.choice(["pod", "van"]), "station": "ST", "launch_site": "s1",
             "window": {"from": _t(T0 + 2 * DAY), "until": _t(T0 + (2 + rng.choice([1, 2])) * DAY)}},
        ],
        "assignments": [{"person": "p0", "up": "F0", "down": "F0", "role": "commander"},
                        {"person": "p1", "up": "F0", "down": "F0"}],
        "planning": {"until": _t(T0 + 15 * DAY), "launch_step_hours": 24},
    }
    if rng.random() < 0.5:
        data["agreements"] = [{"id": "swap", "parties": ["BLUE", "RED"], "from": _t(T0 + DAY),
                               "tolerance": rng.choice([1, 2]),
                               "quotas": [{"vehicle_type": "pod", "party": "BLUE"},
                                          {"vehicle_type": "van", "party": "RED"}]}]
    return validate_scenario(data, filename=f"<tiny {seed}>")


def _options(s: Scenario, fid: str) -> list[tuple[Any, list[Assignment]]]:
    """Every planner choice for one open flight: (flight with instants and port, its crew)."""
    f = s.flight_by_id[fid]
    vt = s.vehicle_type_by_id[f.vehicle_type]
    assert f.window and f.window.start and f.window.end
    station = s.station_by_id[f.station]
    ports = [p.id for p in station.ports if p.interface in vt.docking]
    trained = [p.id for p in s.people if p.training_for(f.vehicle_type) is not None
               and not any(a.person == p.id and a.up == "F0" for a in s.assignments)]
    trained += [a.person for a in s.assignments if a.up == "F0"
                and s.person_by_id[a.person].training_for(f.vehicle_type) is not None]
    out = []
    launch = f.window.start
    while launch < f.window.end:
        dock = launch + timedelta(hours=vt.rendezvous_hours)
        for stay in range(1, int(vt.max_docked_days) + 1):
            undock = dock + stay * DAY
            land = undock + timedelta(hours=vt.undock_to_landing_hours)
            for port in ports:
                g = f.model_copy(update={"launch": launch, "dock": dock, "undock": undock,
                                         "land": land, "port": port})
                for crew in itertools.combinations(sorted(set(trained)), s.seats_of(f)):
                    out.append((g, [Assignment(person=p, up=fid, down=fid) for p in crew]))
        launch += DAY
    return out


def _with(s: Scenario, flights: list[Any], rides: list[Assignment]) -> Scenario:
    by_id = {g.id: g for g in flights}
    return s.model_copy(update={
        "flights": tuple(by_id.get(f.id, f) for f in s.flights),
        "assignments": s.assignments + tuple(rides),
        "scenario": s.scenario.model_copy(update={"horizon": s.planning.until})})


def exhaustive_feasible(s: Scenario) -> bool:
    """Whether any combination of the planner's choices passes the checker."""
    per_flight = {}
    for fid in ("O1", "O2"):
        keep = []
        for g, crew in _options(s, fid):
            alone = check(_with(s, [g], crew))
            if not any(v.rule in PER_FLIGHT_RULES and fid in v.flights for v in alone.violations):
                keep.append((g, crew))
        per_flight[fid] = keep
    for (g1, c1), (g2, c2) in itertools.product(per_flight["O1"], per_flight["O2"]):
        if check(_with(s, [g1, g2], c1 + c2)).ok:
            return True
    return False
