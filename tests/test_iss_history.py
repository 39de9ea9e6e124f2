"""The real ISS history (examples/iss.toml) against the rules: what must hold,
and the real events the checker must report exactly (docs/history.md)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from mixedcrew import Timeline, check, load_scenario
from mixedcrew.rules import counted_flights, seat_ledger

ISS = Path(__file__).resolve().parent.parent / "examples" / "iss.toml"


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.fixture(scope="module")
def iss():
    s = load_scenario(ISS)
    tl = Timeline(s)
    return s, tl, check(s, tl)


def test_never_empty_since_expedition_1(iss):
    """COVERAGE: continuously crewed from 2000-11-02 to the end of the data."""
    s, tl, report = iss
    assert not [v for v in report.violations if v.rule == "COVERAGE"]
    start = utc(2000, 11, 2, 9, 21, 3)  # TM-31 docks (docking record)
    spans = list(tl.spans("ISS", start))
    assert spans[0].start <= start and spans[-1].end == s.scenario.horizon
    assert all(sp.crew >= 2 for sp in spans if sp.end > start)
    assert all(a.end == b.start for a, b in zip(spans, spans[1:], strict=False))


def test_every_integrated_rotation_flight_carries_its_partner(iss):
    """EXCHANGE: from MS-22 and Crew-5 on, each Soyuz MS carries a NASA person and each
    Crew Dragon rotation flight a ROSCOSMOS person."""
    s, _, report = iss
    ag = s.agreements[0]
    counted = counted_flights(s, ag)
    ids = [f.id for f, _, _ in counted]
    assert ids[:2] == ["MS22", "SPXC5"]
    assert {"SPXC9", "SPXC12", "MS28"} <= set(ids)
    assert "MS23" not in ids and "AX2" not in ids and "BCFT" not in ids  # uncrewed, visit, test
    for f, party, n in seat_ledger(s, ag):
        assert n >= 1, f"{f.id} carries no {party} person"
    assert not [v for v in report.violations if v.rule == "EXCHANGE"]


def test_seat_ledger_balances_within_tolerance(iss):
    """The running NASA/ROSCOSMOS seat balance never exceeds the agreement's tolerance,
    and ends 6 to 8 at the data's horizon."""
    s, _, _ = iss
    ag = s.agreements[0]
    got = dict.fromkeys(ag.parties, 0)
    worst = 0
    for _, party, n in seat_ledger(s, ag):
        got[party] += n
        worst = max(worst, abs(got["NASA"] - got["ROSCOSMOS"]))
    assert got == {"NASA": 6, "ROSCOSMOS": 8}
    assert worst == ag.tolerance == 2


def test_tighter_tolerance_reports_the_five_gaps(iss):
    """With tolerance 1 the checker names the spans where ROSCOSMOS ran 2 seats ahead."""
    s, _, _ = iss
    tight = s.model_copy(update={"agreements": (s.agreements[0].model_copy(update={"tolerance": 1}),)})
    ex = [v for v in check(tight).violations if v.rule == "EXCHANGE"]
    assert [v.flights[0] for v in ex] == ["SPXC7", "SPXC8", "SPXC10", "SPXC11", "SPXC12"]
    assert ex[0].end == tight.flight_by_id["MS24"].launch
    assert "ROSCOSMOS is 2 ahead" in ex[0].message


def test_ms22_leak_is_reported_exactly(iss):
    """LIFEBOAT: from the leak to the seat-liner move 7 aboard with 4 seats, then 5 seats
    until MS-23 docked."""
    s, _, report = iss
    lb = [v for v in report.violations if v.rule == "LIFEBOAT" and v.start.year in (2022, 2023)]
    assert [(v.start, v.end) for v in lb] == [
        (utc(2022, 12, 15), utc(2023, 1, 18)),
        (utc(2023, 1, 18), s.flight_by_id["MS23"].dock),
    ]
    assert lb[0].message.startswith("7 people aboard ISS but only 4 lifeboat seats docked")
    assert "Soyuz MS-22 lost 3 after damage on 2022-12-15" in lb[0].message
    assert "only 5 lifeboat seats" in lb[1].message
    assert set(lb[0].flights) == {"MS22", "SPXC5"}
    rubio = next(p.id for p in s.people if p.name.startswith("Rubio"))
    assert rubio in lb[0].people and len(lb[0].people) == 7


def test_without_the_leak_there_is_no_lifeboat_problem_in_2022(iss):
    """The LIFEBOAT violations come from the damage event, not from the manifest."""
    s, _, _ = iss
    calm = s.model_copy(update={"events": tuple(e for e in s.events if e.id != "ms22-coolant-leak")})
    assert not [v for v in check(calm).violations if v.rule == "LIFEBOAT" and v.start.year in (2022, 2023)]


def test_crew11_medical_return_leaves_three_and_usos_covered(iss):
    """After Crew-11's medical return: 3 aboard, the US segment covered by the NASA
    astronaut who rode Soyuz MS-28, nobody of Crew-11 aboard, no rule broken."""
    s, tl, report = iss
    t = utc(2026, 1, 20)
    aboard = tl.aboard_at(t)
    assert len(aboard) == 3
    ops = tl.operators_at(t)
    assert ops == {"USOS": 1, "ROS": 2}
    usos = [p for p in aboard if "USOS" in s.person_by_id[p].segments]
    assert [s.person_by_id[p].name for p in usos] == ["Williams, Christopher Leigh"]
    crew11 = {a.person for a in s.riders_up("SPXC11")}
    assert not crew11 & aboard
    event = next(e for e in s.events if e.id == "crew11-medical-return")
    assert set(event.people) == crew11
    assert not [v for v in report.violations if utc(2026, 1, 1) <= v.start < utc(2026, 3, 1)]


def test_crew11_staying_past_the_event_would_be_reported(iss):
    """AVAILABLE: had Crew-11 stayed to its planned end, the early-return event would flag it."""
    s, _, _ = iss
    f = s.flight_by_id["SPXC11"]
    late = f.model_copy(update={"undock": utc(2026, 2, 15), "land": utc(2026, 2, 16)})
    stayed = s.model_copy(update={"flights": tuple(late if x.id == "SPXC11" else x for x in s.flights)})
    av = [v for v in check(stayed).violations if v.rule == "AVAILABLE"]
    assert len(av) == 4 and all(v.start == utc(2026, 1, 15, 8, 41, 36) for v in av)
    assert "must return early" in av[0].message


def test_starliner_crew_flight_test(iss):
    """CAPACITY: Starliner's crew kept the station above its nominal 7 for 140 days."""
    _, _, report = iss
    cap = [v for v in report.violations if v.rule == "CAPACITY"]
    assert len(cap) == 1
    assert cap[0].start.date().isoformat() == "2024-06-06"
    assert "peak 12 on 2024-09-11" in cap[0].message
    assert set(report.by_rule()) >= {"ORDER", "GROUNDED"}
    assert report.by_rule()["LIFEBOAT"] == 2 and len(report.violations) == 3


def test_starliner_crew_had_contingency_seats_on_crew8(iss):
    """LIFEBOAT: after Starliner left empty, Crew-8's Dragon was set up for all six (event
    crew8-contingency-seats-for-starliner-crew); without it, 2024-09-06..09-29 is reported."""
    s, _, report = iss
    assert not [v for v in report.violations if v.rule == "LIFEBOAT" and v.start.year == 2024]
    bare = s.model_copy(update={"events": tuple(
        e for e in s.events if e.id != "crew8-contingency-seats-for-starliner-crew")})
    lb = [v for v in check(bare).violations if v.rule == "LIFEBOAT" and v.start.year == 2024]
    assert lb[0].start == s.flight_by_id["BCFT"].undock
    assert lb[-1].end == s.flight_by_id["SPXC9"].dock
    assert len(lb) == 3 and "12 people aboard ISS but only 10" in lb[1].message


def test_handover_peaks_match_the_record(iss):
    """13 aboard in July 2009 (STS-127) and 12 in September 2024, as the record says."""
    _, tl, _ = iss
    assert max(sp.crew for sp in tl.spans("ISS")) == 13
    assert tl.span_at(utc(2009, 7, 20)).crew == 13
    assert tl.span_at(utc(2024, 9, 15)).crew == 12
