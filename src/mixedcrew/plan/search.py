"""The lexicographic search: each objective level minimised in turn, inside the time left.

A level is built when its turn comes (on the domains the levels before it
left), solved by the tactics of tactics.py inside its share of the time
(the time left over the levels left, so a level that proves its optimum
early leaves its time to the next), and its value becomes an upper bound.
The incumbent (every variable's value) is kept whenever the solver does
not beat it, so a level never makes the plan worse.
"""

from __future__ import annotations

from dataclasses import dataclass

from ortools.sat.python import cp_model

from mixedcrew.plan.context import Context
from mixedcrew.plan.hints import evaluate, extend
from mixedcrew.plan.objective import Level, Pending, span
from mixedcrew.plan.result import Clock, LevelResult, SolveOptions, Status
from mixedcrew.plan.tactics import PINNED, narrow_instants, pin_terms, solve_level

# Without a starting plan, the first level's search for any plan gets this share of the time
# left; the rest is for the levels after it, or for proving that no plan exists.
FIRST_PLAN_SHARE = 0.5
AUXILIARY_SHARE = 0.1  # completing a hint or narrowing domains: at most this share of the time left
AUXILIARY_MAX = 5.0  # and at most this many seconds
NARROW_SHARE = 0.25  # narrowing (a presolve) only while this share of the time limit is left
# How much of the time left a level gets, against the levels after it (1 each unless named),
# on a model of more than HEAVY_MODEL variables. There fairness's proof by totals is where
# the time goes, and overlap, after it, takes a second or two (but on the 200-flight
# instance): so of the time they share fairness gets 3/4, not 1/2 (overlap also gets what
# fairness leaves). Their sum stays 2, so the levels before them keep their shares. On the
# 3-station instance (30,792 variables), on a day the machine was slow, fairness then ended
# optimal instead of at a 33% gap. Below it the even split stays: on 40 flights (5,124
# variables) fairness took 4.8 s with 3/4 against 3.9 s.
LEVEL_WEIGHTS = {"fairness": 1.5, "overlap": 0.5}
HEAVY_MODEL = 20_000


@dataclass(frozen=True)
class Outcome:
    status: Status  # PLANNED, INFEASIBLE (proven) or UNKNOWN (nothing found in time)
    values: list[int] | None
    levels: tuple[LevelResult, ...]
    searched: float  # seconds spent
    not_reached: tuple[str, ...] = ()  # levels left unsolved when the time ran out


def _auxiliary(clock: Clock) -> float:
    return min(AUXILIARY_MAX, clock.share(AUXILIARY_SHARE))


def solve_levels(ctx: Context, pending: list[Pending], opts: SolveOptions, clock: Clock,
                 best: list[int] | None) -> Outcome:
    """Every level in order from the incumbent `best` (None: no starting plan)."""
    started = clock.elapsed()
    results: list[LevelResult] = []
    for i, p in enumerate(pending):
        if p.narrows and i > 0 and best is not None and clock.left() >= NARROW_SHARE * opts.time_limit:
            # presolve of a large model can outrun its own limit: only with time to spare
            narrow_instants(ctx, best, opts.seed, _auxiliary(clock))
        before = len(ctx.model.proto.constraints)
        level = p.build(ctx)
        if best is not None and len(best) < len(ctx.model.proto.variables):
            # the new level's own variables
            full = extend(ctx, best, _auxiliary(clock), opts.seed, since=before)
            if full is None:  # no time to complete it: the plan so far stands, levels not reached
                return Outcome(Status.PLANNED, best, tuple(results), clock.elapsed() - started,
                               tuple(q.name for q in pending[i:]))
            best = full
        floor = None if best is None else _at_floor(ctx, level, best)
        if floor is not None:
            results.append(floor)  # the incumbent is at the level's least value: no solve
            _fix(ctx, level, floor)
            if opts.progress:
                opts.progress(level.name, clock.elapsed(), floor.value, floor.bound)
            continue
        heavy = len(ctx.model.proto.variables) > HEAVY_MODEL
        share = clock.left() * _weight(p.name, heavy) / sum(_weight(q.name, heavy) for q in pending[i:])
        if best is None:
            share = max(share, clock.share(FIRST_PLAN_SHARE))
        done = solve_level(ctx, level, opts, share, best, clock.started)
        if done is not None and done[0] == cp_model.INFEASIBLE:
            return Outcome(Status.INFEASIBLE, None, tuple(results), clock.elapsed() - started)
        kept = None if best is None else evaluate(level.expr, best)
        if done is None and kept is None:
            return Outcome(Status.UNKNOWN, None, tuple(results), clock.elapsed() - started,
                           tuple(q.name for q in pending[i:]))
        if done is None or (kept is not None and kept <= done[2].value):
            # the solver did not beat the incumbent: keep it (it satisfies every level so far)
            bound = done[2].bound if done else float("-inf")
            result = LevelResult(level.name, level.unit, kept or 0, bound,
                                 done is not None and done[2].optimal,
                                 done[2].seconds if done else 0.0)
        else:
            best, result = done[1], done[2]
        results.append(result)
        _fix(ctx, level, result)
        if level.name in PINNED and best is not None and any(q.narrows for q in pending[i + 1:]):
            # while the model is no harder than this level: later levels only add bounds
            pin_terms(ctx, [level], best, opts, clock.left() / (len(pending) - i - 1) / 2)
    return Outcome(Status.PLANNED, best, tuple(results), clock.elapsed() - started)


def _weight(level: str, heavy: bool) -> float:
    """The level's weight in the split of the time left (LEVEL_WEIGHTS, on heavy models)."""
    return LEVEL_WEIGHTS.get(level, 1.0) if heavy else 1.0


def _at_floor(ctx: Context, level: Level, best: list[int]) -> LevelResult | None:
    """The level proven optimal without the solver when the incumbent reaches the least value
    its expression takes over the variables' domains (disruption or balance at 0: a starting
    plan often has it), else None."""
    value = evaluate(level.expr, best)
    if value > span(ctx, level.expr)[0]:
        return None
    return LevelResult(level.name, level.unit, value, value, True, 0.0)


def _fix(ctx: Context, level: Level, result: LevelResult) -> None:
    """The level's value becomes an upper bound for the levels after it."""
    if not isinstance(level.expr, int):
        ctx.model.add(level.expr <= result.value)
