"""Synthetic scenarios for tests and benchmarks: `mixedcrew generate`.

A station like the ISS (two segments, two agencies each with a home
segment and a vehicle, a partner agency, a crew-swap agreement, four
ports), optionally a commercial second station with its own operator
agency, vehicle and no continuous presence, and a third (GAMMA: one
port, its operator NOVA flying 30-day visits on BLUE's Kestrel, as Vast on Dragon), with rotations every
`period_days` and a short private visit each year. The first two
flights are flown and still docked at the scenario's horizon, so a plan
also picks their undocking and their crews' ride home. People have
training ready dates, some a commander's rating, some a limited
availability. Same arguments, same file.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

from mixedcrew.domain import Scenario
from mixedcrew.errors import InputError
from mixedcrew.instants import format_instant
from mixedcrew.io.scenario_file import validate_scenario

START = datetime(2031, 1, 1, tzinfo=UTC)
NAMES = ["Abel", "Baird", "Cole", "Dane", "Ekman", "Faro", "Gale", "Hale", "Imre", "Jost", "Kade",
         "Lund", "Moss", "Nagy", "Orr", "Pike", "Quin", "Rask", "Sato", "Tull", "Ueda", "Vale",
         "Wynn", "Xu", "Yates", "Zorn"]


def _t(x: datetime) -> str:
    return format_instant(x)


def _world(stations: int) -> dict[str, Any]:
    ports = [{"id": "s1", "interface": "SSVP"}, {"id": "s2", "interface": "SSVP"},
             {"id": "i1", "interface": "IDSS"}, {"id": "i2", "interface": "IDSS"}]
    data: dict[str, Any] = {
        "scenario": {"name": f"generated: {stations} station(s)", "min_rest_days": 60},
        "stations": [{
            "id": "ALPHA", "continuous_presence_from": _t(START - timedelta(days=30)),
            "segments": [{"id": "A"}, {"id": "B"}],
            "crew": [{"from": "2020-01-01", "nominal": 7, "maximum": 11, "handover_days": 14}],
            "ports": ports,
        }],
        "launch_sites": [{"id": "east"}, {"id": "west"}, {"id": "coast"}],
        "agencies": [{"id": "BLUE", "home_segment": "A"}, {"id": "RED", "home_segment": "B"},
                     {"id": "GREEN", "home_segment": "A"}],
        "vehicle_types": [
            {"id": "kestrel", "name": "Kestrel", "operator": "BLUE", "seats": 4, "max_docked_days": 240,
             "docking": ["IDSS"], "launch_sites": ["west", "coast"], "rendezvous_hours": 27,
             "undock_to_landing_hours": 17},
            {"id": "sokol", "name": "Sokol", "operator": "RED", "seats": 3, "max_docked_days": 210,
             "docking": ["SSVP"], "launch_sites": ["east"], "rendezvous_hours": 3.5,
             "undock_to_landing_hours": 3.5},
        ],
        "capsules": [{"id": f"k{i}", "name": f"Kestrel {i}", "vehicle_type": "kestrel",
                      "turnaround_days": 90} for i in range(1, 4)],
        "certifications": [
            {"agency": a, "vehicle_type": v, "from": "2020-01-01"}
            for a, v in (("BLUE", "kestrel"), ("BLUE", "sokol"), ("RED", "sokol"),
                         ("RED", "kestrel"), ("GREEN", "kestrel"))],
        "agreements": [{
            "id": "swap", "name": "BLUE-RED crew swap", "parties": ["BLUE", "RED"],
            "from": "2030-01-01", "tolerance": 2,
            "quotas": [{"vehicle_type": "sokol", "party": "BLUE"},
                       {"vehicle_type": "kestrel", "party": "RED"}]}],
        "people": [], "flights": [], "assignments": [],
    }
    if stations > 1:
        data["stations"].append({
            "id": "BETA", "segments": [{"id": "C"}],
            "crew": [{"from": "2020-01-01", "nominal": 4, "maximum": 8, "handover_days": 10}],
            "ports": [{"id": "f1", "interface": "IDSS"}, {"id": "f2", "interface": "IDSS"}],
        })
        data["agencies"].append({"id": "ORBIT", "home_segment": "C"})
        data["vehicle_types"].append(
            {"id": "heron", "name": "Heron", "operator": "ORBIT", "seats": 4, "max_docked_days": 200,
             "docking": ["IDSS"], "launch_sites": ["coast"], "rendezvous_hours": 30,
             "undock_to_landing_hours": 10})
        data["certifications"] += [{"agency": a, "vehicle_type": "heron", "from": "2020-01-01"}
                                   for a in ("ORBIT", "BLUE", "GREEN")]
    if stations > 2:
        data["stations"].append({
            "id": "GAMMA", "segments": [{"id": "G"}],
            "crew": [{"from": "2020-01-01", "nominal": 4, "maximum": 8, "handover_days": 10}],
            "ports": [{"id": "g1", "interface": "IDSS"}],
        })
        data["agencies"].append({"id": "NOVA", "home_segment": "G"})
        data["certifications"].append({"agency": "NOVA", "vehicle_type": "kestrel", "from": "2020-01-01"})
    return data


def _people(data: dict[str, Any], candidates: int, years: int, rng: random.Random) -> None:
    agencies = ["RED"] * 4 + ["BLUE"] * 4 + ["GREEN"] * 2
    if len(data["stations"]) > 1:
        agencies += ["ORBIT"] * 3
    if len(data["stations"]) > 2:
        agencies += ["ORBIT", "NOVA", "NOVA"]  # ORBIT alone flies Heron: keep its share
    end = START + timedelta(days=365 * years)
    seen: dict[str, int] = {}
    for i in range(candidates):
        agency = agencies[i % len(agencies)]
        segment = {"RED": "B", "BLUE": "A", "GREEN": "A", "ORBIT": "C", "NOVA": "G"}[agency]
        types = {"RED": ["sokol", "kestrel"], "BLUE": ["kestrel", "sokol"], "GREEN": ["kestrel"],
                 "ORBIT": ["heron"], "NOVA": ["kestrel"]}[agency]
        if agency in ("RED", "BLUE") and i >= 8 and rng.random() < 0.5:
            types = types[:1]
        seen[agency] = seen.get(agency, 0) + 1
        commander = seen[agency] <= 2 or rng.random() < 0.3
        ready = START - timedelta(days=365)
        if i >= 26:
            ready = START + timedelta(days=rng.randrange(0, 365 * years))
        surname = f"{NAMES[i % len(NAMES)]}{'' if i < 26 else i // 26}"
        person: dict[str, Any] = {
            "id": f"p{i:03d}", "name": f"{surname}, {agency.title()}",
            "agency": agency, "segments": [segment],
            "trained": [{"vehicle_type": v, "ready": _t(ready), "commander": commander} for v in types],
        }
        if i >= 26 and rng.random() < 0.25:
            person["available"] = {"until": _t(ready + timedelta(days=rng.randrange(900, 2400)))}
        if ready < end or i < 26:
            data["people"].append(person)


def _flights(data: dict[str, Any], years: int, period: int, rng: random.Random) -> None:
    flights, rides = data["flights"], data["assignments"]
    # flown and docked at the horizon: the station is crewed when planning starts
    s0 = START - timedelta(days=100)
    k0 = START - timedelta(days=20)
    flights.append({"id": "S-0", "vehicle_type": "sokol", "station": "ALPHA", "port": "s1",
                    "launch_site": "east", "launch": _t(s0), "dock": _t(s0 + timedelta(hours=3.5)),
                    "target_days": 180})
    flights.append({"id": "K-0", "vehicle_type": "kestrel", "capsule": "k1", "station": "ALPHA",
                    "port": "i1", "launch_site": "west", "launch": _t(k0),
                    "dock": _t(k0 + timedelta(hours=27)), "target_days": 180})
    by_id = {p["id"]: p for p in data["people"]}
    for person, flight, role in (("p000", "S-0", "commander"), ("p004", "S-0", "crew"),
                                 ("p001", "S-0", "crew"), ("p005", "K-0", "commander"),
                                 ("p002", "K-0", "crew"), ("p008", "K-0", "crew"),
                                 ("p009", "K-0", "crew")):
        if person in by_id:
            rides.append({"person": person, "up": flight, "role": role})
    n = years * 365 // period + 1
    for k in range(1, n):
        for prefix, vt, offset in (("S", "sokol", 80), ("K", "kestrel", 160)):
            at = START + timedelta(days=offset + (k - 1) * period)
            flights.append(_open(f"{prefix}-{k}", vt, "ALPHA", at, k))
    for y in range(years):
        at = START + timedelta(days=365 * y + 120 + rng.randrange(0, 60))
        flights.append(_open(f"V-{y + 1}", "kestrel", "ALPHA", at, y, kind="visit", days=12))
    if len(data["stations"]) > 1:
        for k in range(1, n):
            at = START + timedelta(days=30 + (k - 1) * period)
            flights.append(_open(f"B-{k}", "heron", "BETA", at, k, days=period))
        for y in range(years):
            at = START + timedelta(days=365 * y + 250 + rng.randrange(0, 30))
            flights.append(_open(f"BV-{y + 1}", "heron", "BETA", at, y, kind="visit", days=10))
    if len(data["stations"]) > 2:
        for k in range(1, n):  # 30-day crews on its one port, as Haven-1's; visits: outside the swap
            at = START + timedelta(days=60 + (k - 1) * period)
            flights.append(_open(f"G-{k}", "kestrel", "GAMMA", at, k, kind="visit", days=30))


def _open(fid: str, vt: str, station: str, at: datetime, k: int, kind: str = "rotation",
          days: int = 180) -> dict[str, Any]:
    f: dict[str, Any] = {"id": fid, "vehicle_type": vt, "station": station, "kind": kind,
                         "window": {"from": _t(at - timedelta(days=7)), "until": _t(at + timedelta(days=7))},
                         "target_days": days}
    return f


def generate_scenario(stations: int = 1, years: int = 2, candidates: int = 40, seed: int = 0,
                      period_days: int = 180) -> Scenario:
    """A synthetic scenario; raises InputError, naming the argument, for one out of range."""
    if stations not in (1, 2, 3):
        raise InputError(f"stations must be 1, 2 or 3, got {stations}", parameter="stations")
    if not 1 <= years <= 30:
        raise InputError(f"years must be 1..30, got {years}", parameter="years")
    if candidates < 12:
        raise InputError(f"candidates must be at least 12 (one crew of each kind), got {candidates}",
                         parameter="candidates")
    rng = random.Random(seed)
    data = _world(stations)
    data["scenario"]["horizon"] = _t(START)
    data["scenario"]["description"] = (f"mixedcrew generate --stations {stations} --years {years} "
                                       f"--candidates {candidates} --seed {seed}")
    _people(data, candidates, years, rng)
    _flights(data, years, period_days, rng)
    data["planning"] = {"until": _t(START + timedelta(days=365 * years))}
    return validate_scenario(data, filename="<generated>")
