"""A risk run's figures: estimates with intervals, as JSON and as rich tables."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rich.table import Table

from mixedcrew.instants import format_instant
from mixedcrew.risk.arrays import MINUTES_PER_DAY, TrialArrays
from mixedcrew.risk.metrics import Estimate, Totals, mean, paired_difference, probability, quantile
from mixedcrew.risk.outcomes import Outcomes

DAY = 1 / MINUTES_PER_DAY
ANY = "any segment"


@dataclass(frozen=True)
class RiskResult:
    plan: TrialArrays
    totals: Totals
    seed: int
    engine: str
    backend: str
    as_planned: Outcomes
    scenario: str = ""
    compare: str | None = None
    rides_moved: int = 0

    @property
    def trials(self) -> int:
        return self.totals.trials

    @property
    def columns(self) -> list[str]:
        return [str(y) for y in self.plan.years] + ["window"]

    def _per_year(self, fn) -> dict[str, Estimate]:  # type: ignore[no-untyped-def]
        return {label: fn(i) for i, label in enumerate(self.columns)}

    # -- the figures ------------------------------------------------------------------

    def segment_groups(self) -> list[str]:
        return [*self.plan.segments, ANY]

    def p_without_operator(self, variant: int, group: int) -> dict[str, Estimate]:
        t, n = self.totals, self.trials
        return self._per_year(lambda y: probability(int(t.hits["short"][variant, group, y]), n))

    def days_without_operator(self, variant: int, group: int) -> dict[str, Estimate]:
        t, n = self.totals, self.trials
        return self._per_year(lambda y: mean(int(t.sums["short"][variant, group, y]),
                                             int(t.squares["short"][variant, group, y]), n, DAY))

    def p_difference(self, variant: int, group: int) -> dict[str, Estimate]:
        """P(manifest) - P(variant), paired over the same trials."""
        t, n = self.totals, self.trials
        return self._per_year(lambda y: paired_difference(
            int(t.hits["short"][0, group, y]), int(t.hits["short"][variant, group, y]),
            int(t.paired_misses[variant - 1, group, y]), n))  # type: ignore[index]

    def days_difference(self, variant: int, group: int) -> dict[str, Estimate]:
        t, n = self.totals, self.trials
        return self._per_year(lambda y: paired_difference(
            int(t.sums["short"][0, group, y]), int(t.sums["short"][variant, group, y]),
            int(t.paired_squares[variant - 1, group, y]), n, DAY))  # type: ignore[index]

    def station(self, name: str, scale: float = 1.0) -> dict[str, Estimate]:
        t, n = self.totals, self.trials
        return self._per_year(lambda y: mean(int(t.sums[name][y]), int(t.squares[name][y]), n, scale))

    def p_emptied(self) -> dict[str, Estimate]:
        t, n = self.totals, self.trials
        return self._per_year(lambda y: probability(int(t.hits["empty"][y]), n))

    def longest_quantiles(self) -> dict[str, Estimate]:
        h = self.totals.longest_days
        return {f"p{round(q * 100)}": quantile(h, self.trials, q) for q in (0.5, 0.9, 0.99)}  # type: ignore[arg-type]

    def headline(self) -> Estimate:
        return self.p_without_operator(0, len(self.plan.segments))["window"]

    # -- JSON -------------------------------------------------------------------------

    def as_json(self) -> dict[str, Any]:
        p = self.plan

        def est(d: dict[str, Estimate]) -> dict[str, Any]:
            return {"window": d["window"].as_json(),
                    "by_year": {k: v.as_json() for k, v in d.items() if k != "window"}}

        def variant(v: int) -> dict[str, Any]:
            out: dict[str, Any] = {}
            for g, name in enumerate(self.segment_groups()):
                out[name] = {"p_ever_without_operator": est(self.p_without_operator(v, g))}
                if name != ANY:
                    out[name]["expected_days_without_operator"] = est(self.days_without_operator(v, g))
            return {"segments": out}

        planned = self.as_planned
        data: dict[str, Any] = {
            "scenario": self.scenario, "station": p.station,
            "window": {"from": format_instant(p.window.start), "until": format_instant(p.window.end)},
            "trials": self.trials, "seed": self.seed, "engine": self.engine, "backend": self.backend,
            "years": list(p.years), "variants": list(p.variants),
            "as_planned": {
                "days_without_operator": {
                    vname: {g: planned.short[0, v, i, -1] * DAY for i, g in enumerate(p.segments)}
                    for v, vname in enumerate(p.variants)},
                "station_emptied_days": planned.empty[0, -1] * DAY,
                "longest_stay_days": planned.longest[0, -1] * DAY,
            },
            "metrics": {vname: variant(v) for v, vname in enumerate(p.variants)},
            "whole_station": {
                "p_emptied": est(self.p_emptied()),
                "expected_days_emptied": est(self.station("empty", DAY)),
                "longest_stay_days": {"mean": est(self.station("longest", DAY)),
                                      **{k: v.as_json() for k, v in self.longest_quantiles().items()}},
                "expected_contingency_flights": est(self.station("contingency")),
                "expected_medical_returns": est(self.station("medical")),
                "expected_crews_home_at_docked_limit": est(self.station("forced")),
            },
            "notes": list(p.notes),
        }
        if len(p.variants) > 1:
            data["difference"] = {
                f"{p.variants[0]} - {p.variants[v]}": {
                    name: {"p_ever_without_operator": est(self.p_difference(v, g)),
                           **({"expected_days_without_operator": est(self.days_difference(v, g))}
                              if name != ANY else {})}
                    for g, name in enumerate(self.segment_groups())}
                for v in range(1, len(p.variants))}
            data["rides_given_to_stand_ins"] = self.rides_moved
        plain: dict[str, Any] = _plain(data)
        return plain

    # -- tables -----------------------------------------------------------------------

    def title(self) -> str:
        p = self.plan
        return (f"{self.scenario or p.station}: {p.station}, {p.window.label()} "
                f"({p.days / 365.25:.1f} years), {self.trials:,} trials, seed {self.seed}")

    def window_table(self) -> Table:
        p = self.plan
        compare = len(p.variants) > 1
        table = Table(title=self.title(), title_justify="left", show_lines=True)
        table.add_column("over the window", no_wrap=True)
        for vname in p.variants:
            table.add_column(vname, justify="right")
        if compare:
            table.add_column("difference", justify="right")
        table.add_column("as planned", justify="right")
        planned = self.as_planned
        for g, name in enumerate(self.segment_groups()):
            shorts = [planned.short[0, v, g, -1] for v in range(len(p.variants))]
            cells = [pct(self.p_without_operator(v, g)["window"], sep="\n") for v in range(len(p.variants))]
            if compare:
                cells.append(pct(self.p_difference(1, g)["window"], signed=True, sep="\n"))
            table.add_row(f"P({'a segment' if name == ANY else name} without operator)", *cells,
                          " / ".join("yes" if x else "no" for x in shorts))
            if name == ANY:
                continue
            cells = [days(self.days_without_operator(v, g)["window"], sep="\n")
                     for v in range(len(p.variants))]
            if compare:
                cells.append(days(self.days_difference(1, g)["window"], signed=True, sep="\n"))
            table.add_row(f"days {name} without operator", *cells,
                          " / ".join(f"{x * DAY:.1f}" for x in shorts))
        pad = [""] * (len(p.variants) - 1 + compare)
        q = self.longest_quantiles()
        rows = [
            ("P(station emptied)", pct(self.p_emptied()["window"], sep="\n"),
             "yes" if planned.empty[0, -1] else "no"),
            ("longest stay, days", days(self.station("longest", DAY)["window"], digits=1, sep="\n"),
             f"{planned.longest[0, -1] * DAY:.1f}"),
            ("  median / 90% / 99%",
             f"{q['p50'].value:.0f} / {q['p90'].value:.0f} / {q['p99'].value:.0f}", ""),
            ("contingency flights", days(self.station("contingency")["window"], sep="\n"), "0"),
            ("medical returns", days(self.station("medical")["window"], sep="\n"), "0"),
            ("crews home at a limit", days(self.station("forced")["window"], sep="\n"),
             str(planned.forced[0, -1])),
        ]
        for label, value, planned_value in rows:
            table.add_row(label, value, *pad, planned_value)
        return table

    def year_table(self) -> Table:
        p = self.plan
        compare = len(p.variants) > 1
        table = Table(title="By year: P(without operator), days; intervals in --json", title_justify="left")
        table.add_column("year")
        for segment in p.segments:
            for vname in p.variants:
                table.add_column(f"{segment}" + (f" {vname[:5]}." if compare else ""), justify="right")
            if not compare:
                table.add_column(f"{segment} days", justify="right")
        table.add_column("emptied", justify="right")
        table.add_column("contingency", justify="right")
        for label in self.columns[:-1]:
            cells = []
            for g in range(len(p.segments)):
                cells += [pct(self.p_without_operator(v, g)[label], ci=False) for v in range(len(p.variants))]
                if not compare:
                    cells.append(days(self.days_without_operator(0, g)[label], ci=False))
            cells += [pct(self.p_emptied()[label], ci=False),
                      days(self.station("contingency")[label], ci=False)]
            table.add_row(label, *cells)
        return table

    def sentence(self) -> str:
        """The headline, in words."""
        p = self.plan
        g = len(p.segments)
        w = self.p_without_operator(0, g)["window"]
        text = (f"Over {p.window.label()}, a segment of {p.station} went without a trained operator in "
                f"{pct(w)} of trials")
        if len(p.variants) > 1:
            s = self.p_without_operator(1, g)["window"]
            d = self.p_difference(1, g)["window"]
            text += (f" with this manifest's crews, and in {pct(s)} {_variant_words(p.variants[1])}: "
                     f"a difference of {pct(d, signed=True, points=True)}")
        return text + "."


def _variant_words(name: str) -> str:
    return "with each agency flying only its own vehicles" if name == "segregated" else f"in {name}"


def pct(e: Estimate, *, signed: bool = False, ci: bool = True, points: bool = False, sep: str = " ") -> str:
    def f(x: float) -> str:
        digits = 2 if abs(x) < 0.01 else 1
        return f"{x * 100:+.{digits}f}" if signed else f"{x * 100:.{digits}f}"

    unit = " points" if points else "%"
    return f"{f(e.value)}{unit}{sep}[{f(e.low)}, {f(e.high)}]" if ci else f"{f(e.value)}{unit}"


def days(e: Estimate, *, signed: bool = False, ci: bool = True, digits: int = 2, sep: str = " ") -> str:
    def f(x: float) -> str:
        return f"{x:+.{digits}f}" if signed else f"{x:.{digits}f}"

    return f"{f(e.value)}{sep}[{f(e.low)}, {f(e.high)}]" if ci else f(e.value)


def _plain(x: Any) -> Any:
    """JSON-ready: NumPy scalars to Python numbers."""
    if isinstance(x, dict):
        return {k: _plain(v) for k, v in x.items()}
    if isinstance(x, list | tuple):
        return [_plain(v) for v in x]
    if hasattr(x, "item"):
        return x.item()
    return x
