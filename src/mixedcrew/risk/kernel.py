"""The fast engine's compiled kernel: the recovery policy one trial at a time, in loops.

`fast.play_arrays` writes the policy as array formulas over a whole block;
this module writes the very same formulas as plain loops over one trial,
which Numba compiles to machine code (`cache=True`: compiled once per
installation, then loaded from `__pycache__` in a fraction of a second).
A trial then touches a few hundred numbers in cache instead of building
dozens of temporary [block, stays] arrays, and its coverage sweep sorts
one nearly sorted list of arrivals and departures with an insertion sort.

It is one long function on purpose: a compiled call that passes arrays
counts their references with atomic instructions, and with helpers per
flight, line and stay that counting took more than half of a trial's
time. The steps are marked as in `fast.play_arrays`.

Without Numba the decorator leaves the function as it is: it still runs,
as slow plain Python, and gives the same outcomes (a test runs it so, with
NUMBA_DISABLE_JIT=1). `fast.play` then uses the NumPy array formulas
instead, which are far faster than interpreted loops.

Numba is imported here and nowhere else; `fast.py` imports this module
only when it plays a block, so `import mixedcrew` never loads it.
"""

from __future__ import annotations

from collections.abc import Callable
from math import inf
from typing import Any, TypeVar, cast

import numpy as np

F = TypeVar("F", bound=Callable[..., Any])

try:
    import numba

    JIT = not numba.config.DISABLE_JIT  # type: ignore[attr-defined]

    def compiled(fn: F) -> F:
        # No fastmath: the kernel must round exactly as NumPy and the reference do.
        return cast(F, numba.njit(cache=True, nogil=True)(fn))

except ImportError:  # the NumPy formulas in fast.py stand in
    JIT = False

    def compiled(fn: F) -> F:
        return fn


MINUTES_PER_DAY = 1440.0


@compiled
def play_block(
    # the plan (TrialArrays's arrays)
    f_launch: np.ndarray, f_dock: np.ndarray, f_fixed: np.ndarray, f_type: np.ndarray, f_site: np.ndarray,
    l_flight: np.ndarray, l_relief: np.ndarray, l_handover: np.ndarray, l_undock: np.ndarray,
    l_limit: np.ndarray, l_type: np.ndarray, l_site: np.ndarray, l_lead: np.ndarray,
    l_rendezvous: np.ndarray, l_members: np.ndarray, s_up: np.ndarray, s_line: np.ndarray,
    operators: np.ndarray, min_operators: np.ndarray, edges: np.ndarray, layout: np.ndarray,
    # the draws (BatchDraws' arrays)
    g_start: np.ndarray, g_end: np.ndarray, o_start: np.ndarray, o_end: np.ndarray,
    slips: np.ndarray, damage: np.ndarray, medical: np.ndarray,
    # the outcomes, filled in
    short: np.ndarray, empty: np.ndarray, longest: np.ndarray,
    contingency: np.ndarray, medicals: np.ndarray, forced: np.ndarray,
) -> None:
    """Play every trial of the draws into the outcome arrays (zeroed by the caller).

    layout: the 2S arrivals (0..S-1) and departures (S..2S-1) in planned order.
    """
    F, L, S = f_launch.shape[0], l_flight.shape[0], s_up.shape[0]
    V, G = operators.shape[0], operators.shape[2]
    Y = edges.shape[0] - 1
    T = edges[Y]
    M, MO = g_start.shape[2], o_start.shape[2]
    dock = np.empty(F)
    D, relief, cap, E, dep = np.empty(L), np.empty(L), np.empty(L), np.empty(L), np.empty(L)
    r_launch = np.empty(L)
    a, m, e = np.empty(S), np.empty(S), np.empty(S)
    alone = np.empty(S, dtype=np.bool_)
    times, which = np.empty(2 * S), np.empty(2 * S, dtype=np.int64)
    days = np.empty(Y + 1)
    # whether each line's events happened: a contingency launch, a medical return, a forced return
    happened = np.empty((L, 3), dtype=np.bool_)
    # counted[tally, point]: whether a sweep counts an arrival (point s) or departure (S + s):
    # the operators of variant v and segment g for tally v * G + g, everyone for the last.
    counted = np.ones((V * G + 1, 2 * S), dtype=np.bool_)
    for v in range(V):
        for g in range(G):
            for s in range(S):
                counted[v * G + g, s] = operators[v, s, g]
                counted[v * G + g, S + s] = operators[v, s, g]
    for b in range(slips.shape[0]):
        # 1. launches and dockings: past every grounding of the type and outage of the site.
        # Jumping to the latest end of the intervals holding t never skips a clear instant
        # (each covers everything up to its end), so the order they are looked at is free.
        for f in range(F):
            t = f_launch[f]
            k, j = f_type[f], f_site[f]
            if not f_fixed[f]:
                t = t + slips[b, f]
                while k >= 0 or j >= 0:
                    held = t
                    for n in range(M if k >= 0 else 0):
                        if g_start[b, k, n] <= t < g_end[b, k, n] and g_end[b, k, n] > held:
                            held = g_end[b, k, n]
                    for n in range(MO if j >= 0 else 0):
                        if o_start[b, j, n] <= t < o_end[b, j, n] and o_end[b, j, n] > held:
                            held = o_end[b, j, n]
                    if held == t:
                        break
                    t = held
            dock[f] = t + (f_dock[f] - f_launch[f])
        # 2. lines: relief and docked limit
        for ln in range(L):
            D[ln] = dock[l_flight[ln]]
            if l_relief[ln] >= 0:
                r = dock[l_relief[ln]] + l_handover[ln]
            else:
                r = l_undock[ln] + (D[ln] - f_dock[l_flight[ln]])
            relief[ln] = max(r, D[ln])
            cap[ln] = D[ln] + l_limit[ln]
            E[ln] = inf
        # 4a. medical returns (needed before damage: a line gone home cannot be damaged)
        for s in range(S):
            a[s] = dock[s_up[s]]
            m[s] = max(a[s], 0.0) + medical[b, s]
            alone[s] = m[s] < D[s_line[s]]
        for ln in range(L):
            for x in range(l_members.shape[1]):
                s = l_members[ln, x]
                if s >= 0 and not alone[s] and m[s] < E[ln]:
                    E[ln] = m[s]
        # 3. damage and replacement (launched like any flight: past groundings and outages)
        for ln in range(L):
            z = max(D[ln], 0.0) + damage[b, ln]
            damaged = z < min(min(relief[ln], cap[ln]), E[ln])
            t = inf
            if damaged:
                t = z + l_lead[ln]
                k, j = l_type[ln], l_site[ln]
                while True:
                    held = t
                    for n in range(M if k >= 0 else 0):
                        if g_start[b, k, n] <= t < g_end[b, k, n] and g_end[b, k, n] > held:
                            held = g_end[b, k, n]
                    for n in range(MO if j >= 0 else 0):
                        if o_start[b, j, n] <= t < o_end[b, j, n] and o_end[b, j, n] > held:
                            held = o_end[b, j, n]
                    if held == t:
                        break
                    t = held
            r_launch[ln] = t
            r_dock = t + l_rendezvous[ln]
            if damaged:
                d = min(max(relief[ln], r_dock), r_dock + l_limit[ln]) if r_dock <= cap[ln] else cap[ln]
            else:
                d = min(relief[ln], cap[ln])
            medical_line = E[ln] < d
            d = min(d, E[ln])
            dep[ln] = d
            happened[ln, 0] = damaged and t < min(cap[ln], E[ln])
            happened[ln, 1] = medical_line
            happened[ln, 2] = d < relief[ln] and not medical_line
        # events by year: searchsorted(edges, at, "right") - 1, inside [0, T) only
        for ln in range(L):
            for kind in range(3):
                at = r_launch[ln] if kind == 0 else (E[ln] if kind == 1 else dep[ln])
                if happened[ln, kind] and 0.0 <= at < T:
                    y = 0
                    while y + 1 < Y and edges[y + 1] <= at:
                        y += 1
                    out = contingency if kind == 0 else (medicals if kind == 1 else forced)
                    out[b, y] += 1
                    out[b, Y] += 1
        # stays: [arrival, departure), and the longest of them by the year it ends
        for s in range(S):
            e[s] = max(m[s] if alone[s] else dep[s_line[s]], a[s])
            if alone[s] and 0.0 <= m[s] < T:
                y = 0
                while y + 1 < Y and edges[y + 1] <= m[s]:
                    y += 1
                medicals[b, y] += 1
                medicals[b, Y] += 1
            until = min(e[s], T)
            length = int(np.rint(max(until - a[s], 0.0) * MINUTES_PER_DAY))
            y = 0
            while y + 1 < Y and edges[y + 1] <= until:
                y += 1
            longest[b, y] = max(longest[b, y], length)
            longest[b, Y] = max(longest[b, Y], length)
        # coverage: every arrival and departure, clipped to the window, in time order. Laid
        # out in the planned order, which trials only disturb a little, so an insertion sort
        # finishes in close to one pass.
        for i in range(2 * S):
            w = layout[i]
            t = min(max(a[w] if w < S else e[w - S], 0.0), T)
            j = i
            while j > 0 and times[j - 1] > t:
                times[j] = times[j - 1]
                which[j] = which[j - 1]
                j -= 1
            times[j] = t
            which[j] = w
        # Sweep once per variant and segment, then once over everyone (the station empty),
        # adding up [since, t) wherever fewer than `need` of the counted stays are aboard.
        # The station can only be empty where every segment that needs an operator went
        # without one.
        all_short = True
        for tally in range(V * G + 1):
            v, g = tally // G if G else 0, tally % G if G else 0
            if tally == V * G:
                need = 1
                if not all_short:
                    break
            else:
                need = min_operators[g]
            for y in range(Y + 1):
                days[y] = 0.0
            count, since = 0, 0.0
            for i in range(2 * S):
                w = which[i]
                if not counted[tally, w]:
                    continue
                t = times[i]
                if count < need and t > since:
                    days[Y] += t - since
                    for y in range(Y):
                        lo, hi = max(since, edges[y]), min(t, edges[y + 1])
                        if hi > lo:
                            days[y] += hi - lo
                count += 1 if w < S else -1
                since = t
            if count < need and T > since:
                days[Y] += T - since
                for y in range(Y):
                    lo, hi = max(since, edges[y]), min(T, edges[y + 1])
                    if hi > lo:
                        days[y] += hi - lo
            for y in range(Y + 1):
                minutes = int(np.rint(days[y] * MINUTES_PER_DAY))
                if tally == V * G:
                    empty[b, y] = minutes
                else:
                    short[b, v, g, y] = minutes
                    short[b, v, G, y] = max(short[b, v, G, y], minutes)
            if tally < V * G and v == 0 and need > 0 and short[b, 0, g, Y] <= 0:
                all_short = False
