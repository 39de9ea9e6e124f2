"""Fairness by totals (tactics.by_caps) and the new level variables worked out from their
constraints (hints.derive)."""

from __future__ import annotations

import math

from ortools.sat.python import cp_model

from mixedcrew.plan import SolveOptions, plan_scenario
from mixedcrew.plan.generate import generate_scenario
from mixedcrew.plan.greedy import greedy_plan
from mixedcrew.plan.hints import complete_hint, derive, evaluate, hint_from_plan
from mixedcrew.plan.model import build
from mixedcrew.plan.objective import pending_levels
from mixedcrew.plan.scope import make_scope
from mixedcrew.plan.tactics import _cap_vectors


def test_cap_vectors_are_every_split_of_the_total_nearest_the_best_plan_first():
    """Each vector stays inside its entries' bounds and sums to the total; those that raise no
    entry above the best plan's come first, then the nearest."""
    vectors = _cap_vectors([1, 0, 2], [3, 3, 3], 4, [1, 2, 2])
    assert vectors == [(1, 1, 2), (1, 0, 3), (2, 0, 2)]
    assert _cap_vectors([1, 1], [1, 1], 3, [1, 1]) == []


def _fairness_spy(monkeypatch, calls):
    import mixedcrew.plan.tactics as tactics

    real = tactics.by_caps

    def spy(ctx, level, opts, values, bound, deadline):
        floors = sum(list(ctx.model.proto.variables[v.index].domain)[0] for v, _ in level.terms)
        got = real(ctx, level, opts, values, bound, deadline)
        calls.append((floors, evaluate(level.expr, got[0]), got[1]))
        return got

    monkeypatch.setattr(tactics, "by_caps", spy)


def test_fairness_above_its_floors_is_proven_by_totals_and_is_the_same_optimum(monkeypatch):
    """On a one-station year the agencies' floors sum to less than the optimum: by_caps proves
    each total below impossible and finds a plan at the least one; its bound is the plan's
    value. Without it (the minimisation alone) the optimum is the same; the plan keeps every
    rule and comes back the same twice."""
    import mixedcrew.plan.tactics as tactics

    s = generate_scenario(1, 2, 40, seed=0)
    opts = SolveOptions(time_limit=60, workers=1)
    calls: list[tuple[int, int, float]] = []
    _fairness_spy(monkeypatch, calls)
    first = plan_scenario(s, options=opts)
    fair = {lv.name: lv for lv in first.levels}["fairness"]
    assert len(calls) == 1
    floors, value, bound = calls[0]
    assert floors < value == bound == fair.value and fair.optimal
    assert first.status == "planned" and not first.new_violations
    assert plan_scenario(s, options=opts).plan == first.plan
    monkeypatch.setattr(tactics, "by_caps", lambda ctx, level, opts, values, bound, deadline: (
        values, bound))
    alone = {lv.name: lv for lv in plan_scenario(s, options=opts).levels}["fairness"]
    assert alone.optimal and alone.value == fair.value


def test_totals_never_claim_a_bound_no_probe_proved(monkeypatch):
    """When no probe decides anything (as when time runs out), by_caps keeps the plan it was
    given and the floors' sum as the bound, and adds nothing to the model."""
    import mixedcrew.plan.tactics as tactics

    s = generate_scenario(1, 2, 40, seed=0)
    ctx = build(make_scope(s))
    full = complete_hint(ctx, hint_from_plan(ctx, greedy_plan(s)), 10, 0)
    assert full is not None
    level = next(p for p in pending_levels(ctx) if p.name == "fairness").build(ctx)
    full = complete_hint(ctx, {ctx.model.get_int_var_from_proto_index(k): v
                               for k, v in enumerate(full)}, 10, 0)
    assert full is not None
    monkeypatch.setattr(tactics, "probe", lambda *a, **k: (None, cp_model.UNKNOWN, -math.inf))
    constraints = len(ctx.model.proto.constraints)
    floors = sum(list(ctx.model.proto.variables[v.index].domain)[0] for v, _ in level.terms)
    assert evaluate(level.expr, full) > floors
    import time

    values, bound = tactics.by_caps(ctx, level, SolveOptions(), full, -math.inf, time.monotonic() + 5)
    assert values == full
    assert bound == floors * level.terms[0][1]
    assert len(ctx.model.proto.constraints) == constraints


def test_level_variables_worked_out_from_their_constraints_match_the_solver():
    """Each level's own variables (|x| of timing, each agency's busiest, overlap's ends), as
    derive works them out from the plan so far, are the values the solver's completion gives;
    a new variable under a constraint of another kind is left to the solver."""
    s = generate_scenario(2, 1, 40, seed=0)
    ctx = build(make_scope(s))
    full = complete_hint(ctx, hint_from_plan(ctx, greedy_plan(s)), 10, 0)
    assert full is not None
    derived_levels = 0
    for p in pending_levels(ctx):
        before = len(ctx.model.proto.constraints)
        p.build(ctx)
        if len(full) == len(ctx.model.proto.variables):
            continue
        fixed = {ctx.model.get_int_var_from_proto_index(k): v for k, v in enumerate(full)}
        solver = complete_hint(ctx, fixed, 10, 0)
        ours = derive(ctx.model.proto, full, before)
        assert solver is not None and ours == solver, p.name
        derived_levels += 1
        full = ours
    assert derived_levels >= 3
    before = len(ctx.model.proto.constraints)
    extra = ctx.model.new_bool_var("x")
    ctx.model.add_bool_or([extra])
    assert derive(ctx.model.proto, full, before) is None
