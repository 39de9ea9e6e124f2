"""Totals over trials (exact integers) and the estimates with 95% confidence intervals.

Totals add up in any order to the same numbers, so results do not depend on
how trials were split into batches or workers. Squares are kept as Python
integers, which never overflow.

Intervals: Wilson's score interval for probabilities (sound near 0 and 1,
where these risks live); the normal interval of the mean for expectations;
the paired normal interval for a difference between two variants of the
manifest, which are scored on the very same trials.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from math import prod, sqrt

import numpy as np

from mixedcrew.risk.arrays import MINUTES_PER_DAY
from mixedcrew.risk.outcomes import Outcomes

Z95 = 1.959963984540054
HISTOGRAM_DAYS = 2048  # longest-stay histogram: one bin per day, the last one open-ended
FIELDS = ("short", "empty", "longest", "contingency", "medical", "forced")


def _square_sum(x: np.ndarray) -> np.ndarray:
    """Column sums of x**2 as Python ints, in row chunks small enough for int64."""
    out = np.zeros(x.shape[1:], dtype=object)
    biggest = int(np.abs(x).max(initial=0))
    rows = max(1, (2**62) // max(1, biggest * biggest))
    for i in range(0, x.shape[0], rows):
        chunk = x[i : i + rows]
        out = out + (chunk * chunk).sum(axis=0).astype(object)
    return out


@dataclass
class Totals:
    trials: int = 0
    sums: dict[str, np.ndarray] = field(default_factory=dict)
    squares: dict[str, np.ndarray] = field(default_factory=dict)
    hits: dict[str, np.ndarray] = field(default_factory=dict)  # trials with a value > 0
    paired_squares: np.ndarray | None = None  # [V-1, G+1, Y+1]: sum of (short_0 - short_v)**2
    paired_misses: np.ndarray | None = None  # trials where exactly one of (0, v) was ever short
    longest_days: np.ndarray | None = None  # histogram of the longest stay over the window

    @classmethod
    def of(cls, o: Outcomes) -> Totals:
        t = cls(trials=o.trials)
        # Every field side by side, so each total is one reduction over the block rather than
        # one per field (those small reductions were a tenth of a trial's time).
        parts = [getattr(o, name) for name in FIELDS]
        flat = np.concatenate([x.reshape(o.trials, -1) for x in parts], axis=1)
        sums, squares, hits = flat.sum(axis=0), _square_sum(flat), (flat > 0).sum(axis=0)
        at = 0
        for name, x in zip(FIELDS, parts, strict=True):
            shape, width = x.shape[1:], prod(x.shape[1:])
            t.sums[name] = sums[at:at + width].reshape(shape)
            t.squares[name] = squares[at:at + width].reshape(shape)
            t.hits[name] = hits[at:at + width].reshape(shape)
            at += width
        base, others = o.short[:, :1], o.short[:, 1:]
        t.paired_squares = _square_sum(base - others)
        t.paired_misses = ((base > 0) != (others > 0)).sum(axis=0)
        days = np.minimum(o.longest[:, -1] // MINUTES_PER_DAY, HISTOGRAM_DAYS - 1)
        t.longest_days = np.bincount(days, minlength=HISTOGRAM_DAYS)
        return t

    def __add__(self, other: Totals) -> Totals:
        if not self.trials:
            return other
        if not other.trials:
            return self
        return Totals(
            trials=self.trials + other.trials,
            sums={k: self.sums[k] + other.sums[k] for k in self.sums},
            squares={k: self.squares[k] + other.squares[k] for k in self.squares},
            hits={k: self.hits[k] + other.hits[k] for k in self.hits},
            paired_squares=self.paired_squares + other.paired_squares,  # type: ignore[operator]
            paired_misses=self.paired_misses + other.paired_misses,  # type: ignore[operator]
            longest_days=self.longest_days + other.longest_days,  # type: ignore[operator]
        )

    def same_as(self, other: Totals) -> bool:
        """Exactly the same numbers (the determinism tests' notion of equal)."""
        if self.trials != other.trials:
            return False
        pairs = [(self.sums, other.sums), (self.squares, other.squares), (self.hits, other.hits)]
        return all(np.array_equal(a[k], b[k]) for a, b in pairs for k in a) and all(
            np.array_equal(getattr(self, f), getattr(other, f))
            for f in ("paired_squares", "paired_misses", "longest_days"))


# --- estimates ----------------------------------------------------------------------


@dataclass(frozen=True)
class Estimate:
    value: float
    low: float
    high: float

    def as_json(self) -> dict[str, float]:
        return {"value": self.value, "low": self.low, "high": self.high}


def probability(hits: int, n: int) -> Estimate:
    """Wilson score interval."""
    if n == 0:
        return Estimate(float("nan"), 0.0, 1.0)
    p = hits / n
    z2 = Z95 * Z95
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = Z95 * sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n)
    return Estimate(p, max(0.0, centre - half), min(1.0, centre + half))


def mean(total: int, squares: int, n: int, scale: float = 1.0) -> Estimate:
    if n == 0:
        return Estimate(float("nan"), float("nan"), float("nan"))
    m = total / n
    var = max(0.0, (squares - n * m * m) / (n - 1)) if n > 1 else 0.0
    half = Z95 * sqrt(var / n)
    return Estimate(m * scale, (m - half) * scale, (m + half) * scale)


def paired_difference(total_a: int, total_b: int, squares_of_difference: int, n: int,
                      scale: float = 1.0) -> Estimate:
    """Mean of a - b over the same trials, with its normal interval."""
    return mean(total_a - total_b, squares_of_difference, n, scale)


def quantile(histogram: np.ndarray, n: int, q: float) -> Estimate:
    """The q-quantile of a per-day histogram, with a distribution-free (order statistic) interval."""
    cum = np.cumsum(histogram)

    def at_rank(rank: float) -> float:
        rank = min(max(rank, 1), n)
        return float(np.searchsorted(cum, rank))

    half = Z95 * sqrt(n * q * (1 - q))
    return Estimate(at_rank(np.ceil(n * q)), at_rank(np.floor(n * q - half)), at_rank(np.ceil(n * q + half)))
