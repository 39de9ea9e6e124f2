"""The planner and the greedy baseline see a relocated vehicle on each of its ports in turn."""

from __future__ import annotations

from mixedcrew.check import check
from mixedcrew.plan import SolveOptions, plan_scenario
from mixedcrew.plan.greedy import greedy_plan

FAST = SolveOptions(time_limit=20, workers=1)
# Soyuz-1 moves from p1 to p3 on 2023-02-01: p1 is free when Soyuz-2 docks in May, p3 is not.
MOVED = ('port = "p1"\nlaunch_site = "bai"\nlaunch = 2023-01-01T00:00:00Z',
         'port = "p1"\nrelocations = [{ undock = 2023-02-01T10:00:00Z, dock = 2023-02-01T10:30:00Z, '
         'port = "p3" }]\nlaunch_site = "bai"\nlaunch = 2023-01-01T00:00:00Z')


def test_planner_docks_at_the_port_a_relocation_freed(tiny_with):
    """PORTS: with Soyuz-1 on p3 since February, the planned Soyuz-2 takes p1, and the
    checker finds the plan clean (a planner that saw Soyuz-1 on p1 all along would clash)."""
    s = tiny_with(MOVED)
    result = plan_scenario(s, options=FAST)
    assert result.status == "planned"
    assert result.plan.flight_by_id["S2"].port == "p1"
    assert check(result.plan).violations == ()


def test_greedy_books_each_port_a_relocated_flight_held(tiny_with):
    s = tiny_with(MOVED)
    plan = greedy_plan(s)
    assert plan.flight_by_id["S2"].port == "p1"
    assert not [v for v in check(plan).violations if v.rule == "PORTS"]


def test_without_the_relocation_soyuz2_takes_the_other_port(tiny):
    """The same plan without the move: p1 is held, so Soyuz-2 docks at p3."""
    assert plan_scenario(tiny, options=FAST).plan.flight_by_id["S2"].port == "p3"
