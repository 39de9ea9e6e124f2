"""What the planner is asked (SolveOptions) and what it answers (PlanResult).

No solver here: the web app and the CLI read these without building a model.
A PlanResult is frozen; the solve steps (solve.py) gather their parts and
make it once.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum

from mixedcrew.check import Report
from mixedcrew.domain import Scenario
from mixedcrew.plan.scope import Scope
from mixedcrew.rules import Violation

Progress = Callable[[str, float, float | None, float | None], None]  # level, elapsed, best, bound


@dataclass(frozen=True)
class SolveOptions:
    time_limit: float = 60.0  # wall-clock seconds for the whole answer: start, levels, explanation
    work_limit: float | None = None  # deterministic seconds per level
    seed: int = 0
    workers: int = 1
    deterministic: bool = True
    progress: Progress | None = None


# With best effort asked (plan/replan --best-effort), the share of the time limit the full plan
# (or the proof that none exists) may take; the best effort runs on what it leaves, so the
# whole command stays within its one limit.
BEST_EFFORT_PLAN_SHARE = 0.5


class Clock:
    """The time left of one answer: every step asks it instead of keeping its own budget."""

    def __init__(self, seconds: float, started: float | None = None):
        self.started = time.monotonic() if started is None else started
        self.deadline = self.started + seconds

    def left(self) -> float:
        return max(0.0, self.deadline - time.monotonic())

    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def share(self, fraction: float) -> float:
        """A fraction of the time left (seconds)."""
        return self.left() * fraction

    def part(self, fraction: float) -> Clock:
        """A clock for one step of a longer answer: a fraction of the time left, ending no later
        than this one, so the steps after it keep the rest."""
        return Clock(self.share(fraction))


class Status(StrEnum):
    """How an answer ended. A StrEnum: `result.status == "planned"` reads as before."""

    PLANNED = "planned"
    INFEASIBLE = "infeasible"  # proven: no plan keeps every rule
    UNKNOWN = "unknown"  # neither a plan nor a proof within the time limit
    NOTHING = "nothing to plan"


@dataclass(frozen=True)
class LevelResult:
    name: str
    unit: str
    value: int
    bound: float
    optimal: bool
    seconds: float

    @property
    def shown(self) -> tuple[float, float, str]:
        """(value, bound, unit) in the unit people read: days for seconds."""
        if self.unit == "second":
            return self.value / 86400, self.bound / 86400, "days"
        return float(self.value), float(self.bound), self.unit + "s"

    def as_json(self) -> dict[str, object]:
        value, bound, unit = self.shown
        return {"level": self.name, "value": round(value, 4), "bound": round(bound, 4),
                "unit": unit, "optimal": self.optimal, "seconds": round(self.seconds, 3)}


@dataclass(frozen=True)
class Fact:
    """One fact of an explanation: a rule family and subject, in one sentence."""

    rule: str
    subject: str
    sentence: str

    def __str__(self) -> str:
        return f"{self.rule:<12} {self.sentence}"

    def as_json(self) -> dict[str, str]:
        return {"rule": self.rule, "subject": self.subject, "sentence": self.sentence}


@dataclass(frozen=True)
class Explanation:
    """Facts that conflict. `minimal`: dropping any one leaves the rest satisfiable (each
    test decided); else the facts are ordered by relevance and some may not be needed."""

    facts: tuple[Fact, ...] = ()
    minimal: bool = False
    proven: bool = False  # the solver proved the rules (with these facts) impossible
    seconds: float = 0.0


@dataclass(frozen=True)
class PlanResult:
    status: Status
    plan: Scenario | None
    scope: Scope
    levels: tuple[LevelResult, ...] = ()
    explanation: Explanation = Explanation()
    report: Report | None = None
    new_violations: tuple[Violation, ...] = ()
    preexisting: tuple[tuple[str, str], ...] = ()
    seconds: float = 0.0
    tried: tuple[str, ...] = field(default=())  # what was tried when no plan came back

    @property
    def facts(self) -> tuple[Fact, ...]:
        return self.explanation.facts

    @property
    def planned_flights(self) -> list[str]:
        return [f.id for f in self.scope.planned]

    def as_json(self) -> dict[str, object]:
        return {
            "status": str(self.status),
            "planned_flights": self.planned_flights,
            "undocks_planned": [f.id for f in self.scope.partial],
            "left_open": [{"flight": f.id, "why": why} for f, why in self.scope.unplanned],
            "levels": [lv.as_json() for lv in self.levels],
            "explanation": [fact.as_json() for fact in self.facts],
            "explanation_minimal": self.explanation.minimal,
            "tried": list(self.tried),
            "violations": [v.as_json() for v in self.report.violations] if self.report else [],
            "new_violations": [v.as_json() for v in self.new_violations],
            "seconds": round(self.seconds, 3),
        }
