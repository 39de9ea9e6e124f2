"""Objectives operations value: direct handovers, people aboard, rescue first.

Client visits (rule CLIENT) and partner shares (rule SHARES) are the forward scenario's
(tests of docs/forward.md).

Each here is a named rule or level of `[planning]` (docs/plan.md); every plan is
checked by the oracle, and an impossible setting is explained in its own words.
"""

from __future__ import annotations

from datetime import timedelta

from mixedcrew.domain.planning import PlanningSettings
from mixedcrew.plan import SolveOptions, plan_scenario
from mixedcrew.plan.generate import generate_scenario
from mixedcrew.timeline import Timeline

FAST = SolveOptions(time_limit=30, workers=1)


def _with(s, **settings):
    planning = s.planning.model_dump(by_alias=True) | settings
    return s.model_copy(update={"planning": PlanningSettings.model_validate(planning)})


def _planned(s):
    result = plan_scenario(s, options=FAST)
    assert result.status == "planned", [str(f) for f in result.facts]
    assert not result.new_violations
    return result


def test_handover_every_rotation_leaving_is_relieved_days_before():
    """handover_days = 5: each planned rotation that undocks in the plan does so at least five
    days after the next rotation of its vehicle type docked."""
    s = _with(generate_scenario(1, 2, 40, seed=0), handover_days=5)
    plan = _planned(s).plan
    rotations = [f for f in plan.flights if f.kind == "rotation" and f.dock is not None]
    left = [f for f in rotations if f.undock is not None and s.flight_by_id[f.id].undock is None]
    assert left, "some rotation leaves inside the plan"
    for d in left:
        relief = [a for a in rotations if a.id != d.id and a.vehicle_type == d.vehicle_type
                  and a.station == d.station and d.dock < a.dock <= d.undock - timedelta(days=5)]
        assert relief, f"{d.id} leaves without a handover"


def test_min_aboard_holds_wherever_the_planner_decides():
    """min_aboard = 6 on a station of nominal 7: never fewer than 6 aboard after the horizon."""
    s = _with(generate_scenario(1, 2, 40, seed=0), min_aboard=6)
    plan = _planned(s).plan
    tl = Timeline(plan)
    spans = list(tl.spans("ALPHA", start=s.scenario.horizon))
    assert spans and min(sp.crew for sp in spans if sp.end <= plan.scenario.horizon) >= 6


def test_min_aboard_above_what_the_station_holds_is_explained():
    """min_aboard above the station's maximum: no plan, and the fact names the setting."""
    s = _with(generate_scenario(1, 1, 40, seed=0), min_aboard=12)
    result = plan_scenario(s, options=FAST)
    assert result.status == "infeasible"
    assert ("MIN_ABOARD", "ALPHA keeps at least 12 people aboard (planning setting min_aboard)") in [
        (f.rule, f.sentence) for f in result.facts]


def test_rescue_launches_the_replacement_as_early_as_the_rules_allow(tiny_with):
    """Dragon-1 loses all its seats at the horizon: the uncrewed replacement launches at the
    first instant its window and the rules allow, not at the window's middle."""
    from datetime import UTC, datetime

    from mixedcrew.domain import Damage
    from mixedcrew.plan.replan import replan

    plan = plan_scenario(tiny_with(), options=FAST).plan
    hit = Damage(id="hit", kind="damage", at=datetime(2023, 3, 1, tzinfo=UTC), flight="D1", seats_lost=4)
    done = replan(plan, [hit], FAST)
    assert done.result.status == "planned", [str(f) for f in done.result.facts]
    names = [lv.name for lv in done.result.levels]
    assert "rescue" in names and names.index("rescue") < names.index("timing")
    rescue = done.result.levels[names.index("rescue")]
    assert rescue.optimal
    new = done.result.plan
    r = new.flight_by_id["D1-R"]
    assert r.launch - hit.at < timedelta(days=45)  # the window's middle is 45 days in


def test_handover_until_asks_only_of_rotations_leaving_before_it():
    """A handover longer than any stay cannot hold: explained by HANDOVER (the sentence names
    the date it is asked to); asked only of rotations leaving before the horizon, it asks
    nothing of the plan, which comes back."""
    s = generate_scenario(1, 2, 40, seed=0)
    impossible = _with(s, handover_days=400)
    result = plan_scenario(impossible, options=FAST)
    assert result.status == "infeasible"
    assert "HANDOVER" in {f.rule for f in result.facts}
    until = s.scenario.horizon
    dated = _with(s, handover_days=400, handover_until=until)
    result = plan_scenario(_with(s, handover_days=400, handover_until=until + timedelta(days=400)),
                           options=FAST)
    assert result.status == "infeasible"
    assert any(f.rule == "HANDOVER" and "rotations leaving before" in f.sentence for f in result.facts)
    _planned(dated)
