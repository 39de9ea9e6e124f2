"""Read the astronaut-corps list and the announced-flights list (CSV, compiled from public reports).

`corps-2026.csv`: who could fly after the data's horizon, with a status and
its date. `announced-2026.csv`: flights named after the horizon (crews,
target dates) and the agreement and policy rows. Both are checked whole:
every problem is reported at once as `FILE:LINE: column N (field): message`,
and nothing is built from a file with a problem in it.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from mixedcrew.errors import DataError, Problem
from mixedcrew.io.gcat import read_list

CORPS_COLUMNS = ("name", "agency", "status", "status_since", "flown_before", "trained_for",
                 "source", "note")
ANNOUNCED_COLUMNS = ("flight", "vehicle", "target_launch", "status", "crew", "source", "note")
STATUSES = ("active", "assigned", "management", "retired", "deceased", "unknown")
# Vehicle names as the lists write them; Orion and Progress never carry crews to the ISS.
VEHICLES = ("Soyuz", "Soyuz MS", "Crew Dragon", "Starliner", "Orion", "Progress",
            "USDV (SpaceX)", "unknown", "n/a")
ANNOUNCED_STATUSES = ("launched", "unknown", "planned", "in force", "under negotiation",
                      "completed", "proposed", "precedent")
# Rows of these kinds describe agreements and policies, not flights.
NOT_FLIGHTS = ("agreement", "policy")


@dataclass(frozen=True)
class CorpsMember:
    line: int
    name: str
    agency: str
    status: str
    since: date | None  # None: the list says "unknown"
    since_text: str
    flown_before: bool
    trained_for: tuple[str, ...]
    source: str
    note: str

    @property
    def surname(self) -> str:
        return self.name.split(",")[0].strip()

    @property
    def given(self) -> str:
        return self.name.split(",", 1)[1].strip() if "," in self.name else ""


@dataclass(frozen=True)
class NamedRider:
    name: str
    agency: str
    role: str


@dataclass(frozen=True)
class Announced:
    line: int
    flight: str
    vehicle: tuple[str, ...]
    target_launch: str
    first_day: date | None  # the earliest day the target names, when it names one
    status: str
    crew: tuple[NamedRider, ...]
    source: str
    note: str

    @property
    def is_flight(self) -> bool:
        return self.flight not in NOT_FLIGHTS


def name_key(text: str) -> str:
    """A name with accents, case, punctuation and common transliteration variants folded away:
    Prokop'ev = Prokopyev, Novitskiy = Novitsky, Grebyonkin = Grebenkin, Sergey = Sergei."""
    t = unicodedata.normalize("NFKD", text)
    t = "".join(c for c in t if not unicodedata.combining(c)).lower()
    t = re.sub(r"[^a-z ]", "", t.replace("-", " "))
    words = []
    for w in t.split():
        w = w.replace("yo", "e").replace("yev", "ev").replace("yu", "u")
        w = re.sub(r"(iy|yi|ij)$", "y", w)
        w = re.sub(r"ey$", "ei", w)
        words.append(w)
    return " ".join(words)


def _read(path: Path, columns: tuple[str, ...]) -> tuple[list[tuple[int, dict[str, str]]], list[Problem]]:
    where = str(path)
    text = read_list(path)  # bounded: a special file, a huge one or bad UTF-8 is one located line
    reader = csv.reader(io.StringIO(text))
    rows: list[tuple[int, dict[str, str]]] = []
    problems: list[Problem] = []
    try:
        header = next(reader)
    except StopIteration:
        raise DataError([Problem(where, 1, "", "empty file: expected a header "
                                               + ",".join(columns))]) from None
    if tuple(h.strip() for h in header) != columns:
        raise DataError([Problem(where, 1, "", f"header is {','.join(header)!r}, expected "
                                               f"{','.join(columns)!r}")])
    try:
        for cells in reader:
            line = reader.line_num
            if not any(c.strip() for c in cells):
                continue
            if len(cells) != len(columns):
                problems.append(Problem(where, line, "", f"{len(cells)} columns, expected "
                                                          f"{len(columns)} ({','.join(columns)})"))
                continue
            rows.append((line, {k: v.strip() for k, v in zip(columns, cells, strict=True)}))
    except csv.Error as e:
        problems.append(Problem(where, reader.line_num, "", f"not valid CSV: {e}"))
    return rows, problems


def _col(columns: tuple[str, ...], name: str) -> str:
    return f"column {columns.index(name) + 1} ({name})"


_PARTIAL_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
_ISO_TOKEN = re.compile(r"(?<!\d)(\d{4})-(\d{2})(?:-(\d{2}))?(?!\d)")


def partial_date(text: str) -> date:
    """YYYY, YYYY-MM or YYYY-MM-DD: the first day it names; ValueError with the reason."""
    m = _PARTIAL_DATE.match(text)
    if not m:
        raise ValueError(f"{text!r} is not a date: write YYYY-MM-DD, YYYY-MM, YYYY or unknown")
    year, month, day = int(m[1]), int(m[2] or 1), int(m[3] or 1)
    try:
        return date(year, month, day)
    except ValueError as e:
        raise ValueError(f"{text!r} is not a date on the calendar ({e})") from None


def _dates_in(text: str) -> list[date]:
    """Every ISO-like date in free text (a target such as '2026-07 (NASA ...)'); ValueError if one
    is impossible."""
    out = []
    for m in _ISO_TOKEN.finditer(text):
        try:
            out.append(date(int(m[1]), int(m[2]), int(m[3] or 1)))
        except ValueError as e:
            raise ValueError(f"{m[0]!r} is not a date on the calendar ({e})") from None
    return out


def read_corps(path: Path, agencies: Collection[str]) -> list[CorpsMember]:
    """The corps list, every row checked; DataError listing every problem."""
    rows, problems = _read(path, CORPS_COLUMNS)
    where = str(path)
    out: list[CorpsMember] = []
    seen: dict[tuple[str, str], int] = {}

    def bad(line: int, column: str, message: str) -> None:
        problems.append(Problem(where, line, _col(CORPS_COLUMNS, column), message))

    for line, r in rows:
        ok = True
        if not r["name"]:
            bad(line, "name", "empty name")
            ok = False
        if r["agency"] not in agencies:
            bad(line, "agency", f"unknown agency {r['agency']!r} (known: {', '.join(sorted(agencies))})")
            ok = False
        if r["status"] not in STATUSES:
            bad(line, "status", f"unknown status {r['status']!r} (known: {', '.join(STATUSES)})")
            ok = False
        since: date | None = None
        if r["status_since"] != "unknown":
            try:
                since = partial_date(r["status_since"])
            except ValueError as e:
                bad(line, "status_since", str(e))
                ok = False
        if r["flown_before"] not in ("yes", "no"):
            bad(line, "flown_before", f"{r['flown_before']!r}: write yes or no")
            ok = False
        trained = tuple(v.strip() for v in r["trained_for"].split(";") if v.strip())
        for v in trained:
            if v not in VEHICLES:
                bad(line, "trained_for", f"unknown vehicle {v!r} (known: {', '.join(VEHICLES)})")
                ok = False
        key = (name_key(r["name"]), r["agency"])
        if r["name"] and key in seen:
            bad(line, "name", f"{r['name']} ({r['agency']}) appears twice: also on line {seen[key]}")
            ok = False
        seen.setdefault(key, line)
        if ok:
            out.append(CorpsMember(line, r["name"], r["agency"], r["status"], since,
                                   r["status_since"], r["flown_before"] == "yes",
                                   tuple(v for v in trained if v != "unknown"), r["source"], r["note"]))
    if problems:
        raise DataError(problems)
    return out


_RIDER = re.compile(r"^(?P<name>[^()]+?)\s*\((?P<agency>[^,()]+),\s*(?P<role>[^()]+)\)$")


def _crew(text: str) -> list[NamedRider] | None:
    """Named riders in 'Surname, Given (AGENCY, role); ...'; [] when none are named, None if
    a part does not read."""
    if not text or text.split()[0].lower() in ("unknown", "none", "n/a"):
        return []
    out = []
    for part in text.split(";"):
        m = _RIDER.match(part.strip())
        if not m:
            return None
        out.append(NamedRider(m["name"].strip(), m["agency"].strip(), m["role"].strip()))
    return out


def read_announced(path: Path, agencies: Collection[str]) -> list[Announced]:
    """The announced-flights list, every row checked; DataError listing every problem."""
    rows, problems = _read(path, ANNOUNCED_COLUMNS)
    where = str(path)
    out: list[Announced] = []
    seen: dict[str, int] = {}

    def bad(line: int, column: str, message: str) -> None:
        problems.append(Problem(where, line, _col(ANNOUNCED_COLUMNS, column), message))

    for line, r in rows:
        ok = True
        if not r["flight"]:
            bad(line, "flight", "empty flight name")
            ok = False
        vehicles = tuple(v.strip() for v in r["vehicle"].split(";") if v.strip())
        for v in vehicles:
            if v not in VEHICLES:
                bad(line, "vehicle", f"unknown vehicle {v!r} (known: {', '.join(VEHICLES)})")
                ok = False
        try:
            days = _dates_in(r["target_launch"])
        except ValueError as e:
            bad(line, "target_launch", str(e))
            ok = False
            days = []
        if not any(r["status"].startswith(s) for s in ANNOUNCED_STATUSES):
            bad(line, "status", f"unknown status {r['status']!r} (known: {', '.join(ANNOUNCED_STATUSES)})")
            ok = False
        crew = _crew(r["crew"])
        if crew is None:
            bad(line, "crew", f"{r['crew']!r}: write 'Surname, Given (AGENCY, role); ...' or unknown")
            ok = False
            crew = []
        for rider in crew:
            if rider.agency not in agencies:
                bad(line, "crew", f"{rider.name}: unknown agency {rider.agency!r} "
                                  f"(known: {', '.join(sorted(agencies))})")
                ok = False
        if r["flight"] not in NOT_FLIGHTS and r["flight"]:
            if r["flight"] in seen:
                bad(line, "flight", f"{r['flight']} appears twice: also on line {seen[r['flight']]}")
                ok = False
            seen.setdefault(r["flight"], line)
        if ok:
            out.append(Announced(line, r["flight"], vehicles, r["target_launch"],
                                 min(days) if days else None, r["status"], tuple(crew),
                                 r["source"], r["note"]))
    if problems:
        raise DataError(problems)
    return out


def day_instant(d: date) -> datetime:
    return datetime(d.year, d.month, d.day, tzinfo=UTC)
