"""Impossible scenarios are explained with the facts that clash, in domain words.

Each test breaks the tiny station in one way and asserts which rule
families and values the minimal conflicting set names; every explanation
comes with exit status 1 from `plan`.
"""

from __future__ import annotations

from mixedcrew.plan import SolveOptions, plan_scenario

FAST = SolveOptions(time_limit=20, workers=1)
RED_DRAGON = 'agency = "RED"\nvehicle_type = "dragon"\nfrom = 2020-01-01'


def facts(s):
    result = plan_scenario(s, options=FAST)
    assert result.status == "infeasible"
    assert result.facts, "the conflict is named"
    return [(f.rule, f.sentence) for f in result.facts]


def test_seats(tiny_with):
    """Dragon-2 with one seat cannot carry both the RED person the swap needs and a commander."""
    said = facts(tiny_with(('name = "Dragon-2"', 'name = "Dragon-2"\nseats = 1')))
    rules = {r for r, _ in said}
    assert ("SEATS", "Dragon-2 (window 2023-05-25..2023-06-08) has 1 seats up and at most 1 down") in said
    assert {"EXCHANGE", "COMMANDER"} <= rules


def test_training_dates(tiny_with):
    """No RED person is ready on Crew Dragon before Dragon-2's window closes."""
    s = tiny_with(('{ vehicle_type = "dragon", ready = 2022-01-01 }',
                   '{ vehicle_type = "dragon", ready = 2023-07-01 }'))
    said = facts(s)
    assert ("EXCHANGE", "Dragon-2 (window 2023-05-25..2023-06-08) must carry 1 RED person "
                        "under Crew swap") in said
    assert ("TRAINED", "Rybak is trained on Crew Dragon only from 2023-07-01") in said
    assert ("TRAINED", "Reva is trained on Crew Dragon only from 2023-07-01") in said
    assert ("TRAINED", "Orlov has no training on Crew Dragon") in said


def test_certification(tiny_with):
    """The issue's own example: the swap needs a RED person, RED has not certified Dragon yet."""
    said = facts(tiny_with((RED_DRAGON, RED_DRAGON.replace("2020-01-01", "2024-07-15"))))
    assert said == [
        ("CERT", "RED has certified Crew Dragon only from 2024-07-15"),
        ("EXCHANGE", "Dragon-2 (window 2023-05-25..2023-06-08) must carry 1 RED person under Crew swap"),
    ]


def test_coverage(tiny_with):
    """With no quota and the spare RED people trained for segment A only, nobody can operate
    segment B once Soyuz-1 and Dragon-1 are gone."""
    s = tiny_with(('per_flight = 1', 'per_flight = 0'), ('tolerance = 1', 'tolerance = 99'),
                  ('undock = 2023-06-10T00:00:00Z\nland = 2023-06-10T12:00:00Z',
                   'undock = 2023-06-02T00:00:00Z\nland = 2023-06-02T12:00:00Z'),
                  ('name = "Reva, Rita"\nagency = "RED"\nsegments = ["B"]',
                   'name = "Reva, Rita"\nagency = "RED"\nsegments = ["A"]'),
                  ('name = "Rybak, Ruslan"\nagency = "RED"\nsegments = ["B"]',
                   'name = "Rybak, Ruslan"\nagency = "RED"\nsegments = ["A"]'))
    said = facts(s)
    assert ("COVERAGE", "ST needs 1 B operator aboard at every instant from 2023-01-01") in said
    assert {r for r, _ in said} <= {"COVERAGE", "AVAILABLE", "DOCKED_LIMIT"}


def test_lifeboat(tiny_with):
    """Dragon-1 loses its seats in May: its two people have no lifeboat until they leave."""
    s = tiny_with(('[[agreements]]', '[[events]]\nid = "hit"\nkind = "damage"\nat = 2023-05-01\n'
                                     'flight = "D1"\nseats_lost = 4\n\n[[agreements]]'))
    said = facts(s)
    assert ("LIFEBOAT", "everyone aboard ST needs a usable seat on a docked vehicle "
                        "(D1 lost 4 seat(s) on 2023-05-01)") in said


def test_ports(tiny_with):
    """Dragon-1 holds one IDSS port past Dragon-2's window; the other is out of service."""
    s = tiny_with(('{ id = "p4", interface = "IDSS" }',
                   '{ id = "p4", interface = "IDSS", until = 2023-01-01 }'))
    said = facts(s)
    assert said == [("PORTS", "Dragon-2 (window 2023-05-25..2023-06-08) needs a free IDSS port at ST while "
                              "docked: p2 (held by D1 until 2023-06-10), p4 in service …..2023-01-01")]


def test_a_feasible_scenario_has_no_explanation(tiny):
    """The tiny station plans; nothing to explain."""
    result = plan_scenario(tiny, options=FAST)
    assert result.status == "planned" and not result.facts


def _scope(s):
    from mixedcrew.plan.scope import make_scope

    return make_scope(s)


def test_no_plan_found_with_time_left_is_proven_impossible_and_explained(tiny_with):
    """The search gave up (no plan, no proof) with time left: the answer does not stop there,
    the explanation model proves the conflict and names it."""
    from mixedcrew.plan.model import build
    from mixedcrew.plan.result import Clock, Status
    from mixedcrew.plan.search import Outcome
    from mixedcrew.plan.solve import _no_plan

    s = tiny_with((RED_DRAGON, RED_DRAGON.replace("2020-01-01", "2024-07-15")))
    scope = _scope(s)
    gave_up = Outcome(Status.UNKNOWN, None, (), 1.0)
    result = _no_plan(scope, build(scope), gave_up, FAST, Clock(20), True, 0.0)
    assert result.status == "infeasible"
    assert ("CERT", "RED has certified Crew Dragon only from 2024-07-15") in [
        (f.rule, f.sentence) for f in result.facts]


def test_not_proven_impossible_says_what_was_tried(tiny):
    """A scenario that has plans, where the search found none in time: "unknown", with the
    search and the attempt at a proof named."""
    from mixedcrew.plan.model import build
    from mixedcrew.plan.result import Clock, Status
    from mixedcrew.plan.search import Outcome
    from mixedcrew.plan.solve import _no_plan

    scope = _scope(tiny)
    result = _no_plan(scope, build(scope), Outcome(Status.UNKNOWN, None, (), 1.0), FAST, Clock(10),
                      True, 0.0)
    assert result.status == "unknown"
    assert result.tried[0].startswith("searched for a plan")
    assert "not proven" in result.tried[-1]


def test_people_who_could_never_fly_are_not_in_the_explanation(tiny_with):
    """Orlov, retired before Dragon-2's window, is no fact: training him would not help."""
    s = tiny_with(('{ vehicle_type = "dragon", ready = 2022-01-01 }',
                   '{ vehicle_type = "dragon", ready = 2023-07-01 }'),
                  ('name = "Orlov, Oleg"', 'name = "Orlov, Oleg"\navailable = { until = 2023-05-01 }'))
    said = facts(s)
    assert ("TRAINED", "Rybak is trained on Crew Dragon only from 2023-07-01") in said
    assert not [x for x in said if "Orlov" in x[1]]


def test_names_are_unambiguous_where_surnames_clash(tiny_with):
    """Two Rybaks: each named with the given name."""
    s = tiny_with(('{ vehicle_type = "dragon", ready = 2022-01-01 }',
                   '{ vehicle_type = "dragon", ready = 2023-07-01 }'),
                  ('name = "Reva, Rita"', 'name = "Rybak, Rita"'))
    said = facts(s)
    assert ("TRAINED", "Rita Rybak is trained on Crew Dragon only from 2023-07-01") in said
    assert ("TRAINED", "Ruslan Rybak is trained on Crew Dragon only from 2023-07-01") in said


def test_an_explanation_not_shrunk_in_time_says_so_and_puts_people_last(tiny_with):
    """With no time to shrink, the set is proven impossible but not minimal; facts about one
    person come after flights, agreements and stations."""
    from mixedcrew.plan.explain import PERSON_RULES, explain_infeasible

    s = tiny_with(('{ vehicle_type = "dragon", ready = 2022-01-01 }',
                   '{ vehicle_type = "dragon", ready = 2023-07-01 }'))
    done = explain_infeasible(_scope(s), budget=0.0)
    assert done.proven and not done.minimal
    kinds = [f.rule in PERSON_RULES for f in done.facts]
    assert kinds == sorted(kinds)


def test_a_lifeboat_fact_cites_only_damage_in_force():
    """In 2026-2030, MS-22's 2022 leak is no longer a fact about lifeboat seats."""
    from tests.plan.forward import iss_forward

    from mixedcrew.plan.constraints import _damage_in_force
    from mixedcrew.plan.model import build

    ctx = build(_scope(iss_forward(2)))
    assert not [e for e in _damage_in_force(ctx, "ISS") if e.flight == "MS22"]


def test_a_search_that_gave_up_early_searches_again_with_the_time_left(tiny, monkeypatch):
    """The first search stops without a plan, the explanation finds no conflict: with time
    still left the planner searches again, and the plan it finds passes the checker."""
    import mixedcrew.plan.solve as solve
    from mixedcrew.plan.result import Status
    from mixedcrew.plan.search import Outcome

    real, calls = solve.solve_levels, []

    def first_gives_up(*args, **kwargs):
        calls.append(1)
        return Outcome(Status.UNKNOWN, None, (), 0.1) if len(calls) == 1 else real(*args, **kwargs)

    monkeypatch.setattr(solve, "solve_levels", first_gives_up)
    result = plan_scenario(tiny, options=FAST)
    assert len(calls) == 2
    assert result.status == "planned" and not result.new_violations
