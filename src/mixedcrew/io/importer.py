"""Build a station scenario from the GCAT lists, the supplement and the facts file.

What the lists give: launch and landing instants, ship and programme, who
rode up on which flight and (in the rides file) which vehicle brought each
person home. What they do not give (dock/undock instants, ports, uncrewed
flights, agreements, events) comes from `facts.toml`, each line with its
source, and from documented defaults. See docs/import.md.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from mixedcrew.domain import Person, Scenario
from mixedcrew.errors import DataError, Problem
from mixedcrew.instants import format_instant, to_instant
from mixedcrew.io.corps import read_corps
from mixedcrew.io.dockings import DockingRecord, RecordedVisit, RecordRow, read_docking_record
from mixedcrew.io.gcat import (
    Astronaut,
    Mission,
    Ride,
    read_astronauts,
    read_list,
    read_missions,
    read_rides,
    read_supplement,
)
from mixedcrew.io.leavers import RETURN_YEARS, availability_ends
from mixedcrew.io.scenario_file import parse_toml, read_input

ATTRIBUTION = (
    "Flights, people and rides: Jonathan C. McDowell, planet4589.org, human spaceflight "
    "lists (CC BY 4.0). Rides after May 2024 and other facts: NASA, Roscosmos, TASS, "
    "Aviation Week and press, as cited in each source field."
)
# Astro durations are to the second but some instants in the lists are to the minute.
DURATION_TOLERANCE = timedelta(minutes=5)
_INSTANT_KEYS = ("launch", "dock", "undock", "land")
# Station keys that tell the importer what to do, not what the station is.
_STATION_IMPORT_KEYS = ("port_preference", "port_names", "cargo_from", "excluded_flights", "tags",
                        "aliases", "home_segments", "description")
# The record's instants are to the minute (some to the second): copies must agree within this.
RECORD_TOLERANCE = timedelta(minutes=1)
# uncrewed.csv names its events arrive/depart; the gaps in the facts use the file's own words.
_RAW_EVENT = {("uncrewed.csv", "dock"): "arrive", ("uncrewed.csv", "undock"): "depart",
              ("uncrewed.csv", "relocate-undock"): "relocate-depart",
              ("uncrewed.csv", "relocate-dock"): "relocate-arrive"}


@dataclass
class ImportResult:
    scenario: Scenario
    header: str
    mismatches: list[str] = field(default_factory=list)


def load_facts(path: Path | None) -> tuple[dict[str, Any], str]:
    if path is None:
        text = resources.files("mixedcrew.io").joinpath("facts.toml").read_text(encoding="utf-8")
        name = "facts.toml (shipped)"
    else:
        # bounded like a scenario: a special file, a huge or deep one is refused with its line
        return parse_toml(read_input(path), str(path))[0], str(path)
    try:
        return tomllib.loads(text), name
    except tomllib.TOMLDecodeError as e:
        raise DataError([Problem(name, None, "", f"TOML syntax: {e}")]) from None


def _find(directory: Path, pattern: str) -> Path:
    found = sorted(directory.glob(pattern))
    if not found:
        raise DataError([Problem(str(directory), None, "", (
            f"no file matching {pattern}: give the folder that holds missions.txt, "
            "astro.txt and rides-*.tsv"))])
    return found[-1]


def _update_stamp(path: Path) -> datetime:
    """The lists' date (their `# Updated` line): the horizon the data runs to.

    Without it a flight still docked then would look as if it never undocked, so a list that
    lost the line (cut or garbled) is refused where the line should be.
    """
    from mixedcrew.io.gcat import parse_when

    for number, line in enumerate(read_list(path).splitlines()[:3], start=1):
        if line.startswith("# Updated"):
            try:
                when = parse_when(line.removeprefix("# Updated").strip())
            except ValueError as e:
                raise DataError([Problem(str(path), number, "", f"# Updated: {e}")]) from None
            if when is not None:
                return when.at
    raise DataError([Problem(str(path), 2, "", (
        "no '# Updated YYYY Mon DD' line near the top: the lists give the date they run to there "
        "(fetch a fresh copy)"))])


def station_names(facts: dict[str, Any]) -> list[str]:
    """The stations the facts know, by id, in the facts' order."""
    return [str(st["id"]) for st in facts.get("stations", [])]


def find_station(facts: dict[str, Any], name: str) -> dict[str, Any] | None:
    """The station a name means: its id, name, an alias or a GCAT Station tag (any case)."""
    want = name.strip().casefold()
    for st in facts.get("stations", []):
        names = [st["id"], st.get("name", ""), *st.get("aliases", []), *st.get("tags", [])]
        if want in {n.casefold() for n in names if n}:
            return dict(st)
    return None


def for_station(entries: list[dict[str, Any]], station: str) -> list[dict[str, Any]]:
    """Facts entries that hold at this station (`station` names it), without that key."""
    return [{k: v for k, v in e.items() if k != "station"} for e in entries
            if e.get("station") == station]


class _Builder:
    def __init__(self, facts: dict[str, Any], facts_name: str, station: str):
        self.facts = facts
        self.facts_name = facts_name
        self.station_id = station
        self.problems: list[Problem] = []
        imp = facts.get("import", {})
        self.ship_types: list[tuple[re.Pattern[str], str]] = [
            (re.compile(rx), vt) for rx, vt in imp.get("ship_types", [])]
        self.participant_roles = tuple(imp.get("participant_roles", ["UP"]))
        self.participant_categories = set(imp.get("participant_categories", ["PT"]))
        self.commander_roles = set(imp.get("commander_roles", ["CDR", "KDR"]))
        self.visit_max_days = float(imp.get("visit_max_days", 30))
        self.sponsor_agency = {code: a["id"] for a in facts.get("agencies", [])
                               for code in a.get("sponsors", [])}
        self.vtypes = {v["id"]: v for v in facts.get("vehicle_types", [])}
        self.flight_facts = {f["id"]: f for f in facts.get("flight_facts", [])}
        self.families = [set(f) for f in imp.get("families", [])]
        self.ride_names: dict[str, list[Ride]] = {}
        self.known_as = {k["person"]: str(k["known_as"]) for k in facts.get("known_as", [])}
        self.missions: dict[str, Mission] = {}
        self.supplement_downs: dict[tuple[str, str], str] = {}
        found = find_station(facts, station)
        if found is None:
            raise DataError([Problem(facts_name, None, "station", (
                f"unknown station {station!r}: known stations are "
                f"{', '.join(station_names(facts))}"))])
        self.station_facts: dict[str, Any] = found
        self.station_id = str(found["id"])
        self.tags = set(found.get("tags", [found["id"]]))
        self.port_names: dict[str, list[str]] = self.station_facts.get("port_names", {})

    def same_family(self, a: str, b: str) -> bool:
        return a == b or any(a in fam and b in fam for fam in self.families)

    def fail(self, where: str, line: int | None, path: str, message: str) -> None:
        self.problems.append(Problem(where, line, path, message))

    def vehicle_type(self, m: Mission) -> str | None:
        for rx, vt in self.ship_types:
            if rx.search(m.ship):
                return vt
        return None

    def rendezvous_hours(self, vt: str, launch: datetime) -> float:
        hours = float(self.vtypes[vt].get("rendezvous_hours", 24))
        eras = sorted((to_instant(e["from"]), float(e["hours"]))
                      for e in self.facts.get("rendezvous_eras", []) if e["vehicle_type"] == vt)
        for start, h in eras:
            if launch >= start:
                hours = h
        return hours


def import_gcat(directory: Path, station: str = "ISS", since: datetime | None = None,
                supplement: Path | None = None, facts: Path | None = None,
                dockings: Path | None = None, corps: Path | None = None) -> ImportResult:
    """The station's flights, people and rides as a Scenario, checked by the loader's rules.

    corps: the astronaut-corps list (data/corps-2026.csv): people who had left flight status
    get the matching end of their availability (io/leavers.py)."""
    directory = Path(directory)
    if not directory.is_dir():
        raise DataError([Problem(str(directory), None, "", "not a folder")])
    facts_data, facts_name = load_facts(facts)
    b = _Builder(facts_data, facts_name, station)
    missions_path = _find(directory, "missions.txt")
    missions = read_missions(missions_path)
    b.missions = missions
    astros = read_astronauts(_find(directory, "astro.txt"))
    rides_path = _find(directory, "rides-*.tsv")
    extra_ids = {f["id"] for f in facts_data.get("flights", [])}
    rides = read_rides(rides_path, set(missions) | extra_ids)
    for r in rides:
        b.ride_names.setdefault(r.person, []).append(r)
    horizon = _update_stamp(missions_path)

    flights = _flights(b, missions, since, horizon)
    if dockings is not None:
        apply_docking_record(b, flights, read_docking_record(Path(dockings)),
                             b.station_facts.get("ports", []), since, horizon)
        flights = dict(sorted(flights.items(), key=lambda kv: kv[1]["launch"]))
    chosen = _rides(b, rides, supplement, flights, astros, rides_path)
    if since is not None:
        flights, chosen = _since(flights, chosen, since, horizon)
    if b.problems:
        raise DataError(b.problems)
    data = _assemble(b, flights, chosen, astros, horizon)
    bounded = corps if horizon is not None else None  # without a horizon there is no "gone by"
    try:
        scenario = Scenario.model_validate(data)
        if bounded is not None and horizon is not None:
            # rows are checked against every agency the facts know: the list names agencies
            # that never flew to this station (its rows then match no one)
            _bound_availability(data, scenario.people, Path(bounded), horizon,
                                [str(a["id"]) for a in facts_data.get("agencies", [])])
            scenario = Scenario.model_validate(data)
    except ValidationError as e:
        raise DataError([Problem(facts_name, None, ".".join(map(str, err["loc"])), err["msg"])
                         for err in e.errors()]) from None
    from mixedcrew.references import check_references

    found = check_references(scenario)
    if found:
        raise DataError([Problem(facts_name, None, ".".join(map(str, p)), m) for p, m in found])
    mismatches = cross_check_durations(scenario, chosen, astros, missions, rides, horizon,
                                       b.supplement_downs)
    header = _header(directory, since, supplement, facts_name, horizon, station, dockings,
                     bounded)
    return ImportResult(scenario, header, mismatches)


def _header(directory: Path, since: datetime | None, supplement: Path | None, facts: str,
            horizon: datetime | None, station: str = "ISS", dockings: Path | None = None,
            corps: Path | None = None) -> str:
    cmd = f"mixedcrew import-gcat data/gcat --station {station}"
    if since:
        cmd += f" --since {since.date().isoformat()}"
    if supplement:
        cmd += f" --supplement data/{Path(supplement).name}"
    if dockings:
        cmd += " --dockings data/iss-dockings"
    if corps:
        cmd += f" --corps data/{Path(corps).name}"
    where = ("Dock and undock instants, ports and relocations come from the ISS docking record",
             "(data/iss-dockings) where it has them, else from defaults (docs/import.md).") \
        if dockings else (
             "Dock and undock instants are estimates from per-vehicle rendezvous defaults unless a",
             "flight's source says otherwise; ports are assigned by the importer (docs/import.md).")
    return "\n".join([
        "Generated by mixedcrew from real data; do not edit by hand, regenerate with:",
        f"  {cmd} -o examples/{station.lower().replace(' ', '-')}.toml",
        "",
        ATTRIBUTION,
        *where,
        *(("Availability ends: the corps list's status and date for who had left flight status",
           f"(data/{Path(corps).name}, a source per row); people not in it: "
           f"{RETURN_YEARS} years after their last landing,",
           "at the latest the data's horizon (docs/import.md).") if corps else ()),
        f"Data horizon: {format_instant(horizon) if horizon else 'none'} (the lists' update stamp).",
    ])


def _bound_availability(data: dict[str, Any], people: Sequence[Person], corps_path: Path,
                        horizon: datetime, agencies: list[str]) -> None:
    """Each person the corps list shows gone (or who is missing from it) gets an availability end."""
    corps = read_corps(corps_path, agencies)
    flights = {f["id"]: f for f in data["flights"]}
    last: dict[str, datetime] = {}
    for a in data["assignments"]:
        down = flights.get(a.get("down", ""))
        end = (down.get("land") or down.get("undock") or horizon) if down else horizon
        last[a["person"]] = max(last.get(a["person"], end), end)
    ends = {e.person: e.until for e in availability_ends(corps, list(people), last, horizon)}
    for p in data["people"]:
        if p["id"] in ends:
            p["available"] = {"until": ends[p["id"]]}


# --- flights -----------------------------------------------------------------------------


def _flights(b: _Builder, missions: dict[str, Mission], since: datetime | None,
             horizon: datetime | None) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    excluded = {e["id"] for e in b.station_facts.get("excluded_flights", [])}
    for m in missions.values():
        if m.station not in b.tags or m.mtype != "FLT" or m.launch is None or m.tag in excluded:
            continue
        if m.land is not None and (m.land.at - m.launch.at) < timedelta(hours=2):
            continue  # a launch abort (e.g. Soyuz MS-10) never reached the station
        vt = b.vehicle_type(m)
        if vt is None:
            b.fail("missions.txt", m.line, m.tag, f"no vehicle type for ship {m.ship!r} in facts")
            continue
        launch, land = m.launch.at, m.land.at if m.land else None
        dock = launch + timedelta(hours=b.rendezvous_hours(vt, launch))
        undock = land - timedelta(hours=float(b.vtypes[vt]["undock_to_landing_hours"])) if land else None
        f: dict[str, Any] = {
            "id": m.tag, "name": _flight_name(m), "vehicle_type": vt, "station": b.station_id,
            "launch": launch, "dock": dock, "undock": undock, "land": land,
            "source": f"missions.txt line {m.line}"
                      + (" (landing time uncertain)" if m.land and m.land.uncertain else ""),
        }
        if vt.startswith("soyuz"):
            f["launch_site"] = "baikonur"
        if vt == "crew-dragon" and m.callsign not in ("-", ""):
            f["capsule"] = m.callsign.lower()
        out[m.tag] = f
    for extra in b.facts.get("flights", []):
        if extra.get("station") != b.station_id:
            continue
        f = {k: (to_instant(v) if k in _INSTANT_KEYS else v)
             for k, v in extra.items()}
        vt = b.vtypes[f["vehicle_type"]]
        if "undock" not in f and f.get("land"):
            f["undock"] = f["land"] - timedelta(hours=float(vt["undock_to_landing_hours"]))
        out[f["id"]] = f
    for fid, fact in b.flight_facts.items():
        if fid in out:
            src = out[fid].get("source", "")
            out[fid].update({k: (to_instant(v) if k in _INSTANT_KEYS else v)
                             for k, v in fact.items() if k not in ("id", "source")})
            out[fid]["source"] = "; ".join(x for x in (src, fact.get("source", "")) if x)
    for f in out.values():
        if f.get("undock") is None and horizon is not None and f.get("land") is None:
            f.pop("undock", None)
            f.pop("land", None)
    return dict(sorted(out.items(), key=lambda kv: kv[1]["launch"]))


def _since(flights: dict[str, dict[str, Any]], chosen: list[_Chosen], since: datetime,
           horizon: datetime | None) -> tuple[dict[str, dict[str, Any]], list[_Chosen]]:
    """Flights launched since, or still flying then, and both flights of every ride that
    touches one: a person's whole trip stays (Merbold up on Soyuz TM-20, home on TM-19)."""
    kept = {k for k, f in flights.items()
            if f["launch"] >= since or (f.get("land") or horizon or f["launch"]) >= since}
    rides = [c for c in chosen if c.up in kept or (c.down is not None and c.down in kept)]
    kept |= {c.up for c in rides} | {c.down for c in rides if c.down is not None}
    return {k: f for k, f in flights.items() if k in kept}, rides


def _flight_name(m: Mission) -> str:
    ship = m.ship
    if ship.startswith("Dragon "):
        return ship.removeprefix("Dragon ")
    if ship.startswith("Axiom "):
        return ship.removeprefix("Axiom ")
    return ship


# --- rides -------------------------------------------------------------------------------


@dataclass
class _Chosen:
    person: str
    up: str
    down: str | None
    sponsor: str
    role: str
    participant: bool
    source: str
    down_role: str = ""
    file: str = "rides"  # where the ride is written, for problems
    line: int | None = None


def _rides(b: _Builder, rides: list[Ride], supplement: Path | None,
           flights: dict[str, dict[str, Any]], astros: dict[str, Astronaut],
           rides_path: Path | str = "rides") -> list[_Chosen]:
    chosen: dict[tuple[str, str], _Chosen] = {}
    for r in rides:
        if r.up not in flights:
            continue
        role = _role(astros, r.person, r.up) or r.role
        down = r.down or (None if r.in_progress else r.up)
        participant = r.category in b.participant_categories or role.startswith(b.participant_roles)
        chosen[(r.person, r.up)] = _Chosen(r.person, r.up, down, r.sponsor, role, participant,
                                           f"rides line {r.line}", r.down_role, str(rides_path), r.line)
    if supplement is not None:
        for s in read_supplement(Path(supplement)):
            b.supplement_downs[(s.person, s.up)] = s.down
            other = b.missions.get(s.up)
            if s.up not in flights and other is not None and other.station not in b.tags:
                continue  # another station's ride: only the duration cross-check reads it
            if s.up not in flights:
                b.fail(str(supplement), s.line, "up",
                       f"flight {s.up!r} is not a {b.station_id} flight in the lists")
                continue
            role = _role(astros, s.person, s.up)
            chosen[(s.person, s.up)] = _Chosen(s.person, s.up, s.down or None, s.sponsor, role,
                                               role.startswith(b.participant_roles),
                                               f"supplement line {s.line}", file=str(supplement),
                                               line=s.line)
    for c in chosen.values():
        if c.down is not None and c.down not in flights:
            b.fail(c.file, c.line, c.person, f"came home on {c.down!r}, which is not among the flights")
        if c.sponsor not in b.sponsor_agency:
            b.fail(c.file, c.line, c.person, (
                f"sponsor code {c.sponsor!r} has no agency: add it to an agency's sponsors in facts"))
        if c.person not in astros:
            b.fail(c.file, c.line, c.person, "person not in the astronaut list (astro.txt)")
    return sorted(chosen.values(), key=lambda c: (flights[c.up]["launch"], c.up, c.person))


def _role(astros: dict[str, Astronaut], person: str, tag: str) -> str:
    a = astros.get(person)
    if a is None:
        return ""
    return next((role for t, role in a.missions if t == tag), "")


# --- the scenario ------------------------------------------------------------------------


def _assemble(b: _Builder, flights: dict[str, dict[str, Any]], chosen: list[_Chosen],
              astros: dict[str, Astronaut], horizon: datetime | None) -> dict[str, Any]:
    facts = b.facts
    st = {k: v for k, v in b.station_facts.items() if k not in _STATION_IMPORT_KEYS}
    preference = b.station_facts.get("port_preference", [])
    st["id"] = b.station_id
    _kinds(b, flights, chosen)
    _assign_ports(flights, st["ports"], preference, b.vtypes, horizon)
    people, assignments = _people(b, flights, chosen, astros)
    homes = b.station_facts.get("home_segments", {})
    agencies = [{k: v for k, v in a.items() if k != "sponsors"}
                | ({"home_segment": homes[a["id"]]} if a["id"] in homes else {})
                for a in facts["agencies"]]
    used_agencies = {p["agency"] for p in people} | {a.get("agency") for a in assignments}
    agencies = [a for a in agencies if a["id"] in used_agencies]
    capsules = _capsules(b, flights)
    flight_ids = set(flights)
    person_ids = {p["id"] for p in people}
    events = [e for e in for_station(facts.get("events", []), b.station_id)
              if _event_in_scope(e, flight_ids, person_ids)]
    vehicle_types = [v for v in facts["vehicle_types"]
                     if v["id"] in {f["vehicle_type"] for f in flights.values()}]
    sites = {s for v in vehicle_types for s in v.get("launch_sites", [])} | {
        f["launch_site"] for f in flights.values() if f.get("launch_site")}
    return {
        "scenario": {
            "name": f"{b.station_id}: crewed flights from the GCAT lists",
            "description": b.station_facts.get("description", (
                "Every crewed flight to the station and who rode up and down on which.")),
            "attribution": ATTRIBUTION,
            "horizon": horizon,
        },
        "stations": [st],
        "launch_sites": [s for s in facts.get("launch_sites", []) if s["id"] in sites],
        "agencies": agencies,
        "vehicle_types": vehicle_types,
        "capsules": capsules,
        "certifications": _certifications(b, flights, assignments, people),
        "people": people,
        "flights": list(flights.values()),
        "assignments": assignments,
        "agreements": for_station(facts.get("agreements", []), b.station_id),
        "events": events,
    }


def _event_in_scope(e: dict[str, Any], flights: set[str], people: set[str]) -> bool:
    if "flight" in e:
        return e["flight"] in flights
    if "people" in e:
        return set(e["people"]) <= people
    return True


def _kinds(b: _Builder, flights: dict[str, dict[str, Any]], chosen: list[_Chosen]) -> None:
    for fid, f in flights.items():
        if "kind" in f:
            continue
        ups = [c for c in chosen if c.up == fid]
        downs = [c for c in chosen if c.down == fid]
        if not ups and not downs:
            f["kind"] = "uncrewed"
            continue
        docked = ((f.get("undock") or f["dock"]) - f["dock"]).total_seconds() / 86400
        round_trip = all(c.down == fid for c in ups) and all(c.up == fid for c in downs)
        private = any(b.sponsor_agency.get(c.sponsor) == "AXIOM" for c in ups)
        if private or (round_trip and f.get("undock") and docked <= b.visit_max_days):
            f["kind"] = "visit"
        else:
            f["kind"] = "rotation"


def _assign_ports(flights: dict[str, dict[str, Any]], ports: list[dict[str, Any]],
                  preference: list[str], vtypes: dict[str, Any], horizon: datetime | None) -> None:
    """For flights the docking record does not place: the first compatible port in
    preference order, within its service dates, free of every recorded stay."""
    order = {p: i for i, p in enumerate(preference)}
    ports = sorted(ports, key=lambda p: order.get(p["id"], len(order)))
    far = horizon or datetime.max.replace(tzinfo=UTC)
    busy: dict[str, list[tuple[datetime, datetime]]] = {}
    for f in flights.values():
        if f.get("port"):
            for port, start, end in _stays(f, far):
                busy.setdefault(port, []).append((start, end))
    for f in sorted(flights.values(), key=lambda f: f["dock"]):
        if f.get("port"):
            continue
        end = f.get("undock") or far
        fits = vtypes[f["vehicle_type"]]["docking"]
        for p in ports:
            start_ok = "from" not in p or to_instant(p["from"]) <= f["dock"]
            end_ok = "until" not in p or (f.get("undock") and f["undock"] <= to_instant(p["until"]))
            free = all(e <= f["dock"] or end <= s for s, e in busy.get(p["id"], []))
            if p["interface"] in fits and start_ok and end_ok and free:
                f["port"] = p["id"]
                busy.setdefault(p["id"], []).append((f["dock"], end))
                break


def _stays(f: dict[str, Any], far: datetime) -> list[tuple[str, datetime, datetime]]:
    """(port, start, end) of each port a flight dict holds, relocations included."""
    out, port, start = [], f["port"], f["dock"]
    for move in f.get("relocations", []):
        out.append((port, start, move["undock"]))
        port, start = move["port"], move["dock"]
    out.append((port, start, f.get("undock") or far))
    return out


def _people(b: _Builder, flights: dict[str, dict[str, Any]], chosen: list[_Chosen],
            astros: dict[str, Astronaut]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    home = b.station_facts.get("home_segments", {})
    by_person: dict[str, list[_Chosen]] = {}
    for c in chosen:
        by_person.setdefault(c.person, []).append(c)
    people, assignments = [], []
    for pid, rides in by_person.items():
        agency = b.sponsor_agency[rides[-1].sponsor]  # their latest ride's sponsor
        # A segment is theirs if they flew for its home agency as crew, not as a participant
        # (Whitson's NASA expeditions count though her latest ride was for Axiom).
        segments = sorted({home[b.sponsor_agency[c.sponsor]] for c in rides if not c.participant
                           and home.get(b.sponsor_agency[c.sponsor])})
        trained: dict[str, dict[str, Any]] = {}
        for c in rides:
            up_launch = flights[c.up]["launch"]
            up_type = flights[c.up]["vehicle_type"]
            for fid, leg in ((c.up, "up"), (c.down, "down")):
                if fid is None:
                    continue
                vt = flights[fid]["vehicle_type"]
                entry = trained.setdefault(vt, {"vehicle_type": vt, "ready": up_launch})
                entry["ready"] = min(entry["ready"], up_launch)
                # the seat they rode in: the role up, and the seat home named in the rides file
                # (or, without it, the role up when the way home is of the same family)
                seat = c.role if leg == "up" else (
                    c.down_role or (c.role if b.same_family(vt, up_type) else ""))
                if seat in b.commander_roles:
                    entry["commander"] = True
        people.append({
            "id": pid, "name": astros[pid].name,
            "known_as": b.known_as.get(pid) or known_as(astros[pid],
                                                         [r.name for r in b.ride_names.get(pid, [])]),
            "agency": agency,
            "segments": segments,
            "trained": sorted(trained.values(), key=lambda t: (t["ready"], t["vehicle_type"])),
        })
        for c in rides:
            a: dict[str, Any] = {"person": pid, "up": c.up}
            if c.down is not None:
                a["down"] = c.down
            if c.role in b.commander_roles:
                a["role"] = "commander"
            ride_agency = b.sponsor_agency[c.sponsor]
            if ride_agency != agency:
                a["agency"] = ride_agency
            assignments.append(a)
    people.sort(key=lambda p: p["id"])
    return people, assignments


def known_as(a: Astronaut, ride_names: list[str]) -> str:
    """'Given Surname' as they go by: the list's nickname or starred given name, else the
    given name the rides file writes before the surname (R. Shane Kimbrough), else the first."""
    surname, _, given = a.name.partition(",")
    if not given:
        # surname first without a comma (Chen Dong), or a list quirk (Petelin): the rides
        # file's own spelling when it has one
        return ride_names[-1].split(",")[0].strip() if ride_names else a.name
    given = re.sub(r",?\s*(Jr|Sr|II|III)\.?$", "", given.strip())
    first = a.goes_by
    for text in ride_names if not first else ():
        words = [w for w in re.sub(r"'[^']*'", "", text.split(",")[0]).split()
                 if not re.fullmatch(r"[A-Z]\.", w)]
        if words and words[0] != surname.split()[0]:
            first = words[0]
            break
    first = first or (given.split() or [""])[0]
    return f"{first} {surname.strip()}".strip()


def _capsules(b: _Builder, flights: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    named = {c["id"]: c for c in b.facts.get("capsules", [])}
    out = {}
    for f in flights.values():
        cap = f.get("capsule")
        if cap:
            out[cap] = named.get(cap, {"id": cap, "name": cap.title(), "vehicle_type": f["vehicle_type"]})
    return sorted(out.values(), key=lambda c: c["id"])


def _certifications(b: _Builder, flights: dict[str, dict[str, Any]],
                    assignments: list[dict[str, Any]], people: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Stated certifications from facts; every other (agency, type) pair from its first ride."""
    agency_of = {p["id"]: p["agency"] for p in people}
    certs = for_station(b.facts.get("certifications", []), b.station_id)
    stated = {(c["agency"], c["vehicle_type"]) for c in certs}
    first: dict[tuple[str, str], datetime] = {}
    for a in assignments:
        agency = a.get("agency") or agency_of[a["person"]]
        up = flights[a["up"]]
        for fid in (a["up"], a.get("down")):
            if fid is None or flights[fid].get("kind") == "test":
                continue
            key = (agency, flights[fid]["vehicle_type"])
            day = up["launch"].replace(hour=0, minute=0, second=0, microsecond=0)
            first[key] = min(first.get(key, day), day)
    out = [dict(c) for c in certs]
    for (agency, vt), day in sorted(first.items()):
        if (agency, vt) not in stated:
            out.append({"agency": agency, "vehicle_type": vt, "from": day,
                        "source": "derived: the date of this agency's first ride on the type"})
    return out


# --- cross-check ---------------------------------------------------------------------------


def cross_check_durations(s: Scenario, chosen: list[_Chosen], astros: dict[str, Astronaut],
                          missions: dict[str, Mission], rides: list[Ride],
                          horizon: datetime | None,
                          supplement_downs: dict[tuple[str, str], str] | None = None) -> list[str]:
    """People whose stays plus other flights do not add up to astro.txt's time in space."""
    flights = s.flight_by_id
    supplement_downs = supplement_downs or {}
    ride_durations = _ride_durations(rides)
    in_scope = {(c.person, c.up): c for c in chosen}
    out = []
    for pid in sorted({c.person for c in chosen}):
        a = astros[pid]
        if a.duration is None:
            continue
        total = timedelta()
        notes = []
        for tag, _ in a.missions:
            c = in_scope.get((pid, tag))
            if c is not None:
                up = flights[c.up]
                down = flights.get(c.down) if c.down else None
                end = (down.land if down and down.land else horizon)
                if end is None or up.launch is None:
                    continue
                total += end - up.launch
            elif (pid, tag) in ride_durations:
                total += ride_durations[(pid, tag)]
            elif tag in missions and missions[tag].launch:
                m = missions[tag]
                home = missions.get(supplement_downs.get((pid, tag), ""))  # another ship home
                end = (home.land.at if home and home.land else
                       m.land.at if m.land else horizon)
                if end is not None:
                    total += end - m.launch.at  # type: ignore[union-attr]
            else:
                notes.append(tag)
        diff = total - a.duration
        if abs(diff) > DURATION_TOLERANCE:
            sign = "+" if diff > timedelta() else "-"
            out.append(f"{pid} {a.name}: stays and flights add up to {_fmt(total)}, astro.txt says "
                       f"{_fmt(a.duration)}{'*' if a.in_space else ''} ({sign}{_fmt(abs(diff))})"
                       + (f"; no duration for {', '.join(notes)}" if notes else ""))
    return out


def _ride_durations(rides: list[Ride]) -> dict[tuple[str, str], timedelta]:
    return {(r.person, r.up): r.duration for r in rides if r.duration is not None and not r.in_progress}


def _fmt(d: timedelta) -> str:
    secs = int(d.total_seconds())
    days, rem = divmod(secs, 86400)
    h, rem = divmod(rem, 3600)
    m, s = divmod(rem, 60)
    return f"{days}:{h:02d}:{m:02d}:{s:02d}"


# --- the docking record ----------------------------------------------------------------------


def apply_docking_record(b: _Builder, flights: dict[str, dict[str, Any]], record: DockingRecord,
                         ports: list[dict[str, Any]], since: datetime | None,
                         horizon: datetime | None) -> None:
    """Dock and undock instants, ports and relocations from the record wherever it has them;
    the uncrewed vehicles it lists become cargo flights from the station's `cargo_from` on."""
    st = b.station_facts
    rec = b.facts.get("import", {}).get("record", {})
    ids = rec.get("ids", {})
    cargo_types = [(re.compile(rx), vt) for rx, vt in rec.get("cargo_types", [])]
    gaps = {(g["vehicle"], g["event"]): g for g in for_station(b.facts.get("docking_gaps", []),
                                                                b.station_id)}
    cargo_from = to_instant(st["cargo_from"]) if "cargo_from" in st else None
    by_id: dict[str, list[RecordedVisit]] = {}
    for v in record.visits.values():
        by_id.setdefault(ids.get(v.key, v.key), []).append(v)
    for fid, visits in by_id.items():
        v = visits[0]
        for other in visits[1:]:
            _same_visit(b, v, other)
        # the uncrewed file's name says what the vehicle is (Soyuz MS-14, not MS14)
        name = next((x.key for x in visits if x.file == "uncrewed.csv"), v.key)
        v = next((x for x in visits if x.file != "uncrewed.csv"), v)
        if fid in flights:
            _recorded(b, flights[fid], v, gaps, ports)
        elif cargo_from is not None and any(x.file == "uncrewed.csv" for x in visits):
            # a vehicle nobody rode: cargo, or an uncrewed test (crewed flights the
            # scenario leaves out, before --since, are not here)
            vt = next((t for rx, t in cargo_types if rx.search(name)), None)
            if vt is None:
                b.fail(v.file, v.rows[0].line, "vehicle", (
                    f"no vehicle type for {name!r}: add a pattern to [import.record] cargo_types"))
                continue
            # pinned: the record's traffic is a given the planner works around, not moves
            f: dict[str, Any] = {"id": _flight_id(fid), "name": name, "vehicle_type": vt,
                                 "station": b.station_id, "kind": "cargo", "pinned": True}
            _recorded(b, f, v, gaps, ports)
            if "dock" not in f:
                continue
            end = f.get("undock") or horizon or f["dock"]
            if end <= cargo_from or (since is not None and end < since):
                continue
            vtype = b.vtypes[vt]
            f["launch"] = f["dock"] - timedelta(hours=float(vtype.get("rendezvous_hours", 24)))
            if f.get("undock"):
                f["land"] = f["undock"] + timedelta(hours=float(vtype["undock_to_landing_hours"]))
            f["source"] = ("launch and end of flight estimated from the vehicle type's defaults; "
                           + f["source"])
            flights[f["id"]] = f


def _flight_id(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.:+\-]+", "-", name)


def _same_visit(b: _Builder, a: RecordedVisit, other: RecordedVisit) -> None:
    """A vehicle listed in two files (Soyuz MS-14, OFT-2) must be listed alike."""
    for x, y in ((a.dock, other.dock), (a.undock, other.undock)):
        if x and y and x.at and y.at and abs(x.at - y.at) > RECORD_TOLERANCE:
            b.fail(y.file, y.line, "utc", (
                f"{other.key} {y.event} {format_instant(y.at)} disagrees with {x.where} "
                f"({format_instant(x.at)}) by more than a minute"))


def _recorded(b: _Builder, f: dict[str, Any], v: RecordedVisit, gaps: dict[tuple[str, str], Any],
              ports: list[dict[str, Any]]) -> None:
    """Set f's dock, undock, port and relocations from the record's rows (and the gaps' choices)."""
    sources = []
    interfaces = set(b.vtypes[f["vehicle_type"]]["docking"])

    def at(row: RecordRow) -> datetime | None | bool:
        if row.at is not None:
            sources.append(f"{row.event} {row.source}")
            return row.at
        gap = gaps.get((v.key, _RAW_EVENT.get((v.file, row.event), row.event)))
        if gap is None:
            return None
        sources.append(f"{row.event}: {gap['basis']} (facts docking_gaps)")
        return True if gap.get("still_docked") else to_instant(gap["at"])

    def port(row: RecordRow) -> str | None:
        name = row.port or next((g.get("port", "") for (k, _), g in gaps.items() if k == v.key
                                 and g.get("port")), "")
        for pid in b.port_names.get(name, []):
            p = next((q for q in ports if q["id"] == pid), None)
            if p is not None and p["interface"] in interfaces:
                return str(pid)
        if name:
            b.fail(v.file, row.line, "port", (
                f"{v.key}: port {name!r} is not a {'/'.join(sorted(interfaces))} port of "
                f"{b.station_id} in the facts' port_names"))
        return None

    if v.dock is not None:
        dock = at(v.dock)
        if isinstance(dock, datetime):
            f["dock"] = dock
            f["port"] = port(v.dock)
        elif "launch" not in f:
            b.fail(v.file, v.dock.line, "utc", (
                f"{v.key}: the record has no docking instant; give one in facts [[docking_gaps]]"))
            return
    moves = []
    for off, on in v.relocations:
        t_off, t_on = at(off), at(on)
        if isinstance(t_off, datetime) and isinstance(t_on, datetime):
            moves.append({"undock": t_off, "dock": t_on, "port": port(on),
                          "source": f"{off.source}; {on.source}" if off.source != on.source
                          else off.source})
        else:
            b.fail(v.file, off.line, "utc", (
                f"{v.key}: a relocation has no instant; give it in facts [[docking_gaps]]"))
    if moves:
        f["relocations"] = moves
    if v.undock is not None:
        undock = at(v.undock)
        if isinstance(undock, datetime):
            f["undock"] = undock
        elif undock is True:
            f.pop("undock", None)
        elif f.get("land") is not None or f.get("kind") == "cargo":
            b.fail(v.file, v.undock.line, "utc", (
                f"{v.key}: the record has no undocking instant; give one in facts [[docking_gaps]] "
                "(or still_docked = true)"))
    where = ", ".join(sorted({r.file for r in v.rows}))
    record_src = f"docking record ({where}): " + "; ".join(sources)
    f["source"] = "; ".join(x for x in (f.get("source", ""), record_src) if x)
