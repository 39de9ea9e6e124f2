"""The forward ISS scenario: the history, the real corps, the announced flights, open rotations to 2030.

Reads a history scenario (examples/iss.toml), the corps list and the
announced-flights list (io/corps.py) and the assumptions (ForwardSettings),
and writes a scenario whose open flights the planner fills:

- people of the corps matched to the history's GCAT people (matching.py);
  the rest get ids of their own; everyone the corps list does not show as
  able to fly is unavailable after the data's horizon;
- availability from status and its date, candidates from graduation,
  vehicle training, commander ratings (flown before; for a private mission,
  flown to the station before), rest between stays;
- the named flights (MS-29, Crew-13 with their crews pinned, Starliner-1
  cargo, Ax-5, Vast, Voyager) and open Soyuz MS and Crew Dragon rotations at
  the policy cadences, the deorbit vehicle occupying a port to the end;
- the integrated-crew agreement and the US-segment utilisation shares.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from mixedcrew.domain import (
    Agency,
    Agreement,
    Assignment,
    Certification,
    CrewEra,
    Flight,
    Grounding,
    Person,
    PlanningSettings,
    Scenario,
    Shares,
    SiteOutage,
    Station,
    Training,
    VehicleType,
    Window,
)
from mixedcrew.errors import DataError, Problem
from mixedcrew.instants import DAY, format_day, format_instant
from mixedcrew.io.corps import (
    ANNOUNCED_COLUMNS,
    Announced,
    CorpsMember,
    day_instant,
    name_key,
    read_announced,
    read_corps,
)
from mixedcrew.io.forward_settings import ForwardSettings
from mixedcrew.io.leavers import ABLE, current_rows
from mixedcrew.io.matching import Match, match_people

STATION = "ISS"
SOYUZ, DRAGON, STARLINER, USDV = "soyuz-ms", "crew-dragon", "starliner", "usdv"
# Vehicle names of the lists -> vehicle types of the scenario; Orion never flies to the ISS.
VEHICLE_TYPES = {"Soyuz": SOYUZ, "Soyuz MS": SOYUZ, "Crew Dragon": DRAGON, "Starliner": STARLINER}
SHARES_SOURCE = ("NASA OIG, 'NASA's Management and Utilization of the International Space "
                 "Station' (2018): NASA 76.6%, JAXA 12.8%, ESA 8.3%, CSA 2.3% of the US segment's "
                 "utilisation (shared data README)")
US_SHARES = (("NASA", 76.6), ("JAXA", 12.8), ("ESA", 8.3), ("CSA", 2.3))
PRIVATE_CLIENTS = {  # announced flight -> (id, name, client agency, agency name)
    "Ax-5": ("AX5", "Ax-5", "AXIOM", ""),
    "Vast PAM": ("VAST1", "Vast PAM-6", "VAST", "Vast (private missions)"),
    "Voyager PAM": ("VOYG1", "Voyager PAM-7", "VOYAGER", "Voyager Technologies (private missions)"),
}


@dataclass
class ForwardResult:
    scenario: Scenario
    header: str
    matches: list[Match] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def unmatched(self) -> list[Match]:
        return [m for m in self.matches if m.person_id is None]


def build_forward(base: Scenario, corps_path: Path, announced_path: Path,
                  settings: ForwardSettings | None = None) -> ForwardResult:
    """The forward scenario from a history scenario, the corps and the announced flights."""
    settings = settings or ForwardSettings()
    horizon = base.scenario.horizon
    if horizon is None:
        raise DataError([Problem("<scenario>", None, "scenario.horizon",
                                 "the history scenario has no horizon: nothing to plan forward from")])
    if settings.until <= horizon:
        raise DataError([Problem("<settings>", None, "until",
                                 f"{format_day(settings.until)} is not after the data's horizon "
                                 f"{format_day(horizon)}")])
    agencies = {a.id for a in base.agencies}
    corps = read_corps(corps_path, agencies)
    announced = read_announced(announced_path, agencies | {c[2] for c in PRIVATE_CLIENTS.values()})
    b = _Forward(base, horizon, settings, corps, announced, str(announced_path))
    scenario = b.build()
    return ForwardResult(scenario, _header(corps_path, announced_path, settings), b.matches, b.notes)


class _Forward:
    def __init__(self, base: Scenario, horizon: datetime, settings: ForwardSettings,
                 corps: list[CorpsMember], announced: list[Announced], announced_name: str):
        self.base, self.h, self.cfg = base, horizon, settings
        self.corps, self.announced, self.announced_name = corps, announced, announced_name
        self.matches: list[Match] = []
        self.notes: list[str] = []
        self.people: dict[str, Person] = {p.id: p for p in base.people}
        self.assignments: list[Assignment] = list(base.assignments)
        self.flights: list[Flight] = list(base.flights)
        self.certs: list[Certification] = list(base.certifications)
        self.agencies: list[Agency] = list(base.agencies)
        self.vtypes: list[VehicleType] = list(base.vehicle_types)
        self.by_name: dict[str, str] = {}  # corps name -> person id

    def build(self) -> Scenario:
        self._people()
        self._named_flights()
        self._rotations()
        self._deorbit_vehicle()
        flights = sorted((self._leaving(f) for f in self.flights), key=_flight_order)
        return self.base.model_copy(update={
            "scenario": self.base.scenario.model_copy(update={
                "name": "ISS 2026-2030: the forward scenario with the real corps",
                "description": (
                    "The ISS history to the data's horizon, then the astronaut corps of 2026, the "
                    "flights announced after the horizon with their named crews, and open Soyuz MS "
                    "and Crew Dragon rotations at the policy cadences to the end of operations. "
                    "Assumptions are listed in docs/forward.md."),
            }),
            "stations": tuple(self._station(st) for st in self.base.stations),
            "agencies": tuple(self.agencies),
            "vehicle_types": tuple(self.vtypes),
            "certifications": tuple(self.certs),
            "people": tuple(sorted(self.people.values(), key=lambda p: p.id)),
            "flights": tuple(flights),
            "assignments": tuple(self.assignments),
            "agreements": tuple(self._agreement(ag) for ag in self.base.agreements),
            "planning": self._planning(),
            "shares": (Shares.model_validate({
                "id": "us-segment-utilisation", "name": "US-segment utilisation shares",
                "segment": "USOS", "from": self._day(self.h), "until": self.cfg.until,
                "vehicle_types": [DRAGON, STARLINER],
                "shares": [{"agency": a, "percent": p} for a, p in US_SHARES],
                "tolerance": self.cfg.share_tolerance, "source": SHARES_SOURCE}),),
            "events": tuple(self._event(e) for e in self.base.events),
        })

    # -- people ---------------------------------------------------------------------

    def _people(self) -> None:
        self.matches = match_people(self.corps, list(self.base.people))
        current = current_rows(self.corps)
        for m in self.matches:
            row = m.row
            if row is not current[m.key]:
                continue  # an earlier career of the same person (Wakata: JAXA, then Axiom)
            pid = m.person_id or _new_id(row)
            self.by_name[row.name] = pid
            for other in self.matches:
                if other.key == m.key:
                    self.by_name[other.row.name] = pid
            old = self.people.get(pid)
            self.people[pid] = self._person(row, old, pid)
            if old is not None and old.agency != row.agency:
                self._keep_past_agency(pid, old.agency)
        corps_ids = set(self.by_name.values())
        for pid, p in list(self.people.items()):
            if pid not in corps_ids:
                self.people[pid] = p.model_copy(update={"available": Window.model_validate(
                    {"until": max(self._last_trip_end(pid), self.h)})})

    def _person(self, row: CorpsMember, old: Person | None, pid: str) -> Person:
        last = self._last_trip_end(pid)
        available = self._availability(row, last)
        agency = next(a for a in self.agencies if a.id == row.agency)
        segments = old.segments if old and old.segments else (
            (agency.home_segment,) if agency.home_segment else ())
        trained = self._training(row, old, available)
        rest = self.cfg.rest_days
        gaps = self._gaps(pid)
        if gaps and min(gaps) < rest:
            rest = float(math.floor(min(gaps)))
        return Person.model_validate({
            "id": pid, "name": old.name if old else row.name, "agency": row.agency,
            "segments": list(segments), "trained": [t.model_dump(by_alias=True) for t in trained],
            "available": available.model_dump(by_alias=True, exclude_none=True),
            "min_rest_days": rest})

    def _availability(self, row: CorpsMember, last: datetime) -> Window:
        since = day_instant(row.since) if row.since else None
        if row.status in ABLE:
            if _is_candidate(row) and since is not None:
                return Window.model_validate({"from": since + self.cfg.candidate_days * DAY})
            return Window()
        # retired, management, deceased or unknown: never a candidate after that date (or the
        # horizon, when the list gives none), but never before a trip already flown
        end = since if since is not None and since > self.h else self.h
        return Window.model_validate({"until": max(end, last)})

    def _training(self, row: CorpsMember, old: Person | None, available: Window) -> list[Training]:
        trained = {t.vehicle_type: t for t in (old.trained if old else ())}
        if row.status not in ABLE:
            return list(trained.values())
        types = [VEHICLE_TYPES[v] for v in row.trained_for if v in VEHICLE_TYPES]
        if not types:
            types = [SOYUZ] if row.agency == "ROSCOSMOS" else [DRAGON]
        start = max(self.h, available.start or self.h)
        flown = row.flown_before or bool(old and self._last_trip_end(old.id) > _EPOCH)
        for vt in dict.fromkeys(types):
            known = vt in [VEHICLE_TYPES[v] for v in row.trained_for if v in VEHICLE_TYPES]
            ready = start if known else start + self.cfg.training_days * DAY
            was = trained.get(vt)
            if was is not None:
                ready = min(was.ready, ready)
            command = (was.commander if was else False) or self._may_command(row, vt, flown, old)
            trained[vt] = Training(vehicle_type=vt, ready=self._day(ready) if not was else ready,
                                   commander=command)
        return sorted(trained.values(), key=lambda t: (t.ready, t.vehicle_type))

    def _may_command(self, row: CorpsMember, vt: str, flown: bool, old: Person | None) -> bool:
        """A commander has flown before; Soyuz is commanded by cosmonauts, Dragon by the other
        partners; a private agency's commander has flown to the station (the Ax-5 rule)."""
        if not flown:
            return False
        agency = next(a for a in self.agencies if a.id == row.agency)
        if agency.private:
            return old is not None and self._last_trip_end(old.id) > _EPOCH
        return (vt == SOYUZ) == (row.agency == "ROSCOSMOS")

    def _keep_past_agency(self, pid: str, agency: str) -> None:
        """A person who changed agency (Wakata: JAXA, then Axiom) keeps the old one on past rides."""
        self.assignments = [a.model_copy(update={"agency": agency})
                            if a.person == pid and a.agency is None else a for a in self.assignments]

    def _trips(self, pid: str) -> list[tuple[datetime, datetime]]:
        """(launch, landing) of each trip flown, as the AVAILABLE rule reads them."""
        out = []
        for a in self.base.assignments:
            up, down = self.base.flight_by_id.get(a.up), self.base.flight_by_id.get(a.down or "")
            if a.person != pid or up is None or up.launch is None:
                continue
            end = (down.land or down.undock) if down else None
            out.append((up.launch, end or max(self.h, up.launch)))
        return sorted(out)

    def _last_trip_end(self, pid: str) -> datetime:
        return max((end for _, end in self._trips(pid)), default=_EPOCH)

    def _gaps(self, pid: str) -> list[float]:
        trips = self._trips(pid)
        return [(b[0] - a[1]) / DAY for a, b in zip(trips, trips[1:], strict=False)]

    # -- flights --------------------------------------------------------------------

    def _named_flights(self) -> None:
        known = {f.name for f in self.base.flights}
        for row in self.announced:
            if not row.is_flight or row.flight in known:
                continue
            if row.flight.startswith("Soyuz MS-") and row.crew:
                self._named_rotation(row, SOYUZ, "MS" + row.flight.removeprefix("Soyuz MS-"),
                                     self.cfg.soyuz_every_days)
            elif row.flight.startswith("Crew-") and row.crew:
                self._named_rotation(row, DRAGON, "SPXC" + row.flight.removeprefix("Crew-"),
                                     self.cfg.dragon_every_days)
            elif row.flight == "Starliner-1":
                self._cargo(row)
            else:
                key = next((k for k in PRIVATE_CLIENTS if row.flight.startswith(k)), None)
                if key is not None:
                    self._private(row, *PRIVATE_CLIENTS[key])

    def _target(self, row: Announced) -> datetime:
        """The day a named flight aims for: the date the row gives, or the month named in it."""
        if row.first_day is not None:
            return max(day_instant(row.first_day), self._day(self.h) + DAY)
        text = row.target_launch.lower()
        year = int(re.findall(r"\b(20\d\d)\b", text)[0])
        for word, month, day in (("mid-september", 9, 15), ("january", 1, 1), ("summer", 6, 21)):
            if word in text:
                return day_instant(datetime(year, month, day).date())
        return day_instant(datetime(year, 1, 1).date())

    def _named_rotation(self, row: Announced, vt: str, fid: str, every: float) -> None:
        target = self._target(row)
        self._add_flight(fid, row.flight, vt, target, target + self.cfg.window_days * 2 * DAY,
                         every, "rotation", None, row.source, named=True)
        for rider in row.crew:
            pid = self.by_name.get(rider.name) or self._find(rider.name)
            if pid is None:
                raise DataError([Problem(self.announced_name, row.line,
                                         f"column {ANNOUNCED_COLUMNS.index('crew') + 1} (crew)",
                                         f"{rider.name} is not in the corps list")])
            role = "commander" if rider.role.startswith("commander") else "crew"
            self._certify(rider.agency, vt, f"{row.flight} names a {rider.agency} crew member "
                                            f"({row.source})")
            self.assignments.append(Assignment(person=pid, up=fid, down=fid, role=role))
        self.notes.append(f"{row.flight}: crew pinned ({', '.join(r.name for r in row.crew)})")

    def _certify(self, agency: str, vt: str, source: str) -> None:
        """An agency named to a flight of a type it never flew has certified it by the horizon."""
        if not any(c.agency == agency and c.vehicle_type == vt for c in self.certs):
            self.certs.append(Certification.model_validate({
                "agency": agency, "vehicle_type": vt, "from": self._day(self.h), "source": source}))

    def _find(self, name: str) -> str | None:
        key = name_key(name.split(",")[0])
        hits = {pid for n, pid in self.by_name.items() if name_key(n.split(",")[0]) == key}
        return hits.pop() if len(hits) == 1 else None

    def _cargo(self, row: Announced) -> None:
        start = self._day(self.h) + DAY
        self._add_flight("BSL1", row.flight, STARLINER, start, start + 180 * DAY,
                         self.cfg.starliner_cargo_days, "uncrewed", None, row.source)
        self.notes.append(f"{row.flight}: uncrewed cargo, any time in the 180 days after the horizon "
                          f"(status {row.status})")

    def _private(self, row: Announced, fid: str, name: str, client: str, agency_name: str) -> None:
        if client not in {a.id for a in self.agencies}:
            self.agencies.append(Agency(id=client, name=agency_name, private=True))
            self.certs.append(Certification.model_validate({
                "agency": client, "vehicle_type": DRAGON, "from": self._day(self.h),
                "source": f"NASA order for a private astronaut mission ({row.source})"}))
        start = self._target(row)
        crew = self._client_people(client)
        # A client with no ISS veteran in the corps names its whole crew: placeholders, pinned,
        # and the CLIENT rule (whose commander must have flown here) has nobody to choose from.
        self._add_flight(fid, name, DRAGON, start, start + 90 * DAY, self.cfg.private_days, "visit",
                         client if crew else None, row.source)
        count = 3 if crew else 4  # a client with no veteran of its own names its commander too
        for k in range(1, count + 1):
            pid = f"{fid}-PA{k}"
            commander = not crew and k == 1
            self.people[pid] = Person.model_validate({
                "id": pid, "agency": client,
                "name": (f"{name} commander (to be named by {client}: a former astronaut with ISS "
                         "experience, as NASA requires)") if commander else
                        f"{name} private astronaut {k} (to be named by {client})",
                "trained": [{"vehicle_type": DRAGON, "ready": start - 30 * DAY,
                             "commander": commander}],
                "available": {"from": start - 30 * DAY, "until": start + 120 * DAY}})
            self.assignments.append(Assignment(person=pid, up=fid, down=fid,
                                               role="commander" if commander else "crew"))
        self.notes.append(f"{name}: {client} mission, {count} placeholder people pinned"
                          + ("; commander chosen among its ISS veterans" if crew else ""))

    def _client_people(self, client: str) -> list[str]:
        return [pid for pid, p in self.people.items() if p.agency == client and pid in
                set(self.by_name.values()) and any(t.commander for t in p.trained
                                                   if t.vehicle_type == DRAGON)]

    def _add_flight(self, fid: str, name: str, vt: str, start: datetime, end: datetime,
                    days: float, kind: str, client: str | None, source: str,
                    named: bool = False) -> None:
        data: dict[str, Any] = {
            "id": fid, "name": name, "vehicle_type": vt, "station": STATION, "kind": kind,
            "window": {"from": self._day(start), "until": self._day(end)}, "target_days": days,
            "source": source}
        if client:
            data["client"] = client
        if kind == "rotation" and vt == DRAGON and self.cfg.us_crew != 4 and not named:
            data["seats"] = self.cfg.us_crew  # a named crew flies as named
        self.flights.append(Flight.model_validate(data))

    def _rotations(self) -> None:
        """Open rotations at the policy cadences after the last named one of each fleet."""
        for vt, prefix, label, every in ((SOYUZ, "MS", "Soyuz MS-", self.cfg.soyuz_every_days),
                                         (DRAGON, "SPXC", "Crew-", self.cfg.dragon_every_days)):
            mine = [f for f in self.flights if f.vehicle_type == vt and f.kind == "rotation"
                    and f.name.startswith(label)]
            last = max(mine, key=lambda f: _number(f.name))
            n = _number(last.name)
            at = self._middle(last)
            while True:
                n += 1
                at = at + every * DAY
                if at - self.cfg.window_days * DAY >= self.cfg.until:
                    break
                self._add_flight(f"{prefix}{n}", f"{label}{n}", vt, at - self.cfg.window_days * DAY,
                                 at + self.cfg.window_days * DAY, every, "rotation", None,
                                 f"open rotation at the {every:g}-day cadence (announced-2026.csv "
                                 "policy rows; docs/forward.md)")

    def _middle(self, f: Flight) -> datetime:
        if f.launch is not None:
            return self._day(f.launch)
        assert f.window is not None and f.window.start is not None
        return f.window.start + self.cfg.window_days * DAY

    def _leaving(self, f: Flight) -> Flight:
        """A cargo vehicle still docked at the horizon is pinned in the history (its departure is
        not in the record); forward, the planner undocks it within its docked limit."""
        if f.pinned and f.kind == "cargo" and f.dock is not None and f.undock is None:
            return f.model_copy(update={"pinned": False})
        return f

    def _deorbit_vehicle(self) -> None:
        self.vtypes.append(VehicleType.model_validate({
            "id": USDV, "name": "US Deorbit Vehicle", "operator": "NASA", "seats": 0,
            "max_docked_days": 1000.0, "docking": ["IDSS"], "launch_sites": ["ksc-39a"],
            "rendezvous_hours": 27.0, "undock_to_landing_hours": 1.0,
            "source": "SpaceX-built US Deorbit Vehicle, ready for launch in 2029, final burns for "
                      "a deorbit about early 2031 (announced-2026.csv, USDV row); docking to an "
                      "IDSS port and the launch pad ASSUMED"}))
        start = self.cfg.deorbit_vehicle_dock
        self._add_flight("USDV", "US Deorbit Vehicle", USDV, start, start + 30 * DAY,
                         (self.cfg.until - start) / DAY + 60, "uncrewed", None,
                         "announced-2026.csv, USDV policy row")

    def _agreement(self, ag: Agreement) -> Agreement:
        """Extended as set, and no seat exchange after it ends. A Dragon carries one cosmonaut,
        never two (as every one flew); a Soyuz at least one NASA astronaut, two when the seats
        must balance (as MS-12 flew Hague and Koch): Dragons fly every 6 months, Soyuz every 8."""
        quotas = tuple(q.model_copy(update={"at_most": q.per_flight}) if q.vehicle_type == DRAGON
                       else q for q in ag.quotas)
        return ag.model_copy(update={"end": self.cfg.agreement_until, "quotas": quotas,
                                     "closed_after": True})

    def _planning(self) -> PlanningSettings:
        """Direct handovers and a least crew aboard, the objectives operations hold (docs/forward.md).
        Handovers are asked of rotations leaving before the deorbit vehicle docks: from then it
        holds one of the two IDSS ports, so a Dragon crew can only arrive after the one it
        relieves has left (asked later, the planner would undock the deorbit vehicle instead)."""
        until = self.cfg.handover_until or self.cfg.deorbit_vehicle_dock
        return self.base.planning.model_copy(update={
            "handover_days": self.cfg.handover_days,
            "handover_until": None if self.cfg.handover_days is None else until,
            "min_aboard": self.cfg.planning_min_aboard})

    # -- station, events --------------------------------------------------------------

    def _station(self, st: Station) -> Station:
        if self.cfg.us_crew == 4:
            return st
        # The smaller crew from the first rotation that flies with fewer seats (its window's
        # end: it has docked by then, and the crew it relieves leaves within the handover days).
        reduced = [f.window.end for f in self.flights
                   if f.seats is not None and f.kind == "rotation" and f.window and f.window.end]
        last = st.crew[-1]
        era = CrewEra.model_validate({"from": min(reduced, default=self._day(self.h)),
                                      "nominal": self.cfg.us_crew + 3,
                                      "maximum": last.maximum, "handover_days": last.handover_days})
        return st.model_copy(update={"crew": (*st.crew, era)})

    def _event(self, e: Any) -> Any:
        if isinstance(e, SiteOutage) and e.site == "baikonur" and e.until is None:
            return e.model_copy(update={
                "until": day_instant(datetime(2026, 3, 3).date()),
                "note": e.note.replace("; end of repairs not in the data", "")
                + "; repairs completed 2026-03-03 (announced-2026.csv, Baikonur policy row)"})
        if isinstance(e, Grounding) and e.vehicle_type == STARLINER and e.until is None:
            # Starliner flies again as uncrewed cargo (Starliner-1); crews only after certification,
            # and the forward scenario plans no crewed Starliner flight.
            return e.model_copy(update={
                "until": day_instant(datetime(2025, 11, 24).date()),
                "note": e.note + "; NASA and Boeing made Starliner-1 an uncrewed cargo flight on "
                                 "2025-11-24 (announced-2026.csv, Starliner policy row)"})
        return e

    def _day(self, t: datetime) -> datetime:
        return t.replace(hour=0, minute=0, second=0, microsecond=0)


_EPOCH = datetime(1900, 1, 1, tzinfo=UTC)


def _flight_order(f: Flight) -> tuple[Any, ...]:
    t = f.launch or (f.window.start if f.window and f.window.start else None)
    return (0 if f.launch else 1, format_instant(t) if t else "", f.id)


def _number(name: str) -> int:
    return int(re.findall(r"(\d+)$", name)[0])


def _is_candidate(row: CorpsMember) -> bool:
    note = row.note.lower()
    return "not flight-eligible until" in note or "candidate" in note


def _new_id(row: CorpsMember) -> str:
    return "corps-" + "-".join(name_key(row.name.replace(",", " ")).split())


def _header(corps: Path, announced: Path, cfg: ForwardSettings) -> str:
    defaults = ForwardSettings()
    changed = [_flag(k, v) for k, v in cfg.model_dump().items()
               if k != "until" and v != getattr(defaults, k)]
    cmd = (f"mixedcrew forward examples/iss.toml --corps data/corps-2026.csv --announced "
           f"data/announced-2026.csv --until {format_day(cfg.until)}")
    return "\n".join([
        "Generated by mixedcrew from real data; do not edit by hand, regenerate with:",
        f"  {' '.join([cmd, *changed])} -o examples/iss-2030.toml",
        "",
        "History: examples/iss.toml (Jonathan C. McDowell, planet4589.org, CC BY 4.0, and the",
        "sources cited there). Corps, announced flights and policies: data/corps-2026.csv and",
        "data/announced-2026.csv, one public source per row. Assumptions and their defaults:",
        "docs/forward.md.",
    ])


def _flag(name: str, v: Any) -> str:
    """The option that sets a changed setting (handover_days none: --no-handover)."""
    if name == "handover_days" and v is None:
        return "--no-handover"
    return f"--{name.replace('_', '-')} {_opt(v)}"


def _opt(v: Any) -> str:
    if isinstance(v, datetime):
        return format_day(v)
    return f"{v:g}" if isinstance(v, float) else str(v)
