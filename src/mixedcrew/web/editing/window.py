"""Which flights the crew page shows: a time window, by default the open and future flights.

A whole station history is too much for one page (the ISS example has 1,052
seats on 123 flights); people edit what is still to fly. Pure functions of
the Scenario and the clock; no I/O.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from mixedcrew.domain import Flight, Scenario
from mixedcrew.instants import format_day

FALLBACK = timedelta(days=365)
_BOUND = re.compile(r"(\d{4})(?:-(\d{2})-(\d{2}))?")


@dataclass(frozen=True)
class CrewWindow:
    start: datetime | None  # None: from the beginning
    end: datetime | None  # None: open-ended
    why: str  # how the window was chosen, in a sentence
    chosen: bool  # given in the request (not the default)

    def holds(self, f: Flight) -> bool:
        """A flight without instants (still to plan) always; others if they overlap the window."""
        begins = f.launch or f.dock
        if begins is None:
            return True
        ends = f.land or f.undock
        return (self.end is None or begins < self.end) and (self.start is None or ends is None
                                                             or ends >= self.start)

    def form_value(self, which: str) -> str:
        t = self.start if which == "from" else (self.end - timedelta(days=1) if self.end else None)
        return format_day(t) if t else ""


def parse_bound(text: str, name: str, *, end: bool) -> datetime:
    """'2024' or '2024-03-01' as an instant: a year's or day's start, or (end) the start of the next."""
    m = _BOUND.fullmatch(text.strip())
    if not m:
        raise ValueError(f"{name}: {text!r} is not a year or a date: write 2024 or 2024-03-01")
    year, month, day = int(m[1]), int(m[2] or 1), int(m[3] or 1)
    try:
        t = datetime(year, month, day, tzinfo=UTC)
    except ValueError as err:
        raise ValueError(f"{name}: {text!r} is not a date ({err}): write 2024 or 2024-03-01") from None
    if not end:
        return t
    return datetime(year + 1, 1, 1, tzinfo=UTC) if m[2] is None else t + timedelta(days=1)


def crew_window(s: Scenario, start: str | None, until: str | None, now: datetime) -> CrewWindow:
    """The window the request asks for (`from`, `until`: years or dates, until inclusive), or the
    default: flights that have not landed by `now` and those still to plan; when the data holds
    none (a history), its last year. ValueError names the field when a bound is not a date."""
    if start or until:
        a = parse_bound(start, "from", end=False) if start else None
        b = parse_bound(until, "until", end=True) if until else None
        if a and b and b <= a:
            raise ValueError(f"until: {until!r} is before from {start!r}: choose a later day")
        span = f"from {format_day(a) if a else 'the beginning'}" + (f" to {format_day(b - timedelta(days=1))}"
                                                                    if b else " on")
        return CrewWindow(a, b, f"Flights {span}.", True)
    future = CrewWindow(now, None, f"Flights still to fly or aboard from {format_day(now)}, and flights "
                                   "still to plan.", False)
    if any(future.holds(f) for f in s.flights):
        return future
    ends = [t for f in s.flights for t in (f.land or f.undock or f.dock,) if t is not None]
    if not ends:
        return CrewWindow(None, None, "Every flight.", False)
    last = max(ends)
    return CrewWindow(last - FALLBACK, None, f"No flight is open or after {format_day(now)}: the last year "
                                             f"of the data, from {format_day(last - FALLBACK)}.", False)
