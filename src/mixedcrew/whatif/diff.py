"""Two manifests side by side: what changes between them, in domain words.

Pure functions of two Scenarios (the timeline says who is aboard; the
checker says what breaks). Used by `mixedcrew compare` for any two files
and by `mixedcrew whatif` for a plan and its re-plan after an event.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from mixedcrew.check import Report, check
from mixedcrew.domain import Scenario
from mixedcrew.instants import format_day
from mixedcrew.rules import Violation
from mixedcrew.timeline import Stay, Timeline

DAY = timedelta(days=1)
# Moves shorter than this are the planner's launch grid (a day by default), not a change worth a line.
MIN_SHIFT = timedelta(days=1)


@dataclass(frozen=True)
class FlightChange:
    flight: str
    label: str
    what: str  # "added", "removed", "moved", "crew"
    text: str


@dataclass(frozen=True)
class StayChange:
    person: str
    name: str
    before: tuple[datetime, datetime] | None
    after: tuple[datetime, datetime] | None
    text: str

    @property
    def days(self) -> float:
        """Lengthened (+) or shortened (-) by this many days; a stay added or dropped counts whole."""
        def length(x: tuple[datetime, datetime] | None) -> float:
            return 0.0 if x is None else (x[1] - x[0]) / DAY
        return length(self.after) - length(self.before)


@dataclass
class ManifestDiff:
    a: Scenario
    b: Scenario
    flights: list[FlightChange] = field(default_factory=list)
    rides: list[str] = field(default_factory=list)
    stays: list[StayChange] = field(default_factory=list)
    before: Report | None = None
    after: Report | None = None

    @property
    def same(self) -> bool:
        return not (self.flights or self.rides or self.stays)

    def violations_added(self) -> list[Violation]:
        old = {_key(v) for v in self.before.violations} if self.before else set()
        return [v for v in (self.after.violations if self.after else ()) if _key(v) not in old]

    def violations_gone(self) -> list[Violation]:
        new = {_key(v) for v in self.after.violations} if self.after else set()
        return [v for v in (self.before.violations if self.before else ()) if _key(v) not in new]

    def lines(self, names: tuple[str, str] = ("A", "B")) -> list[str]:
        a, b = names
        out = [f"flights that change ({len(self.flights)}):"] + [f"  {c.text}" for c in self.flights]
        out += [f"who flies on what instead ({len(self.rides)}):"] + [f"  {r}" for r in self.rides]
        longer = [s for s in self.stays if s.days > 0]
        shorter = [s for s in self.stays if s.days < 0]
        out += [f"stays lengthened ({len(longer)}):"] + [f"  {s.text}" for s in longer]
        out += [f"stays shortened ({len(shorter)}):"] + [f"  {s.text}" for s in shorter]
        nb = len(self.before.violations) if self.before else 0
        na = len(self.after.violations) if self.after else 0
        out.append(f"rule violations: {nb} in {a}, {na} in {b}")
        out += [f"  only in {b}: {v.rule:<12} {v.message}" for v in self.violations_added()]
        out += [f"  only in {a}: {v.rule:<12} {v.message}" for v in self.violations_gone()]
        return out

    def as_json(self) -> dict[str, object]:
        return {
            "flights": [{"flight": c.flight, "change": c.what, "text": c.text} for c in self.flights],
            "rides": list(self.rides),
            "stays": [{"person": s.person, "days": round(s.days, 3), "text": s.text} for s in self.stays],
            "violations": {"before": len(self.before.violations) if self.before else 0,
                           "after": len(self.after.violations) if self.after else 0,
                           "added": [v.as_json() for v in self.violations_added()],
                           "gone": [v.as_json() for v in self.violations_gone()]},
        }


def _key(v: Violation) -> tuple[str, str]:
    return v.rule, v.message


def compare_manifests(a: Scenario, b: Scenario, since: datetime | None = None) -> ManifestDiff:
    """What differs between manifests `a` and `b` (from `since` on, if given)."""
    d = ManifestDiff(a, b, before=check(a), after=check(b))
    d.flights = _flights(a, b, since)
    d.rides = _rides(a, b, since)
    d.stays = _stays(a, b, since)
    return d


def _moved(name: str, x: datetime | None, y: datetime | None) -> str | None:
    if x is None and y is None:
        return None
    if x is None or y is None:
        return f"{name} {'planned ' + format_day(y) if y else 'left open'}" + (
            f" (was {format_day(x)})" if x else "")
    if abs(y - x) < MIN_SHIFT:
        return None
    return f"{name} {(y - x) / DAY:+.1f} days to {format_day(y)}"


def _flights(a: Scenario, b: Scenario, since: datetime | None) -> list[FlightChange]:
    out = []
    for f in b.flights:
        g = a.flight_by_id.get(f.id)
        if g is None:
            launch = format_day(f.launch) if f.launch else "open"
            out.append(FlightChange(f.id, f.label, "added",
                                    f"{f.label} added ({f.kind}, {f.vehicle_type}, launch {launch})"))
            continue
        if since is not None and (g.launch or g.dock or since) < since and (g.undock or since) < since:
            continue
        moves = [m for m in (_moved("launch", g.launch, f.launch), _moved("undock", g.undock, f.undock))
                 if m is not None]
        if g.port != f.port and g.port and f.port:
            moves.append(f"port {g.port} -> {f.port}")
        if moves:
            out.append(FlightChange(f.id, f.label, "moved", f"{f.label}: {'; '.join(moves)}"))
    for g in a.flights:
        if g.id not in b.flight_by_id:
            out.append(FlightChange(g.id, g.label, "removed", f"{g.label} removed"))
    return out


def _name(s: Scenario, person: str) -> str:
    p = s.person_by_id.get(person)
    return f"{p.short_name} ({p.agency})" if p else person


def _rides(a: Scenario, b: Scenario, since: datetime | None) -> list[str]:
    """Per person: flights up gained or lost (who flies on what instead), rides home changed."""
    def rides(s: Scenario) -> dict[str, dict[str, str | None]]:
        out: dict[str, dict[str, str | None]] = {}
        for x in s.assignments:
            f = s.flight_by_id.get(x.up)
            home = s.flight_by_id.get(x.down or "")
            gone = home.undock if home is not None else None
            if since is not None and f is not None and f.launch is not None and f.launch < since \
                    and gone is not None and gone < since:
                continue  # over before the change: history
            out.setdefault(x.person, {})[x.up] = x.down
        return out

    ra, rb = rides(a), rides(b)
    lines = []
    for person in dict.fromkeys([*ra, *rb]):
        old, new = ra.get(person, {}), rb.get(person, {})
        lost, gained = [f for f in old if f not in new], [f for f in new if f not in old]
        name = _name(b if person in rb else a, person)
        if lost and gained:
            lines.append(f"{name} flies up on {', '.join(gained)} instead of {', '.join(lost)}")
        elif gained:
            lines.append(f"{name} flies up on {', '.join(gained)}")
        elif lost:
            lines.append(f"{name} no longer flies up on {', '.join(lost)}")
        for up in (f for f in new if f in old and old[f] != new[f]):
            lines.append(f"{name} (up on {up}) rides home on {new[up] or '(aboard at the horizon)'} "
                         f"instead of {old[up] or '(aboard at the horizon)'}")
    return lines


def _stays(a: Scenario, b: Scenario, since: datetime | None) -> list[StayChange]:
    def stays(s: Scenario) -> dict[tuple[str, str], Stay]:
        return {(x.person, x.up): x for x in Timeline(s).stays}

    sa, sb = stays(a), stays(b)
    if since is not None:  # stays over before the change, in both: history
        keep = {k for k in (*sa, *sb)
                if any(x is not None and x.end >= since for x in (sa.get(k), sb.get(k)))}
        sa = {k: v for k, v in sa.items() if k in keep}
        sb = {k: v for k, v in sb.items() if k in keep}
    out = []
    for key in list(dict.fromkeys([*sa, *sb])):
        x, y = sa.get(key), sb.get(key)
        before = (x.start, x.end) if x else None
        after = (y.start, y.end) if y else None
        if before and after and all(abs(x - y) < MIN_SHIFT for x, y in zip(before, after, strict=True)):
            continue
        name = _name(b if y else a, key[0])
        change = StayChange(key[0], name, before, after, "")
        if before and after:
            text = (f"{name} ({key[1]}): {change.days:+.1f} days, {format_day(after[0])} .. "
                    f"{format_day(after[1])} (was {format_day(before[0])} .. {format_day(before[1])})")
        elif after:
            text = f"{name} ({key[1]}): a new stay {format_day(after[0])} .. {format_day(after[1])}"
        else:
            assert before is not None
            text = f"{name} ({key[1]}): no longer aboard {format_day(before[0])} .. {format_day(before[1])}"
        out.append(StayChange(key[0], name, before, after, text))
    return sorted(out, key=lambda c: -abs(c.days))
