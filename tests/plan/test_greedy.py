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


def test_a_work_budget_stops_greedy_at_the_same_flight_and_plans_a_prefix_of_its_full_plan(monkeypatch):
    """With a budget of work, greedy plans exactly the flights it reaches, each as its full run
    plans it, and leaves the rest open: more work, more flights; none at 0; the same stop twice,
    without reading a clock. A flight it reaches without the work to check one try, or whose
    repair the budget cuts short, stays open (it is not committed unchecked or unrepaired)."""
    import mixedcrew.plan.greedy as greedy_module

    s = generate_scenario(1, 3, 60, seed=3)
    full = greedy_plan(s)

    def no_clock() -> float:
        raise AssertionError("greedy read the clock with no deadline")

    monkeypatch.setattr(greedy_module.time, "monotonic", no_clock)
    open_ids = [f.id for f in s.flights if f.open]
    planned_counts = []
    for work in (*range(0, 3000, 25), 10**9):
        g = greedy_plan(s, work=work)
        assert dump_scenario(g) == dump_scenario(greedy_plan(s, work=work))
        planned = [i for i in open_ids if g.flight_by_id[i].launch is not None]
        for i in planned:
            assert g.flight_by_id[i] == full.flight_by_id[i]
        planned_counts.append(len(planned))
    assert planned_counts[0] == 0 and planned_counts[-1] == len(open_ids)
    assert planned_counts == sorted(planned_counts) and len(set(planned_counts)) > len(open_ids) // 2
    assert dump_scenario(greedy_plan(s, work=10**9)) == dump_scenario(full)


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


def test_a_budget_that_runs_out_inside_a_repair_leaves_that_flight_open(monkeypatch):
    """On a scenario where greedy repairs one flight (shortens an earlier stay to free its crew),
    budgets that end inside the repair leave that flight open, and every flight before it as
    the full run had planned it when the repair began (the repair undone), none after it."""
    import mixedcrew.plan.greedy as greedy_module

    s = generate_scenario(2, 5, 150, seed=0)
    big = 10**9
    spent: list[tuple[str, int, int]] = []  # (flight, work used before the repair, after it)
    planned_then = []  # the plan when the repair began
    real = greedy_module._Greedy._repair

    def spy(self, f, later, before):  # type: ignore[no-untyped-def]
        start = big - self.work
        planned_then.append({fid: self.flights[fid] for fid in self.done})
        done = real(self, f, later, before)
        spent.append((f.id, start, big - self.work))
        return done

    monkeypatch.setattr(greedy_module._Greedy, "_repair", spy)
    full = greedy_plan(s, work=big)
    assert spent, "the scenario has a repair to cut short"
    flight, start, end = spent[0]
    assert full.flight_by_id[flight].launch is not None and end > start + 10
    monkeypatch.setattr(greedy_module._Greedy, "_repair", real)
    # (a budget that lets the repair's last, clean try begin plans the flight: a check that
    # overruns the budget still ends, and its answer is kept)
    for work in (start + 1, start + (end - start) // 3, (start + end) // 2):
        g = greedy_plan(s, work=work)
        planned = {f.id: f for f in g.flights if s.flight_by_id[f.id].open and f.launch is not None}
        assert flight not in planned and planned == planned_then[0]
