"""Domain objects turned into what the pages and the API show.

A `ManifestView` is computed once per stored revision (keyed by the hash of
its bytes): the Scenario, its Timeline, the check Report, the summary and
the chart figures. Nothing here knows about HTTP or the database.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Any

import plotly.io as pio

from mixedcrew.check import Report, check
from mixedcrew.domain import Scenario
from mixedcrew.instants import format_day, format_instant
from mixedcrew.report.aboard import snapshot_at, timeline_data
from mixedcrew.report.html import aboard_figure, ports_figure, stays_figure
from mixedcrew.rules import RULES, seat_ledger
from mixedcrew.summary import Summary, summarise
from mixedcrew.timeline import Timeline

FIGURES = ("stays", "ports", "aboard")


@dataclass(frozen=True)
class ViolationView:
    index: int
    rule: str
    holds_when: str
    start: datetime
    end: datetime
    message: str
    flights: tuple[str, ...]
    people: tuple[str, ...]
    people_names: tuple[str, ...]

    @property
    def anchor(self) -> str:
        return f"violation-{self.index}"


@dataclass(frozen=True)
class LedgerRow:
    flight: str
    label: str
    launch: datetime
    vehicle_type: str
    party: str
    seats: int


@dataclass(frozen=True)
class LedgerView:
    agreement: str
    parties: tuple[str, str]
    per_year: dict[int, dict[str, int]]
    totals: dict[str, int]
    flights: tuple[LedgerRow, ...]


@dataclass
class ManifestView:
    scenario: Scenario
    timeline: Timeline
    report: Report
    summary: Summary
    _figures: dict[str, str] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @classmethod
    def of(cls, scenario: Scenario) -> ManifestView:
        tl = Timeline(scenario)
        report = check(scenario, tl)
        return cls(scenario, tl, report, summarise(scenario, tl, report))

    def figure_json(self, name: str) -> str:
        """A chart as plotly JSON (data and layout), drawn once and kept."""
        if name not in FIGURES:
            raise KeyError(name)
        with self._lock:
            if name not in self._figures:
                self._figures[name] = pio.to_json(self._figure(name), validate=False)
            return self._figures[name]

    def timeline_json(self) -> str:
        """Who is aboard in each span, for the date picker (report/aboard.py), made once and kept."""
        with self._lock:
            if "timeline" not in self._figures:
                self._figures["timeline"] = json.dumps(self.timeline_data, separators=(",", ":"))
            return self._figures["timeline"]

    @cached_property
    def timeline_data(self) -> dict[str, Any]:
        return timeline_data(self.scenario, self.timeline)

    def snapshot(self, at: datetime) -> dict[str, Any]:
        """Who is aboard at `at`, by name, as the date picker shows it."""
        return snapshot_at(self.timeline_data, at)

    def _figure(self, name: str) -> Any:
        s, tl = self.scenario, self.timeline
        if name == "stays":
            return stays_figure(s, tl)
        if name == "ports":
            return ports_figure(s, tl)
        return aboard_figure(s, tl)

    @property
    def bars(self) -> dict[str, int]:
        """Bars each Gantt chart draws: one per stay, one per port a docked vehicle held."""
        return {"stays": len(self.timeline.stays), "ports": len(self.timeline.port_holds)}

    @cached_property
    def violations(self) -> tuple[ViolationView, ...]:
        people = self.scenario.person_by_id
        return tuple(
            ViolationView(i, v.rule, RULES[v.rule].holds_when, v.start, v.end, v.message, v.flights,
                          v.people, tuple(people[p].name if p in people else p for p in v.people))
            for i, v in enumerate(self.report.violations))

    @cached_property
    def ledgers(self) -> tuple[LedgerView, ...]:
        out = []
        by_name = {ag.name or ag.id: ag for ag in self.scenario.agreements}
        for ledger in self.summary.ledgers:
            ag = by_name[ledger.agreement]
            rows = tuple(LedgerRow(f.id, f.label, f.launch, f.vehicle_type, party, n)  # type: ignore[arg-type]
                         for f, party, n in seat_ledger(self.scenario, ag))
            out.append(LedgerView(ledger.agreement, ledger.parties, ledger.per_year, ledger.totals(),
                                  rows))
        return tuple(out)

    def facts(self) -> list[str]:
        s = self.summary
        out = [f"{s.flights} flights, {s.people} people, {s.rides} rides"]
        if s.first and s.last:
            out.append(f"from {format_day(s.first)} to {format_day(s.last)}")
        if s.peak:
            out.append(f"peak aboard {s.peak[0]} on {format_day(s.peak[1])}")
        if s.minimum:
            out.append(f"minimum aboard {s.minimum[0]} (latest on {format_day(s.minimum[1])})")
        return out

    def agencies(self) -> list[str]:
        """Agencies with anyone riding, in the charts' order (the two ISS partners first)."""
        used = {self.scenario.agency_of(a) or "?" for a in self.scenario.assignments}
        return sorted(used, key=lambda a: (a not in ("NASA", "ROSCOSMOS"), a))

    def riders(self) -> list[tuple[str, str, str]]:
        """(person id, name, agency) of everyone on a flight, by agency then name."""
        people = self.scenario.person_by_id
        ids = dict.fromkeys(a.person for a in self.scenario.assignments if a.person in people)
        rows = [(p, people[p].name, people[p].agency) for p in ids]
        return sorted(rows, key=lambda r: (r[2], r[1]))


def violation_json(v: ViolationView) -> dict[str, Any]:
    return {"index": v.index, "rule": v.rule, "start": format_instant(v.start),
            "end": format_instant(v.end), "message": v.message, "flights": list(v.flights),
            "people": list(v.people)}


class ManifestCache:
    """The last few ManifestViews, by content hash. Shared by request threads; no global state."""

    def __init__(self, size: int = 8):
        self.size = size
        self._views: OrderedDict[str, ManifestView] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, sha256: str, build: Callable[[], ManifestView]) -> ManifestView:
        with self._lock:
            view = self._views.get(sha256)
            if view is not None:
                self._views.move_to_end(sha256)
                return view
        view = build()  # outside the lock: a slow parse must not hold up other pages
        with self._lock:
            self._views[sha256] = view
            while len(self._views) > self.size:
                self._views.popitem(last=False)
        return view
