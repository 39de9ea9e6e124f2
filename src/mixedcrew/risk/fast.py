"""The fast engine: many trials at once as NumPy arrays.

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

from math import inf

import numpy as np

from mixedcrew.risk.draws import BatchDraws, sample_days
from mixedcrew.risk.outcomes import Outcomes, count_by_year, to_minutes
from mixedcrew.risk.plan import DAYS_PER_YEAR, TrialPlan


def sample_block(plan: TrialPlan, rng: np.random.Generator, n: int) -> BatchDraws:
    """n trials of disruptions: Poisson counts of groundings and outages, uniform starts."""
    g = [_poisson_intervals(rng, n, plan.days, r.groundings_per_year, r.grounding_days) for r in plan.type_rates]
    o = [_poisson_intervals(rng, n, plan.days, r.outages_per_year, r.outage_days) for r in plan.site_rates]
    slips = np.zeros((n, len(plan.flights)))
    for i, dists in enumerate(plan.f_slips):
        for dist in dists:
            slips[:, i] += sample_days(dist, rng, (n,))
    damage = _waits(rng.standard_exponential((n, len(plan.l_flight))), plan.l_damage_rate)
    medical = _waits(rng.standard_exponential((n, len(plan.people))), np.full(len(plan.people), plan.medical_rate))
    return BatchDraws(*_stack(g, n), *_stack(o, n), slips, damage, medical)


def no_disruptions(plan: TrialPlan, n: int = 1) -> BatchDraws:
    """Trials in which nothing goes wrong: the manifest as planned."""
    def none(k: int) -> np.ndarray:
        return np.full((n, k, 0), inf)

    return BatchDraws(none(len(plan.types)), none(len(plan.types)), none(len(plan.sites)),
                      none(len(plan.sites)), np.zeros((n, len(plan.flights))),
                      np.full((n, len(plan.l_flight)), inf), np.full((n, len(plan.people)), inf))


def _waits(unit: np.ndarray, rate: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore"):
        return np.where(rate > 0, unit / np.where(rate > 0, rate, 1.0), inf)


def _poisson_intervals(rng: np.random.Generator, n: int, days: float, per_year: float, dist
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
    """The first instant >= t outside every interval [start, end) (last axis)."""
    if start.shape[-1] == 0:
        return t
    while True:
        inside = (start <= t[..., None]) & (t[..., None] < end)
        if not inside.any():
            return t
        t = np.maximum(t, np.where(inside, end, -inf).max(axis=-1))


def _blocking(d: BatchDraws, types: np.ndarray, sites: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Intervals that hold each launch: its type's groundings and its site's outages.

    Index -1 (no type or site to hold it) picks an appended row of empty intervals.
    """
    b = d.slips.shape[0]

    def rows(start: np.ndarray, end: np.ndarray, idx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        pad = np.full((b, 1, start.shape[2]), inf)
        return np.concatenate([start, pad], 1)[:, idx], np.concatenate([end, pad], 1)[:, idx]

    gs, ge = rows(d.g_start, d.g_end, types)
    os_, oe = rows(d.o_start, d.o_end, sites)
    return np.concatenate([gs, os_], 2), np.concatenate([ge, oe], 2)


def play(plan: TrialPlan, d: BatchDraws) -> Outcomes:
    """Play a batch of trials through the manifest under the recovery policy."""
    p = plan
    # 1. launches and dockings
    moving = ~p.f_fixed
    start, end = _blocking(d, p.f_type[moving], p.f_site[moving])
    launch = np.broadcast_to(p.f_launch, d.slips.shape).copy()
    launch[:, moving] = first_clear(launch[:, moving] + d.slips[:, moving], start, end)
    dock = launch + (p.f_dock - p.f_launch)
    # 2. lines: relief and docked limit
    D = dock[:, p.l_flight]
    has_relief = p.l_relief >= 0
    relief = np.where(has_relief, dock[:, np.where(has_relief, p.l_relief, 0)] + p.l_handover,
                      p.l_undock + (D - p.f_dock[p.l_flight]))
    relief = np.maximum(relief, D)
    cap = D + p.l_limit
    # 4a. medical returns (needed before damage: a line gone home cannot be damaged)
    a = dock[:, p.s_up]
    m = np.maximum(a, 0.0) + d.medical
    alone = m < D[:, p.s_line]
    aboard_m = np.concatenate([np.where(alone, inf, m), np.full((m.shape[0], 1), inf)], 1)
    E = aboard_m[:, p.l_members].min(axis=2)
    # 3. damage and replacement
    z = np.maximum(D, 0.0) + d.damage
    damaged = z < np.minimum(np.minimum(relief, cap), E)
    r_launch = np.full(z.shape, inf)
    if damaged.any():
        start, end = _blocking(d, p.l_type, p.l_site)
        r_launch = first_clear(np.where(damaged, z + p.l_lead, inf), start, end)
    r_dock = r_launch + p.l_rendezvous
    rescued = r_dock <= cap
    dep = np.where(damaged,
                   np.where(rescued, np.minimum(np.maximum(relief, r_dock), r_dock + p.l_limit), cap),
                   np.minimum(relief, cap))
    medical_line = E < dep
    dep = np.minimum(dep, E)
    contingency = damaged & (r_launch < np.minimum(cap, E))
    forced = (dep < relief) & ~medical_line
    # stays
    e = np.maximum(np.where(alone, m, dep[:, p.s_line]), a)
    return score(p, a, e, r_launch, contingency, [(E, medical_line), (m, alone)], (dep, forced))


def score(p: TrialPlan, a: np.ndarray, e: np.ndarray, contingency_at: np.ndarray, contingency: np.ndarray,
          medical: list[tuple[np.ndarray, np.ndarray]], forced: tuple[np.ndarray, np.ndarray]) -> Outcomes:
    """Outcomes from each stay's [arrival, departure) and the instants of what happened."""
    T, edges = p.days, p.year_edges
    ac, ec = np.clip(a, 0.0, T), np.clip(e, 0.0, T)
    V, G = p.operators.shape[0], len(p.segments)
    short = np.zeros((a.shape[0], V, G + 1, len(p.years) + 1), dtype=np.int64)
    for v in range(V):
        for g in range(G):
            idx = np.flatnonzero(p.operators[v, :, g])
            short[:, v, g] = to_minutes(short_days(ac[:, idx], ec[:, idx], int(p.min_operators[g]), edges))
        short[:, v, G] = short[:, v, :G].max(axis=1)
    empty = to_minutes(short_days(ac, ec, 1, edges))
    longest = longest_stays(a, e, T, edges)
    return Outcomes(
        short=short, empty=empty, longest=longest,
        contingency=count_by_year(contingency_at, contingency, edges),
        medical=sum(count_by_year(t, mask, edges) for t, mask in medical),  # type: ignore[arg-type]
        forced=count_by_year(*forced, edges),
    )


def short_days(a: np.ndarray, e: np.ndarray, k: int, edges: np.ndarray) -> np.ndarray:
    """Days with fewer than k of the intervals [a, e) open, per year and in all: [B, Y+1].

    a and e are clipped to the window [0, edges[-1]].
    """
    b, n = a.shape
    T, years = edges[-1], len(edges) - 1
    out = np.zeros((b, years + 1))
    if k <= 0:
        return out
    t = np.concatenate([a, e], 1)
    order = np.argsort(t, axis=1, kind="stable")  # at equal instants arrivals sort first
    ts = np.take_along_axis(t, order, 1)
    count = np.cumsum(np.where(order < n, 1, -1), axis=1)
    lo = np.concatenate([np.zeros((b, 1)), ts], 1)
    hi = np.concatenate([ts, np.full((b, 1), T)], 1)
    short = np.concatenate([np.ones((b, 1), dtype=bool), count < k], 1)
    length = np.where(short, hi - lo, 0.0)
    out[:, years] = length.sum(1)
    rows = np.flatnonzero(out[:, years] > 0)
    if rows.size:
        for y in range(years):
            y0, y1 = edges[y], edges[y + 1]
            part = np.clip(hi[rows], y0, y1) - np.clip(lo[rows], y0, y1)
            out[rows, y] = np.where(short[rows], part, 0.0).sum(1)
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
