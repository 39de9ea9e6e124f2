"""The planner: CP-SAT models that fill open flights so that every rule holds.

The domain never imports OR-Tools; this package is the only one that does.
"""

from mixedcrew.errors import PlanInputError
from mixedcrew.plan.result import Explanation, Fact, LevelResult, PlanResult, SolveOptions, Status
from mixedcrew.plan.scope import Reference
from mixedcrew.plan.solve import plan_scenario

__all__ = ["Explanation", "Fact", "LevelResult", "PlanInputError", "PlanResult", "Reference",
           "SolveOptions", "Status", "plan_scenario"]
