"""The same trials played twice, without and with a stress, and the paired differences.

Every block is drawn once; its trials are played as drawn and again with the
stress added (stress.py), so each difference is taken trial by trial and its
interval is the paired one. Totals stay exact integers, so the figures do not
depend on the batch size, the number of workers or the backend.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from rich.table import Table

from mixedcrew.risk.arrays import TrialArrays
from mixedcrew.risk.backends import (
    BLOCK,
    DEFAULT_BATCH_BLOCKS,
    Progress,
    Task,
    _client,
    block_random,
    dask_tasks,
    import_distributed,
    tasks,
    threads,
)
from mixedcrew.risk.fast import kernel_name, no_disruptions, play, sample_block
from mixedcrew.risk.metrics import FIELDS, Estimate, Totals, _square_sum, paired_difference
from mixedcrew.risk.outcomes import Outcomes
from mixedcrew.risk.reference import play_trial, sample_trial, trial_random
from mixedcrew.risk.result import ANY, DAY, RiskResult, days, pct
from mixedcrew.risk.stress import Stress, with_stress, with_stress_trial


@dataclass
class PairedTotals:
    base: Totals = field(default_factory=Totals)
    stressed: Totals = field(default_factory=Totals)
    diff_squares: dict[str, np.ndarray] = field(default_factory=dict)  # sum of (with - without)**2
    misses: dict[str, np.ndarray] = field(default_factory=dict)  # trials where exactly one is > 0

    @property
    def trials(self) -> int:
        return self.base.trials

    @classmethod
    def of(cls, base: Outcomes, stressed: Outcomes) -> PairedTotals:
        t = cls(Totals.of(base), Totals.of(stressed))
        for name in FIELDS:
            a, b = getattr(base, name), getattr(stressed, name)
            t.diff_squares[name] = _square_sum(b - a)
            t.misses[name] = ((a > 0) != (b > 0)).sum(axis=0)
        return t

    def __add__(self, other: PairedTotals) -> PairedTotals:
        if not self.trials:
            return other
        if not other.trials:
            return self
        return PairedTotals(self.base + other.base, self.stressed + other.stressed,
                            {k: self.diff_squares[k] + other.diff_squares[k] for k in self.diff_squares},
                            {k: self.misses[k] + other.misses[k] for k in self.misses})


def play_paired_blocks(plan: TrialArrays, stress: Stress, seed: int, task: Task,
                       kernel: str | None = None) -> PairedTotals:
    """Blocks [first, last) of the run, each drawn once and played without and with the stress.
    The kernel is chosen where the run starts, so every Dask worker plays the same formulas."""
    total = PairedTotals()
    for b in range(task.first_block, task.last_block):
        keep = min(task.trials - b * BLOCK, BLOCK)
        draws = sample_block(plan, block_random(seed, b), BLOCK)
        total = total + PairedTotals.of(
            play(plan, draws, kernel=kernel).head(keep),
            play(stress.plan_for(plan), with_stress(stress, draws), kernel=kernel).head(keep))
    return total


def run_paired_local(plan: TrialArrays, stress: Stress, trials: int, seed: int, *,
                     batch_blocks: int = DEFAULT_BATCH_BLOCKS, progress: Progress | None = None
                     ) -> PairedTotals:
    total = PairedTotals()
    kernel = kernel_name()
    for task in tasks(trials, batch_blocks):
        total = total + play_paired_blocks(plan, stress, seed, task, kernel)
        if progress:
            progress(total.stressed)
    return total


def run_paired_dask(plan: TrialArrays, stress: Stress, trials: int, seed: int, *, workers: int | None,
                    address: str | None, batch_blocks: int = DEFAULT_BATCH_BLOCKS,
                    progress: Progress | None = None) -> PairedTotals:
    distributed = import_distributed()
    with _client(distributed, workers, address) as client:
        shared = client.scatter(plan, broadcast=True)
        kernel = kernel_name()
        futures = [client.submit(play_paired_blocks, shared, stress, seed, task, kernel, pure=False)
                   for task in dask_tasks(trials, batch_blocks, threads(client))]
        total = PairedTotals()
        for future in distributed.as_completed(futures):
            total = total + future.result()
            if progress:
                progress(total.stressed)
        return total


def run_paired_reference(plan: TrialArrays, stress: Stress, trials: int, seed: int) -> PairedTotals:
    """The SimPy reference on its own sampler: trial i drawn once, played twice."""
    base, hit = [], []
    for i in range(trials):
        d = sample_trial(plan, trial_random(seed, i))
        base.append(play_trial(plan, d))
        hit.append(play_trial(stress.plan_for(plan), with_stress_trial(stress, d)))
    return PairedTotals.of(Outcomes.concat(base), Outcomes.concat(hit))


# -- the figures ------------------------------------------------------------------------


@dataclass(frozen=True)
class Figure:
    label: str
    key: str
    unit: str  # "p" (a probability), "days" or "count"
    without: Estimate
    with_stress: Estimate
    difference: Estimate  # with - without, paired


@dataclass(frozen=True)
class StressResult:
    """A risk run with and without the stress, on the same trials."""

    without: RiskResult
    with_stress: RiskResult
    paired: PairedTotals
    stress: Stress
    events: tuple[Any, ...]
    notes: tuple[str, ...] = ()

    @property
    def plan(self) -> TrialArrays:
        return self.without.plan

    @property
    def trials(self) -> int:
        return self.paired.trials

    def figures(self, variant: int = 0) -> list[Figure]:
        """The figures that matter, over the window, for one variant of the manifest."""
        a, b, n = self.without, self.with_stress, self.trials
        pt, out = self.paired, []
        vname = self.plan.variants[variant]
        tag = "" if variant == 0 else f" ({vname})"
        for g, seg in enumerate(a.segment_groups()):
            what = "a segment" if seg == ANY else seg
            ha, hb = (int(t.hits["short"][variant, g, -1]) for t in (pt.base, pt.stressed))
            out.append(Figure(f"P({what} without operator){tag}", f"p_without_operator:{vname}:{seg}", "p",
                              a.p_without_operator(variant, g)["window"],
                              b.p_without_operator(variant, g)["window"],
                              paired_difference(hb, ha, int(pt.misses["short"][variant, g, -1]), n)))
            if seg != ANY:
                sa, sb = (int(t.sums["short"][variant, g, -1]) for t in (pt.base, pt.stressed))
                out.append(Figure(f"days {seg} without operator{tag}", f"days_without_operator:{vname}:{seg}",
                                  "days", a.days_without_operator(variant, g)["window"],
                                  b.days_without_operator(variant, g)["window"],
                                  paired_difference(sb, sa, int(pt.diff_squares["short"][variant, g, -1]), n,
                                                    DAY)))
        if variant == 0:
            out += self._station_figures()
        return out

    def _station_figures(self) -> list[Figure]:
        a, b, n, pt = self.without, self.with_stress, self.trials, self.paired
        ha, hb = int(pt.base.hits["empty"][-1]), int(pt.stressed.hits["empty"][-1])
        out = [Figure("P(station emptied)", "p_emptied", "p", a.p_emptied()["window"],
                      b.p_emptied()["window"], paired_difference(hb, ha, int(pt.misses["empty"][-1]), n))]
        for label, key, scale in (("days station empty", "empty", DAY),
                                  ("contingency flights", "contingency", 1.0),
                                  ("crews home at a docked limit", "forced", 1.0),
                                  ("medical / early returns", "medical", 1.0),
                                  ("longest stay, mean days", "longest", DAY)):
            sa, sb = int(pt.base.sums[key][-1]), int(pt.stressed.sums[key][-1])
            out.append(Figure(label, key, "days" if scale != 1.0 else "count",
                              a.station(key, scale)["window"], b.station(key, scale)["window"],
                              paired_difference(sb, sa, int(pt.diff_squares[key][-1]), n, scale)))
        return out

    def all_figures(self) -> list[Figure]:
        return [f for v in range(len(self.plan.variants)) for f in self.figures(v)]

    def as_planned(self) -> dict[str, Any]:
        """The stress alone, nothing else going wrong: days without operator and empty."""
        p, o = self.plan, self.with_stress.as_planned
        return {"days_without_operator": {g: o.short[0, 0, i, -1] * DAY for i, g in enumerate(p.segments)},
                "station_emptied_days": o.empty[0, -1] * DAY, "longest_stay_days": o.longest[0, -1] * DAY}

    # -- output -------------------------------------------------------------------

    def as_json(self) -> dict[str, Any]:
        data = self.with_stress.as_json()
        data["without_stress"] = self.without.as_json()
        data["stress"] = {
            "events": [e.model_dump(mode="json", exclude_defaults=True) for e in self.events],
            "as_planned_with_stress": self.as_planned(),
            "figures": [{"figure": f.label, "key": f.key, "unit": f.unit, "without": f.without.as_json(),
                         "with": f.with_stress.as_json(), "difference": f.difference.as_json()}
                        for f in self.all_figures()],
            "notes": list(self.stress.notes),
        }
        data["notes"] = list(data["notes"]) + list(self.notes)
        from mixedcrew.risk.result import _plain

        return _plain(data)  # type: ignore[no-any-return]

    def table(self) -> Table:
        p = self.plan
        t = Table(title=f"{p.station} {p.window.label()}, {self.trials:,} trials: without and with "
                        f"{', '.join(self.stress.events)} (same trials)")
        for col in ("figure", "without", "with", "difference (paired)"):
            t.add_column(col, justify="left" if col == "figure" else "right")
        for f in self.all_figures():
            fmt = _fmt(f.unit)
            t.add_row(f.label, fmt(f.without, False), fmt(f.with_stress, False), fmt(f.difference, True))
        return t

    def lines(self) -> list[str]:
        """The table as plain lines, one figure a line (never wrapped, whatever the terminal)."""
        p = self.plan
        rows = [(f.label, _fmt(f.unit)(f.without, False), _fmt(f.unit)(f.with_stress, False),
                 _fmt(f.unit)(f.difference, True)) for f in self.all_figures()]
        head = ("figure", "without", "with", "difference (paired)")
        widths = [max(len(r[i]) for r in [head, *rows]) for i in range(4)]

        def line(r: tuple[str, ...]) -> str:
            return "  ".join([r[0].ljust(widths[0]), *(c.rjust(w) for c, w in zip(r[1:], widths[1:],
                                                                                 strict=True))])

        return [f"{p.station} {p.window.label()}, {self.trials:,} trials: without and with "
                f"{', '.join(self.stress.events)} (same trials)", line(head), *map(line, rows)]

    def sentence(self) -> str:
        head = self.figures()[len(self.plan.segments) * 2] if self.plan.segments else self.figures()[0]
        return (f"With {', '.join(self.stress.events)} in every trial, {head.label} is "
                f"{pct(head.with_stress, ci=False)} instead of {pct(head.without, ci=False)} "
                f"({pct(head.difference, signed=True, points=True)}, paired over the same trials).")


def _fmt(unit: str):  # type: ignore[no-untyped-def]
    if unit == "p":
        return lambda e, signed: pct(e, signed=signed, points=signed)

    def count(e: Estimate, signed: bool) -> str:
        return days(e, signed=signed)

    return count


def as_planned_with(plan: TrialArrays, stress: Stress) -> Outcomes:
    return play(stress.plan_for(plan), with_stress(stress, no_disruptions(plan)))
