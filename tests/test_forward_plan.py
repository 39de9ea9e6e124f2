"""Planning examples/iss-2030.toml: every open flight to 2030, and the checker finds nothing after
the data's horizon (issue 9, item 3). One plan, shared by the tests of this module."""

from __future__ import annotations

from pathlib import Path

import pytest

from mixedcrew.check import check
from mixedcrew.io.corps import name_key, read_corps
from mixedcrew.io.scenario_file import load_scenario
from mixedcrew.plan import SolveOptions, plan_scenario
from mixedcrew.rules import per_mille, share_flights, share_off

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def forward():
    return load_scenario(ROOT / "examples" / "iss-2030.toml")


@pytest.fixture(scope="module")
def result(forward):
    # a work limit, not a wall clock: the same plan on any machine, however loaded
    return plan_scenario(forward, options=SolveOptions(time_limit=600, work_limit=120, workers=1))


@pytest.fixture(scope="module")
def plan(result):
    assert result.status == "planned", result.tried or result.facts
    assert result.plan is not None
    return result.plan


def test_every_open_flight_is_planned_and_the_checker_finds_nothing_after_the_horizon(
        forward, result, plan):
    opened = {f.id for f in forward.flights if f.open}
    assert len(opened) == 21
    assert {f.id for f in result.scope.planned} == opened
    assert not any(f.open for f in plan.flights if f.id in opened)
    assert check(plan, start=forward.scenario.horizon).violations == ()


def test_partners_ride_exactly_while_the_agreement_is_in_force(forward, plan):
    """Each Soyuz carries NASA and each Dragon rotation exactly one cosmonaut, inside the window."""
    ag = plan.agreements[0]
    for f in plan.flights:
        if f.id not in {g.id for g in forward.flights if g.open} or f.kind != "rotation":
            continue
        assert f.launch is not None and ag.covers(f.launch)
        agencies = [plan.agency_of(a) for a in plan.riders_up(f.id)]
        if f.vehicle_type == "soyuz-ms":
            assert 1 <= agencies.count("NASA") <= 2 and agencies.count("ROSCOSMOS") >= 1
        else:
            assert agencies.count("ROSCOSMOS") == 1


def test_nobody_unavailable_flies_and_commanders_have_flown(forward, plan):
    horizon = forward.scenario.horizon
    corps = read_corps(ROOT / "data" / "corps-2026.csv", {ag.id for ag in forward.agencies})
    corps_flown = {name_key(m.name) for m in corps if m.flown_before}
    open_ids = {f.id for f in forward.flights if f.open}
    for a in plan.assignments:
        if a.up not in open_ids:
            continue
        p = plan.person_by_id[a.person]
        f = plan.flight_by_id[a.up]
        assert p.available.contains(f.launch), (p.name, f.label)
        if a.role == "commander" and not p.id.endswith("-PA1"):
            flown = [b for b in forward.assignments if b.person == p.id
                     and (forward.flight_by_id[b.up].launch or horizon) < horizon]
            # or flown outside the station's history, as the corps list says (Menon: Polaris Dawn)
            assert flown or name_key(p.name) in corps_flown, (p.name, f.label)
    ax5 = [plan.person_by_id[a.person] for a in plan.riders_up("AX5")]
    assert {p.agency for p in ax5} == {"AXIOM"}


def test_partner_shares_hold_within_their_tolerance(plan):
    sh = plan.shares[0]
    counts = dict.fromkeys((s.agency for s in sh.shares), 0)
    for f in share_flights(plan, sh):
        for a in plan.riders_up(f.id):
            if plan.agency_of(a) in counts:
                counts[plan.agency_of(a)] += 1
    total = sum(counts.values())
    assert total > 20
    for s in sh.shares:
        assert share_off(per_mille(s.percent), counts[s.agency], total) <= 1000 * sh.tolerance
    assert counts["JAXA"] >= 2 and counts["ESA"] >= 1


def test_rotations_hand_over_directly_and_the_crew_stays_at_six_or_more(forward, plan):
    """Issue 16 §5 on the real station: every rotation leaving before the deorbit vehicle docks
    is relieved by a crew of its vehicle type docked at least handover_days before; never fewer
    than min_aboard (nominal minus one) aboard after the horizon; and the deorbit vehicle, once
    docked, stays to the end (it is not moved away to make room for handovers)."""
    from datetime import timedelta

    from mixedcrew.timeline import Timeline

    st = forward.planning
    assert st.handover_days is not None and st.handover_until is not None and st.min_aboard
    opened = {f.id for f in forward.flights if f.open}
    rotations = [f for f in plan.flights if f.kind == "rotation" and f.dock is not None]
    leaving = [f for f in rotations if f.id in opened and f.undock is not None
               and f.undock < st.handover_until]
    assert len(leaving) >= 8
    gap = timedelta(days=st.handover_days)
    for d in leaving:
        assert any(a.vehicle_type == d.vehicle_type and d.dock < a.dock and a.dock + gap <= d.undock
                   for a in rotations if a.id != d.id), f"{d.label} leaves without a handover"
    end = max(f.undock for f in plan.flights if f.id in opened and f.undock is not None)
    spans = list(Timeline(plan).spans(None, start=forward.scenario.horizon, end=end))
    assert spans and min(sp.crew for sp in spans) >= st.min_aboard
    usdv = plan.flight_by_id["USDV"]
    assert usdv.dock is not None and (usdv.undock is None or usdv.undock >= plan.scenario.horizon)
