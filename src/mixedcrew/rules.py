"""The rules, one function each, registered by their stable id.

Each rule reads the Scenario and the Timeline and returns Violations. The
checker runs them; the planner's constraint families and its explanations
carry the same ids, so all three speak of the same thing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import TypeVar

from mixedcrew.domain import (
    Agreement,
    Damage,
    EarlyReturn,
    Flight,
    Grounding,
    Scenario,
    Segment,
    Shares,
    SiteOutage,
    Station,
)
from mixedcrew.instants import DAY, format_day, format_instant
from mixedcrew.timeline import PortHold, Span, Timeline, seats_at


@dataclass(frozen=True)
class Violation:
    rule: str
    start: datetime
    end: datetime
    message: str
    flights: tuple[str, ...] = ()
    people: tuple[str, ...] = ()

    def as_json(self) -> dict[str, object]:
        return {
            "rule": self.rule,
            "start": format_instant(self.start),
            "end": format_instant(self.end),
            "flights": list(self.flights),
            "people": list(self.people),
            "message": self.message,
        }


RuleFn = Callable[[Scenario, Timeline], Iterable[Violation]]
K = TypeVar("K")


@dataclass(frozen=True)
class Rule:
    id: str
    holds_when: str
    check: RuleFn = field(repr=False)


RULES: dict[str, Rule] = {}


def rule(rule_id: str, holds_when: str) -> Callable[[RuleFn], RuleFn]:
    def register(fn: RuleFn) -> RuleFn:
        RULES[rule_id] = Rule(rule_id, holds_when, fn)
        return fn

    return register


def _names(s: Scenario, ids: Iterable[str]) -> str:
    people = s.person_by_id
    return ", ".join(people[i].short_name if i in people else i for i in sorted(ids))


def _label(s: Scenario, flight_id: str) -> str:
    f = s.flight_by_id.get(flight_id)
    return f.label if f else flight_id


def _seats(n: int) -> str:
    return f"{n} seat" if n == 1 else f"{n} seats"


def _days(x: float) -> str:
    return f"{x:.1f}"


# --- ORDER ----------------------------------------------------------------------

_INSTANTS = ("launch", "dock", "undock", "land")


def flight_order_problems(f: Flight, horizon: datetime | None) -> list[tuple[str, str]]:
    """(field, message) for instants out of order or missing in the middle."""
    out = []
    given = [(n, getattr(f, n)) for n in _INSTANTS]
    present = [v is not None for _, v in given]
    if present != sorted(present, reverse=True):
        first_gap = present.index(False)
        later = [n for (n, v) in given[first_gap:] if v is not None]
        out.append((later[0], f"{later[0]} is given but {given[first_gap][0]} is not: "
                              "a flight's instants are filled in order"))
        return out
    if f.dock is not None and f.undock is None and horizon is None:
        out.append(("undock", "no undock: give it, or set scenario.horizon to say the data ends "
                              "while this flight is docked"))
    known = [(n, v) for n, v in given if v is not None]
    for (n1, v1), (n2, v2) in zip(known, known[1:], strict=False):
        if v2 < v1:
            out.append((n2, f"{n2} {format_instant(v2)} is before {n1} {format_instant(v1)}"))
    return out + _relocation_problems(f)


def _relocation_problems(f: Flight) -> list[tuple[str, str]]:
    """A relocation happens while docked: after the dock, before the undock."""
    if not f.relocations:
        return []
    if f.dock is None:
        return [("relocations", "relocations are given but dock is not")]
    first, last = f.relocations[0], f.relocations[-1]
    out = []
    if first.undock < f.dock:
        out.append(("relocations", f"a relocation at {format_instant(first.undock)} is before "
                                   f"dock {format_instant(f.dock)}"))
    if f.undock is not None and last.dock > f.undock:
        out.append(("relocations", f"a relocation docking at {format_instant(last.dock)} is after "
                                   f"undock {format_instant(f.undock)}"))
    return out


@rule("ORDER", "launch <= dock <= undock <= land; each assignment arrives before it leaves; "
               "a capsule flies one flight at a time, with its turnaround between")
def check_order(s: Scenario, tl: Timeline) -> Iterator[Violation]:
    for f in s.flights:
        for _, message in flight_order_problems(f, s.scenario.horizon):
            t = next(v for v in f.instants if v is not None)
            yield Violation("ORDER", t, t, f"{f.label}: {message}", (f.id,))
    flights = s.flight_by_id
    for a in s.assignments:
        up, down = flights.get(a.up), flights.get(a.down or "")
        if up is None or down is None or up.dock is None or down.undock is None:
            continue
        if down.undock <= up.dock:
            yield Violation("ORDER", down.undock, up.dock, (
                f"{_names(s, [a.person])} rides down on {down.label} (undocks "
                f"{format_instant(down.undock)}) before arriving on {up.label} "
                f"(docks {format_instant(up.dock)})"), tuple(dict.fromkeys((up.id, down.id))),
                (a.person,))
    yield from _capsule_reuse(s)


def _capsule_reuse(s: Scenario) -> Iterator[Violation]:
    by_capsule: dict[str, list[Flight]] = {}
    for f in s.flights:
        if f.capsule and f.launch:
            by_capsule.setdefault(f.capsule, []).append(f)
    for cap_id, flights in by_capsule.items():
        cap = s.capsule_by_id.get(cap_id)
        turnaround = timedelta(days=cap.turnaround_days if cap else 0)
        flights.sort(key=lambda f: f.launch)  # type: ignore[arg-type,return-value]
        for prev, nxt in zip(flights, flights[1:], strict=False):
            assert nxt.launch is not None
            if prev.land is None:
                # still flying (e.g. docked at the horizon): never back, so no ready date
                yield Violation("ORDER", nxt.launch, nxt.launch, (
                    f"capsule {cap.name if cap else cap_id} launches on {nxt.label} "
                    f"{format_day(nxt.launch)} but has not landed from {prev.label}"),
                    (prev.id, nxt.id))
                continue
            ready = prev.land + turnaround
            if nxt.launch < ready:
                yield Violation("ORDER", nxt.launch, ready, (
                    f"capsule {cap.name if cap else cap_id} launches on {nxt.label} "
                    f"{format_day(nxt.launch)} but is not back from {prev.label} and turned "
                    f"around ({cap.turnaround_days if cap else 0:g} days) until "
                    f"{format_day(ready)}"), (prev.id, nxt.id))


# --- SEATS ----------------------------------------------------------------------


@rule("SEATS", "people riding up, and people riding down, on a flight <= its seats")
def check_seats(s: Scenario, tl: Timeline) -> Iterator[Violation]:
    for f in s.flights:
        for leg, riders, t0, t1 in (("up", s.riders_up(f.id), f.launch, f.dock),
                                     ("down", s.riders_down(f.id), f.undock, f.land)):
            if t0 is None:
                continue
            # Going home, damage and contingency seats count (MS-22 had none after its leak).
            seats = s.seats_of(f) if leg == "up" else seats_at(s, f, t0)
            if len(riders) > seats:
                people = tuple(a.person for a in riders)
                changed = " usable" if seats != s.seats_of(f) else ""
                yield Violation("SEATS", t0, t1 or t0, (
                    f"{len(riders)} people ride {leg} on {f.label} but it has {seats}{changed} "
                    f"seat{'s' if seats != 1 else ''} ({_names(s, people)})"), (f.id,), people)


# --- CERT -----------------------------------------------------------------------


def certified(s: Scenario, agency: str, vehicle_type: str, t: datetime) -> bool:
    return any(c.agency == agency and c.vehicle_type == vehicle_type and c.valid_at(t)
               for c in s.certifications)


@rule("CERT", "each rider's agency has certified the vehicle type on the launch (and landing) "
              "date; test flights are how certification is earned and are exempt")
def check_cert(s: Scenario, tl: Timeline) -> Iterator[Violation]:
    flights, people = s.flight_by_id, s.person_by_id
    for a in s.assignments:
        person = people.get(a.person)
        if person is None:
            continue
        agency = s.agency_of(a) or person.agency
        for leg, fid in (("launch", a.up), ("landing", a.down)):
            f = flights.get(fid or "")
            t = None if f is None else (f.launch if leg == "launch" else f.land or f.undock)
            if f is None or t is None or f.kind == "test":
                continue
            if not certified(s, agency, f.vehicle_type, t):
                vt = s.vehicle_type_by_id[f.vehicle_type]
                since = [c.start for c in s.certifications
                         if c.agency == agency and c.vehicle_type == f.vehicle_type]
                hint = (f"; certified from {format_day(min(since))}" if since
                        else f"; add a certification of {vt.id} for {agency}")
                yield Violation("CERT", t, f.land or t, (
                    f"{person.short_name} ({agency}) rides {f.label} ({vt.name or vt.id}) "
                    f"but {agency} has not certified {vt.name or vt.id} on the {leg} date "
                    f"{format_day(t)}{hint}"), (f.id,), (person.id,))


# --- TRAINED --------------------------------------------------------------------


@rule("TRAINED", "each rider is trained for the vehicle type by launch (by undocking, for a ride down)")
def check_trained(s: Scenario, tl: Timeline) -> Iterator[Violation]:
    flights, people = s.flight_by_id, s.person_by_id
    for a in s.assignments:
        person = people.get(a.person)
        if person is None:
            continue
        for fid, when in ((a.up, "launch"), (a.down, "undock")):
            f = flights.get(fid or "")
            t = getattr(f, when, None) if f else None
            if f is None or t is None:
                continue
            training = person.training_for(f.vehicle_type)
            if training is None or training.ready > t:
                vt = s.vehicle_type_by_id[f.vehicle_type]
                why = ("has no training on it" if training is None
                       else f"is ready only from {format_day(training.ready)}")
                yield Violation("TRAINED", t, f.land or t, (
                    f"{person.short_name} rides {f.label} ({vt.name or vt.id}, {when} "
                    f"{format_day(t)}) but {why}"), (f.id,), (person.id,))


# --- AVAILABLE ------------------------------------------------------------------


@rule("AVAILABLE", "a person flies inside their availability, on one stay at a time, with the "
                   "minimum rest between stays, and leaves by any early-return date")
def check_available(s: Scenario, tl: Timeline) -> Iterator[Violation]:
    flights, people = s.flight_by_id, s.person_by_id
    trips: dict[str, list[tuple[datetime, datetime, str, str | None]]] = {}
    for a in s.assignments:
        up, down = flights.get(a.up), flights.get(a.down or "")
        if up is None or up.launch is None:
            continue
        end = (down.land or down.undock) if down else None
        if end is None and s.scenario.horizon is not None:
            end = max(s.scenario.horizon, up.launch)  # no ride home yet: aboard at the horizon
        trips.setdefault(a.person, []).append((up.launch, end or up.launch, a.up, a.down))
    for pid, legs in trips.items():
        person = people.get(pid)
        if person is None:
            continue
        legs.sort()
        av = person.available
        for start, end, up_id, down_id in legs:
            fl = tuple(dict.fromkeys(x for x in (up_id, down_id) if x))
            if (av.start and start < av.start) or (av.end and end > av.end):
                yield Violation("AVAILABLE", start, end, (
                    f"{person.short_name} flies {format_day(start)}..{format_day(end)} outside "
                    f"their availability {format_day(av.start) if av.start else '…'}.."
                    f"{format_day(av.end) if av.end else '…'}"), fl, (pid,))
        rest = person.min_rest_days if person.min_rest_days is not None else s.scenario.min_rest_days
        for (_, e1, u1, d1), (s2, e2, u2, d2) in zip(legs, legs[1:], strict=False):
            gap = (s2 - e1) / DAY
            fl = tuple(dict.fromkeys(x for x in (u1, d1, u2, d2) if x))
            if s2 < e1:
                yield Violation("AVAILABLE", s2, min(e1, e2), (
                    f"{person.short_name} is on two trips at once: {_label(s, u1)} "
                    f"(until {format_day(e1)}) and {_label(s, u2)} (from {format_day(s2)})"),
                    fl, (pid,))
            elif gap < rest:
                yield Violation("AVAILABLE", e1, s2, (
                    f"{person.short_name} rests {_days(gap)} days between trips, "
                    f"minimum is {rest:g}"), fl, (pid,))
    for e in s.events:
        if not isinstance(e, EarlyReturn):
            continue
        for pid in e.people:
            for stay in tl.stays_of(pid):
                if stay.end > e.at and stay.start < e.at:
                    why = f" ({e.reason})" if e.reason else ""
                    yield Violation("AVAILABLE", e.at, stay.end, (
                        f"{_names(s, [pid])} must return early by {format_instant(e.at)}{why} "
                        f"but stays until {format_instant(stay.end)}"),
                        tuple(dict.fromkeys(x for x in (stay.up, stay.down) if x)), (pid,))


# --- helpers for span rules ------------------------------------------------------


def _runs(spans: Iterable[Span], key: Callable[[Span], K | None]) -> Iterator[tuple[list[Span], K]]:
    """Consecutive spans grouped by a key; spans with key None are dropped."""
    run: list[Span] = []
    current: K | None = None
    for sp in spans:
        k = key(sp)
        if run and (k != current or sp.start != run[-1].end):
            if current is not None:
                yield run, current
            run = []
        if not run:
            current = k
        run.append(sp)
    if run and current is not None:
        yield run, current


def _flights_of_people(tl: Timeline, people: Iterable[str], at: datetime) -> tuple[str, ...]:
    wanted = set(people)
    out = []
    for stay in tl.stays:
        if stay.person in wanted and stay.start <= at < stay.end:
            out += [stay.up] + ([stay.down] if stay.down else [])
    return tuple(dict.fromkeys(out))


# --- CAPACITY -------------------------------------------------------------------


def _split_at(spans: Iterable[Span], cuts: Iterable[datetime]) -> Iterator[Span]:
    """The same spans, cut at each instant in `cuts` that falls strictly inside one."""
    points = sorted(set(cuts))
    for sp in spans:
        start = sp.start
        for c in points:
            if start < c < sp.end:
                yield replace(sp, start=start, end=c)
                start = c
        yield sp if start == sp.start else replace(sp, start=start)


def _maximum(st: Station, sp: Span) -> int:
    era = st.era_at(sp.start)
    assert era is not None
    return era.maximum


@rule("CAPACITY", "people aboard <= the station's nominal crew, except handovers: <= its "
                  "maximum, for at most the era's allowed handover days")
def check_capacity(s: Scenario, tl: Timeline) -> Iterator[Violation]:
    for st in s.stations:
        def above(sp: Span, st: Station = st) -> bool | None:
            era = st.era_at(sp.start)
            return True if era and sp.crew > era.nominal else None

        # a crew era may start inside a span: cut there, so each instant meets its own era
        spans = _split_at(tl.spans(st.id), [era.start for era in st.crew])
        for run, _ in _runs(spans, above):
            start, end = run[0].start, run[-1].end
            era = st.era_at(start)
            assert era is not None
            peak = max(run, key=lambda sp: sp.crew)
            days = (end - start) / DAY
            who = frozenset().union(*(sp.aboard for sp in run))
            over_max = [sp for sp in run if sp.crew > _maximum(st, sp)]
            if over_max:
                sp = max(over_max, key=lambda x: x.crew)
                yield Violation("CAPACITY", sp.start, sp.end, (
                    f"{sp.crew} people aboard {st.id}, above its maximum of {_maximum(st, sp)}"),
                    tuple(sorted(sp.docked)), tuple(sorted(sp.aboard)))
            if days > era.handover_days:
                yield Violation("CAPACITY", start, end, (
                    f"more than the nominal {era.nominal} aboard {st.id} for {_days(days)} days "
                    f"(peak {peak.crew} on {format_day(peak.start)}); handovers may last "
                    f"{era.handover_days:g} days"),
                    tuple(sorted(frozenset().union(*(sp.docked for sp in run)))), tuple(sorted(who)))


# --- COVERAGE -------------------------------------------------------------------


@rule("COVERAGE", "every segment has at least its minimum of qualified operators aboard at "
                  "every instant; the station is never empty once continuously crewed")
def check_coverage(s: Scenario, tl: Timeline) -> Iterator[Violation]:
    for st in s.stations:
        since, until = st.continuous_presence_from, st.continuous_presence_until
        spans = [sp for sp in tl.spans(st.id, since)
                 if (since is not None and sp.end > since) or (since is None and sp.crew > 0)]
        if since is not None and spans and spans[0].start < since:
            first = spans[0]
            spans[0] = Span(since, first.end, first.aboard, first.docked, first.seats, first.operators)
        if until is not None:
            # once continuous presence ends, an empty station is no fault: crewed spans only
            spans = [sp if sp.end <= until or sp.crew > 0 else
                     Span(sp.start, until, sp.aboard, sp.docked, sp.seats, sp.operators)
                     for sp in spans if sp.start < until or sp.crew > 0]
        if since is not None:
            for run, _ in _runs(spans, lambda sp: True if sp.crew == 0 else None):
                yield Violation("COVERAGE", run[0].start, run[-1].end, (
                    f"{st.id} is empty from {format_instant(run[0].start)} to "
                    f"{format_instant(run[-1].end)}: continuous presence since "
                    f"{format_day(since)} is broken"), tuple(sorted(run[0].docked)))
        for seg in st.segments:
            def short(sp: Span, seg: Segment = seg, since: datetime | None = since
                      ) -> tuple[int, frozenset[str]] | None:
                n = sp.operators.get(seg.id, 0)
                if n >= seg.min_operators or (sp.crew == 0 and since is not None):
                    return None  # an empty station is reported once, above
                return n, sp.aboard

            for run, (n, aboard) in _runs(spans, short):
                start, end = run[0].start, run[-1].end
                yield Violation("COVERAGE", start, end, (
                    f"{seg.id} has {n} qualified operator{'s' if n != 1 else ''} aboard, "
                    f"minimum {seg.min_operators}, from {format_instant(start)} to "
                    f"{format_instant(end)} (aboard: {_names(s, aboard) or 'nobody'})"),
                    _flights_of_people(tl, aboard, start), tuple(sorted(aboard)))


# --- LIFEBOAT -------------------------------------------------------------------


@rule("LIFEBOAT", "at every instant, people aboard <= usable seats on docked vehicles "
                  "(damage events reduce them)")
def check_lifeboat(s: Scenario, tl: Timeline) -> Iterator[Violation]:
    damages = [e for e in s.events if isinstance(e, Damage)]
    for st in s.stations:
        def short(sp: Span) -> tuple[int, int, frozenset[str]] | None:
            if sp.crew > sp.lifeboat_seats:
                # cargo coming and going changes no lifeboat: one report per state of the boats
                boats = frozenset(f for f in sp.docked if s.flight_by_id[f].kind != "cargo")
                return sp.crew, sp.lifeboat_seats, boats
            return None

        for run, (crew, seats, docked) in _runs(tl.spans(st.id), short):
            start, end = run[0].start, run[-1].end
            lost = [f"{_label(s, d.flight)} lost {d.seats_lost} after damage on {format_day(d.at)}"
                    for d in damages if d.flight in docked and d.at <= start]
            why = f" ({'; '.join(lost)})" if lost else ""
            yield Violation("LIFEBOAT", start, end, (
                f"{crew} people aboard {st.id} but only {seats} lifeboat seat"
                f"{'s' if seats != 1 else ''} docked{why}"),
                tuple(sorted(docked)), tuple(sorted(run[0].aboard)))


# --- DOCKED_LIMIT ---------------------------------------------------------------


@rule("DOCKED_LIMIT", "each flight stays docked no longer than its vehicle type allows")
def check_docked_limit(s: Scenario, tl: Timeline) -> Iterator[Violation]:
    for d in tl.dockings:
        f = s.flight_by_id[d.flight]
        vt = s.vehicle_type_by_id[f.vehicle_type]
        limit = vt.docked_limit_at(d.start)
        days = (d.end - d.start) / DAY
        if days > limit:
            until = "" if f.undock else f" (still docked at the data's horizon {format_day(d.end)})"
            yield Violation("DOCKED_LIMIT", d.start + timedelta(days=limit), d.end, (
                f"{f.label} stays docked {_days(days)} days; {vt.name or vt.id} may stay "
                f"{limit:g}{until}"), (f.id,))


# --- PORTS ----------------------------------------------------------------------


@rule("PORTS", "vehicles docked at once fit compatible, available ports; one vehicle a port")
def check_ports(s: Scenario, tl: Timeline) -> Iterator[Violation]:
    by_port: dict[tuple[str, str], list[PortHold]] = {}
    for d in tl.port_holds:
        f = s.flight_by_id[d.flight]
        st = s.station_by_id[d.station]
        if d.port is None:
            yield Violation("PORTS", d.start, d.end, f"{f.label} is docked to {st.id} with no port",
                            (f.id,))
            continue
        port = next((p for p in st.ports if p.id == d.port), None)
        vt = s.vehicle_type_by_id[f.vehicle_type]
        if port is not None and port.interface not in vt.docking:
            yield Violation("PORTS", d.start, d.end, (
                f"{f.label} ({vt.name or vt.id}) cannot dock to {port.id} ({port.interface})"),
                (f.id,))
        if port is not None and not port.available(d.start, d.end):
            yield Violation("PORTS", d.start, d.end, (
                f"{f.label} uses port {port.id} {format_day(d.start)}..{format_day(d.end)} "
                f"outside its service {format_day(port.start) if port.start else '…'}.."
                f"{format_day(port.end) if port.end else '…'}"), (f.id,))
        by_port.setdefault((d.station, d.port), []).append(d)
    for (_, port_id), holds in by_port.items():
        holds.sort(key=lambda d: d.start)
        for i, a in enumerate(holds):
            for b in holds[i + 1:]:
                if b.start >= a.end:
                    break
                yield Violation("PORTS", b.start, min(a.end, b.end), (
                    f"{_label(s, a.flight)} and {_label(s, b.flight)} are both docked at "
                    f"{port_id} from {format_instant(b.start)}"), (a.flight, b.flight))


# --- EXCHANGE -------------------------------------------------------------------


def counted_flights(s: Scenario, ag: Agreement) -> list[tuple[Flight, str, int]]:
    """(flight, party owed seats, seats owed) for each flight the agreement counts."""
    out = []
    for f in s.flights:
        if f.launch is None or not ag.covers(f.launch):
            continue
        for q in ag.quotas:
            if q.vehicle_type == f.vehicle_type and f.kind in q.kinds:
                out.append((f, q.party, q.per_flight))
    out.sort(key=lambda x: x[0].launch)  # type: ignore[arg-type,return-value]
    return out


def _after_the_agreement(s: Scenario, ag: Agreement) -> Iterator[Violation]:
    """With `closed_after`, nobody of a quota's party rides its vehicle type after the end."""
    if not ag.closed_after or ag.end is None:
        return
    for f in s.flights:
        if f.launch is None or f.launch < ag.end:
            continue
        for q in ag.quotas:
            if q.vehicle_type != f.vehicle_type or f.kind not in q.kinds:
                continue
            riders = tuple(a.person for a in s.riders_up(f.id) if s.agency_of(a) == q.party)
            if riders:
                yield Violation("EXCHANGE", f.launch, f.land or f.launch, (
                    f"{f.label} carries {_names(s, riders)} of {q.party} after "
                    f"{ag.name or ag.id} ended on {format_day(ag.end)}"), (f.id,), riders)


def _at_most(ag: Agreement, f: Flight, party: str) -> int | None:
    caps = [q.at_most for q in ag.quotas if q.vehicle_type == f.vehicle_type and q.party == party
            and f.kind in q.kinds and q.at_most is not None]
    return min(caps) if caps else None


def seat_ledger(s: Scenario, ag: Agreement) -> list[tuple[Flight, str, int]]:
    """(flight, party, seats that party received on it), in launch order."""
    out = []
    for f, party, _ in counted_flights(s, ag):
        n = sum(1 for a in s.riders_up(f.id) if s.agency_of(a) == party)
        out.append((f, party, n))
    return out


@rule("EXCHANGE", "inside an agreement's window each flight of each named vehicle type carries "
                  "the agreed partner crew, and seats received balance within the tolerance")
def check_exchange(s: Scenario, tl: Timeline) -> Iterator[Violation]:
    for ag in s.agreements:
        title = ag.name or ag.id
        for f, party, owed in counted_flights(s, ag):
            riders = [a.person for a in s.riders_up(f.id) if s.agency_of(a) == party]
            if len(riders) < owed:
                assert f.launch is not None
                yield Violation("EXCHANGE", f.launch, f.land or f.launch, (
                    f"{f.label} carries {len(riders)} {party} "
                    f"{'person' if owed == 1 else 'people'}, {title} requires {owed}"),
                    (f.id,), tuple(riders))
            most = _at_most(ag, f, party)
            if most is not None and len(riders) > most:
                assert f.launch is not None
                yield Violation("EXCHANGE", f.launch, f.land or f.launch, (
                    f"{f.label} carries {len(riders)} {party} people, {title} allows {most}"),
                    (f.id,), tuple(riders))
        yield from _after_the_agreement(s, ag)
        received = dict.fromkeys(ag.parties, 0)
        ledger = seat_ledger(s, ag)
        a_id, b_id = ag.parties
        for i, (f, party, n) in enumerate(ledger):
            received[party] += n
            gap = received[a_id] - received[b_id]
            if abs(gap) > ag.tolerance and n:
                assert f.launch is not None
                nxt = ledger[i + 1][0].launch if i + 1 < len(ledger) else (
                    s.scenario.horizon or ag.end or f.land or f.launch)
                ahead = a_id if gap > 0 else b_id
                yield Violation("EXCHANGE", f.launch, nxt or f.launch, (
                    f"after {f.label}, {a_id} has received {_seats(received[a_id])} and {b_id} "
                    f"{_seats(received[b_id])} under {title}: {ahead} is {abs(gap)} ahead, tolerance "
                    f"{ag.tolerance}"), (f.id,))


# --- COMMANDER ------------------------------------------------------------------


def can_command(s: Scenario, person_id: str, vehicle_type: str, t: datetime) -> bool:
    person = s.person_by_id.get(person_id)
    return bool(person and any(tr.vehicle_type == vehicle_type and tr.commander and tr.ready <= t
                               for tr in person.trained))


@rule("COMMANDER", "each crewed flight carries someone qualified to command that vehicle type, "
                   "up and down")
def check_commander(s: Scenario, tl: Timeline) -> Iterator[Violation]:
    for f in s.flights:
        vt = s.vehicle_type_by_id[f.vehicle_type]
        for leg, riders, t in (("up", s.riders_up(f.id), f.launch), ("down", s.riders_down(f.id), f.undock)):
            if not riders or t is None:
                continue
            if not any(can_command(s, a.person, f.vehicle_type, t) for a in riders):
                people = tuple(a.person for a in riders)
                yield Violation("COMMANDER", t, t, (
                    f"nobody riding {leg} on {f.label} is qualified to command "
                    f"{vt.name or vt.id} ({_names(s, people)})"), (f.id,), people)


# --- CLIENT -----------------------------------------------------------------------


def flew_to(s: Scenario, person_id: str, station: str, before: datetime) -> bool:
    """Whether a person rode up to the station on a flight launched before an instant."""
    flights = s.flight_by_id
    for a in s.assignments:
        f = flights.get(a.up)
        if a.person == person_id and f is not None and f.station == station and f.launch is not None \
                and f.launch < before:
            return True
    return False


@rule("CLIENT", "a private mission carries only its client's people, and its commander has "
                "flown to the station before (NASA's rule for private astronaut missions)")
def check_client(s: Scenario, tl: Timeline) -> Iterator[Violation]:
    for f in s.flights:
        if f.client is None or f.launch is None:
            continue
        riders = s.riders_up(f.id)
        others = tuple(a.person for a in riders if s.agency_of(a) != f.client)
        if others:
            yield Violation("CLIENT", f.launch, f.land or f.launch, (
                f"{f.label} is a {f.client} mission but carries {_names(s, others)} of other "
                "agencies"), (f.id,), others)
        able = [a.person for a in riders if can_command(s, a.person, f.vehicle_type, f.launch)
                and flew_to(s, a.person, f.station, f.launch)]
        if riders and not able:
            people = tuple(a.person for a in riders)
            yield Violation("CLIENT", f.launch, f.launch, (
                f"nobody on {f.label} who may command it has flown to {f.station} before "
                f"({_names(s, people)})"), (f.id,), people)


# --- SHARES -----------------------------------------------------------------------


def share_flights(s: Scenario, sh: Shares) -> list[Flight]:
    """Flights a utilisation-share rule counts, in launch order."""
    out = [f for f in s.flights if f.launch is not None and sh.covers(f.launch)
           and f.vehicle_type in sh.vehicle_types and f.kind in sh.kinds]
    out.sort(key=lambda f: (f.launch, f.id))
    return out


def share_off(per_mille: int, count: int, total: int) -> int:
    """How far (in thousandths of a seat) a count is from its share of total."""
    return abs(1000 * count - per_mille * total)


def per_mille(percent: float) -> int:
    return round(percent * 10)


@rule("SHARES", "the partners of a segment fly on its vehicles in proportion to their "
                "utilisation shares, each within the tolerance in seats")
def check_shares(s: Scenario, tl: Timeline) -> Iterator[Violation]:
    for sh in s.shares:
        flights = share_flights(s, sh)
        if not flights:
            continue
        counts = {p.agency: 0 for p in sh.shares}
        for f in flights:
            for a in s.riders_up(f.id):
                agency = s.agency_of(a)
                if agency in counts:
                    counts[agency] += 1
        total = sum(counts.values())
        first, last = flights[0].launch, flights[-1].launch
        assert first is not None and last is not None
        for p in sh.shares:
            if share_off(per_mille(p.percent), counts[p.agency], total) > round(sh.tolerance * 1000):
                yield Violation("SHARES", first, last, (
                    f"{p.agency} flies {counts[p.agency]} of the {total} partner seats under "
                    f"{sh.name or sh.id}; its {p.percent:g}% share asks "
                    f"{p.percent * total / 100:.1f} ± {sh.tolerance:g}"), tuple(f.id for f in flights))


# --- GROUNDED -------------------------------------------------------------------


@rule("GROUNDED", "no flight launches while its vehicle type or capsule is grounded or its "
                  "launch site is out of service; nobody rides home on a vehicle grounded even "
                  "for crew return")
def check_grounded(s: Scenario, tl: Timeline) -> Iterator[Violation]:
    for e in s.events:
        if not isinstance(e, Grounding | SiteOutage):
            continue
        for f in s.flights:
            if f.launch is None or not (e.at <= f.launch and (e.until is None or f.launch < e.until)):
                continue
            if isinstance(e, Grounding):
                hit = (e.vehicle_type == f.vehicle_type) or (e.capsule and e.capsule == f.capsule)
                what = e.vehicle_type or f"capsule {e.capsule}"
            else:
                hit = f.launch_site == e.site
                what = f"launch site {e.site}"
            if hit:
                until = f" until {format_day(e.until)}" if e.until else ""
                yield Violation("GROUNDED", f.launch, f.land or f.launch, (
                    f"{f.label} launches {format_day(f.launch)} but {what} is out of service "
                    f"from {format_day(e.at)}{until} ({e.note or e.id})"), (f.id,))
    yield from _grounded_rides_home(s)


def _grounded_rides_home(s: Scenario) -> Iterator[Violation]:
    """Riders coming home on a vehicle grounded even for crew return."""
    for e in s.events:
        if not isinstance(e, Grounding) or e.crew_return:
            continue
        for f in s.flights:
            if f.undock is None or not (e.at <= f.undock and (e.until is None or f.undock < e.until)):
                continue
            if not (e.vehicle_type == f.vehicle_type or (e.capsule and e.capsule == f.capsule)):
                continue
            riders = tuple(a.person for a in s.riders_down(f.id))
            if riders:
                what = e.vehicle_type or f"capsule {e.capsule}"
                yield Violation("GROUNDED", f.undock, f.land or f.undock, (
                    f"{_names(s, riders)} ride home on {f.label} (undocks {format_day(f.undock)}) but "
                    f"{what} may not carry crew from {format_day(e.at)} ({e.note or e.id})"),
                    (f.id,), riders)
