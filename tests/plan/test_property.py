"""Properties of the planner against the checker (the oracle).

Every plan returned passes the checker; when the planner says no plan
exists, an exhaustive search over the same choices (launch step, stay,
port, full crew) finds none either; and a fixed seed gives the same plan.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mixedcrew.check import check
from mixedcrew.io.scenario_file import dump_scenario
from mixedcrew.plan import SolveOptions, plan_scenario
from mixedcrew.plan.generate import generate_scenario

sys.path.insert(0, str(Path(__file__).resolve().parent))
from tinygen import exhaustive_feasible, tiny_scenario  # noqa: E402

QUICK = SolveOptions(time_limit=20, workers=1)


@settings(max_examples=30, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(min_value=0, max_value=100_000))
def test_planner_and_exhaustive_search_agree_on_tiny_scenarios(seed):
    """Planned: the checker finds nothing. Infeasible: no combination of choices passes the checker."""
    s = tiny_scenario(seed)
    result = plan_scenario(s, options=QUICK)
    assert result.status in ("planned", "infeasible")
    if result.status == "planned":
        assert check(result.plan).ok, [v.message for v in check(result.plan).violations]
    else:
        assert result.facts, "an infeasible scenario is explained"
    assert exhaustive_feasible(s) == (result.status == "planned")


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_every_plan_of_a_generated_scenario_passes_the_checker(seed):
    """A generated year with flights docked at the horizon, people to bring home and a visit."""
    s = generate_scenario(stations=1 if seed < 2 else 2, years=1, candidates=30, seed=seed)
    result = plan_scenario(s, options=QUICK)
    assert result.status == "planned"
    report = check(result.plan)
    assert report.ok, [v.message for v in report.violations]
    planned = [f for f in result.plan.flights if f.id in result.planned_flights]
    assert planned and all(f.launch is not None and f.port is not None for f in planned)
    assert all(a.down is not None for a in result.plan.assignments), "everyone has a ride home"


def test_same_seed_same_plan():
    """The same scenario, seed and workers give the same plan file, twice."""
    s = generate_scenario(stations=1, years=1, candidates=30, seed=5)
    first = plan_scenario(s, options=SolveOptions(time_limit=30, workers=1, seed=3))
    second = plan_scenario(s, options=SolveOptions(time_limit=30, workers=1, seed=3))
    assert all(lv.optimal for lv in first.levels), "determinism is promised when levels end optimal"
    assert dump_scenario(first.plan) == dump_scenario(second.plan)


def test_two_interleaved_workers_are_deterministic_too():
    """With --workers 2 the deterministic (interleaved) search gives the same plan again."""
    s = tiny_scenario(3)
    opts = SolveOptions(time_limit=20, workers=2, seed=1, deterministic=True)
    a, b = plan_scenario(s, options=opts), plan_scenario(s, options=opts)
    assert a.status == b.status
    if a.plan is not None:
        assert dump_scenario(a.plan) == dump_scenario(b.plan)
