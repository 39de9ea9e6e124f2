"""Re-plans that always answer: blocked launches wait for the block to end (`--shift`), and
`--best-effort` returns the plan breaking the fewest rules, with the checker's findings."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from mixedcrew.check import check
from mixedcrew.domain import Grounding, Scenario, SiteOutage
from mixedcrew.io.scenario_file import load_scenario, save_scenario
from mixedcrew.plan import SolveOptions, plan_scenario
from mixedcrew.plan.best_effort import HARD, best_effort_plan
from mixedcrew.plan.replan import replan
from mixedcrew.plan.shift import blocked_windows, held_until

FAST = SolveOptions(time_limit=30, workers=1)
UNTIL = datetime(2023, 9, 1, tzinfo=UTC)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def grounding(until: str | None = "2023-07-10") -> Grounding:
    return Grounding(id="sg", kind="grounding", vehicle_type="soyuz", at=at("2023-05-01"),
                     until=None if until is None else at(until))


@pytest.fixture(scope="module")
def planned() -> Scenario:
    from tests.plan.conftest import tiny_text

    from mixedcrew.io.scenario_file import loads_scenario

    r = plan_scenario(loads_scenario(tiny_text(), "tiny.toml"), None, FAST)
    assert r.status == "planned" and r.plan is not None
    return r.plan


def test_blocks_chain_and_the_default_window_waits_for_the_end(planned):
    """Touching blocks are one; the default window runs to the block's end plus the slack."""
    s2 = planned.flight_by_id["S2"]
    pad = SiteOutage(id="pad", kind="site_outage", site="bai", at=at("2023-07-10"), until=at("2023-07-20"))
    assert held_until(planned, s2, [grounding(), pad], s2.launch) == (at("2023-07-20"), ("sg", "pad"))
    assert held_until(planned, s2, [grounding()], s2.launch - timedelta(days=10)) is None
    (b,) = blocked_windows(planned, [grounding()], at("2023-05-01"), None, 30)
    assert b.flight == "S2" and b.window.end == at("2023-08-09")
    (b,) = blocked_windows(planned, [grounding(None)], at("2023-05-01"), None, 30)
    assert b.window is None and "give --shift DAYS" in b.sentence()
    (b,) = blocked_windows(planned, [grounding(None)], at("2023-05-01"), 100, 30)
    assert b.window.end == s2.launch + timedelta(days=100)


def test_a_grounded_soyuz_waits_and_the_crews_aboard_stay_longer(planned):
    """Soyuz grounded 2023-05-01..07-10: Soyuz-2 launches after it; every rule holds."""
    done = replan(planned, [grounding()], FAST, UNTIL)
    assert done.result.status == "planned", done.result.facts
    new = done.result.plan
    assert new.flight_by_id["S2"].launch >= at("2023-07-10")
    assert not check(new).violations and not done.result.new_violations
    # someone aboard before the grounding stays past their old undocking, within the docked limit
    longer = [f for f in ("S1", "D1") if new.flight_by_id[f].undock > planned.flight_by_id[f].undock]
    assert longer
    assert any("launch moves" in c.what and "Soyuz-2" in c.what for c in done.changes)


def test_a_shift_too_short_is_explained_in_one_fact(planned):
    done = replan(planned, [grounding()], FAST, UNTIL, shift_days=10)
    assert done.result.status == "infeasible"
    assert [f.rule for f in done.result.facts] == ["GROUNDED"]


def test_best_effort_breaks_the_fewest_and_the_checker_lists_them(planned):
    """An endless grounding and a 10-day shift: no plan keeps every rule; best effort still answers."""
    done = replan(planned, [grounding(None)], FAST, UNTIL, shift_days=10, best_effort=True)
    be = done.best_effort
    assert be is not None and be.plan is not None and done.result is be.result
    assert [f.rule for f in be.broken] == ["GROUNDED"] and be.cost == 1000
    found = check(be.plan).violations
    assert [v.rule for v in found] == ["GROUNDED"]
    assert not any(v.rule in HARD for v in found)
    assert be.as_json()["best_effort"] is True


def test_best_effort_on_a_feasible_scenario_breaks_nothing():
    from tests.plan.conftest import tiny_text

    from mixedcrew.io.scenario_file import loads_scenario

    be = best_effort_plan(loads_scenario(tiny_text(), "tiny.toml"), None, FAST)
    assert be.plan is not None and be.broken == [] and be.cost == 0
    assert not check(be.plan).violations


def test_cli_replan_best_effort_says_so_and_writes_the_plan(cli, tmp_path, planned):
    old, new = tmp_path / "old.toml", tmp_path / "new.toml"
    save_scenario(planned, old)
    event = '{ id = "sg", kind = "grounding", vehicle_type = "soyuz", at = 2023-05-01T00:00:00Z }'
    r = cli("replan", old, "--event", event, "-o", new, "--until", "2023-09-01", "--shift", "10",
            "--best-effort")
    assert r.exit_code == 1, r.output
    assert "BEST-EFFORT PLAN" in r.output and "gives up GROUNDED" in r.output
    assert "the checker finds 1 violation(s)" in r.output
    assert "best effort" in new.read_text(encoding="utf-8").lower()
    assert [v.rule for v in check(load_scenario(new)).violations] == ["GROUNDED"]
    r = cli("replan", old, "--event", event, "-o", new, "--until", "2023-09-01", "--shift", "10",
            "--best-effort", "--json")
    data = json.loads(r.output)
    assert data["best_effort"] is True and data["facts_given_up"][0]["rule"] == "GROUNDED"
    assert data["held"] == ["S2 is held indefinitely by sg: may launch 2023-05-01 .. 2023-05-15"]
    r = cli("replan", old, "--event", event, "-o", new, "--shift", "-3")
    assert r.exit_code == 2 and r.output.strip() == "--shift: must be 0 to 3650 days, got -3"


def test_the_iss_soyuz_grounding_explains_in_a_handful_of_facts():
    """Soyuz grounded 2025-03..09 on the shipped ISS: the dozens of 'no Crew Dragon training' facts
    of the first conflicting set go in one test, leaving the few that clash, proven minimal."""
    from pathlib import Path

    from mixedcrew.io.events import load_events

    iss = load_scenario(Path(__file__).resolve().parents[2] / "examples" / "iss.toml")
    event = ('{ id = "soyuz-down", kind = "grounding", vehicle_type = "soyuz-ms", '
             'at = 2025-03-01T00:00:00Z, until = 2025-09-01T00:00:00Z }')
    done = replan(iss, list(load_events([event], iss)), SolveOptions(time_limit=120, workers=1),
                  at("2025-10-15"))
    assert done.result.status == "infeasible"
    facts = done.result.facts
    assert 1 <= len(facts) <= 5, [str(f) for f in facts]
    assert {f.rule for f in facts} == {"EXCHANGE", "GROUNDED"}


def test_the_iss_soyuz_grounding_over_the_full_horizon_explains_in_five_facts_at_most():
    """The same grounding re-planned to the data's horizon (2026-07-03): people who had left
    flight status (the corps list's retirements, and those missing from it 10 years after their
    last landing) are no candidates, so the first conflicting set holds only the people who
    could still fly (Shkaplerov retired 2023, Noguchi 2022; Suraev and Tyurin last landed in
    2014), and the explanation is a handful of facts about flights and the ledger."""
    from pathlib import Path

    from mixedcrew.io.events import load_events
    from mixedcrew.plan.scope import make_scope

    iss = load_scenario(Path(__file__).resolve().parents[2] / "examples" / "iss.toml")
    event = ('{ id = "soyuz-down", kind = "grounding", vehicle_type = "soyuz-ms", '
             'at = 2025-03-01T00:00:00Z, until = 2025-09-01T00:00:00Z }')
    horizon = iss.scenario.horizon
    done = replan(iss, list(load_events([event], iss)), SolveOptions(time_limit=120, workers=1), horizon)
    assert done.result.status == "infeasible"
    facts = done.result.facts
    assert 1 <= len(facts) <= 5, [str(f) for f in facts]
    assert not {f.rule for f in facts} & {"TRAINED", "AVAILABLE", "CERT"}
    scope = make_scope(iss, horizon, now=at("2025-03-01"), explain=True)
    names = {p.id: p.name for p in iss.people}
    for flight, people in scope.candidates.items():
        said = {names[p] for p in people}
        assert not any(n.startswith(("Shkaplerov", "Noguchi", "Suraev", "Tyurin"))
                       for n in said), (flight, said)


def test_cli_plan_best_effort_when_a_grounding_covers_a_window(cli, tmp_path):
    """`plan --best-effort`: Soyuz grounded over Soyuz-2's whole window; the plan is written,
    says it is a best effort, and the checker finds the grounding broken."""
    from tests.plan.conftest import tiny_text

    scenario = tmp_path / "grounded.toml"
    scenario.write_text(tiny_text() + '\n[[events]]\nid = "sg"\nkind = "grounding"\nvehicle_type = "soyuz"\n'
                        'at = 2023-04-01T00:00:00Z\nuntil = 2023-07-01T00:00:00Z\n', encoding="utf-8")
    out = tmp_path / "plan.toml"
    plain = cli("plan", scenario, "-o", out, "--time-limit", "20")
    assert plain.exit_code == 1 and "no plan exists" in plain.output and not out.exists()
    r = cli("plan", scenario, "-o", out, "--time-limit", "20", "--best-effort")
    assert r.exit_code == 1, r.output
    assert "BEST-EFFORT PLAN" in r.output and "gives up GROUNDED" in r.output
    assert [v.rule for v in check(load_scenario(out)).violations] == ["GROUNDED"]


def test_best_effort_focus_falls_back_to_every_rule_when_its_facts_do_not_help(planned):
    """A focus that cannot help (a fact not in the conflict) has no plan: every rule is tried next."""
    from mixedcrew.plan.best_effort import best_effort_plan
    from mixedcrew.plan.replan import add_replacements, reference_of, reopen
    from mixedcrew.plan.result import Fact

    now = at("2023-05-01")
    events = [grounding(None)]
    with_events = planned.model_copy(update={"events": planned.events + tuple(events)})
    windows = {b.flight: b.window for b in blocked_windows(with_events, events, now, 10, 30) if b.window}
    s, _ = reopen(with_events, now, 30, windows)
    s, _ = add_replacements(s, planned, now)
    useless = (Fact("CAPACITY", "ST", "ST holds 7 people"),)
    be = best_effort_plan(s, UNTIL, FAST, now=now, reference=reference_of(planned), previous=planned,
                          focus=useless)
    assert be.plan is not None and [f.rule for f in be.broken] == ["GROUNDED"]
    helpful = best_effort_plan(s, UNTIL, FAST, now=now, reference=reference_of(planned), previous=planned,
                               focus=(Fact("GROUNDED", "sg", "Soyuz MS is out of service"),))
    assert helpful.plan is not None and [f.rule for f in helpful.broken] == ["GROUNDED"]


def _record_solver_seconds(monkeypatch) -> list[float]:
    """Every solver budget best_effort.py asks for, in seconds."""
    import mixedcrew.plan.best_effort as be_module

    asked: list[float] = []
    real = be_module.solver_for

    def recording(opts, seconds):
        asked.append(seconds)
        return real(opts, seconds)

    monkeypatch.setattr(be_module, "solver_for", recording)
    return asked


def test_best_effort_is_never_given_more_than_its_clock_has_left(monkeypatch):
    """Issue 16 §1: best effort shares the one clock of the command. With 600 s of time_limit
    but 3 s left on the clock it is handed, no solver call gets more than those 3 s (with a
    focus: its first step at most half of them)."""
    from tests.plan.conftest import tiny_text

    from mixedcrew.io.scenario_file import loads_scenario
    from mixedcrew.plan.result import Clock, Fact

    asked = _record_solver_seconds(monkeypatch)
    s = loads_scenario(tiny_text(), "tiny.toml")
    big = SolveOptions(time_limit=600, workers=1)
    clock = Clock(3.0)
    be = best_effort_plan(s, None, big, clock=clock,
                          focus=(Fact("CAPACITY", "ST", "ST holds 7 people"),))
    assert be.plan is not None and be.broken == []
    assert asked and all(0 < x <= 3.0 for x in asked), asked
    assert asked[0] <= 1.5  # the focus step: half the time left
    spent = Clock(0.0)  # nothing left: each call gets the solver's floor, not the 600 s
    asked.clear()
    best_effort_plan(s, None, big, clock=spent)
    assert asked and all(x <= 0.05 for x in asked), asked


def test_replan_best_effort_runs_inside_the_one_time_limit(monkeypatch, planned):
    """replan --best-effort: the full plan attempt gets half the limit and the best effort the
    clock it left, not a fresh budget of its own: the best effort's clock ends no later than
    the command's start plus time_limit."""
    import time

    import mixedcrew.plan.best_effort as be_module
    import mixedcrew.plan.replan as replan_module

    deadlines: dict[str, float] = {}
    real_plan, real_be = replan_module.plan_scenario, be_module.best_effort_plan

    def plan_recording(*args, clock, **kwargs):
        deadlines["plan"] = clock.deadline
        return real_plan(*args, clock=clock, **kwargs)

    def be_recording(*args, clock, **kwargs):
        deadlines["best effort"] = clock.deadline
        return real_be(*args, clock=clock, **kwargs)

    monkeypatch.setattr(replan_module, "plan_scenario", plan_recording)
    monkeypatch.setattr(be_module, "best_effort_plan", be_recording)
    asked = _record_solver_seconds(monkeypatch)
    limit = 20.0
    started = time.monotonic()
    done = replan(planned, [grounding(None)], SolveOptions(time_limit=limit, workers=1), UNTIL,
                  shift_days=10, best_effort=True)
    assert done.best_effort is not None and done.best_effort.plan is not None
    assert deadlines["plan"] <= started + limit / 2 + 0.5
    assert deadlines["best effort"] <= started + limit + 0.5
    assert asked and max(asked) <= limit, asked


def test_cli_plan_best_effort_shares_the_time_limit(cli, tmp_path, monkeypatch):
    """`plan --best-effort --time-limit 20`: the best effort gets the clock the full plan
    attempt ran on (ending 20 s after the command began), not 60% of another 20 s."""
    import time

    from tests.plan.conftest import tiny_text

    import mixedcrew.plan.best_effort as be_module

    deadlines: list[float] = []
    real_be = be_module.best_effort_plan

    def be_recording(*args, clock, **kwargs):
        deadlines.append(clock.deadline)
        return real_be(*args, clock=clock, **kwargs)

    monkeypatch.setattr(be_module, "best_effort_plan", be_recording)
    scenario = tmp_path / "grounded.toml"
    scenario.write_text(tiny_text() + '\n[[events]]\nid = "sg"\nkind = "grounding"\nvehicle_type = "soyuz"\n'
                        'at = 2023-04-01T00:00:00Z\nuntil = 2023-07-01T00:00:00Z\n', encoding="utf-8")
    started = time.monotonic()
    r = cli("plan", scenario, "-o", tmp_path / "plan.toml", "--time-limit", "20", "--best-effort")
    assert r.exit_code == 1 and "BEST-EFFORT PLAN" in r.output, r.output
    assert len(deadlines) == 1 and deadlines[0] <= started + 20.5
