"""How far a re-plan may move a launch that an event blocks (`replan --shift DAYS`).

A flight whose planned launch falls inside a grounding of its vehicle type
or capsule, or an outage of its launch site, cannot keep its date. By
default it waits for the block to end: its launch window runs from its old
launch (less the usual slack) to `slack` days after the end of the block
(blocks that touch or overlap are one). A grounding with no end holds it
past any window: only `--shift` can then say how far to look. With
`--shift DAYS`, the window ends DAYS after the old launch, whatever the
block (a shift too short for the block is a conflict the explanation names).

Every other reopened flight keeps the usual window of its old launch
± slack (replan.py). Crews aboard keep their stays open up to their
vehicle's docked limit: replan reopens their undocking, and the planner's
DOCKED_LIMIT rule is the only bound.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from mixedcrew.domain import Flight, Grounding, Scenario, SiteOutage, Window
from mixedcrew.instants import format_day


@dataclass(frozen=True)
class Blocked:
    flight: str
    until: datetime | None  # end of the block; None: it never ends
    by: tuple[str, ...]  # event ids
    window: Window | None  # None: no window can be given (an endless block and no --shift)

    def sentence(self) -> str:
        end = "indefinitely" if self.until is None else f"until {format_day(self.until)}"
        w = self.window
        moved = ("left without a window (give --shift DAYS)" if w is None or not w.start or not w.end else
                 f"may launch {format_day(w.start)} .. {format_day(w.end)}")
        return f"{self.flight} is held {end} by {', '.join(self.by)}: {moved}"


def _site(s: Scenario, f: Flight) -> str | None:
    if f.launch_site:
        return f.launch_site
    sites = s.vehicle_type_by_id[f.vehicle_type].launch_sites
    return sites[0] if len(sites) == 1 else None


def _blocks(s: Scenario, f: Flight, events: Sequence[Any]) -> list[tuple[datetime, datetime | None, str]]:
    out = []
    for e in events:
        hits = (isinstance(e, Grounding) and (e.vehicle_type == f.vehicle_type
                                              or (e.capsule is not None and e.capsule == f.capsule))
                or isinstance(e, SiteOutage) and e.site == _site(s, f))
        if hits:
            out.append((e.at, e.until, e.id))
    return out


def held_until(s: Scenario, f: Flight, events: Sequence[Any], t: datetime
               ) -> tuple[datetime | None, tuple[str, ...]] | None:
    """The end of the (chained) blocks holding a launch of `f` at `t`; None if nothing holds it."""
    blocks = _blocks(s, f, events)
    by: list[str] = []
    end: datetime | None = t
    moved = True
    while moved and end is not None:
        moved = False
        for a, b, ident in blocks:
            if a <= end and (b is None or end < b):
                end, moved = b, True
                by.append(ident)
                break
    return None if not by else (end, tuple(dict.fromkeys(by)))


def blocked_windows(s: Scenario, events: Sequence[Any], now: datetime, shift_days: float | None,
                    slack_days: float) -> list[Blocked]:
    """Windows for the flights launching from `now` on whose planned launch an event blocks."""
    slack = timedelta(days=slack_days)
    out = []
    for f in s.flights:
        if f.pinned or f.launch is None or f.launch < now:
            continue
        held = held_until(s, f, events, f.launch)
        if held is None:
            continue
        until, by = held
        start = max(now, f.launch - slack)
        if shift_days is not None:
            end: datetime | None = f.launch + timedelta(days=shift_days)
        else:
            end = None if until is None else max(until + slack, f.launch + slack)
        window = None if end is None or end <= start else Window(start=start, end=end)
        out.append(Blocked(f.id, until, by, window))
    return out


def default_shift_days(s: Scenario, events: Sequence[Any], now: datetime, slack_days: float) -> float | None:
    """The largest shift the default gives any blocked flight (for messages), None if none is blocked."""
    found = [(b.window.end - s.flight_by_id[b.flight].launch) / timedelta(days=1)  # type: ignore[operator]
             for b in blocked_windows(s, events, now, None, slack_days) if b.window is not None]
    return max(found) if found else None
