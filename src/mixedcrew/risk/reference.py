"""The reference engine: the recovery policy as a plain SimPy discrete-event model.

Written to be read, not to be fast. Each flight, line (the vehicle that
brings a crew home) and rider is a process; the policy of docs/risk.md is
spelled out where it happens. The fast engine (`fast.py`) must agree with
it: exactly on the same draws, and in distribution on its own draws.

Its sampler draws waiting times one by one (exponential gaps between
groundings), where the fast sampler draws Poisson counts and uniform
starts; both describe the same processes.
"""

from __future__ import annotations

import random
from bisect import bisect_right
from math import inf, log

import numpy as np
import simpy

from mixedcrew.domain.risk import Distribution
from mixedcrew.risk.arrays import DAYS_PER_YEAR, MINUTES_PER_DAY, TrialArrays
from mixedcrew.risk.draws import Intervals, TrialDraws
from mixedcrew.risk.outcomes import Outcomes

# --- sampling, one draw at a time -------------------------------------------------


def trial_random(seed: int, trial: int) -> random.Random:
    """The reference's own stream for one trial (unrelated to the fast engine's blocks)."""
    return random.Random(int(np.random.SeedSequence([seed, trial, 7]).generate_state(1, np.uint64)[0]))


def sample_trial(plan: TrialArrays, rnd: random.Random) -> TrialDraws:
    return TrialDraws(
        groundings=tuple(_arrivals(rnd, plan.days, r.groundings_per_year, r.grounding_days)
                         for r in plan.type_rates),
        outages=tuple(_arrivals(rnd, plan.days, r.outages_per_year, r.outage_days) for r in plan.site_rates),
        slips=tuple(sum((draw_days(d, rnd) for d in dists), 0.0) for dists in plan.flights.slips),
        damage=tuple(_wait(rnd, rate) for rate in plan.lines.damage_rate),
        medical=tuple(_wait(rnd, plan.medical_rate) for _ in plan.stays.people),
    )


def _wait(rnd: random.Random, rate: float) -> float:
    return rnd.expovariate(rate) if rate > 0 else inf


def _arrivals(rnd: random.Random, days: float, per_year: float, dist: Distribution) -> Intervals:
    """A Poisson process on [0, days): exponential gaps, each event lasting a drawn duration."""
    out = []
    t = 0.0
    while per_year > 0:
        t += rnd.expovariate(per_year / DAYS_PER_YEAR)
        if t >= days:
            break
        out.append((t, t + draw_days(dist, rnd)))
    return tuple(out)


def draw_days(dist: Distribution, rnd: random.Random) -> float:
    if dist.kind == "fixed":
        return float(dist.days)  # type: ignore[arg-type]
    if dist.kind == "exponential":
        return rnd.expovariate(1 / dist.mean_days) if dist.mean_days else 0.0
    if dist.kind == "lognormal":
        return rnd.lognormvariate(log(dist.median_days), dist.sigma)  # type: ignore[arg-type]
    return rnd.uniform(dist.min_days, dist.max_days)  # type: ignore[arg-type]


# --- the model ----------------------------------------------------------------------


class Shortfall:
    """Time a count of people spends below a threshold, split by year."""

    def __init__(self, need: int, edges: np.ndarray):
        self.need, self.edges = need, [float(x) for x in edges]
        self.count, self.since = 0, 0.0
        self.days = [0.0] * len(self.edges)  # per year, then in all

    def change(self, t: float, delta: int) -> None:
        if self.count < self.need:
            self._add(self.since, t)
        self.count += delta
        self.since = t

    def close(self, t: float) -> None:
        self.change(t, 0)

    def _add(self, t0: float, t1: float) -> None:
        if t1 <= t0:
            return
        self.days[-1] += t1 - t0
        for y in range(len(self.edges) - 1):
            lo, hi = max(t0, self.edges[y]), min(t1, self.edges[y + 1])
            if hi > lo:
                self.days[y] += hi - lo


class Trial:
    """One trial of one station: build it, then `run()` returns its Outcomes."""

    def __init__(self, plan: TrialArrays, draws: TrialDraws):
        self.p, self.d = plan, draws
        self.env = env = simpy.Environment()
        p = plan
        self.dock_at: list[float] = [inf] * len(p.flights.ids)
        self.docked = [env.event() for _ in p.flights.ids]
        self.gone = [env.event() for _ in p.lines.flight]  # the line has undocked with its riders
        self.medical_call = [env.event() for _ in p.lines.flight]
        self.arrived: list[float] = [inf] * len(p.stays.people)
        self.left: list[float] = [inf] * len(p.stays.people)
        self.aboard: set[int] = set()
        self.events: dict[str, list[float]] = {"contingency": [], "medical": [], "forced": []}
        self.coverage = [[Shortfall(int(p.min_operators[g]), p.year_edges) for g in range(len(p.segments))]
                         for _ in p.variants]
        self.crew = Shortfall(1, p.year_edges)
        for f in range(len(p.flights.ids)):
            env.process(self.flight(f))
        for ln in range(len(p.lines.flight)):
            env.process(self.line(ln))
        for s in range(len(p.stays.people)):
            env.process(self.rider(s))

    # -- launches ---------------------------------------------------------------

    def held_until(self, vtype: int, site: int, t: float) -> float | None:
        """End of the grounding or outage that holds a launch at t, if any."""
        intervals = self.d.groundings[vtype] + (self.d.outages[site] if site >= 0 else ())
        ends = [b for a, b in intervals if a <= t < b]
        return max(ends) if ends else None

    def launch_when_clear(self, earliest: float, vtype: int, site: int):  # type: ignore[no-untyped-def]
        """A flight that cannot launch waits: until its fleet flies and its pad is open."""
        yield self.env.timeout(earliest - self.env.now)
        t = earliest
        while (until := self.held_until(vtype, site, t)) is not None:
            yield self.env.timeout(until - self.env.now)
            t = until
        return t

    def flight(self, f: int):  # type: ignore[no-untyped-def]
        p = self.p
        if p.flights.fixed[f]:  # launched before the window: docks as planned
            dock = float(p.flights.dock[f])
        else:
            launch = yield from self.launch_when_clear(float(p.flights.launch[f]) + self.d.slips[f],
                                                       int(p.flights.type[f]), int(p.flights.site[f]))
            dock = launch + float(p.flights.dock[f] - p.flights.launch[f])
        yield self.env.timeout(max(dock - self.env.now, 0.0))
        self.dock_at[f] = dock
        self.docked[f].succeed()

    # -- lines ------------------------------------------------------------------

    def relief(self, ln: int, dock: float):  # type: ignore[no-untyped-def]
        """The line may leave once its relief has docked and handed over."""
        p = self.p
        r = int(p.lines.relief[ln])
        if r >= 0:
            yield self.docked[r]
            at = self.dock_at[r] + float(p.lines.handover[ln])
        else:  # no relief: keep the planned undocking, moved by our own delay
            at = float(p.lines.undock[ln]) + dock - float(p.flights.dock[p.lines.flight[ln]])
        if at == inf:
            yield self.env.event()  # never
        yield self.env.timeout(max(at, dock) - self.env.now)

    def line(self, ln: int):  # type: ignore[no-untyped-def]
        p, env = self.p, self.env
        f = int(p.lines.flight[ln])
        yield self.docked[f]
        dock = self.dock_at[f]
        limit = float(p.lines.limit[ln])
        relief = env.process(self.relief(ln, dock))
        at_limit = env.timeout(dock + limit - env.now) if limit < inf else env.event()
        damage_at = max(dock, 0.0) + self.d.damage[ln]
        damage = env.timeout(damage_at - env.now) if damage_at < inf else env.event()
        call = self.medical_call[ln]
        fired = yield relief | at_limit | damage | call
        if call in fired:
            return self.go_home(ln, relief, medical=True)
        if relief in fired or at_limit in fired:
            return self.go_home(ln, relief)
        # Damaged: the riders wait for an uncrewed replacement, up to the docked limit.
        replaced = env.process(self.replacement(ln, env.now))
        fired = yield replaced | at_limit | call
        if call in fired:
            return self.go_home(ln, relief, medical=True)
        if replaced not in fired:
            return self.go_home(ln, relief)
        new_limit = env.timeout(limit)  # the replacement's own docked limit
        if not relief.triggered:
            fired = yield relief | new_limit | call
            if call in fired:
                return self.go_home(ln, relief, medical=True)
        return self.go_home(ln, relief)

    def replacement(self, ln: int, damaged_at: float):  # type: ignore[no-untyped-def]
        p = self.p
        launch = yield from self.launch_when_clear(damaged_at + float(p.lines.lead[ln]),
                                                   int(p.lines.type[ln]), int(p.lines.site[ln]))
        if self.gone[ln].triggered:
            return None  # the riders went home before it could launch
        self.events["contingency"].append(launch)
        yield self.env.timeout(float(p.lines.rendezvous[ln]))
        return self.env.now

    def go_home(self, ln: int, relief: simpy.Process, medical: bool = False) -> None:
        now = self.env.now
        self.gone[ln].succeed()
        if medical:
            self.events["medical"].append(now)
        elif not relief.triggered:
            self.events["forced"].append(now)  # home at the limit before the relief docked
        for s in [s for s in self.aboard if self.p.stays.line[s] == ln]:
            self.depart(s)

    # -- riders -----------------------------------------------------------------

    def rider(self, s: int):  # type: ignore[no-untyped-def]
        p, env = self.p, self.env
        ln = int(p.stays.line[s])
        yield self.docked[p.stays.up[s]]
        self.arrived[s] = self.dock_at[p.stays.up[s]]
        if self.gone[ln].triggered:  # their ride home has left: they never come aboard
            self.left[s] = self.arrived[s]
            return
        self.arrive(s)
        when = max(self.arrived[s], 0.0) + self.d.medical[s]
        sick = env.timeout(when - env.now) if when < inf else env.event()
        fired = yield sick | self.gone[ln]
        if sick not in fired or self.gone[ln].triggered:
            return
        if not self.docked[p.lines.flight[ln]].triggered:
            self.events["medical"].append(env.now)  # their lifeboat is not here yet: home alone
            self.depart(s)
        elif not self.medical_call[ln].triggered:
            self.medical_call[ln].succeed()  # the whole line goes home

    def arrive(self, s: int) -> None:
        self.aboard.add(s)
        self._count(s, +1)

    def depart(self, s: int) -> None:
        self.aboard.discard(s)
        self.left[s] = self.env.now
        self._count(s, -1)

    def _count(self, s: int, delta: int) -> None:
        t = self.env.now
        self.crew.change(t, delta)
        for v, tallies in enumerate(self.coverage):
            for g, tally in enumerate(tallies):
                if self.p.operators[v, s, g]:
                    tally.change(t, delta)

    # -- result -----------------------------------------------------------------

    def run(self) -> Outcomes:
        p = self.p
        self.env.run(until=p.days)
        T = p.days
        for tally in [self.crew, *(t for ts in self.coverage for t in ts)]:
            tally.close(T)
        years = len(p.years)

        def minutes(days: list[float]) -> list[int]:
            return [round(x * MINUTES_PER_DAY) for x in days]

        short = [[minutes(t.days) for t in ts] for ts in self.coverage]
        short = [seg + [[max(col) for col in zip(*seg, strict=True)]] for seg in short]
        longest = [0] * (years + 1)
        for a, e in zip(self.arrived, self.left, strict=True):
            if a == inf:
                continue
            until = min(e, T)
            length = max(round((until - a) * MINUTES_PER_DAY), 0)
            y = self._year(until)
            longest[y] = max(longest[y], length)
            longest[years] = max(longest[years], length)
        return Outcomes(
            short=np.array([short], dtype=np.int64),
            empty=np.array([minutes(self.crew.days)], dtype=np.int64),
            longest=np.array([longest], dtype=np.int64),
            **{k: np.array([self._by_year(v)], dtype=np.int64) for k, v in self.events.items()},
        )

    def _year(self, t: float) -> int:
        return min(max(bisect_right(self.p.year_edges, t) - 1, 0), len(self.p.years) - 1)

    def _by_year(self, times: list[float]) -> list[int]:
        years = len(self.p.years)
        out = [0] * (years + 1)
        for t in times:
            if 0 <= t < self.p.days:
                out[self._year(t)] += 1
                out[years] += 1
        return out


def play_trial(plan: TrialArrays, draws: TrialDraws) -> Outcomes:
    return Trial(plan, draws).run()


def run_reference(plan: TrialArrays, trials: int, seed: int) -> Outcomes:
    """`trials` trials with the reference's own sampler (trial i always draws the same)."""
    return Outcomes.concat([play_trial(plan, sample_trial(plan, trial_random(seed, i)))
                            for i in range(trials)])
