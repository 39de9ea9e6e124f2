"""Cross-reference checks over a Scenario: ids unique, references resolve.

Pure: returns (path, message) pairs; the loader turns them into lines of a
file. Instant order inside a flight is the ORDER rule's, reused from there.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence

from mixedcrew.domain import (
    ContingencySeat,
    Damage,
    EarlyReturn,
    Grounding,
    Scenario,
    SiteOutage,
    Station,
    VehicleType,
)
from mixedcrew.rules import flight_order_problems

PathKey = tuple[str | int, ...]
Found = tuple[PathKey, str]


def _did_you_mean(value: str, known: Iterable[str]) -> str:
    import difflib

    close = difflib.get_close_matches(value, list(known), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _unknown(kind: str, value: str, known: Iterable[str]) -> str:
    return f"unknown {kind} {value!r}{_did_you_mean(value, known)}"


def _duplicates(items: Iterable[object], where: PathKey, label: str,
                at: Callable[[int], int] = lambda i: i) -> Iterator[Found]:
    seen: dict[str, int] = {}
    for i, item in enumerate(items):
        key = item.id  # type: ignore[attr-defined]
        if key in seen:
            yield (*where, i, "id"), f"duplicate {label} id {key!r} (first at {at(seen[key])})"
        else:
            seen[key] = i


def check_references(s: Scenario, known: dict[str, set[str]] | None = None,
                     positions: Mapping[str, Sequence[int]] | None = None) -> list[Found]:
    """Every dangling reference and duplicate id.

    `known` adds ids that exist in the file but failed their own validation,
    so a bad person is reported once, not again at every reference to them.
    `positions` gives, for a scenario made of the valid items only, the index
    in the file of each item of a collection, so paths name the file's items.
    """
    extra = known or {}
    where = positions or {}

    def at(name: str) -> Callable[[int], int]:
        return lambda i: where[name][i] if name in where else i

    def ids(name: str, objs: Iterable[object]) -> set[str]:
        return {o.id for o in objs} | extra.get(name, set())  # type: ignore[attr-defined]

    agencies = ids("agencies", s.agencies)
    vtypes = ids("vehicle_types", s.vehicle_types)
    capsules = ids("capsules", s.capsules)
    people = ids("people", s.people)
    flights = ids("flights", s.flights)
    stations = ids("stations", s.stations)
    sites = ids("launch_sites", s.launch_sites)
    segments = {seg.id for st in s.stations for seg in st.segments} | extra.get("segments", set())
    out: list[Found] = []
    for name, label in (("stations", "station"), ("launch_sites", "launch site"),
                        ("agencies", "agency"), ("vehicle_types", "vehicle type"),
                        ("capsules", "capsule"), ("people", "person"), ("flights", "flight"),
                        ("agreements", "agreement"), ("events", "event")):
        out += _duplicates(getattr(s, name), (name,), label, at(name))
    for i, st in enumerate(s.stations):
        out += _duplicates(st.segments, ("stations", i, "segments"), "segment")
        out += _duplicates(st.ports, ("stations", i, "ports"), "port")
        starts = [e.start for e in st.crew]
        if starts != sorted(starts):
            out.append((("stations", i, "crew"), "crew eras must be in time order"))
    for i, a in enumerate(s.agencies):
        if a.home_segment and a.home_segment not in segments:
            out.append((("agencies", i, "home_segment"), _unknown("segment", a.home_segment, segments)))
    for i, v in enumerate(s.vehicle_types):
        if v.operator and v.operator not in agencies:
            out.append((("vehicle_types", i, "operator"), _unknown("agency", v.operator, agencies)))
        for k, site in enumerate(v.launch_sites):
            if site not in sites:
                out.append((("vehicle_types", i, "launch_sites", k), _unknown("launch site", site, sites)))
    for i, c in enumerate(s.capsules):
        if c.vehicle_type not in vtypes:
            out.append((("capsules", i, "vehicle_type"), _unknown("vehicle type", c.vehicle_type, vtypes)))
    for i, cert in enumerate(s.certifications):
        if cert.agency not in agencies:
            out.append((("certifications", i, "agency"), _unknown("agency", cert.agency, agencies)))
        if cert.vehicle_type not in vtypes:
            out.append((("certifications", i, "vehicle_type"),
                        _unknown("vehicle type", cert.vehicle_type, vtypes)))
    out += _people(s, agencies, vtypes, segments)
    out += _flights(s, vtypes, capsules, stations, sites, agencies)
    out += _assignments(s, people, flights, at("assignments"))
    out += _agreements(s, agencies, vtypes)
    out += _shares(s, agencies, vtypes, segments)
    out += _events(s, flights, vtypes, capsules, people, sites)
    out += s.risk.unknown_references(vtypes, sites)
    return [((path[0], at(str(path[0]))(path[1]), *path[2:]) if isinstance(path[1], int) else path, message)
            for path, message in out]


def _people(s: Scenario, agencies: set[str], vtypes: set[str], segments: set[str]) -> Iterator[Found]:
    for i, p in enumerate(s.people):
        if p.agency not in agencies:
            yield ("people", i, "agency"), _unknown("agency", p.agency, agencies)
        for k, seg in enumerate(p.segments):
            if seg not in segments:
                yield ("people", i, "segments", k), _unknown("segment", seg, segments)
        for k, t in enumerate(p.trained):
            if t.vehicle_type not in vtypes:
                yield (("people", i, "trained", k, "vehicle_type"),
                       _unknown("vehicle type", t.vehicle_type, vtypes))


def _flights(s: Scenario, vtypes: set[str], capsules: set[str], stations: set[str],
             sites: set[str], agencies: set[str]) -> Iterator[Found]:
    horizon = s.scenario.horizon
    for i, f in enumerate(s.flights):
        where = ("flights", i)
        vt = s.vehicle_type_by_id.get(f.vehicle_type)
        if f.vehicle_type not in vtypes:
            yield (*where, "vehicle_type"), _unknown("vehicle type", f.vehicle_type, vtypes)
        if f.capsule is not None:
            cap = s.capsule_by_id.get(f.capsule)
            if f.capsule not in capsules:
                yield (*where, "capsule"), _unknown("capsule", f.capsule, capsules)
            elif cap and cap.vehicle_type != f.vehicle_type:
                yield (*where, "capsule"), (
                    f"capsule {f.capsule!r} is a {cap.vehicle_type}, not a {f.vehicle_type}")
        station = s.station_by_id.get(f.station)
        if f.station not in stations:
            yield (*where, "station"), _unknown("station", f.station, stations)
        if station is not None:
            targets = [((*where, "port"), f.port)] + [
                ((*where, "relocations", k, "port"), r.port) for k, r in enumerate(f.relocations)]
            for path, port_id in targets:
                if port_id is not None:
                    yield from _port_problems(path, port_id, station, vt)
        if f.launch_site is not None:
            if f.launch_site not in sites:
                yield (*where, "launch_site"), _unknown("launch site", f.launch_site, sites)
            elif vt is not None and vt.launch_sites and f.launch_site not in vt.launch_sites:
                yield (*where, "launch_site"), (
                    f"{vt.name or vt.id} does not launch from {f.launch_site} "
                    f"(it launches from {', '.join(vt.launch_sites)})")
        if f.client is not None and f.client not in agencies:
            yield (*where, "client"), _unknown("agency", f.client, agencies)
        for field, message in flight_order_problems(f, horizon):
            yield (*where, field), message


def _assignments(s: Scenario, people: set[str], flights: set[str],
                 at: Callable[[int], int]) -> Iterator[Found]:
    seen: dict[tuple[str, str], int] = {}
    for i, a in enumerate(s.assignments):
        where = ("assignments", i)
        if a.person not in people:
            yield (*where, "person"), _unknown("person", a.person, people)
        for field in ("up", "down"):
            ref = getattr(a, field)
            if ref is not None and ref not in flights:
                yield (*where, field), _unknown("flight", ref, flights)
        up, down = s.flight_by_id.get(a.up), s.flight_by_id.get(a.down or "")
        if up and down and up.station != down.station:
            yield (*where, "down"), (
                f"{down.label} goes to {down.station} but {up.label} went to {up.station}")
        key = (a.person, a.up)
        if key in seen:
            yield (*where, "person"), (
                f"{a.person} already rides up on {a.up} (assignments[{at(seen[key])}])")
        seen.setdefault(key, i)


def _agreements(s: Scenario, agencies: set[str], vtypes: set[str]) -> Iterator[Found]:
    for i, ag in enumerate(s.agreements):
        for k, party in enumerate(ag.parties):
            if party not in agencies:
                yield ("agreements", i, "parties", k), _unknown("agency", party, agencies)
        if ag.end and ag.end < ag.start:
            yield ("agreements", i, "until"), "'until' is before 'from'"
        for k, q in enumerate(ag.quotas):
            if q.vehicle_type not in vtypes:
                yield (("agreements", i, "quotas", k, "vehicle_type"),
                       _unknown("vehicle type", q.vehicle_type, vtypes))
            if q.party not in ag.parties:
                yield ("agreements", i, "quotas", k, "party"), (
                    f"{q.party!r} is not a party of this agreement ({' and '.join(ag.parties)})")


def _shares(s: Scenario, agencies: set[str], vtypes: set[str], segments: set[str]) -> Iterator[Found]:
    for i, sh in enumerate(s.shares):
        if sh.segment not in segments:
            yield ("shares", i, "segment"), _unknown("segment", sh.segment, segments)
        if sh.end and sh.end < sh.start:
            yield ("shares", i, "until"), "'until' is before 'from'"
        for k, vt in enumerate(sh.vehicle_types):
            if vt not in vtypes:
                yield ("shares", i, "vehicle_types", k), _unknown("vehicle type", vt, vtypes)
        for k, part in enumerate(sh.shares):
            if part.agency not in agencies:
                yield ("shares", i, "shares", k, "agency"), _unknown("agency", part.agency, agencies)


def _events(s: Scenario, flights: set[str], vtypes: set[str], capsules: set[str],
            people: set[str], sites: set[str]) -> Iterator[Found]:
    for i, e in enumerate(s.events):
        where = ("events", i)
        if isinstance(e, Damage | ContingencySeat) and e.flight not in flights:
            yield (*where, "flight"), _unknown("flight", e.flight, flights)
        elif isinstance(e, Grounding):
            if e.vehicle_type and e.vehicle_type not in vtypes:
                yield (*where, "vehicle_type"), _unknown("vehicle type", e.vehicle_type, vtypes)
            if e.capsule and e.capsule not in capsules:
                yield (*where, "capsule"), _unknown("capsule", e.capsule, capsules)
        elif isinstance(e, EarlyReturn):
            for k, p in enumerate(e.people):
                if p not in people:
                    yield (*where, "people", k), _unknown("person", p, people)
        elif isinstance(e, SiteOutage) and e.site not in sites:
            yield (*where, "site"), _unknown("launch site", e.site, sites)
        until = getattr(e, "until", None)
        if until is not None and until < e.at:
            yield (*where, "until"), "'until' is before 'at'"


def _port_problems(path: PathKey, port_id: str, station: Station,
                   vt: VehicleType | None) -> Iterator[Found]:
    ports = {p.id: p for p in station.ports}
    port = ports.get(port_id)
    if port is None:
        yield path, _unknown(f"port of {station.id}", port_id, ports)
    elif vt is not None and port.interface not in vt.docking:
        yield path, (
            f"port {port_id} has a {port.interface} interface; {vt.name or vt.id} docks "
            f"with {', '.join(vt.docking) or 'no interface'}")
