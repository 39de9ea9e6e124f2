"""The fast engine: many trials at once.

`play` runs the compiled kernel (kernel.py, Numba) when Numba is installed,
and otherwise `play_arrays`, the same policy as NumPy array formulas; both
agree with the SimPy reference trial by trial (tests/risk/test_risk_engines.py).
`MIXEDCREW_RISK_KERNEL=numpy` chooses the array formulas even with Numba.

The recovery policy (docs/risk.md) is a chain of plain formulas, each one
array operation over all trials:

1. launches: planned launch + slips, then the first instant outside every
   grounding of the type and every outage of the site; docking follows
   after the planned rendezvous.
2. lines: a line undocks at its relief's docking + the planned handover
   (with no relief: its planned undock, moved by its own delay), never
   later than its docked limit.
3. damage: the first damage while docked calls an uncrewed replacement of
   the same type; its riders wait for it up to their docked limit.
4. medical: the first medical return of a rider takes the line home; a
   rider whose line has not docked yet goes home alone.

`reference.py` plays the same policy event by event with SimPy.
"""

from __future__ import annotations

import os
from math import inf

import numpy as np

from mixedcrew.domain.risk import Distribution
from mixedcrew.errors import RiskInputError
from mixedcrew.risk.arrays import DAYS_PER_YEAR, TrialArrays
from mixedcrew.risk.draws import BatchDraws, sample_days
from mixedcrew.risk.outcomes import Outcomes, count_by_year, to_minutes


def sample_block(plan: TrialArrays, rng: np.random.Generator, n: int) -> BatchDraws:
    """n trials of disruptions: Poisson counts of groundings and outages, uniform starts."""
    g = [_poisson_intervals(rng, n, plan.days, r.groundings_per_year, r.grounding_days)
         for r in plan.type_rates]
    o = [_poisson_intervals(rng, n, plan.days, r.outages_per_year, r.outage_days) for r in plan.site_rates]
    slips = np.zeros((n, len(plan.flights.ids)))
    for i, dists in enumerate(plan.flights.slips):
        for dist in dists:
            slips[:, i] += sample_days(dist, rng, (n,))
    damage = _waits(rng.standard_exponential((n, len(plan.lines.flight))), plan.lines.damage_rate)
    medical = _waits(rng.standard_exponential((n, len(plan.stays.people))),
                     np.full(len(plan.stays.people), plan.medical_rate))
    return BatchDraws(*_stack(g, n), *_stack(o, n), slips, damage, medical)


def no_disruptions(plan: TrialArrays, n: int = 1) -> BatchDraws:
    """Trials in which nothing goes wrong: the manifest as planned."""
    def none(k: int) -> np.ndarray:
        return np.full((n, k, 0), inf)

    return BatchDraws(none(len(plan.types)), none(len(plan.types)), none(len(plan.sites)),
                      none(len(plan.sites)), np.zeros((n, len(plan.flights.ids))),
                      np.full((n, len(plan.lines.flight)), inf), np.full((n, len(plan.stays.people)), inf))


def _waits(unit: np.ndarray, rate: np.ndarray) -> np.ndarray:
    """unit / rate, and inf where the rate is 0 (divided in place: a broadcast np.where
    cost ten times the division)."""
    positive = rate > 0
    out = np.divide(unit, np.where(positive, rate, 1.0), out=unit)  # unit is overwritten
    if not positive.all():
        out[:, ~positive] = inf
    waits: np.ndarray = out
    return waits


def _poisson_intervals(rng: np.random.Generator, n: int, days: float, per_year: float, dist: Distribution
                       ) -> tuple[np.ndarray, np.ndarray]:
    counts = rng.poisson(per_year / DAYS_PER_YEAR * days, n)
    m = int(counts.max(initial=0))
    start = rng.random((n, m)) * days
    end = start + sample_days(dist, rng, (n, m))
    unused = np.arange(m)[None, :] >= counts[:, None]
    start[unused] = inf
    end[unused] = inf
    return start, end


def _stack(parts: list[tuple[np.ndarray, np.ndarray]], n: int) -> tuple[np.ndarray, np.ndarray]:
    m = max([p[0].shape[1] for p in parts] + [0])
    start = np.full((n, len(parts), m), inf)
    end = np.full((n, len(parts), m), inf)
    for k, (a, b) in enumerate(parts):
        start[:, k, : a.shape[1]] = a
        end[:, k, : b.shape[1]] = b
    return start, end


def first_clear(t: np.ndarray, start: np.ndarray, end: np.ndarray) -> np.ndarray:
    """The first instant >= t outside every interval [start, end).

    t is [B, X]; start and end are [B, M], the same intervals for every column of t.
    Only trials still held are looked at again, so chains of intervals cost little.
    """
    t = t.copy()
    rows = np.flatnonzero(start[:, 0] < inf) if start.shape[1] else np.empty(0, dtype=np.int64)
    while rows.size:
        tr, s_, e_ = t[rows][:, :, None], start[rows][:, None, :], end[rows][:, None, :]
        inside = (s_ <= tr) & (tr < e_)
        held = inside.any(axis=(1, 2))
        if not held.any():
            break
        rows, inside, tr, e_ = rows[held], inside[held], tr[held], e_[held]
        t[rows] = np.maximum(tr[:, :, 0], np.where(inside, e_, -inf).max(axis=2))
    return t


def _launch_when_clear(d: BatchDraws, t: np.ndarray, types: np.ndarray, sites: np.ndarray) -> np.ndarray:
    """Each column of t moved past its type's groundings and its site's outages (-1: none)."""
    out = t.copy()
    for k, j in sorted(set(zip(types.tolist(), sites.tolist(), strict=True))):
        cols = np.flatnonzero((types == k) & (sites == j))
        start = [d.g_start[:, k]] if k >= 0 else []
        end = [d.g_end[:, k]] if k >= 0 else []
        if j >= 0:
            start.append(d.o_start[:, j])
            end.append(d.o_end[:, j])
        if not start:
            continue
        s_, e_ = np.concatenate(start, 1), np.concatenate(end, 1)
        order = np.argsort(s_, axis=1, kind="stable")  # unused intervals (inf) last
        out[:, cols] = first_clear(t[:, cols], np.take_along_axis(s_, order, 1),
                                   np.take_along_axis(e_, order, 1))
    return out


KERNELS = ("numba", "numpy")
KERNEL_ENV = "MIXEDCREW_RISK_KERNEL"


def kernel_name() -> str:
    """The kernel `play` uses here: "numba" (compiled loops) when Numba is installed and
    not turned off, else "numpy" (array formulas). MIXEDCREW_RISK_KERNEL=numpy forces the latter."""
    chosen = os.environ.get(KERNEL_ENV, "")
    if chosen not in ("", *KERNELS):
        raise RiskInputError(f"{KERNEL_ENV}={chosen!r} is not a kernel: choose {' or '.join(KERNELS)}, "
                             "or leave it unset for the fastest one installed")
    if chosen == "numpy":
        return "numpy"
    from mixedcrew.risk import kernel  # loads Numba: only when trials are played

    return "numba" if kernel.JIT else "numpy"


def play(plan: TrialArrays, d: BatchDraws, *, kernel: str | None = None) -> Outcomes:
    """Play a batch of trials through the manifest under the recovery policy.

    kernel: "numba" or "numpy"; by default the fastest one installed (kernel_name()).
    """
    chosen = kernel or kernel_name()
    if chosen not in KERNELS:
        raise RiskInputError(f"unknown kernel {chosen!r}: choose {' or '.join(KERNELS)}")
    return play_loops(plan, d) if chosen == "numba" else play_arrays(plan, d)


def play_loops(plan: TrialArrays, d: BatchDraws) -> Outcomes:
    """`play_arrays` as per-trial loops (kernel.py): compiled by Numba, or plain Python without it."""
    from mixedcrew.risk import kernel

    p, n = plan, d.trials
    V, G, Y = p.operators.shape[0], len(p.segments), len(p.years)
    out = Outcomes(short=np.zeros((n, V, G + 1, Y + 1), dtype=np.int64),
                   **{k: np.zeros((n, Y + 1), dtype=np.int64)
                      for k in ("empty", "longest", "contingency", "medical", "forced")})
    everyone = np.arange(len(p.stays.people))
    c = np.ascontiguousarray
    fl, ln, st = p.flights, p.lines, p.stays
    kernel.play_block(
        c(fl.launch, float), c(fl.dock, float), c(fl.fixed, bool), c(fl.type, np.int64),
        c(fl.site, np.int64), c(ln.flight, np.int64), c(ln.relief, np.int64), c(ln.handover, float),
        c(ln.undock, float), c(ln.limit, float), c(ln.type, np.int64), c(ln.site, np.int64),
        c(ln.lead, float), c(ln.rendezvous, float), c(ln.members, np.int64), c(st.up, np.int64),
        c(st.line, np.int64), c(p.operators, bool), c(p.min_operators, np.int64), c(p.year_edges, float),
        c(_planned_order(p, everyone), np.int64),
        c(d.g_start, float), c(d.g_end, float), c(d.o_start, float), c(d.o_end, float),
        c(d.slips, float), c(d.damage, float), c(d.medical, float),
        out.short, out.empty, out.longest, out.contingency, out.medical, out.forced)
    return out


def play_arrays(plan: TrialArrays, d: BatchDraws) -> Outcomes:
    """Play a batch of trials as NumPy array formulas, one per step of the policy."""
    p = plan
    # 1. launches and dockings
    moving = ~p.flights.fixed
    launch = np.broadcast_to(p.flights.launch, d.slips.shape).copy()
    launch[:, moving] = _launch_when_clear(d, launch[:, moving] + d.slips[:, moving],
                                           p.flights.type[moving], p.flights.site[moving])
    dock = launch + (p.flights.dock - p.flights.launch)
    # 2. lines: relief and docked limit
    D = dock[:, p.lines.flight]
    has_relief = p.lines.relief >= 0
    relief = np.where(has_relief, dock[:, np.where(has_relief, p.lines.relief, 0)] + p.lines.handover,
                      p.lines.undock + (D - p.flights.dock[p.lines.flight]))
    relief = np.maximum(relief, D)
    cap = D + p.lines.limit
    # 4a. medical returns (needed before damage: a line gone home cannot be damaged)
    a = dock[:, p.stays.up]
    m = np.maximum(a, 0.0) + d.medical
    alone = m < D[:, p.stays.line]
    aboard_m = np.concatenate([np.where(alone, inf, m), np.full((m.shape[0], 1), inf)], 1)
    E = aboard_m[:, p.lines.members].min(axis=2)
    # 3. damage and replacement
    z = np.maximum(D, 0.0) + d.damage
    damaged = z < np.minimum(np.minimum(relief, cap), E)
    r_launch = np.full(z.shape, inf)
    if damaged.any():
        r_launch = _launch_when_clear(d, np.where(damaged, z + p.lines.lead, inf), p.lines.type, p.lines.site)
    r_dock = r_launch + p.lines.rendezvous
    rescued = r_dock <= cap
    dep = np.where(damaged,
                   np.where(rescued, np.minimum(np.maximum(relief, r_dock), r_dock + p.lines.limit), cap),
                   np.minimum(relief, cap))
    medical_line = E < dep
    dep = np.minimum(dep, E)
    contingency = damaged & (r_launch < np.minimum(cap, E))
    forced = (dep < relief) & ~medical_line
    # stays
    e = np.maximum(np.where(alone, m, dep[:, p.stays.line]), a)
    return score(p, a, e, r_launch, contingency, [(E, medical_line), (m, alone)], (dep, forced))


def score(p: TrialArrays, a: np.ndarray, e: np.ndarray, contingency_at: np.ndarray, contingency: np.ndarray,
          medical: list[tuple[np.ndarray, np.ndarray]], forced: tuple[np.ndarray, np.ndarray]) -> Outcomes:
    """Outcomes from each stay's [arrival, departure) and the instants of what happened."""
    T, edges = p.days, p.year_edges
    ac, ec = np.clip(a, 0.0, T), np.clip(e, 0.0, T)
    V, G = p.operators.shape[0], len(p.segments)
    short = np.zeros((a.shape[0], V, G + 1, len(p.years) + 1), dtype=np.int64)
    for v in range(V):
        for g in range(G):
            idx = np.flatnonzero(p.operators[v, :, g])
            short[:, v, g] = to_minutes(short_days(ac[:, idx], ec[:, idx], int(p.min_operators[g]), edges,
                                                   _planned_order(p, idx)))
        short[:, v, G] = short[:, v, :G].max(axis=1)
    # The station can only be empty where every segment that needs an operator went without one.
    needs = p.min_operators > 0
    rows = (np.flatnonzero((short[:, 0, :G][:, needs, -1] > 0).all(axis=1)) if needs.any()
            else np.arange(len(a)))
    empty = np.zeros((len(a), len(p.years) + 1), dtype=np.int64)
    if rows.size:
        everyone = np.arange(len(p.stays.people))
        empty[rows] = to_minutes(short_days(ac[rows], ec[rows], 1, edges, _planned_order(p, everyone)))
    longest = longest_stays(a, e, T, edges)
    return Outcomes(
        short=short, empty=empty, longest=longest,
        contingency=count_by_year(contingency_at, contingency, edges),
        medical=sum(count_by_year(t, mask, edges) for t, mask in medical),  # type: ignore[arg-type]
        forced=count_by_year(*forced, edges),
    )


def _planned_order(p: TrialArrays, stays: np.ndarray) -> np.ndarray:
    """The arrivals then departures of `stays`, ordered by their planned instants.

    Trials move these instants only a little, so rows laid out in this order are
    nearly sorted, which the stable sort (timsort) finishes in close to linear time.
    """
    arrive = p.flights.dock[p.stays.up[stays]]
    leave = np.minimum(p.lines.undock[p.stays.line[stays]], p.days)
    return np.argsort(np.concatenate([arrive, leave]), kind="stable")


def short_days(a: np.ndarray, e: np.ndarray, k: int, edges: np.ndarray,
               layout: np.ndarray | None = None) -> np.ndarray:
    """Days with fewer than k of the intervals [a, e) open, per year and in all: [B, Y+1].

    a and e are clipped to the window [0, edges[-1]]. `layout` is an order of the 2n
    endpoints (arrivals are 0..n-1) to lay them out in before sorting: any order gives
    the same result; a nearly sorted one gives it sooner.
    """
    b, n = a.shape
    T, years = edges[-1], len(edges) - 1
    out = np.zeros((b, years + 1))
    if k <= 0:
        return out
    if k == 1:
        return _uncovered_days(a, e, edges, None if layout is None else layout[layout < n])
    layout = np.arange(2 * n) if layout is None else layout
    t = np.concatenate([a, e], 1)[:, layout]
    order = np.argsort(t, axis=1, kind="stable")
    ts = np.take_along_axis(t, order, 1)
    count = np.cumsum(np.where(layout < n, 1, -1).astype(np.int32)[order], axis=1)
    short = count < k
    gaps = np.diff(ts, axis=1, append=T)  # [ts_i, ts_i+1): the count after point i holds there
    out[:, years] = ts[:, 0] + (gaps * short).sum(1)  # before the first point nobody is aboard
    rows = np.flatnonzero(out[:, years] > 0)
    if rows.size:
        lo, hi, short = ts[rows], np.concatenate([ts[rows, 1:], np.full((rows.size, 1), T)], 1), short[rows]
        for y in range(years):
            y0, y1 = edges[y], edges[y + 1]
            part = np.clip(hi, y0, y1) - np.clip(lo, y0, y1)
            out[rows, y] = (part * short).sum(1) + np.clip(ts[rows, 0], y0, y1) - y0
    return out


def _uncovered_days(a: np.ndarray, e: np.ndarray, edges: np.ndarray, layout: np.ndarray | None) -> np.ndarray:
    """Days outside the union of [a, e): in start order, a gap opens wherever a start
    lies past every end so far. `layout`: stays in planned arrival order."""
    b, n = a.shape
    T, years = edges[-1], len(edges) - 1
    out = np.zeros((b, years + 1))
    if n == 0:
        out[:, :years] = np.diff(edges)
        out[:, years] = T
        return out
    if layout is not None:
        a, e = a[:, layout], e[:, layout]
    order = np.argsort(a, axis=1, kind="stable")
    starts = np.take_along_axis(a, order, 1)
    reach = np.maximum.accumulate(np.take_along_axis(e, order, 1), axis=1)
    covered_to = np.concatenate([np.zeros((b, 1)), reach], 1)  # gap i: [covered_to_i, start_i)
    gap_end = np.concatenate([starts, np.full((b, 1), T)], 1)
    out[:, years] = np.maximum(gap_end - covered_to, 0.0).sum(1)
    rows = np.flatnonzero(out[:, years] > 0)
    if rows.size:
        lo, hi = covered_to[rows], np.maximum(gap_end[rows], covered_to[rows])
        for y in range(years):
            out[rows, y] = (np.clip(hi, edges[y], edges[y + 1]) - np.clip(lo, edges[y], edges[y + 1])).sum(1)
    return out


def longest_stays(a: np.ndarray, e: np.ndarray, T: float, edges: np.ndarray) -> np.ndarray:
    """Minutes of the longest stay in all, and of those ending in each year: [B, Y+1]."""
    until = np.minimum(e, T)
    length = to_minutes(np.maximum(until - a, 0.0))
    years = len(edges) - 1
    year = np.clip(np.searchsorted(edges, until, side="right") - 1, 0, years - 1)
    out = np.zeros((a.shape[0], years + 1), dtype=np.int64)
    for y in range(years):
        out[:, y] = np.where(year == y, length, 0).max(axis=1, initial=0)
    out[:, years] = length.max(axis=1, initial=0)
    return out
