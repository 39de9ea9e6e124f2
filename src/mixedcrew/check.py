"""Run the rules over a manifest: pure functions of (Scenario, Timeline) -> Report."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from mixedcrew.domain import Scenario
from mixedcrew.errors import UnknownRuleError
from mixedcrew.rules import RULES, Violation
from mixedcrew.timeline import Timeline


@dataclass(frozen=True)
class Report:
    violations: tuple[Violation, ...]
    rules_run: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.violations

    def by_rule(self) -> dict[str, int]:
        counts = Counter(v.rule for v in self.violations)
        return {r: counts.get(r, 0) for r in self.rules_run}

    def as_json(self) -> dict[str, object]:
        return {
            "violations": [v.as_json() for v in self.violations],
            "summary": {
                "violations": len(self.violations),
                "by_rule": self.by_rule(),
                "rules_run": list(self.rules_run),
            },
        }


def check(
    scenario: Scenario,
    timeline: Timeline | None = None,
    *,
    start: datetime | None = None,
    end: datetime | None = None,
    ignore: Iterable[str] = (),
) -> Report:
    """Every violation of every rule not ignored, overlapping [start, end)."""
    # A lone string is one rule id, not a sequence of letters.
    skip = {ignore.upper()} if isinstance(ignore, str) else {r.upper() for r in ignore}
    unknown = sorted(skip - set(RULES))
    if unknown:
        raise UnknownRuleError(unknown, list(RULES))
    tl = timeline or Timeline(scenario)
    found: list[Violation] = []
    run = tuple(r for r in RULES if r not in skip)
    for rule_id in run:
        for v in RULES[rule_id].check(scenario, tl):
            # half-open: [v.start, v.end) ending at `start` does not overlap; a single
            # instant (v.start == v.end) does when it is `start` itself
            if start is not None and (v.end < start or (v.end == start and v.start < v.end)):
                continue
            if end is not None and v.start >= end:
                continue
            found.append(v)
    found.sort(key=lambda v: (v.start, v.rule, v.end, v.flights, v.people))
    return Report(tuple(found), run)
