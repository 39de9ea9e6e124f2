"""`mixedcrew whatif`: one event, re-planned, checked and stress-tested, old and new side by side.

The steps: re-plan with the events (replan.py; a blocked launch waits for
its block to end; best effort when no plan keeps every rule), check both
manifests, compare them (diff.py), then play the risk engine over the same
window: the old manifest without and with the events as stresses (paired
on the same trials), and the new manifest (its events are in it: those it
does not reflect are played as stresses). Same seed and trial count for
both; the two manifests have different flights, so their trials are drawn
alike but are not paired.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from mixedcrew.domain import Scenario
from mixedcrew.risk.metrics import Estimate
from mixedcrew.whatif.diff import ManifestDiff, compare_manifests

FIGURES = ("p_without_operator", "days_without_operator", "p_emptied", "empty", "contingency", "forced")


@dataclass(frozen=True)
class Column:
    """The figures that matter for one manifest under one set of events, over the window."""

    title: str
    values: dict[str, Estimate]  # figure label -> estimate


@dataclass
class WhatIf:
    old: Scenario
    new: Scenario | None
    events: tuple[Any, ...]
    replanned: Any  # ReplanResult
    diff: ManifestDiff | None
    columns: list[Column] = field(default_factory=list)
    window: tuple[datetime, datetime] | None = None
    trials: int = 0
    seed: int = 0
    seconds: dict[str, float] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    unanswered: list[Any] = field(default_factory=list)  # what the old plan breaks with the event, unchanged

    @property
    def best_effort(self) -> bool:
        be = self.replanned.best_effort
        return be is not None and be.plan is not None

    def figure_rows(self) -> list[tuple[str, list[Estimate | None]]]:
        labels = list(dict.fromkeys(k for c in self.columns for k in c.values))
        return [(k, [c.values.get(k) for c in self.columns]) for k in labels]


def figures_of(result: Any, stressed: bool) -> dict[str, Estimate]:
    """Label -> estimate over the window, for a RiskResult or one side of a StressResult."""
    from mixedcrew.risk.paired import StressResult
    from mixedcrew.risk.result import ANY, DAY

    r = (result.with_stress if stressed else result.without) if isinstance(result, StressResult) else result
    out: dict[str, Estimate] = {}
    for g, seg in enumerate(r.segment_groups()):
        what = "a segment" if seg == ANY else seg
        out[f"P({what} without operator)"] = r.p_without_operator(0, g)["window"]
        if seg != ANY:
            out[f"days {seg} without operator"] = r.days_without_operator(0, g)["window"]
    out["P(station emptied)"] = r.p_emptied()["window"]
    out["days station empty"] = r.station("empty", DAY)["window"]
    out["contingency flights"] = r.station("contingency")["window"]
    out["crews home at a docked limit"] = r.station("forced")["window"]
    return out


def what_if(plan: Scenario, events: Sequence[Any], *, trials: int = 10_000, seed: int = 0,
            options: Any = None, until: datetime | None = None, shift_days: float | None = None,
            best_effort: bool = True, start: datetime | None = None, end: datetime | None = None,
            station: str | None = None) -> WhatIf:
    """Re-plan `plan` after `events`, compare, and play the risk engine on both manifests."""
    from mixedcrew.plan.replan import replan
    from mixedcrew.risk import assess

    t0 = time.monotonic()
    done = replan(plan, list(events), options, until, shift_days=shift_days, best_effort=best_effort)
    t1 = time.monotonic()
    new = done.result.plan
    now = done.now
    out = WhatIf(plan, new, tuple(events), done, None, trials=trials, seed=seed)
    out.seconds["replan"] = t1 - t0
    out.unanswered = _without_action(plan, events, now)
    if new is not None:
        out.diff = compare_manifests(plan, new, since=now)
    out.seconds["compare"] = time.monotonic() - t1
    if trials <= 0:
        return out
    t2 = time.monotonic()
    ends = [x for x in (plan.scenario.horizon, new.scenario.horizon if new else None) if x is not None]
    w_start = start or now
    w_end = end or (min(ends) if ends else None)
    before = assess(plan, list(events), trials=trials, seed=seed, start=w_start, end=w_end, station=station)
    out.window = (before.plan.window.start, before.plan.window.end)
    out.columns = [Column("as planned, no event", figures_of(before, stressed=False)),
                   Column("event, old plan kept", figures_of(before, stressed=True))]
    out.notes += [f"old plan: {n}" for n in before.plan.notes if "reflected" in n or "not played" in n]
    if new is not None:
        after = assess(new, [], trials=trials, seed=seed, start=out.window[0], end=out.window[1],
                       station=station)
        title = "event, best-effort re-plan" if out.best_effort else "event, re-planned"
        out.columns.append(Column(title, figures_of(after, stressed=True)))
        out.notes += [f"new plan: {n}" for n in after.plan.notes]
    out.seconds["risk"] = time.monotonic() - t2
    return out


def _without_action(plan: Scenario, events: Sequence[Any], now: datetime) -> list[Any]:
    """The violations the old plan gets from the events alone, nothing re-planned."""
    from mixedcrew.check import check

    before = {(v.rule, v.message) for v in check(plan).violations}
    hit = plan.model_copy(update={"events": plan.events + tuple(events)})
    return [v for v in check(hit).violations if (v.rule, v.message) not in before and v.end > now]


def summary_lines(w: WhatIf) -> list[str]:
    """The side-by-side summary, in words, for the terminal."""
    from mixedcrew.plan.best_effort import describe

    events = ", ".join(e.id for e in w.events)
    r = w.replanned
    lines = [f"what if: {events} (from {r.now:%Y-%m-%d})"]
    lines += [f"held: {b.sentence()}" for b in r.blocked]
    if w.unanswered:
        lines.append(f"without action (the old plan with the event) {len(w.unanswered)} rule(s) break:")
        lines += [f"  {v.rule:<12} {v.start:%Y-%m-%d} .. {v.end:%Y-%m-%d}  {v.message}" for v in w.unanswered]
    else:
        lines.append("without action (the old plan with the event) no rule breaks")
    if w.new is None:
        lines.append("no re-plan: " + ("no plan keeps the physical rules (ORDER, SEATS, PORTS)"
                                       if r.result.status == "infeasible" else r.result.status))
        lines += [f"  {fact}" for fact in r.result.facts]
    elif w.best_effort:
        lines += describe(r.best_effort)
    else:
        lines.append("re-planned: every rule holds in the new plan")
    if w.diff is not None:
        lines += w.diff.lines(("the old plan", "the new plan"))
    if w.columns and w.window is not None:
        lines.append(f"risk over {w.window[0]:%Y-%m-%d} .. {w.window[1]:%Y-%m-%d}, {w.trials:,} trials, "
                     f"seed {w.seed} (95% intervals):")
    return lines


def figure_lines(w: WhatIf) -> list[str]:
    """The figures side by side as plain lines (never wrapped: one row a line)."""
    from mixedcrew.risk.result import days, pct

    if not w.columns:
        return []
    rows = [(label, ["-" if e is None else (pct(e) if label.startswith("P(") else days(e)) for e in cells])
            for label, cells in w.figure_rows()]
    widths = [max([len(c.title)] + [len(r[1][i]) for r in rows]) for i, c in enumerate(w.columns)]
    first = max([len("figure")] + [len(r[0]) for r in rows])
    def line(label: str, cells: list[str]) -> str:
        return "  ".join([f"{label:<{first}}", *(f"{c:>{n}}" for c, n in zip(cells, widths, strict=True))])

    return [line("figure", [c.title for c in w.columns])] + [line(label, cells) for label, cells in rows]


def as_json(w: WhatIf) -> dict[str, Any]:
    r = w.replanned
    data: dict[str, Any] = {
        "events": [e.model_dump(mode="json", exclude_defaults=True) for e in w.events],
        "now": r.now.isoformat().replace("+00:00", "Z"),
        "status": r.result.status, "best_effort": w.best_effort,
        "held": [b.sentence() for b in r.blocked],
        "explanation": [f.as_json() for f in r.result.facts],
        "changes": w.diff.as_json() if w.diff else None,
        "without_action": [v.as_json() for v in w.unanswered],
        "trials": w.trials, "seed": w.seed,
        "window": None if w.window is None else [x.isoformat().replace("+00:00", "Z") for x in w.window],
        "figures": {c.title: {k: v.as_json() for k, v in c.values.items()} for c in w.columns},
        "seconds": {k: round(v, 3) for k, v in w.seconds.items()},
        "notes": w.notes,
    }
    if w.best_effort:
        data["facts_given_up"] = [f.as_json() for f in r.best_effort.broken]
    return data
