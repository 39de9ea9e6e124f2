"""Who had left flight status (io/leavers.py): the corps list's rows bound a history person's
availability, and the doubtful cases leave it open rather than guess."""

from __future__ import annotations

from datetime import UTC, date, datetime

from mixedcrew.domain import Person
from mixedcrew.io.corps import CorpsMember
from mixedcrew.io.leavers import availability_ends, current_rows

HORIZON = datetime(2026, 7, 3, tzinfo=UTC)


def row(name: str, agency: str, status: str, since: date | None, line: int = 2) -> CorpsMember:
    return CorpsMember(line, name, agency, status, since, since.isoformat() if since else "unknown",
                       True, (), "https://example.org/source", "")


def person(pid: str, name: str, agency: str) -> Person:
    return Person(id=pid, name=name, agency=agency)


def test_between_two_rows_that_cannot_fly_the_later_status_stands():
    """Listed twice (two agencies), neither able to fly: the later status date is what they do
    now, whatever the order in the file; a row able to fly still wins over both."""
    a = row("Smith, Ann", "NASA", "retired", date(2020, 1, 1), 2)
    b = row("Smith, Ann", "ESA", "management", date(2024, 5, 1), 3)
    (key,) = current_rows([a, b])
    assert current_rows([a, b])[key] is b and current_rows([b, a])[key] is b
    able = row("Smith, Ann", "AXIOM", "active", None, 4)
    assert current_rows([a, able, b])[key] is able


def test_a_row_that_could_be_two_people_bounds_neither():
    """Two history people match one row (same surname and given name, neither of the row's
    agency): the list may well name one of them, so neither gets the 10-year end of someone
    missing from it; a third, missing from the list, does."""
    people = [person("p1", "Kim, Lee", "NASA"), person("p2", "Kim, Lee", "JAXA"),
              person("p3", "Park, Jo", "NASA")]
    last = {p.id: datetime(2005, 1, 1, tzinfo=UTC) for p in people}
    ends = {e.person: e for e in availability_ends([row("Kim, Lee", "ESA", "active", None)],
                                                   people, last, HORIZON)}
    assert set(ends) == {"p3"}
    assert ends["p3"].until == datetime(2015, 1, 1, tzinfo=UTC)


def test_a_retirement_before_the_last_landing_ends_no_earlier_than_that_landing():
    """A status date before the person's last landing (a late mission after 'retiring') never
    ends availability inside the history."""
    p = person("p1", "Lane, Max", "NASA")
    landed = datetime(2024, 9, 1, tzinfo=UTC)
    (end,) = availability_ends([row("Lane, Max", "NASA", "retired", date(2023, 3, 1))], [p],
                               {"p1": landed}, HORIZON)
    assert end.until == landed
