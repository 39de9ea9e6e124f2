"""How the levels are solved at scale: fairness floors, narrowed instants, probes below the best."""

from __future__ import annotations

from ortools.sat.python import cp_model

from mixedcrew.plan.generate import generate_scenario
from mixedcrew.plan.greedy import greedy_plan
from mixedcrew.plan.hints import complete_hint, evaluate, hint_from_plan
from mixedcrew.plan.model import build
from mixedcrew.plan.objective import forced_rides, pending_levels, span
from mixedcrew.plan.result import SolveOptions
from mixedcrew.plan.scope import make_scope
from mixedcrew.plan.search import solve_level
from mixedcrew.plan.tactics import by_terms, narrow_instants, pin_terms, probe


def _fixed_up_to(name: str, seed: int = 0):
    """The model of a generated two-station year, started from greedy's plan, with every level
    before `name` fixed at greedy's value; and the level `name`, built then."""
    s = generate_scenario(2, 1, 40, seed=seed)
    ctx = build(make_scope(s))
    pending = pending_levels(ctx)
    names = [p.name for p in pending]
    before = [p.build(ctx) for p in pending[: names.index(name)]]
    full = complete_hint(ctx, hint_from_plan(ctx, greedy_plan(s)), 10, 0)
    assert full is not None, "greedy's plan lies inside the model"
    for level in before:
        ctx.model.add(level.expr <= evaluate(level.expr, full))
    ctx.solved = before  # type: ignore[attr-defined]  # the levels fixed, for the tests below
    return s, ctx, pending[names.index(name)], full


def test_forced_rides_count_seats_only_one_agency_can_fill_and_certain_quotas():
    """Heron seats only ORBIT people fill; each Sokol rotation owes BLUE a seat and each Kestrel
    rotation RED one (the agreement covers every launch); GREEN is owed nothing."""
    s = generate_scenario(2, 2, 60, seed=0)
    ctx = build(make_scope(s))
    forced = forced_rides(ctx)
    planned = ctx.scope.planned
    assert forced["ORBIT"] == sum(s.seats_of(f) for f in planned if f.vehicle_type == "heron")
    assert forced["BLUE"] == sum(1 for f in planned if f.vehicle_type == "sokol" and f.kind == "rotation")
    assert forced["RED"] == sum(1 for f in planned if f.vehicle_type == "kestrel" and f.kind == "rotation")
    assert forced.get("GREEN", 0) == 0


def test_narrowing_only_drops_values_no_plan_uses():
    """With balance and timing fixed, presolve narrows launches and stays around their targets;
    every narrowed domain lies inside the old one and keeps the incumbent's value."""
    _, ctx, _, full = _fixed_up_to("fairness")
    times = [t for t in ctx.v.times.values() if t.stay_steps is not None]
    before = {id(t): span(ctx, t.undock.expr) for t in times}
    narrow_instants(ctx, full, seed=0)
    narrower = 0
    for t in times:
        lo, hi = span(ctx, t.undock.expr)
        old = before[id(t)]
        assert old[0] <= lo <= evaluate(t.undock.expr, full) <= hi <= old[1]
        narrower += (hi - lo) < (old[1] - old[0])
    assert narrower == len(times)


def test_a_probe_below_the_optimum_proves_it():
    """Fairness solved to its optimum; a probe capped one below finds nothing, one at it finds a plan."""
    _, ctx, pending, full = _fixed_up_to("fairness")
    level = pending.build(ctx)
    full = complete_hint(ctx, {ctx.model.get_int_var_from_proto_index(k): v
                               for k, v in enumerate(full)}, 10, 0)
    ctx.model.minimize(level.expr)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.max_time_in_seconds = 20
    assert solver.solve(ctx.model) == cp_model.OPTIMAL
    best = int(solver.objective_value)

    found, status, _ = probe(ctx, level.expr, [(level.expr, best - 1)], SolveOptions(), full, 10,
                              richer=True)
    assert status == cp_model.INFEASIBLE and found is None
    found, status, bound = probe(ctx, level.expr, [(level.expr, best)], SolveOptions(), full, 10,
                                  richer=True)
    assert found is not None and evaluate(level.expr, found) == best == bound


def test_terms_are_lowered_and_bounded_one_at_a_time():
    """Fairness is a sum of one term per agency (its busiest); lowering each with the others
    held never worsens greedy's plan, and the floors' sum never passes the optimum."""
    _, ctx, pending, full = _fixed_up_to("fairness")
    level = pending.build(ctx)
    assert {v.name for v, _ in level.terms} >= {"busiest[ORBIT]", "busiest[BLUE]", "busiest[RED]"}
    full = complete_hint(ctx, {ctx.model.get_int_var_from_proto_index(k): v
                               for k, v in enumerate(full)}, 10, 0)
    greedy = evaluate(level.expr, full)
    import time


    values, bound = by_terms(ctx, level, SolveOptions(), full, 0, time.monotonic() + 20)
    ours = evaluate(level.expr, values)
    ctx.model.minimize(level.expr)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.max_time_in_seconds = 20
    assert solver.solve(ctx.model) == cp_model.OPTIMAL
    assert bound <= solver.objective_value <= ours <= greedy


def test_pinned_timing_terms_get_floors_every_plan_keeps():
    """After timing is fixed, the terms the best plan has off target get floors (the stays of
    the flights docked at the horizon cannot land on the grid exactly); no floor passes the
    plan's own value, so the plan stays feasible."""

    _, ctx, _, full = _fixed_up_to("fairness")
    timing = next(lv for lv in ctx.solved if lv.name == "timing")
    assert len(timing.groups) == 2, "one group of terms per station"
    pin_terms(ctx, [timing], full, SolveOptions(), 10)
    floors = [list(ctx.model.proto.variables[v.index].domain)[0] for v, _ in timing.terms]
    assert all(f <= full[v.index] for f, (v, _) in zip(floors, timing.terms, strict=True))
    assert sum(1 for f in floors if f > 0) >= 2


def test_a_level_the_starting_plan_holds_at_its_floor_is_proven_without_the_solver():
    """Balance at 0 in greedy's plan is the least its expression can take (a sum of absolute
    gaps): the level is optimal with no solver call; timing above its floor is not."""
    import mixedcrew.plan.search as search

    _, ctx, _, full = _fixed_up_to("balance")
    pending = {p.name: p for p in pending_levels(ctx)}
    balance, timing = pending["balance"].build(ctx), pending["timing"].build(ctx)
    full = complete_hint(ctx, {ctx.model.get_int_var_from_proto_index(k): v
                               for k, v in enumerate(full)}, 10, 0)
    assert evaluate(balance.expr, full) == span(ctx, balance.expr)[0] == 0
    result = search._at_floor(ctx, balance, full)
    assert result is not None and result.optimal and result.value == result.bound == 0
    assert evaluate(timing.expr, full) > span(ctx, timing.expr)[0]
    assert search._at_floor(ctx, timing, full) is None


def test_fairness_left_unproven_by_the_totals_goes_to_the_portfolio(monkeypatch):
    """Fairness is a portfolio level: when the totals' probes (by_caps) leave it unproven, the
    next call is CP-SAT's interleaved portfolio on one worker, from by_caps's best plan; other
    levels make one default call. The plan is still optimal on every level, keeps every rule,
    and comes out the same twice."""
    import mixedcrew.plan.tactics as tactics
    from mixedcrew.plan import plan_scenario

    calls: list[tuple[str, bool, list[int] | None]] = []
    given: list[list[int]] = []
    real = tactics._minimise

    def spy(ctx, level, opts, seconds, hint, started, portfolio):
        calls.append((level.name, portfolio, hint))
        return real(ctx, level, opts, seconds, hint, started, portfolio)

    def undecided(ctx, level, opts, values, bound, *_):
        given.append(values)  # as where every probe runs out of time: nothing proven
        return values, bound

    monkeypatch.setattr(tactics, "_minimise", spy)
    monkeypatch.setattr(tactics, "by_caps", undecided)
    s = generate_scenario(2, 2, 60, seed=0)
    opts = SolveOptions(time_limit=60, workers=1)
    first = plan_scenario(s, options=opts)
    fair = [(p, hint) for name, p, hint in calls if name == "fairness"]
    assert len(given) == 1 and fair and fair[0] == (True, given[0]), (
        "the portfolio starts from by_caps's plan")
    assert all(not p for name, p, _ in calls if name != "fairness")
    assert first.status == "planned" and not first.new_violations
    assert all(lv.optimal for lv in first.levels)
    calls.clear()
    given.clear()
    assert plan_scenario(s, options=opts).plan == first.plan


def test_a_portfolio_solver_interleaves_on_one_worker_only_when_asked():
    """One worker searches with CP-SAT's single default strategy unless the level asks for the
    portfolio; more workers interleave when deterministic, as before."""
    from mixedcrew.plan.tactics import solver_for

    assert not solver_for(SolveOptions(workers=1), 1.0).parameters.interleave_search
    assert solver_for(SolveOptions(workers=1), 1.0, portfolio=True).parameters.interleave_search
    assert solver_for(SolveOptions(workers=2), 1.0).parameters.interleave_search
    assert solver_for(SolveOptions(workers=1), 1.0, portfolio=True).parameters.num_workers == 1


def test_group_floors_bound_timing_and_never_pass_its_optimum():
    """Timing's terms fall in one group per station; probing each station's sum one second
    below greedy's gives floors whose sum never passes the optimum (CP-SAT's, solved here),
    keeps a plan no worse than greedy's, and records each proven floor."""
    import math
    import time

    from mixedcrew.plan.tactics import by_groups

    _, ctx, pending, full = _fixed_up_to("timing")
    level = pending.build(ctx)
    assert len(level.groups) == 2, "one group of terms per station"
    full = complete_hint(ctx, {ctx.model.get_int_var_from_proto_index(k): v
                               for k, v in enumerate(full)}, 10, 0)
    greedy = evaluate(level.expr, full)
    values, bound = by_groups(ctx, level, SolveOptions(), full, -math.inf, time.monotonic() + 20)
    assert evaluate(level.expr, values) <= greedy
    assert ctx.floors, "at least one station's sum is proven at its value"
    for key, floor in ctx.floors.items():
        group = next(g for g in level.groups
                     if tuple(sorted(level.terms[i][0].index for i in g)) == key)
        assert floor == evaluate(sum(level.terms[i][1] * level.terms[i][0] for i in group), values)
    ctx.model.minimize(level.expr)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.max_time_in_seconds = 30
    assert solver.solve(ctx.model) == cp_model.OPTIMAL, "the proven floors keep every plan"
    assert bound <= solver.objective_value <= evaluate(level.expr, values)
    assert bound > 0, "some station's timing is proven above zero"


_SOLVE_LEVEL = solve_level


def _shares(monkeypatch, heavy_model: int) -> dict[str, float]:
    """Each level's share of the time, as solve_levels hands it to solve_level, and the time left then."""
    import mixedcrew.plan.search as search
    from mixedcrew.plan import plan_scenario

    seen: dict[str, float] = {}
    real = _SOLVE_LEVEL  # not search.solve_level: a second call would wrap the first spy

    def spy(ctx, level, opts, share, best, started):  # type: ignore[no-untyped-def]
        seen[level.name] = share
        return real(ctx, level, opts, share, best, started)

    monkeypatch.setattr(search, "solve_level", spy)
    monkeypatch.setattr(search, "HEAVY_MODEL", heavy_model)
    plan_scenario(generate_scenario(1, 2, 40, seed=0), options=SolveOptions(time_limit=60, workers=1))
    return seen


def test_on_a_heavy_model_fairness_gets_three_quarters_of_what_it_shares_with_overlap(monkeypatch):
    """Time left is split evenly over the levels left, except on a model above HEAVY_MODEL
    variables, where fairness gets 3/4 of its and overlap's time (timing's share unchanged)."""
    even = _shares(monkeypatch, heavy_model=10**9)
    heavy = _shares(monkeypatch, heavy_model=0)
    # timing's share is a third of the time left in both (60 s less the little spent before it)
    assert abs(even["timing"] - heavy["timing"]) < 1.0 and 18 < heavy["timing"] < 20.1
    # fairness: half of the time left after timing, or three quarters of it
    assert 27 < even["fairness"] < 30.1 and 40 < heavy["fairness"] < 45.1
    assert abs(heavy["fairness"] / even["fairness"] - 1.5) < 0.05
