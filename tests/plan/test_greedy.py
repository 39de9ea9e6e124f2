"""The greedy baseline: checker-valid plans where one flight at a time suffices, and its
objective levels counted as the planner counts its own."""

from __future__ import annotations

import pytest

from mixedcrew.check import check
from mixedcrew.io.scenario_file import dump_scenario
from mixedcrew.plan import SolveOptions, plan_scenario
from mixedcrew.plan.generate import generate_scenario
from mixedcrew.plan.greedy import greedy_plan
from mixedcrew.plan.solve import plan_levels


@pytest.mark.parametrize("args", [(1, 2, 40), (1, 5, 100), (2, 5, 150), (2, 10, 300)])
def test_greedy_plans_of_generated_scenarios_pass_the_checker(args):
    """Every open flight gets a launch in its window, a free port and a full crew; nothing breaks."""
    s = generate_scenario(*args, seed=0)
    g = greedy_plan(s)
    report = check(g)
    assert report.ok, [v.message for v in report.violations]
    for f in s.flights:
        if f.open:
            h = g.flight_by_id[f.id]
            assert h.launch is not None and f.window.contains(h.launch) and h.port is not None
    assert plan_levels(s, g) is not None, "the plan is inside the planner's model (full crews)"


def test_greedy_is_deterministic():
    s = generate_scenario(2, 3, 80, seed=2)
    assert dump_scenario(greedy_plan(s)) == dump_scenario(greedy_plan(s))


def test_cp_sat_is_never_worse_than_greedy():
    """On a generated year, the planner's levels are lexicographically at most greedy's."""
    s = generate_scenario(1, 2, 40, seed=0)
    theirs = plan_levels(s, greedy_plan(s))
    assert theirs is not None
    result = plan_scenario(s, options=SolveOptions(time_limit=20, workers=1))
    ours = [(lv.name, lv.value) for lv in result.levels]
    assert [n for n, _ in ours] == [n for n, _, _ in theirs]
    assert [v for _, v in ours] <= [v for _, _, v in theirs]
    assert plan_levels(s, result.plan) == [(n, u, v) for (n, u, _), (_, v) in zip(theirs, ours, strict=True)]
