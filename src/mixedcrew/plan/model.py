"""The planning model of a Scope: variables, every rule's constraint family, and guards.

`build(scope)` is the model the planner solves; `build(scope, explain=True)`
the explanation model, where each family holds only under its guard.
"""

from __future__ import annotations

from mixedcrew.plan.constraints import add_all
from mixedcrew.plan.context import Context
from mixedcrew.plan.scope import Scope


def build(scope: Scope, explain: bool = False) -> Context:
    ctx = Context(scope, explain=explain)
    add_all(ctx)
    return ctx
