"""Who is aboard at any date, as compact data a page can carry and look up.

The charts' date picker (in the web app and in the standalone report) reads
this: the station timeline's spans, each with the stays and the docked
vehicles (and the ports they hold) of that span, and its lifeboat seats and
operators per segment. It is the timeline's answer written down once, not a
second derivation: a page looks up the span holding a date and shows it
(`snapshot_at` here, `snapshotAt` in timeline.js, held to each other by the
browser tests).
"""

from __future__ import annotations

from bisect import bisect_right
from datetime import datetime
from typing import Any

from mixedcrew.domain import Scenario
from mixedcrew.instants import format_instant, to_instant
from mixedcrew.timeline import Timeline


def _covering(start: datetime, items: list[Any]) -> list[int]:
    """Indices of the items (with .start and .end) whose [start, end) holds `start`."""
    return [i for i, it in enumerate(items) if it.start <= start < it.end]


def timeline_data(s: Scenario, tl: Timeline, station: str | None = None) -> dict[str, Any]:
    """The station's spans with who is aboard and what is docked where, by index into short tables."""
    if not s.stations:
        return {"station": None, "segments": [], "stays": [], "flights": [], "ports": {}, "spans": [],
                "horizon": None}
    st = s.station_by_id[station] if station else s.stations[0]
    flights, people = s.flight_by_id, s.person_by_id
    stays = [x for x in tl.stays if x.station == st.id]
    holds = [h for h in tl.port_holds if h.station == st.id]
    flight_ids = sorted({d.flight for d in tl.dockings if d.station == st.id})
    flight_index = {f: i for i, f in enumerate(flight_ids)}

    def vehicle(fid: str) -> list[str]:
        f = flights[fid]
        vt = s.vehicle_type_by_id[f.vehicle_type]
        capsule = s.capsule_by_id.get(f.capsule or "")
        return [f.label, vt.name or vt.id, (capsule.name or capsule.id) if capsule else ""]

    spans = []
    for sp in tl.spans(st.id):
        port_of = {holds[i].flight: holds[i].port for i in _covering(sp.start, holds)}
        spans.append([
            format_instant(sp.start), format_instant(sp.end),
            _covering(sp.start, stays),
            [[flight_index[f], port_of.get(f)] for f in sorted(sp.docked) if f in flight_index],
            sp.lifeboat_seats, [sp.operators.get(seg.id, 0) for seg in st.segments],
        ])
    return {
        "station": st.name or st.id,
        "segments": [seg.id for seg in st.segments],
        "ports": {p.id: p.name or p.id for p in st.ports},
        "stays": [[people[x.person].name, s.agency_of(x.assignment) or "?", flights[x.up].label,
                   flights[x.down].label if x.down else ""] for x in stays],
        "flights": [vehicle(f) for f in flight_ids],
        "spans": spans,
        "horizon": format_instant(s.scenario.horizon) if s.scenario.horizon else None,
    }


def snapshot_at(data: dict[str, Any], at: datetime) -> dict[str, Any]:
    """Who is aboard at `at`, by name: people (with agency and flights), operators, vehicles, seats."""
    spans = data["spans"]
    starts = [to_instant(sp[0]) for sp in spans]
    i = bisect_right(starts, at) - 1
    out: dict[str, Any] = {"at": format_instant(at), "station": data["station"], "people": [],
                           "agencies": {}, "operators": dict.fromkeys(data["segments"], 0),
                           "docked": [], "lifeboat_seats": 0}
    if i < 0 or at >= to_instant(spans[i][1]):
        return out
    _, _, stays, docked, seats, operators = spans[i]
    people = sorted((data["stays"][k] for k in stays), key=lambda r: (r[1], r[0]))
    out["people"] = [{"name": n, "agency": a, "up": up, "down": down} for n, a, up, down in people]
    for row in people:
        out["agencies"][row[1]] = out["agencies"].get(row[1], 0) + 1
    out["operators"] = dict(zip(data["segments"], operators, strict=True))
    out["docked"] = [{"flight": data["flights"][f][0], "vehicle": data["flights"][f][1],
                      "capsule": data["flights"][f][2],
                      "port": data["ports"].get(port, port) if port else None} for f, port in docked]
    out["lifeboat_seats"] = seats
    return out
