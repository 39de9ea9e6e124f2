"""The [planning] section changes the objective; `generate` makes the same file from the same seed."""

from __future__ import annotations

import pytest

from mixedcrew.check import check
from mixedcrew.domain.planning import PlanningSettings
from mixedcrew.io.scenario_file import dump_scenario, load_scenario
from mixedcrew.plan import SolveOptions, plan_scenario
from mixedcrew.plan.generate import generate_scenario

FAST = SolveOptions(time_limit=20, workers=1)


def test_planning_section_sets_the_order_of_levels(tiny_with):
    """`order` is the order of the levels solved, most important first; left-out levels are dropped."""
    s = tiny_with(('[scenario]', '[planning]\norder = ["overlap", "timing"]\n\n[scenario]'))
    result = plan_scenario(s, options=FAST)
    assert [lv.name for lv in result.levels] == ["overlap", "timing"]
    assert check(result.plan).ok


def test_overlap_first_gives_less_overlap_than_timing_first(tiny_with, tiny):
    """Putting overlap first can only lower the overlap the plan reaches."""
    first = plan_scenario(tiny_with(('[scenario]', '[planning]\norder = ["overlap"]\n\n[scenario]')),
                          options=FAST)
    last = plan_scenario(tiny, options=FAST)
    overlap_first = first.levels[0].value
    overlap_last = next(lv.value for lv in last.levels if lv.name == "overlap")
    assert overlap_first <= overlap_last


def test_a_zero_weight_switches_a_term_off(tiny_with):
    """With stay and launch weighted 0 the timing level has nothing to count."""
    s = tiny_with(('[scenario]', '[planning]\nweights = { stay = 0, launch = 0 }\n\n[scenario]'))
    result = plan_scenario(s, options=FAST)
    timing = next(lv for lv in result.levels if lv.name == "timing")
    assert timing.value == 0 and timing.optimal


def test_bad_planning_section_is_located(tiny_with):
    """An unknown level name is a located error of the scenario file."""
    from mixedcrew.errors import ScenarioError

    with pytest.raises(ScenarioError, match=r"tiny.toml:\d+: planning.order.0"):
        tiny_with(('[scenario]', '[planning]\norder = ["speed"]\n\n[scenario]'))


def test_a_weight_too_large_for_the_solver_is_located(tiny_with):
    """A weight that could overflow the solver's 64-bit objective is refused with its bound,
    where it is written, before any model is built."""
    from mixedcrew.errors import ScenarioError

    with pytest.raises(ScenarioError, match=r"tiny.toml:\d+: planning.weights.stay: .*1000000"):
        tiny_with(('[scenario]', '[planning]\nweights = { stay = 10000000 }\n\n[scenario]'))


def test_settings_refuse_a_level_twice():
    with pytest.raises(ValueError, match="names a level twice"):
        PlanningSettings(order=("timing", "timing"))


def test_generate_is_deterministic_and_complete():
    """Same arguments, same scenario; it has two stations, three vehicle types, an agreement,
    open flights with windows, people with training ready dates and some with availability."""
    a = generate_scenario(stations=2, years=3, candidates=60, seed=7)
    b = generate_scenario(stations=2, years=3, candidates=60, seed=7)
    assert dump_scenario(a) == dump_scenario(b)
    assert dump_scenario(a) != dump_scenario(generate_scenario(stations=2, years=3, candidates=60, seed=8))
    assert len(a.stations) == 2 and len(a.vehicle_types) >= 2 and a.agreements
    assert {ag.home_segment for ag in a.agencies} >= {"A", "B", "C"}
    open_flights = [f for f in a.flights if f.open]
    assert len(open_flights) >= 20 and all(f.window and f.window.start for f in open_flights)
    assert any(p.available.end for p in a.people)
    assert check(a).ok


def test_generate_command(cli, tmp_path):
    out = tmp_path / "g.toml"
    result = cli("generate", "--stations", 2, "--years", 2, "--candidates", 40, "--seed", 1, "-o", out)
    assert result.exit_code == 0, result.output
    assert "open flights" in result.output
    assert load_scenario(out).stations[1].id == "BETA"
    bad = cli("generate", "--years", 0, "-o", out)
    assert bad.exit_code == 2 and "--years must be 1..30" in bad.output


def test_generate_three_stations():
    """--stations 3 adds GAMMA: one port, its operator NOVA flying on Kestrel; 4 is refused."""
    import pytest

    from mixedcrew.errors import InputError

    s = generate_scenario(3, 1, 60, seed=0)
    assert [st.id for st in s.stations] == ["ALPHA", "BETA", "GAMMA"]
    gamma = [f for f in s.flights if f.station == "GAMMA"]
    assert gamma and all(f.vehicle_type == "kestrel" and f.open for f in gamma)
    assert any(p.agency == "NOVA" and "G" in p.segments for p in s.people)
    assert generate_scenario(3, 1, 60, seed=0) == s
    with pytest.raises(InputError, match="stations must be 1, 2 or 3, got 4"):
        generate_scenario(4, 1, 60)


def test_a_replan_lists_port_changes():
    """A flight that docks elsewhere in the new plan is a change in the list."""
    from mixedcrew.plan.replan import changes

    old = generate_scenario(1, 1, 40, seed=0)
    flown = old.flights[0]
    moved = flown.model_copy(update={"port": "s2" if flown.port != "s2" else "s1"})
    new = old.model_copy(update={"flights": (moved, *old.flights[1:])})
    said = [str(c) for c in changes(old, new, [], [])]
    assert f"{flown.label} docks at {moved.port} instead of {flown.port}: " in said[0]
