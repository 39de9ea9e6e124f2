"""The `[planning]` section of a scenario: how the planner weighs its objectives.

Domain-level (no solver imports); the planner package reads it. Every field
has a default, so a scenario without the section plans with the documented
order (docs/plan.md).
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from mixedcrew.domain.base import Model
from mixedcrew.instants import Instant

# The objective levels after the hard rules, and the terms each one adds up.
LEVELS: dict[str, tuple[str, ...]] = {
    "rescue": ("rescue",),
    "balance": ("balance",),
    "timing": ("stay", "launch"),
    "fairness": ("fairness",),
    "overlap": ("overlap",),
}
LevelName = Literal["rescue", "balance", "timing", "fairness", "overlap"]
# rescue first: after damage or a medical return the answer comes as early as the rules allow,
# before seat balance or preferred dates (a level with nothing to rescue is left out)
DEFAULT_ORDER: tuple[LevelName, ...] = ("rescue", "balance", "timing", "fairness", "overlap")


# Terms count seconds over horizons of decades (about 1e9 s) and up to thousands of terms: a
# weight above this could overflow the solver's 64-bit objective, and weights only trade terms
# within one level, so a million to one is more than any ratio a planner needs.
MAX_WEIGHT = 1_000_000


class Weights(Model):
    """Weight of each objective term inside its level (0 switches a term off)."""

    rescue: int = Field(default=1, ge=0, le=MAX_WEIGHT,
                        description="per second an answer to damage or an early return launches "
                                    "after the event")
    balance: int = Field(default=1, ge=0, le=MAX_WEIGHT, description="per seat of exchange imbalance")
    stay: int = Field(default=1, ge=0, le=MAX_WEIGHT, description="per second a stay is off its target")
    launch: int = Field(default=1, ge=0, le=MAX_WEIGHT,
                        description="per second a launch is off its preferred date")
    fairness: int = Field(default=1, ge=0, le=MAX_WEIGHT,
                          description="per flight between an agency's busiest and idlest candidate")
    overlap: int = Field(default=1, ge=0, le=MAX_WEIGHT,
                         description="per second two crewed flights of a type are docked together")


class PlanningSettings(Model):
    order: tuple[LevelName, ...] = Field(
        default=DEFAULT_ORDER, description="objective levels, most important first")
    weights: Weights = Weights()
    until: Instant | None = Field(
        default=None, description="plan open flights launching before this instant (default: "
                                  "the end of the latest launch window)")
    launch_step_hours: float = Field(
        default=24.0, gt=0, le=24 * 30,
        description="grid of planned launch and undock instants, in hours")
    crew: Literal["full", "any"] = Field(
        default="full", description="full: a crewed open flight fills every seat not kept for "
                                    "someone riding down on it; any: at least one person")
    handover_days: float | None = Field(
        default=None, ge=0,
        description="rule HANDOVER: a crew rotation the planner undocks leaves only after a "
                    "rotation of the same vehicle type has docked at least this many days "
                    "before (a direct handover); none: not asked")
    handover_until: Instant | None = Field(
        default=None,
        description="rule HANDOVER asks only of rotations undocking before this instant (e.g. "
                    "once a deorbit vehicle holds a port the relieving crew would need); none: "
                    "of every rotation")
    min_aboard: int | None = Field(
        default=None, ge=1,
        description="rule MIN_ABOARD: at least this many people aboard each continuously "
                    "crewed station wherever the planner decides (e.g. nominal crew minus "
                    "one); none: only the station's own rules")

    @model_validator(mode="after")
    def _order_unique(self) -> PlanningSettings:
        if len(set(self.order)) != len(self.order):
            raise ValueError(f"order names a level twice: {list(self.order)}")
        if (self.launch_step_hours * 3600) != int(self.launch_step_hours * 3600):
            raise ValueError("launch_step_hours must be a whole number of seconds")
        return self
