"""Parsers for Jonathan McDowell's human spaceflight lists (planet4589.org, CC BY 4.0).

Fixed-width `missions.txt` and `astro.txt`, the tab-separated rides file,
and the project's CSV supplement. Only reading: what the rows mean for a
station is the importer's business.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from mixedcrew.errors import DataError, Problem
from mixedcrew.io.bounded import InputTooLarge, read_bounded

# The lists are a few hundred KB; a list beyond this is not one of them.
MAX_LIST_BYTES = 64 * 1024 * 1024
# Columns each list must name in its header line (what the readers below cut by).
MISSION_COLUMNS = ("HSFTAG", "Ship", "LDate", "EDate", "Dur", "Crew", "Callsign", "Station", "Progra",
                   "Project", "MType")
ASTRO_COLUMNS = ("Name", "Rank", "NRI", "G", "Missions")
RIDE_FIELDS = 15  # tab-separated fields of a rides line, the last one the Segments
SUPPLEMENT_COLUMNS = ("person_id", "name", "up", "down", "sponsor")

_MONTHS = {m: i for i, m in enumerate(
    "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split(), start=1)}
_WHEN = re.compile(r"^(\d{4})\s+([A-Z][a-z]{2})\s+(\d{1,2})(?:\s+(\d{2})(\d{2})(?::(\d{2}))?)?(\?)?$")
_LEADING_WHEN = re.compile(r"^(-|\d{4}\s+[A-Z][a-z]{2}\s+\d{1,2}(?:\s+\d{4}(?::\d{2})?)?\??)")
_DURATION = re.compile(r"^(\d+):(\d{2}):(\d{2})(?::(\d{2}))?(\*)?$")


@dataclass(frozen=True)
class When:
    """A GCAT instant; `uncertain` when the list marks it with '?'."""

    at: datetime
    uncertain: bool = False
    date_only: bool = False


def parse_when(text: str) -> When | None:
    """`2022 Sep 21 1354:49` -> aware UTC datetime; `-` or `?` -> None."""
    text = text.strip()
    if text in ("", "-", "?"):
        return None
    m = _WHEN.match(text)
    if not m:
        raise ValueError(f"not a GCAT date/time: {text!r}")
    y, mon, d, hh, mm, ss, q = m.groups()
    if mon not in _MONTHS:
        raise ValueError(f"unknown month {mon!r} in {text!r}")
    at = datetime(int(y), _MONTHS[mon], int(d), int(hh or 0), int(mm or 0), int(ss or 0), tzinfo=UTC)
    return When(at, uncertain=bool(q), date_only=hh is None)


def parse_duration(text: str) -> tuple[timedelta, bool] | None:
    """`370:21:22` or `340:08:42:54*` -> (duration, in progress)."""
    text = text.strip()
    m = _DURATION.match(text)
    if not m:
        return None
    d, h, mi, s, star = m.groups()
    return timedelta(days=int(d), hours=int(h), minutes=int(mi), seconds=int(s or 0)), bool(star)


def _columns(header: str) -> list[tuple[str, int]]:
    return [(m.group(), m.start()) for m in re.finditer(r"\S+", header)]


def read_list(path: Path) -> str:
    """The text of one list, bounded and UTF-8, or a DataError located at the file (and line)."""
    name = str(path)
    try:
        raw = read_bounded(path, MAX_LIST_BYTES)
    except InputTooLarge as e:
        raise DataError([e.problem]) from None
    except FileNotFoundError:
        raise DataError([Problem(name, None, "", "no such file: give the path of the list")]) from None
    except OSError as e:
        raise DataError([Problem(name, None, "", f"cannot read: {e.strerror}")]) from None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as e:
        line = raw[: e.start].count(b"\n") + 1
        raise DataError([Problem(name, line, "", (
            f"byte 0x{raw[e.start]:02x} is not UTF-8: the lists are UTF-8 (fetch a fresh copy)"))]) from None


def _header(path: Path, lines: list[str], needed: tuple[str, ...]) -> dict[str, int]:
    """Column name -> start, from the header line; DataError naming each missing column."""
    if not lines or not lines[0].strip():
        raise DataError([Problem(str(path), 1, "", "no header line naming the columns: is the file "
                                                   "empty or cut short?")])
    cols = dict(_columns(lines[0]))
    missing = [c for c in needed if c not in cols]
    if missing:
        raise DataError([Problem(str(path), 1, c, "column missing from the header line") for c in missing])
    return cols


def _fixed_width(path: Path, right_aligned: set[str]) -> list[tuple[int, dict[str, str]]]:
    """Rows of a fixed-width list as {column: text}, with their line numbers.

    Right-aligned numeric columns end just before the next header word, so
    they are cut from the end of the previous column to the next word.
    """
    lines = read_list(path).splitlines()
    _header(path, lines, MISSION_COLUMNS)
    cols = _columns(lines[0])
    rows = []
    for lineno, line in enumerate(lines[1:], start=2):
        if not line.strip() or line.startswith("#") or line.startswith("<"):
            continue
        row = {}
        for i, (name, start) in enumerate(cols):
            end = cols[i + 1][1] if i + 1 < len(cols) else len(line)
            if name in right_aligned:
                prev_start = cols[i - 1][1] if i else 0
                # the value sits right-aligned against the next column
                chunk = line[prev_start:end]
                row[name] = chunk.split()[-1] if chunk.split() else ""
            else:
                row[name] = line[start:end].strip()
        rows.append((lineno, row))
    return rows


@dataclass(frozen=True)
class Mission:
    tag: str
    ship: str
    launch: When | None
    land: When | None
    crew: int
    callsign: str
    station: str
    program: str
    project: str
    mtype: str
    line: int


def read_missions(path: Path) -> dict[str, Mission]:
    out: dict[str, Mission] = {}
    problems = []
    for lineno, r in _fixed_width(path, {"Crew", "DS", "SSF"}):
        try:
            # Dur is right-aligned and may reach left into EDate's columns: take the
            # landing instant from the front of the joined text.
            m = _LEADING_WHEN.match(r["EDate"] + " " + r["Dur"])
            out[r["HSFTAG"]] = Mission(
                tag=r["HSFTAG"], ship=r["Ship"], launch=parse_when(r["LDate"]),
                land=parse_when(m.group(1) if m else r["EDate"]), crew=int(r["Crew"] or 0),
                callsign=r["Callsign"], station=r["Station"], program=r["Progra"],
                project=r["Project"], mtype=r["MType"], line=lineno)
        except ValueError as e:
            problems.append(Problem(str(path), lineno, r.get("HSFTAG", ""), str(e)))
    if problems:
        raise DataError(problems)
    return out


@dataclass(frozen=True)
class Astronaut:
    id: str
    name: str
    duration: timedelta | None
    in_space: bool
    missions: tuple[tuple[str, str], ...]  # (tag, role)
    line: int
    goes_by: str = ""  # the given name they go by, where the list marks it


def _goes_by(name: str) -> str:
    """The given name a person goes by, where the list marks it: a nickname in quotes
    ('Nick') or a starred given name (*Megan); else ""."""
    nick = re.search(r"'([A-Z][^']*)'(?=[\s,]|$)", name)
    if nick:
        return nick.group(1)
    star = re.search(r"\*([^\s,*]+)", name)
    return star.group(1) if star else ""


def _clean_name(name: str) -> str:
    name = re.sub(r"\s+'[^']*'(?=[\s,]|$)", "", name)  # nicknames ('Klim'); not Prokop'ev's apostrophe
    name = re.sub(r"\s*\([^)]*\)", "", name)    # birth or other names
    return re.sub(r"\s+", " ", name.replace("*", "")).strip()


def read_astronauts(path: Path) -> dict[str, Astronaut]:
    lines = read_list(path).splitlines()
    cols = _header(path, lines, ASTRO_COLUMNS)
    out = {}
    for lineno, line in enumerate(lines[1:], start=2):
        if not line.startswith("AS-"):
            continue
        name = line[cols["Name"]:cols["Rank"]].strip()
        dur_text = line[cols["NRI"] + 3:cols["G"]].split()
        dur = parse_duration(dur_text[-1]) if dur_text else None
        missions_text = line[cols["Missions"]:].split()[0] if line[cols["Missions"]:].strip() else ""
        missions = []
        for item in missions_text.split(","):
            tag, _, role = item.partition("/")
            if tag:
                missions.append((tag, role))
        out[line[:8]] = Astronaut(
            id=line[:8], name=_clean_name(name), duration=dur[0] if dur else None,
            in_space=bool(dur and dur[1]), missions=tuple(missions), line=lineno,
            goes_by=_goes_by(name))
    return out


@dataclass(frozen=True)
class Ride:
    person: str
    name: str
    up: str
    role: str
    category: str
    sponsor: str
    down: str | None  # None: same flight, or not known (in progress)
    down_role: str  # the seat they came home in, e.g. KDR
    in_progress: bool
    duration: timedelta | None
    line: int


def read_rides(path: Path, mission_tags: set[str]) -> list[Ride]:
    """One row per person per ride; the last ship entry in Segments is the way home."""
    rides = []
    problems = []
    # StringIO with universal newlines: the same lines (and numbers) as iterating the open file
    with io.StringIO(read_list(path), newline=None) as fh:
        for lineno, line in enumerate(fh, start=1):
            if line.startswith("#") or not line.strip():
                continue
            f = line.rstrip("\n").split("\t")
            if len(f) < RIDE_FIELDS:
                problems.append(Problem(str(path), lineno, "", (
                    f"{len(f)} tab-separated fields, expected {RIDE_FIELDS} (is the line cut short?)")))
                continue
            up, _, role = f[3].partition("/")
            ships = []
            for seg in f[14].split(","):
                head, _, seat_role = seg.partition("/")
                tag, colon, _ = head.partition(":")
                if colon and tag in mission_tags:
                    ships.append((tag, seat_role.strip()))
            dur = parse_duration(f[13])
            rides.append(Ride(
                person=f[11].strip(), name=f[7].strip(), up=up.strip(), role=role.strip(),
                category=f[2].strip(), sponsor=f[10].strip(),
                down=ships[-1][0] if ships else None, down_role=ships[-1][1] if ships else "",
                in_progress=bool(dur and dur[1]), duration=dur[0] if dur else None, line=lineno))
    if problems:
        raise DataError(problems)
    return rides


@dataclass(frozen=True)
class SupplementRide:
    person: str
    name: str
    up: str
    down: str
    sponsor: str
    note: str
    line: int


def read_supplement(path: Path) -> list[SupplementRide]:
    out = []
    problems = []
    with io.StringIO(read_list(path), newline="") as fh:
        reader = csv.DictReader(fh)
        try:
            fields = reader.fieldnames or []
        except csv.Error as e:
            raise DataError([Problem(str(path), 1, "", f"CSV: {e}")]) from None
        missing = [c for c in SUPPLEMENT_COLUMNS if c not in fields]
        if missing:
            raise DataError([Problem(str(path), 1, c, "column missing from the header line")
                             for c in missing])
        try:
            for row in reader:
                line = reader.line_num
                short = [c for c in SUPPLEMENT_COLUMNS if row.get(c) is None]
                if short:
                    problems.append(Problem(str(path), line, short[0], "no value: the line is cut short"))
                    continue
                out.append(SupplementRide(row["person_id"], row["name"], row["up"], row["down"],
                                          row["sponsor"], row.get("note") or "", line))
        except csv.Error as e:
            problems.append(Problem(str(path), reader.line_num, "", f"CSV: {e}"))
    if problems:
        raise DataError(problems)
    return out
