"""What one trial produced, in whole minutes and counts, per year and over the window.

Integers on purpose: sums of integers do not depend on the order they are
added in, so a run split into any batches, over any number of workers,
adds up to exactly the same numbers.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mixedcrew.risk.arrays import MINUTES_PER_DAY


@dataclass(frozen=True)
class Outcomes:
    """Per trial (first axis); the last axis is the years of the window, then the whole window."""

    short: np.ndarray  # [B, V, G+1, Y+1] minutes a segment had too few operators (G: any segment)
    empty: np.ndarray  # [B, Y+1] minutes nobody was aboard
    longest: np.ndarray  # [B, Y+1] minutes of the longest stay (ending in that year)
    contingency: np.ndarray  # [B, Y+1] replacement flights launched
    medical: np.ndarray  # [B, Y+1] medical returns
    forced: np.ndarray  # [B, Y+1] crews sent home at a docked limit before their relief docked

    @property
    def trials(self) -> int:
        return int(self.short.shape[0])

    def head(self, n: int) -> Outcomes:
        return Outcomes(*(getattr(self, f)[:n] for f in self.__dataclass_fields__))

    @classmethod
    def concat(cls, parts: list[Outcomes]) -> Outcomes:
        return cls(*(np.concatenate([getattr(p, f) for p in parts]) for f in cls.__dataclass_fields__))


def to_minutes(days: np.ndarray) -> np.ndarray:
    minutes: np.ndarray = np.rint(np.asarray(days) * MINUTES_PER_DAY).astype(np.int64)
    return minutes


def count_by_year(at: np.ndarray, happened: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """[B, Y+1] counts of events (instants `at` where `happened`) inside the window, by year."""
    years = len(edges) - 1
    inside = happened & (at >= 0) & (at < edges[-1])
    out = np.zeros((at.shape[0], years + 1), dtype=np.int64)
    out[:, years] = inside.sum(axis=1)
    rows = np.flatnonzero(out[:, years])  # events are rare: look only where there are some
    if rows.size:
        inside = inside[rows]
        year = np.searchsorted(edges, np.where(inside, at[rows], 0.0), side="right") - 1
        for y in range(years):
            out[rows, y] = (inside & (year == y)).sum(axis=1)
    return out
