"""The time limit bounds the whole answer, and dated limits apply at each flight's own dates.

The forward-like ISS case (tests/plan/forward.py) is the real history plus
13 open rotations to 2030; the tiny station carries the dated docked limits.
"""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from tests.plan.forward import iss_forward

from mixedcrew.check import check
from mixedcrew.plan import SolveOptions, plan_scenario
from mixedcrew.plan.greedy import greedy_plan
from mixedcrew.plan.model import build
from mixedcrew.plan.scope import make_scope

DAY = timedelta(days=1)
SLACK = 10.0  # seconds past the limit a loaded 2-core machine may take to hand back the answer


def _rested(s, days: float):
    return s.model_copy(update={"scenario": s.scenario.model_copy(update={"min_rest_days": days})})


@pytest.fixture(scope="module")
def forward():
    return iss_forward(13)


def test_forward_case_plans_within_its_limit_and_passes_the_checker(forward):
    """13 open flights on the real history: a plan, every rule kept after the data's horizon,
    MS-28 held to the 250-day limit in force when it docked (not the 215 days of older Soyuz)."""
    result = plan_scenario(forward, options=SolveOptions(time_limit=30, workers=1))
    assert result.status == "planned"
    assert not result.new_violations
    plan = result.plan
    assert not check(plan, start=forward.scenario.horizon).violations
    ms28 = plan.flight_by_id["MS28"]
    assert ms28.undock - ms28.dock <= 250 * DAY
    # the model lets it stay its 250 days (215 would have ended before the data's horizon)
    ctx = build(make_scope(forward))
    t = ctx.v.times["MS28"]
    assert timedelta(seconds=t.undock.hi - t.dock.lo) > 249 * DAY


def test_time_limit_bounds_the_whole_answer_when_greedy_is_slow():
    """26 open flights (above WARM_ABOVE: greedy starts) with a rest of 1100 days (few rested
    cosmonauts trained on Crew Dragon): greedy alone takes longer than the limit; the answer
    still comes back near the limit, with a proof and facts or with what was tried."""
    s = _rested(iss_forward(26), 1100)
    started = time.monotonic()
    result = plan_scenario(s, options=SolveOptions(time_limit=8, workers=1))
    assert time.monotonic() - started < 8 + SLACK
    assert result.status in ("infeasible", "unknown")
    assert result.facts or result.tried


def test_greedy_stops_at_its_deadline_and_leaves_the_rest_open(forward):
    """A deadline already passed: nothing is planned, every open flight stays open."""
    plan = greedy_plan(forward, deadline=time.monotonic())
    opened = [f.id for f in forward.flights if f.open]
    assert all(plan.flight_by_id[fid].open for fid in opened)


def _dated(tiny_with, change: str, window: str, target: int):
    return tiny_with(
        ('max_docked_days = 200\ndocking = ["SSVP"]',
         f'max_docked_days = 100\ndocked_limits = [{{ from = {change}, days = 200 }}]\ndocking = ["SSVP"]'),
        ('window = { from = 2023-05-01, until = 2023-05-20 }\ntarget_days = 150',
         f'window = {window}\ntarget_days = {target}'),
        # crews of any size: the tiny pool cannot fill both flights for a long Soyuz stay
        ('[scenario]', '[planning]\ncrew = "any"\n\n[scenario]'))


def test_a_limit_raised_from_100_to_200_days_plans_the_longer_stay(tiny_with):
    """Soyuz limited to 100 days, 200 from 2020: Soyuz-2 (2023) stays its 120-day target."""
    s = _dated(tiny_with, "2020-01-01", "{ from = 2023-05-01, until = 2023-05-20 }", 120)
    from datetime import UTC, datetime

    result = plan_scenario(s, datetime(2023, 10, 1, tzinfo=UTC), SolveOptions(time_limit=20))
    assert result.status == "planned" and not result.new_violations
    s2 = result.plan.flight_by_id["S2"]
    assert s2.undock - s2.dock > 100 * DAY
    assert abs((s2.undock - s2.dock) - 120 * DAY) < 2 * DAY
    assert not [v for v in result.report.violations if v.rule == "DOCKED_LIMIT"]


def test_a_limit_that_changes_inside_the_window_holds_by_the_docking_date(tiny_with):
    """100 days for a docking before 2023-05-08, 200 from then: a stay over 100 days docks
    from 2023-05-08 on, and the checker agrees."""
    s = _dated(tiny_with, "2023-05-08", "{ from = 2023-05-01, until = 2023-05-12 }", 150)
    from datetime import UTC, datetime

    result = plan_scenario(s, datetime(2023, 11, 1, tzinfo=UTC), SolveOptions(time_limit=20))
    assert result.status == "planned" and not result.new_violations
    s2 = result.plan.flight_by_id["S2"]
    if s2.undock is not None and s2.undock - s2.dock > 100 * DAY:
        assert s2.dock >= datetime(2023, 5, 8, tzinfo=UTC)
    assert s2.undock is None or s2.undock - s2.dock > 100 * DAY
    # S1 (flown, docked before the change) breaks the 100 days: history, not the plan
    assert not [v for v in result.report.violations if v.rule == "DOCKED_LIMIT" and "S2" in v.flights]


def test_greedy_checks_only_the_history_that_can_matter_and_plans_the_same(forward, monkeypatch):
    """Checking each try on the part of the history that can still change the findings gives
    the very plan that checking the whole 26 years gives."""
    import mixedcrew.plan.greedy as greedy

    pruned = greedy_plan(forward)
    every = {f.id for f in forward.flights}
    monkeypatch.setattr(greedy, "_relevant", lambda s, scope: (None, every))
    assert greedy_plan(forward) == pruned


def test_same_seed_and_work_limit_same_plan_on_the_forward_case(forward):
    """A work limit (deterministic time) with the same seed gives the same plan, starting plan
    included (greedy then runs to its end)."""
    opts = SolveOptions(time_limit=60, work_limit=20, seed=2, workers=1)
    first, second = plan_scenario(forward, options=opts), plan_scenario(forward, options=opts)
    assert first.status == second.status == "planned"
    assert first.plan == second.plan
    assert [lv.value for lv in first.levels] == [lv.value for lv in second.levels]


def test_a_level_with_no_time_to_start_keeps_the_plan_so_far(tiny, monkeypatch):
    """When the incumbent cannot be completed for a later level in the time left, the plan of
    the levels solved so far comes back (checked), naming the levels not reached."""
    import mixedcrew.plan.search as search

    calls = []

    def no_time(ctx, best, seconds, seed, since=None):
        calls.append(1)
        return None

    monkeypatch.setattr(search, "extend", no_time)
    result = plan_scenario(tiny, options=SolveOptions(time_limit=20))
    assert result.status == "planned" and not result.new_violations
    assert calls and result.levels and result.tried
    assert result.tried[0].startswith("levels not reached in the time limit:")


def test_the_forward_iss_answers_within_its_limit_with_a_plan():
    """examples/iss-2030.toml (the forward issue's scenario, 21 open flights to 2030) with a
    20-second limit: a plan, back near the limit, with nothing new for the checker."""
    from tests.plan.forward import ROOT

    from mixedcrew.io.scenario_file import load_scenario

    s = load_scenario(ROOT / "examples" / "iss-2030.toml")
    started = time.monotonic()
    result = plan_scenario(s, options=SolveOptions(time_limit=20, workers=1))
    assert time.monotonic() - started < 20 + SLACK
    assert result.status == "planned" and not result.new_violations
    assert not check(result.plan, start=s.scenario.horizon).violations


def test_a_crew_era_that_starts_inside_a_docking_range_holds_by_the_docking_date(tiny_with):
    """Up to 4 aboard before 2023-05-10 (the two crews there), 10 from then: Soyuz-2 (window
    from 2023-05-01) docks from 2023-05-10 on; the strictest era over its whole range would
    have made the station unplannable."""
    from datetime import UTC, datetime

    s = tiny_with(('crew = [{ from = 2020-01-01, nominal = 7, maximum = 10, handover_days = 10 }]',
                   'crew = [{ from = 2020-01-01, nominal = 4, maximum = 4, handover_days = 10 },\n'
                   '        { from = 2023-05-10, nominal = 7, maximum = 10, handover_days = 10 }]'),
                  # crews of any size: the tiny pool cannot fill both flights otherwise
                  ('[scenario]', '[planning]\ncrew = "any"\n\n[scenario]'))
    result = plan_scenario(s, options=SolveOptions(time_limit=20))
    assert result.status == "planned", [str(f) for f in result.facts]
    assert not result.new_violations
    assert result.plan.flight_by_id["S2"].dock >= datetime(2023, 5, 10, tzinfo=UTC)
