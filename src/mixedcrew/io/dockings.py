"""Reader for the ISS docking record (`data/iss-dockings/*.csv`, compiled from public reports).

One row per event, one source URL per row. `soyuz.csv` and `us-crew.csv` are
keyed by GCAT HSFTAG (`flight`), `uncrewed.csv` by vehicle name (`vehicle`).
Events: `dock`/`arrive`, `undock`/`depart`, `relocate-undock`/`relocate-depart`
followed by `relocate-dock`/`relocate-arrive`, and for modules `port-available`
and `port-removed`. An empty `utc` means the compilers found no instant; the
note says why. Only reading: what the rows mean for a scenario is the
importer's business.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from mixedcrew.errors import DataError, Problem
from mixedcrew.io.gcat import read_list

RECORD_FILES = ("soyuz.csv", "us-crew.csv", "uncrewed.csv")
_EVENTS = {
    "dock": "dock", "arrive": "dock", "undock": "undock", "depart": "undock",
    "relocate-undock": "relocate-undock", "relocate-depart": "relocate-undock",
    "relocate-dock": "relocate-dock", "relocate-arrive": "relocate-dock",
    "port-available": "port-available", "port-removed": "port-removed",
}


@dataclass(frozen=True)
class RecordRow:
    key: str
    event: str  # normalised: dock, undock, relocate-undock, relocate-dock, port-*
    at: datetime | None  # None: not found by the compilers
    port: str
    source: str
    note: str
    file: str
    line: int

    @property
    def where(self) -> str:
        return f"{self.file} line {self.line}"


@dataclass
class RecordedVisit:
    """One vehicle's docking in the record: its first dock, relocations and last undock."""

    key: str
    file: str
    dock: RecordRow | None = None
    undock: RecordRow | None = None
    relocations: list[tuple[RecordRow, RecordRow]] = field(default_factory=list)
    _open_move: RecordRow | None = None

    @property
    def rows(self) -> list[RecordRow]:
        moves = [r for pair in self.relocations for r in pair]
        return [r for r in (self.dock, *moves, self.undock) if r is not None]


@dataclass
class DockingRecord:
    visits: dict[str, RecordedVisit] = field(default_factory=dict)
    port_events: list[RecordRow] = field(default_factory=list)


def _instant(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _rows(path: Path) -> list[RecordRow]:
    out, problems = [], []
    # bounded: a special file, a huge one or bad UTF-8 is one located line
    with io.StringIO(read_list(path), newline="") as fh:
        for line, row in enumerate(csv.DictReader(fh), start=2):
            key = (row.get("flight") or row.get("vehicle") or "").strip()
            event = _EVENTS.get((row.get("event") or "").strip())
            if not key:
                problems.append(Problem(path.name, line, "flight", "no flight or vehicle named"))
                continue
            if event is None:
                problems.append(Problem(path.name, line, "event", (
                    f"unknown event {row.get('event')!r}: one of {', '.join(sorted(_EVENTS))}")))
                continue
            utc = (row.get("utc") or "").strip()
            try:
                at = _instant(utc) if utc else None
            except ValueError:
                problems.append(Problem(path.name, line, "utc", (
                    f"not a UTC instant: {utc!r} (write it like 2022-09-21T17:06:33Z)")))
                continue
            if at is not None and at.utcoffset() is None:
                problems.append(Problem(path.name, line, "utc", f"{utc!r} has no UTC offset: end it with Z"))
                continue
            out.append(RecordRow(key, event, at, (row.get("port") or "").strip(),
                                 (row.get("source") or "").strip(), (row.get("note") or "").strip(),
                                 path.name, line))
    if problems:
        raise DataError(problems)
    return out


def read_docking_record(directory: Path) -> DockingRecord:
    """Every vehicle's visit in the three files, in file order; problems all at once."""
    record = DockingRecord()
    problems: list[Problem] = []
    for name in RECORD_FILES:
        path = Path(directory) / name
        if not path.is_file():
            raise DataError([Problem(str(directory), None, "", (
                f"no {name}: give the folder that holds {', '.join(RECORD_FILES)}"))])
        for r in _rows(path):
            if r.event.startswith("port-"):
                record.port_events.append(r)
                continue
            key = r.key if r.key not in record.visits or record.visits[r.key].file == name \
                else f"{r.key}@{name}"  # the same vehicle in two files: kept apart, compared later
            v = record.visits.setdefault(key, RecordedVisit(r.key, name))
            problem = _add(v, r)
            if problem:
                problems.append(Problem(name, r.line, "event", problem))
    for v in record.visits.values():
        if v._open_move is not None:
            problems.append(Problem(v.file, v._open_move.line, "event",
                                    f"{v.key}: a relocation undocks but never docks again"))
    if problems:
        raise DataError(problems)
    return record


def _add(v: RecordedVisit, r: RecordRow) -> str | None:
    if r.event == "dock":
        if v.dock is not None:
            return f"{v.key} docks twice (line {v.dock.line}): a second visit needs its own name"
        v.dock = r
    elif r.event == "undock":
        v.undock = r
    elif r.event == "relocate-undock":
        v._open_move = r
    elif r.event == "relocate-dock":
        if v._open_move is None:
            return f"{v.key}: relocate-dock without the relocate-undock before it"
        v.relocations.append((v._open_move, r))
        v._open_move = None
    return None
