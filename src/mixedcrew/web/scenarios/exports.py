"""Exports of a stored manifest: JSON, CSV, and iCalendar feeds per agency and per person.

Calendar events are the instants of flights: launch, dock, undock, land.
Each event's UID is built from the feed, the flight id and the instant's
kind, never from database ids, so re-importing a feed (after an edit, or
from a re-uploaded file) updates the events instead of duplicating them.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any

from icalendar import Calendar, Event, vText

from mixedcrew import __version__
from mixedcrew.domain import Flight, Scenario
from mixedcrew.instants import days_between, format_instant
from mixedcrew.web.deps import csv_safe
from mixedcrew.web.manifest import ManifestView, violation_json

INSTANTS = ("launch", "dock", "undock", "land")
VERBS = {"launch": "Launch", "dock": "Docking", "undock": "Undocking", "land": "Landing"}


def manifest_json(view: ManifestView) -> dict[str, Any]:
    """The scenario as stored, with what mixedcrew derives from it: stays, dockings, violations."""
    s, tl = view.scenario, view.timeline
    return {
        "scenario": s.model_dump(mode="json", by_alias=True, exclude_defaults=True),
        "stays": [{"person": x.person, "station": x.station, "start": format_instant(x.start),
                   "end": format_instant(x.end), "up": x.up, "down": x.down,
                   "agency": s.agency_of(x.assignment)} for x in tl.stays],
        # port: the first; holds: every port in turn (a relocation ends one hold, starts the next)
        "dockings": [{"flight": d.flight, "station": d.station, "port": d.port,
                      "start": format_instant(d.start), "end": format_instant(d.end),
                      "holds": [{"port": h.port, "start": format_instant(h.start),
                                 "end": format_instant(h.end)} for h in d.holds]}
                     for d in tl.dockings],
        "violations": [violation_json(v) for v in view.violations],
        "by_rule": view.report.by_rule(),
    }


def _csv(header: list[str], rows: Iterable[list[Any]]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(header)
    w.writerows([csv_safe(cell) for cell in row] for row in rows)
    return buf.getvalue()


def _at(t: datetime | None) -> str:
    return format_instant(t) if t else ""


def stays_csv(view: ManifestView) -> str:
    s = view.scenario
    people = s.person_by_id
    return _csv(["person", "name", "agency", "station", "up_flight", "down_flight", "start", "end", "days"],
                ([x.person, people[x.person].name if x.person in people else "", s.agency_of(x.assignment),
                  x.station, x.up, x.down or "", _at(x.start), _at(x.end),
                  f"{days_between(x.start, x.end):.2f}"] for x in view.timeline.stays))


def flights_csv(view: ManifestView) -> str:
    s = view.scenario
    return _csv(["flight", "name", "vehicle_type", "capsule", "station", "port", "launch", "dock", "undock",
                 "land", "crew_up", "crew_down"],
                ([f.id, f.name, f.vehicle_type, f.capsule or "", f.station, f.port or "", _at(f.launch),
                  _at(f.dock), _at(f.undock), _at(f.land),
                  " ".join(a.person for a in s.riders_up(f.id)),
                  " ".join(a.person for a in s.riders_down(f.id))] for f in s.flights))


def violations_csv(view: ManifestView) -> str:
    return _csv(["rule", "start", "end", "flights", "people", "message"],
                ([v.rule, _at(v.start), _at(v.end), " ".join(v.flights), " ".join(v.people), v.message]
                 for v in view.violations))


CSV_FILES = {"stays": stays_csv, "flights": flights_csv, "violations": violations_csv}


# --- iCalendar ------------------------------------------------------------------------


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.+-]+", "-", text).strip("-") or "x"


def _riders(s: Scenario, f: Flight, direction: str) -> list[str]:
    rides = s.riders_up(f.id) if direction == "up" else s.riders_down(f.id)
    people = s.person_by_id
    return [people[a.person].short_name if a.person in people else a.person for a in rides]


def _flight_events(s: Scenario, f: Flight, kinds: Iterable[str]) -> Iterator[tuple[str, datetime, str, str]]:
    """(kind, instant, summary, description) for the given instants of a flight that are known."""
    for kind in kinds:
        t = getattr(f, kind)
        if t is None:
            continue
        direction = "up" if kind in ("launch", "dock") else "down"
        crew = _riders(s, f, direction)
        who = f" ({', '.join(crew)})" if crew else ""
        summary = f"{VERBS[kind]}: {f.label}{who}"
        place = f"port {f.port}" if kind in ("dock", "undock") and f.port else (f.launch_site or "")
        lines = [f"{VERBS[kind]} of {f.label} ({f.vehicle_type}) at {format_instant(t)}",
                 f"station {f.station}" + (f", {place}" if place else "")]
        if crew:
            lines.append(f"crew {'up' if direction == 'up' else 'down'}: {', '.join(crew)}")
        yield kind, t, summary, "\n".join(lines)


def _calendar(s: Scenario, name: str, feed: str, items: Iterable[tuple[Flight, Iterable[str]]],
              stamp: datetime, sequence: int) -> bytes:
    cal = Calendar()
    cal.add("prodid", f"-//mixedcrew//mixedcrew {__version__}//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    # vText: escaped per RFC 5545 (\\, \; \, and \n); a plain str on an X- property is not
    cal.add("x-wr-calname", vText(name))
    for f, kinds in items:
        for kind, t, summary, description in _flight_events(s, f, kinds):
            ev = Event()
            ev.add("uid", f"{kind}-{_slug(f.id)}-{feed}@{_slug(f.station)}.mixedcrew")
            ev.add("dtstamp", stamp)
            ev.add("dtstart", t)
            ev.add("summary", vText(summary))
            ev.add("description", vText(description))
            ev.add("sequence", sequence)
            ev.add("categories", [VERBS[kind].lower()])
            cal.add_component(ev)
    ical: bytes = cal.to_ical()
    return ical


def agency_calendar(view: ManifestView, agency: str, *, stamp: datetime, sequence: int) -> bytes:
    """Every flight that carries someone flying for `agency`, or is that agency's vehicle."""
    s = view.scenario
    operated = {v.id for v in s.vehicle_types if v.operator == agency}
    items = []
    for f in s.flights:
        rides = [*s.riders_up(f.id), *s.riders_down(f.id)]
        if f.vehicle_type in operated or any(s.agency_of(a) == agency for a in rides):
            items.append((f, INSTANTS))
    title = f"{s.scenario.name or 'mixedcrew'}: {agency} flights"
    return _calendar(s, title, f"agency-{_slug(agency)}", items, stamp, sequence)


def person_calendar(view: ManifestView, person: str, *, stamp: datetime, sequence: int) -> bytes:
    """The launch and docking of each ride up, the undocking and landing of each ride down."""
    s = view.scenario
    flights = s.flight_by_id
    kinds: dict[str, list[str]] = {}
    for a in s.assignments:
        if a.person != person:
            continue
        if a.up in flights:
            kinds.setdefault(a.up, []).extend(("launch", "dock"))
        if a.down and a.down in flights:
            kinds.setdefault(a.down, []).extend(("undock", "land"))
    items = [(f, [k for k in INSTANTS if k in kinds[f.id]]) for f in s.flights if f.id in kinds]
    p = s.person_by_id[person]
    title = f"{s.scenario.name or 'mixedcrew'}: {p.name}"
    return _calendar(s, title, f"person-{_slug(person)}", items, stamp, sequence)
