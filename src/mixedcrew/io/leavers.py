"""Who had left flight status: availability ends for a history scenario, from the corps list.

GCAT says who flew, not who could still fly: without an end to their
availability, every cosmonaut of 2001 is a candidate for a 2025 Crew
Dragon seat, and an explanation lists "X has no training on Crew Dragon"
for each (training them would not help: they had retired). The corps list
(data/corps-2026.csv, a source per row) gives a status and its date for
the people who could fly from 2026; the matched history people get:

- retired, management or deceased with a date: available until that date
  (never before their last landing);
- one of those without a date: until the data's horizon (the list says they
  had left by then, not when);
- active, assigned or unknown: no end (the list says nothing against them);
- not in the list: until RETURN_YEARS after their last landing, at the latest
  the data's horizon. 192 of the 203 returns to the station in the record
  (2000-2026, 95%) came within 10 years of the person's previous landing, and no
  one missing from the 2026 list came back after more than 11.6 (Hadfield,
  2001 to 2012); someone absent from the list and last down more than ten
  years before is taken as gone (docs/plan.md, docs/import.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from mixedcrew.domain import Person
from mixedcrew.io.corps import CorpsMember, day_instant
from mixedcrew.io.matching import match_people, person_key

LEFT = ("retired", "management", "deceased")  # statuses of people who no longer fly
ABLE = ("active", "assigned")
RETURN_YEARS = 10  # the record's 95th percentile of years between a landing and the next launch


@dataclass(frozen=True)
class Leaving:
    person: str
    until: datetime
    why: str  # the corps row's status and date, or the rule


def availability_ends(corps: list[CorpsMember], people: list[Person],
                      last_landing: dict[str, datetime], horizon: datetime) -> list[Leaving]:
    """An availability end for each history person the corps list (or its absence) bounds."""
    current = current_rows(corps)
    listed: dict[str, CorpsMember] = {}
    unsure: set[str] = set()  # a row could be any of them: the list may name them, so no end
    for m in match_people(corps, people):
        if m.person_id is not None and current[m.key] is m.row:
            listed[m.person_id] = m.row
        unsure.update(m.ambiguous)
    out = []
    for p in people:
        last = last_landing.get(p.id)
        if last is None or (p.id in unsure and p.id not in listed):
            continue
        row = listed.get(p.id)
        if row is None:
            gone = _add_years(last, RETURN_YEARS)
            out.append(Leaving(p.id, max(last, min(gone, horizon)),
                               f"not in the corps list; last landing {last:%Y-%m-%d}"))
        elif row.status in LEFT:
            since = day_instant(row.since) if row.since is not None else horizon
            out.append(Leaving(p.id, max(last, since),
                               f"{row.status} since {row.since_text} (corps list line {row.line})"))
    return out


def current_rows(corps: list[CorpsMember]) -> dict[str, CorpsMember]:
    """For a person listed under two agencies, the row of what they do now (Wakata: JAXA
    retired 2024-03-31, then Axiom active): a row able to fly wins over one that is not, and
    between two rows that are not, the later status date (an undated one counts as earliest)."""
    out: dict[str, CorpsMember] = {}
    for row in corps:
        key = person_key(row)
        was = out.get(key)
        if was is None or (was.status not in ABLE and (
                row.status in ABLE or (row.since or date.min) > (was.since or date.min))):
            out[key] = row
    return out


def _add_years(t: datetime, years: int) -> datetime:
    try:
        return t.replace(year=t.year + years)
    except ValueError:  # 29 February
        return t.replace(year=t.year + years, day=28)
