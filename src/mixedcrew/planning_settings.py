"""The `[planning]` section of a scenario: how the planner weighs its objectives.

Domain-level (no solver imports); the planner package reads it.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class PlanningSettings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)
