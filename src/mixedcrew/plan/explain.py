"""Why no plan exists, in domain words.

The explanation model is the planning model with every constraint family
enforced only under its guard: one assumption literal per rule family and
subject (a flight, an agency and vehicle type, a person, a station, an
agreement, an event). Candidate pools are not filtered and stays may run
past docked limits, so that training, certification and docked limits are
facts the solver can drop, not silent domain cuts. The solver's sufficient
assumptions give a conflicting set; a deletion pass shrinks it to a
minimal one (dropping any fact makes the rest satisfiable, or the solver
could not tell within its per-test limit).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from ortools.sat.python import cp_model

from mixedcrew.plan.context import Context
from mixedcrew.plan.scope import Scope, make_scope

PLANNING_RULES = {"CREW"}


@dataclass(frozen=True)
class Fact:
    rule: str
    subject: str
    sentence: str

    def __str__(self) -> str:
        return f"{self.rule:<12} {self.sentence}"

    def as_json(self) -> dict[str, str]:
        return {"rule": self.rule, "subject": self.subject, "sentence": self.sentence}


def _solver(seconds: float, seed: int) -> cp_model.CpSolver:
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = seed
    solver.parameters.max_time_in_seconds = seconds
    solver.parameters.cp_model_probing_level = 0  # as when planning: probing costs more than it finds
    return solver


def _infeasible(ctx: Context, lits: list, seconds: float, seed: int) -> tuple[bool, list[int]]:
    """Whether the model is infeasible with these guards on; the solver's core if so."""
    ctx.model.clear_assumptions()
    ctx.model.add_assumptions(lits)
    solver = _solver(seconds, seed)
    status = solver.solve(ctx.model)
    if status != cp_model.INFEASIBLE:
        return False, []
    return True, list(solver.sufficient_assumptions_for_infeasibility())


def explain_infeasible(scope: Scope, options: object | None = None, budget: float = 20.0) -> list[Fact]:
    """A minimal set of conflicting facts, or [] when they cannot be found in the budget."""
    from mixedcrew.plan.solve import build

    seed = getattr(options, "seed", 0)
    started = time.monotonic()
    relaxed = make_scope(scope.scenario, scope.horizon,
                         now=None if scope.now is None else scope.instant(scope.now),
                         reference=scope.reference, explain=True)
    ctx = build(relaxed, explain=True)
    guards = list(ctx.guards.values())
    by_index = {g.literal.index: g for g in guards}
    # the checker's rules first: the planner's own CREW rule only if they alone do not clash
    rules_only = [g for g in guards if g.rule not in PLANNING_RULES]
    for tier in (rules_only, guards):
        bad, core = _infeasible(ctx, [g.literal for g in tier], max(budget / 4, 1.0), seed)
        if bad:
            break
    else:
        return []
    current = [by_index[i] for i in core if i in by_index] or guards
    i = 0
    while i < len(current):
        left = budget - (time.monotonic() - started)
        if left <= 0:
            break
        trial = current[:i] + current[i + 1:]
        bad, core = _infeasible(ctx, [g.literal for g in trial], min(2.0, left), seed)
        if bad:
            smaller = [by_index[k] for k in core if k in by_index]
            current = smaller if smaller and len(smaller) < len(trial) else trial
            current = [g for g in guards if g in current]  # keep a stable order
            i = min(i, len(current))
        else:
            i += 1
    ctx.model.clear_assumptions()
    order = [rule for rule, _ in __import__("mixedcrew.plan.constraints", fromlist=["FAMILIES"]).FAMILIES]
    facts = [Fact(g.rule, g.subject, g.sentence) for g in current]
    return sorted(facts, key=lambda f: (order.index(f.rule) if f.rule in order else 99, f.subject))
