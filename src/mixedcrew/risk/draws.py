"""What goes wrong in a trial, sampled before it is played.

A trial's disruptions are: grounding intervals per vehicle type, outage
intervals per launch site, a launch slip per flight, the docked days until
each line is damaged and the days aboard until each person needs a medical
return. The engines only play them; the samplers only draw them. Each
engine has its own sampler, written its own way (Poisson counts and
uniform starts here, exponential waiting times in the reference), so the
statistical tests check the sampling as well as the play.

`BatchDraws` holds many trials as arrays (intervals padded with +inf);
`TrialDraws` one trial as plain lists. Either converts to the other, so
both engines can play exactly the same trials.
"""

from __future__ import annotations

from dataclasses import dataclass
from math import inf

import numpy as np

from mixedcrew.domain.risk import Distribution

Intervals = tuple[tuple[float, float], ...]


@dataclass(frozen=True)
class TrialDraws:
    groundings: tuple[Intervals, ...]  # per plan type
    outages: tuple[Intervals, ...]  # per plan site
    slips: tuple[float, ...]  # per plan flight, days
    damage: tuple[float, ...]  # per line: docked days (from max(dock, window start)) until damaged
    medical: tuple[float, ...]  # per stay: days aboard (from max(arrival, window start)) to a medical return


@dataclass(frozen=True)
class BatchDraws:
    g_start: np.ndarray  # [B, K, M]
    g_end: np.ndarray
    o_start: np.ndarray  # [B, N, M']
    o_end: np.ndarray
    slips: np.ndarray  # [B, F]
    damage: np.ndarray  # [B, L]
    medical: np.ndarray  # [B, S]

    @property
    def trials(self) -> int:
        return int(self.slips.shape[0])

    def trial(self, i: int) -> TrialDraws:
        def intervals(start: np.ndarray, end: np.ndarray) -> tuple[Intervals, ...]:
            return tuple(tuple((float(a), float(b)) for a, b in zip(start[k], end[k], strict=True) if a < inf)
                         for k in range(start.shape[0]))

        return TrialDraws(intervals(self.g_start[i], self.g_end[i]),
                          intervals(self.o_start[i], self.o_end[i]),
                          tuple(map(float, self.slips[i])), tuple(map(float, self.damage[i])),
                          tuple(map(float, self.medical[i])))

    @classmethod
    def stack(cls, trials: list[TrialDraws]) -> BatchDraws:
        def pad(per_trial: list[tuple[Intervals, ...]]) -> tuple[np.ndarray, np.ndarray]:
            k = len(per_trial[0])
            m = max([len(iv) for t in per_trial for iv in t] + [0])
            start = np.full((len(per_trial), k, m), inf)
            end = np.full((len(per_trial), k, m), inf)
            for i, t in enumerate(per_trial):
                for j, iv in enumerate(t):
                    for n, (a, b) in enumerate(iv):
                        start[i, j, n], end[i, j, n] = a, b
            return start, end

        g = pad([t.groundings for t in trials])
        o = pad([t.outages for t in trials])
        return cls(g[0], g[1], o[0], o[1], np.array([t.slips for t in trials], dtype=float),
                   np.array([t.damage for t in trials], dtype=float),
                   np.array([t.medical for t in trials], dtype=float))

    @classmethod
    def concat(cls, parts: list[BatchDraws]) -> BatchDraws:
        """Many blocks as one batch: intervals padded to the widest block."""
        def cat(name_start: str, name_end: str) -> tuple[np.ndarray, np.ndarray]:
            m = max(getattr(p, name_start).shape[2] for p in parts)
            starts, ends = [], []
            for p in parts:
                a, b = getattr(p, name_start), getattr(p, name_end)
                extra = ((0, 0), (0, 0), (0, m - a.shape[2]))
                starts.append(np.pad(a, extra, constant_values=inf))
                ends.append(np.pad(b, extra, constant_values=inf))
            return np.concatenate(starts), np.concatenate(ends)

        if len(parts) == 1:
            return parts[0]
        g, o = cat("g_start", "g_end"), cat("o_start", "o_end")
        return cls(g[0], g[1], o[0], o[1], *(np.concatenate([getattr(p, n) for p in parts])
                                              for n in ("slips", "damage", "medical")))


def sample_days(dist: Distribution, rng: np.random.Generator, size: tuple[int, ...]) -> np.ndarray:
    """Vectorised draws of a duration distribution, in days."""
    if dist.kind == "fixed":
        return np.full(size, float(dist.days))  # type: ignore[arg-type]
    if dist.kind == "exponential":
        return rng.standard_exponential(size) * dist.mean_days  # type: ignore[operator]
    if dist.kind == "lognormal":
        return dist.median_days * np.exp(dist.sigma * rng.standard_normal(size))  # type: ignore[operator]
    return dist.min_days + (dist.max_days - dist.min_days) * rng.random(size)  # type: ignore[operator]
