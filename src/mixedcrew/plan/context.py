"""The model under construction: variables, comparisons, riders, and guards.

A guard is the assumption literal of one rule family for one subject (a
flight, an agency and vehicle type, a person, a station). When planning,
guards are absent and every constraint is hard. When explaining, each
constraint is enforced only if its guard holds, and the solver's sufficient
assumptions name the families that clash; each guard carries the sentence
that says its fact in domain words.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ortools.sat.python import cp_model

from mixedcrew.domain import Flight, Scenario
from mixedcrew.plan.names import person_names
from mixedcrew.plan.scope import Scope
from mixedcrew.plan.variables import Comparisons, Expr, FlightTimes, Lit, Time, Variables, make_variables


@dataclass(frozen=True)
class Guard:
    rule: str
    subject: str
    sentence: str
    literal: cp_model.BoolVarT = field(compare=False)


@dataclass(frozen=True)
class Rider:
    """Someone riding up on, or down on, a flight whose instants are planned."""

    person: str
    agency: str
    lit: Lit  # True for an assignment already written
    up: str
    down: str | None


class Context:
    def __init__(self, scope: Scope, explain: bool = False):
        self.scope = scope
        self.s: Scenario = scope.scenario
        self.explain = explain
        self.model = cp_model.CpModel()
        self.v: Variables = make_variables(self.model, scope, docked_slack=2.0 if explain else 1.0)
        self.cmp = Comparisons(self.model)
        self.guards: dict[tuple[str, str], Guard] = {}
        self.preexisting: list[tuple[str, str]] = []  # (rule, what) already broken by fixed data
        self.balance: dict[str, Expr] = {}  # agreement -> final seat gap (objective)
        # agreement -> (launch, counted) of each ledger entry, and (launch, seat gap after it,
        # when the tolerance applies) where it is checked: how long a given-up ledger is out
        self.ledgers: dict[str, tuple[list[tuple[Time, Lit]], list[tuple[Time, Expr, list[Lit]]]]] = {}
        self.names = person_names(self.s)  # as sentences print them: unambiguous
        self.states: list[Any] | None = None  # per-station state, built once
        # proven floors of sums of a level's terms (keyed by their variables' indices): a
        # probe that proved one is not asked again
        self.floors: dict[tuple[int, ...], int] = {}
        self._one: dict[Any, Lit] = {}
        self.variable = scope.variable_ids
        self.ups: dict[str, list[Rider]] = {f: [] for f in self.variable}
        self.downs: dict[str, list[Rider]] = {f: [] for f in self.variable}
        self._collect_riders()
        self.var_start = min([t.lo for fid in self.variable for t in self._moving(fid)],
                             default=scope.until)

    # -- lookups ----------------------------------------------------------------

    def times(self, flight_id: str) -> FlightTimes | None:
        return self.v.times.get(flight_id)

    def flight(self, flight_id: str) -> Flight:
        return self.s.flight_by_id[flight_id]

    def _moving(self, fid: str) -> list[Time]:
        t = self.v.times[fid]
        return [x for x in (t.launch, t.dock, t.undock, t.land) if not x.fixed]

    @property
    def horizon(self) -> Time:
        return Time.at(self.scope.until)

    def seats(self, f: Flight) -> int:
        return self.s.seats_of(f)

    def agency(self, person: str) -> str:
        return self.s.person_by_id[person].agency

    # -- guards and constraints -----------------------------------------------------

    def when(self, rule: str, subject: str, sentence: str) -> list[cp_model.BoolVarT]:
        """The enforcement literals of a rule family for one subject ([] when planning)."""
        if not self.explain:
            return []
        g = self.guards.get((rule, subject))
        if g is None:
            g = Guard(rule, subject, sentence, self.model.new_bool_var(f"assume[{rule}:{subject}]"))
            self.guards[rule, subject] = g
        return [g.literal]

    def require(self, expr: Expr, lo: int | None, hi: int | None, enforce: list[Lit],
                guard: list[cp_model.BoolVarT], what: tuple[str, str] | None = None) -> None:
        """lo <= expr <= hi whenever every literal in `enforce` holds.

        Folds constants. A constant that breaks it, with nothing the planner
        decides in it, is pre-existing when `what` names it (a rule the fixed
        data already breaks), and makes the model infeasible otherwise.
        """
        live: list[cp_model.BoolVarT] = []
        for x in enforce:
            if x is False:
                return
            if not isinstance(x, bool):  # True holds: nothing to enforce
                live.append(x)
        if isinstance(expr, int):
            if (lo is None or expr >= lo) and (hi is None or expr <= hi):
                return
            if not live and what:
                self.preexisting.append(what)
                return
            self.model.add_bool_or([x.negated() for x in live + guard])
            return
        if lo is not None and hi is not None:
            self.model.add_linear_constraint(expr, lo, hi).only_enforce_if(live + guard)
        elif lo is not None:
            self.model.add(expr >= lo).only_enforce_if(live + guard)
        elif hi is not None:
            self.model.add(expr <= hi).only_enforce_if(live + guard)

    def implies(self, lits: list[Lit], guard: list[cp_model.BoolVarT], disjunction: list[Lit]) -> None:
        """all(lits) -> any(disjunction), folded."""
        live = []
        for x in lits:
            if x is False:
                return
            if x is not True:
                live.append(x)
        options = []
        for x in disjunction:
            if x is True:
                return
            if x is not False:
                options.append(x)
        # with no options left, the literals cannot all hold (infeasible if none can move)
        self.model.add_bool_or(options).only_enforce_if(live + guard)

    def times_lit(self, lit: Lit, expr: Expr, ub: int) -> Expr:
        """expr if lit else 0, for 0 <= expr <= ub."""
        if lit is False:
            return 0
        if lit is True:
            return expr
        if isinstance(expr, int):
            return expr * lit
        if isinstance(expr, cp_model.IntVar) and expr.is_boolean:
            return self.cmp.all(lit, expr)  # a product of two literals
        z = self.model.new_int_var(0, ub, "")
        self.model.add(z == expr).only_enforce_if(lit)
        self.model.add(z == 0).only_enforce_if(lit.negated())
        return z

    def at_least_one(self, expr: Expr) -> Lit:
        """A literal for expr >= 1 (expr a non-negative sum of literals)."""
        if isinstance(expr, int):
            return expr >= 1
        if isinstance(expr, cp_model.IntVar) and expr.is_boolean:
            return expr
        key = ("one", str(expr))
        lit = self._one.get(key)
        if lit is None:
            lit = self.model.new_bool_var("")
            self.model.add(expr >= 1).only_enforce_if(lit)
            self.model.add(expr <= 0).only_enforce_if(lit.negated())
            self._one[key] = lit
        return lit

    def crew_count(self, f: Flight) -> Expr:
        """People riding f up and down: its seats less those kept for others riding home,
        when crews are full (a constant unless someone may ride home on it)."""
        rides = [lit for (_, fid), lit in self.v.ride.items() if fid == f.id]
        if self.explain or self.s.planning.crew != "full" or f.kind in ("uncrewed", "cargo"):
            return sum(rides)
        fixed_up = sum(1 for r in self.ups[f.id] if r.lit is True)
        extra = sum((1 if r.lit is True else r.lit) for r in self.downs[f.id] if r.up != f.id)
        return self.seats(f) - fixed_up - extra

    # -- riders -------------------------------------------------------------------

    def _collect_riders(self) -> None:
        s = self.s
        returning = {r.index for r in self.scope.returns}
        for i, a in enumerate(s.assignments):
            agency = s.agency_of(a) or ""
            if i in returning:
                continue
            if a.up in self.scope.variable_ids and a.up not in {f.id for f in self.scope.partial}:
                self.ups[a.up].append(Rider(a.person, agency, True, a.up, a.down))
            if a.down in self.variable:
                self.downs[a.down].append(Rider(a.person, agency, True, a.up, a.down))
        for (pid, fid), lit in self.v.ride.items():
            rider = Rider(pid, self.agency(pid), lit, fid, fid)
            self.ups[fid].append(rider)
            self.downs[fid].append(rider)
        for r in self.scope.returns:
            agency = s.agency_of(r.assignment) or ""
            for g in r.downs:
                self.downs[g].append(Rider(r.assignment.person, agency, self.v.home[r.index, g],
                                           r.assignment.up, g))
