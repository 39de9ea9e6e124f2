"""A starting plan: the greedy plan, else (for large scenarios) a rolling plan, as a hint.

CP-SAT finds a first plan for a few dozen flights slowly from nothing. The
greedy baseline (greedy.py) gives one in seconds when it breaks no rule; it
runs inside its share of the time limit and stops there (flights it did not
reach are left to the solver; for WARM_ABOVE open flights or fewer, a plan
it did not finish is not used: CP-SAT starts from nothing there). When the
model refuses the greedy plan, the rolling plan fills the open flights a chunk at a time in window order, each
chunk planned on top of the previous one (flights docked at a chunk's end
get their undock in the next chunk), with only the first levels of the
objective. Either plan, completed by propagation in a copy of the full
model, is the full model's hint: the lexicographic solve starts from a
feasible plan and improves it.
"""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import datetime
from functools import partial

from mixedcrew.domain import Flight, Scenario
from mixedcrew.plan.context import Context
from mixedcrew.plan.extract import to_scenario
from mixedcrew.plan.greedy import greedy_plan
from mixedcrew.plan.hints import complete_hint, evaluate, hint_from_plan
from mixedcrew.plan.model import build
from mixedcrew.plan.objective import pending_levels
from mixedcrew.plan.result import Clock, SolveOptions, Status
from mixedcrew.plan.scope import Reference, Scope, launch_range, make_scope
from mixedcrew.plan.search import solve_levels

CHUNK = 12  # open flights in one chunk of the rolling plan
# above this many open flights a greedy plan the model refuses gives way to the rolling plan;
# at or below it, to CP-SAT's own search from nothing, which is faster there (the forward ISS,
# 21 open flights: 11 s from nothing, 42 s after a greedy plan the model refused)
WARM_ABOVE = 24
CHUNK_LEVELS = ("disruption", "balance", "timing")
GREEDY_SHARE = 0.3  # of the time limit: the greedy plan (counted once the model is built) ...
GREEDY_OF_LEFT = 0.5  # ... and at most this share of the time left
# what greedy gets at or below WARM_ABOVE open flights: a unit per try and per flight or
# assignment its checks read (about 0.1 s on the forward ISS, whose checks read 12-25 us a
# unit), so that it stops at the same flight on any machine and under any load (a wall-clock
# 0.1 s gave another plan under load)
SMALL_GREEDY_WORK = 5000
COMPLETE_SHARE = 0.1  # of the time limit: completing a plan into every variable's value
ROLLING_SHARE = 0.5  # of the time limit, counted from the start: greedy and rolling together


def starting_plan(ctx: Context, opts: SolveOptions, clock: Clock, now: datetime | None,
                  reference: Reference | None) -> list[int] | None:
    """Every variable's value in a plan the model accepts, or None: the greedy plan when the
    model accepts it, else, above WARM_ABOVE open flights, the rolling chunk-by-chunk plan.

    At or below it CP-SAT finds a first plan faster than the rolling plan does, but slower
    than a greedy plan that comes at once (10 flights: 0.03 s against 0.18 s); so greedy gets
    SMALL_GREEDY_WORK there, and a plan it has not finished with that is not used (the
    forward ISS, 21 open flights over a 26-year history: greedy takes 24 s, CP-SAT plans it in
    3 s from nothing). That budget is work, not seconds: the same plan on any machine."""
    limit = opts.time_limit
    small = len(ctx.scope.planned) <= WARM_ABOVE
    # with a work limit the same plan on any machine comes first: greedy then runs to its end
    # (to its budget of work at or below WARM_ABOVE open flights, always)
    deadline = None if opts.work_limit is not None or small else time.monotonic() + min(
        limit * GREEDY_SHARE, clock.share(GREEDY_OF_LEFT))
    greedy = greedy_plan(ctx.s, ctx.scope.horizon, now=now, deadline=deadline,
                         work=SMALL_GREEDY_WORK if small else None)
    if small and any(greedy.flight_by_id[f.id].launch is None for f in ctx.scope.planned
                     if f.id in greedy.flight_by_id):
        return None  # stopped when its work ran out
    full = complete_hint(ctx, hint_from_plan(ctx, greedy), min(limit * COMPLETE_SHARE, clock.left()),
                         opts.seed)
    if full is not None or small:
        return full
    budget = limit * ROLLING_SHARE - clock.elapsed()
    rolled = rolling_plan(ctx.s, ctx.scope.horizon, now, reference, opts, budget)
    if rolled is None:
        return None
    return complete_hint(ctx, hint_from_plan(ctx, rolled), min(limit * COMPLETE_SHARE, clock.left()),
                         opts.seed)


def rolling_plan(s: Scenario, until: datetime, now: datetime | None, reference: Reference | None,
                 opts: SolveOptions, seconds: float) -> Scenario | None:
    """The scenario planned chunk by chunk up to `until`, or None if a chunk fails."""
    scope = make_scope(s, until, now=now, reference=reference)
    flights = sorted(scope.planned, key=lambda f: _first_launch(scope, f))
    cuts = [f.window.start for f in flights[CHUNK::CHUNK] if f.window and f.window.start]
    cuts = [c for c in cuts if c < until] + [until]
    clock = Clock(seconds)
    # one worker: deterministic without interleaving, which is slow on small time slices
    sub = replace(opts, workers=1, progress=None)
    current = s
    for i, cut in enumerate(cuts):
        if clock.left() <= 0:
            return None
        chunk = make_scope(current, cut, now=now if i == 0 else None, reference=reference)
        if not chunk.planned and not chunk.partial and not chunk.returns:
            continue
        ctx = build(chunk)
        part = Clock(clock.left() / (len(cuts) - i))
        outcome = solve_levels(ctx, pending_levels(ctx, CHUNK_LEVELS), sub, part, None)
        if outcome.status is not Status.PLANNED or outcome.values is None:
            return None
        current = to_scenario(ctx, partial(evaluate, values=outcome.values))
    return current


def _first_launch(scope: Scope, f: Flight) -> int:
    rng = launch_range(scope, f)
    return rng[0] if rng else 0
