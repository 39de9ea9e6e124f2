"""Figures a reader wants first: counts, peak and minimum aboard, violations,
the seat-exchange ledger per year, and a snapshot of one instant."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from rich.console import Console
from rich.table import Table

from mixedcrew.check import Report
from mixedcrew.domain import Scenario
from mixedcrew.instants import format_day, format_instant
from mixedcrew.rules import seat_ledger
from mixedcrew.timeline import Timeline


@dataclass(frozen=True)
class Ledger:
    agreement: str
    parties: tuple[str, str]
    # year -> party -> seats that party received on the other's vehicles
    per_year: dict[int, dict[str, int]] = field(default_factory=dict)

    def totals(self) -> dict[str, int]:
        out = dict.fromkeys(self.parties, 0)
        for row in self.per_year.values():
            for party, n in row.items():
                out[party] += n
        return out


@dataclass(frozen=True)
class Summary:
    name: str
    flights: int
    people: int
    rides: int
    first: datetime | None
    last: datetime | None
    peak: tuple[int, datetime] | None
    minimum: tuple[int, datetime] | None
    violations: dict[str, int]
    ledgers: list[Ledger]


def aboard_snapshot(s: Scenario, t: datetime, station: str | None = None,
                    timeline: Timeline | None = None) -> dict[str, Any]:
    tl = timeline or Timeline(s)
    st = station or s.stations[0].id
    span = tl.span_at(t, st)
    aboard = []
    for stay in tl.stays:
        if stay.station == st and stay.start <= t < stay.end:
            p = s.person_by_id[stay.person]
            aboard.append({"person": p.id, "name": p.name, "agency": s.agency_of(stay.assignment),
                           "up_flight": stay.up, "down_flight": stay.down})
    aboard.sort(key=lambda r: (r["agency"] or "", r["name"]))
    docked = []
    port_of = {fid: port for port, fid in tl.ports_at(t, st).items()}
    for fid in sorted(span.docked if span else ()):
        f = s.flight_by_id[fid]
        # the port it holds now (None while it relocates)
        docked.append({"flight": fid, "vehicle_type": f.vehicle_type, "port": port_of.get(fid)})
    return {
        "at": format_instant(t),
        "station": st,
        "aboard": aboard,
        "segments": tl.operators_at(t, st),
        "docked": docked,
        "lifeboat_seats": span.lifeboat_seats if span else 0,
    }


def ledgers(s: Scenario) -> list[Ledger]:
    out = []
    for ag in s.agreements:
        per_year: dict[int, dict[str, int]] = {}
        for f, party, n in seat_ledger(s, ag):
            assert f.launch is not None
            row = per_year.setdefault(f.launch.year, dict.fromkeys(ag.parties, 0))
            row[party] += n
        out.append(Ledger(ag.name or ag.id, ag.parties, dict(sorted(per_year.items()))))
    return out


def summarise(s: Scenario, tl: Timeline, report: Report) -> Summary:
    st = s.stations[0] if s.stations else None
    peak = minimum = None
    first = last = None
    if st is not None:
        since = st.continuous_presence_from
        spans = list(tl.spans(st.id))
        if spans:
            first, last = spans[0].start, spans[-1].end
            top = max(spans, key=lambda sp: sp.crew)
            peak = (top.crew, top.start)
            crewed = [sp for sp in spans if since is None or sp.end > since]
            if crewed:
                low = min(crewed, key=lambda sp: (sp.crew, -sp.start.timestamp()))
                minimum = (low.crew, max(low.start, since) if since else low.start)
    return Summary(
        name=s.scenario.name,
        flights=len(s.flights),
        people=len(s.people),
        rides=len(s.assignments),
        first=first,
        last=last,
        peak=peak,
        minimum=minimum,
        violations=report.by_rule(),
        ledgers=ledgers(s),
    )


def print_summary(summary: Summary, console: Console) -> None:
    console.print(f"[bold]{summary.name or 'Scenario'}[/bold]")
    span = (f" from {format_day(summary.first)} to {format_day(summary.last)}"
            if summary.first and summary.last else "")
    console.print(f"{summary.flights} flights, {summary.people} people, {summary.rides} rides{span}")
    if summary.peak:
        console.print(f"Peak aboard: {summary.peak[0]} on {format_day(summary.peak[1])}")
    if summary.minimum:
        console.print(f"Minimum aboard (while continuously crewed): {summary.minimum[0]} "
                      f"(latest on {format_day(summary.minimum[1])})")
    total = sum(summary.violations.values())
    parts = ", ".join(f"{r} {n}" for r, n in summary.violations.items() if n)
    console.print(f"Violations: {total}" + (f" ({parts})" if parts else ""))
    for ledger in summary.ledgers:
        a, b = ledger.parties
        table = Table(title=f"Seats given and received under {ledger.agreement}",
                      title_justify="left")
        table.add_column("year")
        table.add_column(f"{b} gave, {a} received", justify="right")
        table.add_column(f"{a} gave, {b} received", justify="right")
        for year, row in ledger.per_year.items():
            table.add_row(str(year), str(row[a]), str(row[b]))
        tot = ledger.totals()
        table.add_row("total", str(tot[a]), str(tot[b]), style="bold")
        console.print(table)
