"""The `[risk]` section of a scenario: the stochastic model the risk engine samples.

Domain-level (no NumPy/SimPy imports); the risk package reads it.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class RiskModel(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)
