"""Fairness by totals (tactics.by_caps) and the new level variables worked out from their
constraints (hints.derive)."""

from __future__ import annotations

import itertools
import math
import time

import pytest
from ortools.sat.python import cp_model

from mixedcrew.plan import SolveOptions, plan_scenario
from mixedcrew.plan.generate import generate_scenario
from mixedcrew.plan.greedy import greedy_plan
from mixedcrew.plan.hints import complete_hint, derive, evaluate, hint_from_plan
from mixedcrew.plan.model import build
from mixedcrew.plan.objective import pending_levels
from mixedcrew.plan.scope import make_scope
from mixedcrew.plan.tactics import CAPS_VECTORS, _cap_vectors


def test_cap_vectors_are_every_split_of_the_total_nearest_the_best_plan_first():
    """Each vector stays inside its entries' bounds and sums to the total; those that raise no
    entry above the best plan's come first, then the nearest."""
    vectors = _cap_vectors([1, 0, 2], [3, 3, 3], 4, [1, 2, 2])
    assert vectors == [(1, 1, 2), (1, 0, 3), (2, 0, 2)]
    assert _cap_vectors([1, 1], [1, 1], 3, [1, 1]) == []
    for lo, hi, total in (([0, 0, 1, 0], [3, 2, 4, 3], 5), ([1, 0, 2], [5, 5, 5], 6)):
        every = {c for c in itertools.product(*(range(a, b + 1) for a, b in zip(lo, hi, strict=True)))
                 if sum(c) == total}
        found = _cap_vectors(lo, hi, total, hi)
        assert len(found) == len(set(found)) and set(found) <= every
        assert set(found) == every or len(found) == CAPS_VECTORS + 1  # all, or more than enough
    assert len(_cap_vectors([0] * 5, [9] * 5, 9, [0] * 5)) == CAPS_VECTORS + 1


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
    """On a one-station two-year scenario the agencies' floors sum to less than the optimum: by_caps proves
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
    monkeypatch.setattr(tactics, "by_caps", lambda ctx, level, opts, values, bound, *_: (values, bound))
    alone = {lv.name: lv for lv in plan_scenario(s, options=opts).levels}["fairness"]
    assert alone.optimal and alone.value == fair.value


@pytest.fixture
def fairness_at_greedy():
    """The model of a one-station two-year scenario with fairness built, every variable valued
    by greedy's plan; and the level."""
    s = generate_scenario(1, 2, 40, seed=0)
    ctx = build(make_scope(s))
    full = complete_hint(ctx, hint_from_plan(ctx, greedy_plan(s)), 10, 0)
    assert full is not None
    level = next(p for p in pending_levels(ctx) if p.name == "fairness").build(ctx)
    full = complete_hint(ctx, {ctx.model.get_int_var_from_proto_index(k): v
                               for k, v in enumerate(full)}, 10, 0)
    assert full is not None
    floors = sum(list(ctx.model.proto.variables[v.index].domain)[0] for v, _ in level.terms)
    assert evaluate(level.expr, full) > floors + 2, "room for three totals below greedy's"
    return ctx, level, full, floors


def _scripted(monkeypatch, answer):
    """by_caps's probes answered by answer(kind, total) -> status, kind "sum" or "caps", no
    plan ever found. Returns the list of (kind, total) asked."""
    import mixedcrew.plan.tactics as tactics

    asked: list[tuple[str, int]] = []

    def probe(ctx, objective, caps, opts, hint, seconds, **kw):
        kind = "sum" if len(caps) == 1 else "caps"
        total = caps[0][1] if kind == "sum" else sum(c for _, c in caps)
        asked.append((kind, total))
        return None, answer(kind, total), -math.inf

    monkeypatch.setattr(tactics, "probe", probe)
    return asked


def _by_caps(ctx, level, full, seconds=0.5):
    import mixedcrew.plan.tactics as tactics

    return tactics.by_caps(ctx, level, SolveOptions(), full, -math.inf, time.monotonic() + seconds)


def test_totals_never_claim_a_bound_no_probe_proved(monkeypatch, fairness_at_greedy):
    """When no probe decides anything (as when time runs out), by_caps keeps the plan it was
    given and the floors' sum as the bound, and adds nothing to the model."""
    ctx, level, full, floors = fairness_at_greedy
    asked = _scripted(monkeypatch, lambda kind, total: cp_model.UNKNOWN)
    constraints = len(ctx.model.proto.constraints)
    values, bound = _by_caps(ctx, level, full)
    assert asked and {total for _, total in asked} == {floors}
    assert values == full
    assert bound == floors * level.terms[0][1]
    assert len(ctx.model.proto.constraints) == constraints


def test_a_total_is_proven_by_every_vector_or_by_the_sum_alone(monkeypatch, fairness_at_greedy):
    """Every vector of the floors' total impossible: the next total; there the sum's probe
    proves it impossible with no vector asked; at the one after, nothing is decided. The bound
    is the floors' sum + 2, and the model gets it as a constraint."""
    ctx, level, full, floors = fairness_at_greedy

    def answer(kind, total):
        if total == floors or (kind == "sum" and total == floors + 1):
            return cp_model.INFEASIBLE
        return cp_model.UNKNOWN

    asked = _scripted(monkeypatch, answer)
    values, bound = _by_caps(ctx, level, full)
    w = level.terms[0][1]
    assert values == full and bound == w * (floors + 2)
    assert ("caps", floors) in asked and ("sum", floors) not in asked  # one question there
    assert [k for k, total in asked if total == floors + 1] == ["sum"]
    last = ctx.model.proto.constraints[len(ctx.model.proto.constraints) - 1]
    assert last.has_linear() and list(last.linear.domain)[0] == w * (floors + 2)


def test_every_vector_impossible_proves_the_total_whatever_the_sum_says(monkeypatch,
                                                                        fairness_at_greedy):
    """At the total after the floors', the sum's probe proves nothing but every vector is
    impossible: the total is proven all the same."""
    ctx, level, full, floors = fairness_at_greedy

    def answer(kind, total):
        if kind == "caps" and total <= floors + 1:
            return cp_model.INFEASIBLE
        return cp_model.UNKNOWN

    asked = _scripted(monkeypatch, answer)
    _, bound = _by_caps(ctx, level, full)
    assert bound == level.terms[0][1] * (floors + 2)
    assert ("sum", floors + 1) in asked
    assert len([1 for k, total in asked if (k, total) == ("caps", floors + 1)]) == len(
        _cap_vectors([list(ctx.model.proto.variables[v.index].domain)[0] for v, _ in level.terms],
                     [list(ctx.model.proto.variables[v.index].domain)[-1] for v, _ in level.terms],
                     floors + 1, [full[v.index] for v, _ in level.terms]))


def test_too_many_vectors_at_a_total_stop_the_totals(monkeypatch, fairness_at_greedy):
    """More than CAPS_VECTORS vectors at the next total: nothing is asked, the bound is the
    floors' sum."""
    import mixedcrew.plan.tactics as tactics

    ctx, level, full, floors = fairness_at_greedy
    asked = _scripted(monkeypatch, lambda kind, total: cp_model.INFEASIBLE)
    monkeypatch.setattr(tactics, "CAPS_VECTORS", 0)
    assert _by_caps(ctx, level, full) == (full, level.terms[0][1] * floors)
    assert asked == []


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
