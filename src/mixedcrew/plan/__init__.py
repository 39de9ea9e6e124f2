"""The planner: CP-SAT models that fill open flights so that every rule holds.

The domain never imports OR-Tools; this package is the only one that does.
"""

from mixedcrew.plan.explain import Fact
from mixedcrew.plan.scope import PlanInputError, Reference
from mixedcrew.plan.solve import LevelResult, PlanResult, SolveOptions, plan_scenario

__all__ = ["Fact", "LevelResult", "PlanInputError", "PlanResult", "Reference", "SolveOptions",
           "plan_scenario"]
