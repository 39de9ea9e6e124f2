"""Best effort breaks the fewest rules for the shortest time: among plans giving up the same
facts, the one whose facts stay broken for the fewest weighted days (plan/spans.py)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from mixedcrew.check import check
from mixedcrew.domain import Scenario
from mixedcrew.io.scenario_file import load_scenario
from mixedcrew.plan import SolveOptions
from mixedcrew.plan.best_effort import best_effort_plan, describe, weight

HERE = Path(__file__).resolve().parent
FAST = SolveOptions(time_limit=20, workers=1)
DAY = timedelta(days=1)


def overrun() -> Scenario:
    return load_scenario(HERE / "overrun.toml")


def _days(v) -> float:
    return (v.end - v.start) / DAY


def later(plan: Scenario, days: float) -> Scenario:
    """The same plan with the relief flight F2 and the undocking of F1 `days` later."""
    shift = timedelta(days=days)
    flights = []
    for f in plan.flights:
        if f.id == "F2":
            f = f.model_copy(update={k: getattr(f, k) + shift for k in ("launch", "dock")})
        if f.id == "F1":
            f = f.model_copy(update={k: getattr(f, k) + shift for k in ("undock", "land")})
        flights.append(f)
    return plan.model_copy(update={"flights": tuple(flights)})


def test_the_shorter_of_two_plans_breaking_the_same_rule_wins():
    """F1's crew must stay past the 100-day limit until F2 docks. A plan launching F2 first thing
    breaks DOCKED_LIMIT for 2 days, one launching it at the window's end for 60: both give up
    the one fact (the old objective, the weighted count, ranks them equal, 50 each); best effort
    picks the 2 days, and the hours it measured are the checker's span."""
    done = best_effort_plan(overrun(), None, FAST)
    assert done.plan is not None and [f.rule for f in done.broken] == ["DOCKED_LIMIT"]
    assert done.cost == weight("DOCKED_LIMIT")
    (v,) = check(done.plan).violations
    assert v.rule == "DOCKED_LIMIT" and v.flights == ("F1",)
    assert 2 <= _days(v) <= 2.1
    assert abs(done.hours["DOCKED_LIMIT", "F1"] - _days(v) * 24) <= 1
    assert done.weighted_hours == weight("DOCKED_LIMIT") * done.hours["DOCKED_LIMIT", "F1"]
    slow = later(done.plan, 58)
    (w,) = check(slow).violations  # the same fact given up: the old objective's equal
    assert (w.rule, w.flights) == (v.rule, v.flights) and 60 <= _days(w) <= 60.1


def test_the_words_say_for_how_long():
    """The output names the days each fact stays broken, and the weighted total."""
    lines = describe(best_effort_plan(overrun(), None, FAST))
    assert "for the shortest time" in lines[0] and "weighted days broken" in lines[0]
    assert any(line.startswith("  gives up DOCKED_LIMIT") and "(for 2" in line for line in lines)


def test_a_span_measured_as_nothing_is_not_printed():
    """A break between two day samples measures 0 hours: the words then give no span rather
    than "for 0 days" (the checker's line, printed below, has the real one)."""
    from dataclasses import replace

    done = best_effort_plan(overrun(), None, FAST)
    zero = replace(done, hours={k: 0 for k in done.hours})
    line = next(x for x in describe(zero) if x.startswith("  gives up DOCKED_LIMIT"))
    assert "(for" not in line
    assert any("(for 2" in x for x in describe(done))


def test_the_json_carries_the_days_broken():
    """--json: each fact given up with its weight and days broken, and the weighted total."""
    data = best_effort_plan(overrun(), None, FAST).as_json()
    (fact,) = data["facts_given_up"]
    assert fact["rule"] == "DOCKED_LIMIT" and fact["weight"] == 50 and 2 <= fact["days_broken"] <= 2.1
    assert data["cost"] == 50 and data["weighted_days"] == round(50 * fact["days_broken"], 1)


def test_an_empty_station_is_left_empty_for_the_fewest_days():
    """F1 leaves at its limit (fixed), F2 may dock 2 to 61 days later: the station is empty
    until it docks, and the plan docks it first thing (COVERAGE for about 2 days, not 30)."""
    s = overrun()
    flights = tuple(f.model_copy(update={"undock": f.dock + timedelta(days=100),
                                         "land": f.dock + timedelta(days=100, hours=3)})
                    if f.id == "F1" else f for f in s.flights)
    assignments = tuple(a.model_copy(update={"down": "F1"}) for a in s.assignments)
    s = s.model_copy(update={"flights": flights, "assignments": assignments,
                             "scenario": s.scenario.model_copy(update={"horizon": None})})
    done = best_effort_plan(s, None, FAST)
    assert done.plan is not None and {f.rule for f in done.broken} == {"COVERAGE"}
    spans = [v for v in check(done.plan).violations if v.rule == "COVERAGE"]
    assert spans and max(_days(v) for v in spans) <= 2.1
