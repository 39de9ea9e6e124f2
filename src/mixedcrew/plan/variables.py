"""CP-SAT variables for a Scope: instants, ports, launch sites, rides, and the
literals that compare instants.

Instants are whole seconds from the scope's origin. A planned launch lies on
the scope's grid inside its window; dock follows after the vehicle type's
rendezvous hours, undock on the same grid after docking, landing after the
type's undock-to-landing hours. Fixed instants are plain integers, so
comparisons between them fold to constants and never reach the solver.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ortools.sat.python import cp_model

from mixedcrew.domain import Flight
from mixedcrew.plan.scope import Scope, docked_limits_over, launch_range, rendezvous

# CP-SAT values in OR-Tools' own types (an IntVar is a LinearExpr, and a literal)
Lit = cp_model.BoolVarT | bool  # a CP-SAT literal, or a Python bool once folded
Expr = cp_model.LinearExpr | int  # a CP-SAT linear expression, or a constant


@dataclass(frozen=True)
class Time:
    """An instant: a constant or an affine expression over one integer variable."""

    lo: int
    hi: int
    expr: Expr  # int, or a CP-SAT linear expression
    key: tuple[str, int] | None = None  # (flight, 0..3 for launch..land): same-flight order
    side: tuple[str, int] | None = None  # (planned flight, 0 moves with launch, 1 with undock)

    @property
    def fixed(self) -> bool:
        """A plain number (a variable with one value in its domain is still a variable)."""
        return isinstance(self.expr, int)

    def shift(self, seconds: int) -> Time:
        return Time(self.lo + seconds, self.hi + seconds, self.expr + seconds, side=self.side)

    @staticmethod
    def at(value: int) -> Time:
        return Time(value, value, value)


@dataclass
class FlightTimes:
    launch: Time
    dock: Time
    undock: Time
    land: Time
    launch_steps: cp_model.IntVar | None = None  # IntVar k: launch = first + step * k (planned flights)
    first_launch: int = 0
    undock_steps: cp_model.IntVar | None = None  # IntVar: undock = anchor + step * m
    stay_steps: cp_model.IntVar | None = None  # IntVar: undock = dock + step * stay (planned flights)
    step: int = 0

    def between(self, a: Time, b: Time) -> Expr:
        """b - a as an affine expression of one variable, for two instants of this flight
        (or shifts of them): the solver wants interval sizes affine."""
        if a.fixed or b.fixed or self.stay_steps is None or a.side is None or b.side is None:
            return b.expr - a.expr
        if a.side[1] == b.side[1]:
            return b.lo - a.lo  # both move with the launch, or both with the undock
        if a.side[1] > b.side[1]:
            return -self.between(b, a)
        # lo bounds are at launch step 0 and a stay of one step
        return self.step * (self.stay_steps - 1) + (b.lo - a.lo)


@dataclass
class Variables:
    times: dict[str, FlightTimes] = field(default_factory=dict)
    port: dict[str, dict[str, Lit]] = field(default_factory=dict)  # planned flight -> port -> bool
    site: dict[str, dict[str, Lit]] = field(default_factory=dict)
    ride: dict[tuple[str, str], Lit] = field(default_factory=dict)  # (person, flight) up and down
    command: dict[tuple[str, str], Lit] = field(default_factory=dict)  # (person, flight) commands
    home: dict[tuple[int, str], Lit] = field(default_factory=dict)  # (return index, flight) rides down
    crew_up: dict[str, Expr] = field(default_factory=dict)  # planned flight -> people up (expr)


def make_variables(model: cp_model.CpModel, scope: Scope, docked_slack: float = 1.0) -> Variables:
    """All decision variables. docked_slack > 1 widens stays past the docked limit
    (explanations relax DOCKED_LIMIT through its assumption, not the domain)."""
    s = scope.scenario
    v = Variables()
    for f in s.flights:
        if f.id in {g.id for g in scope.planned}:
            v.times[f.id] = _planned_times(model, scope, f, docked_slack)
        elif f.id in {g.id for g in scope.partial}:
            v.times[f.id] = _partial_times(model, scope, f, docked_slack)
        elif f.launch is not None:
            v.times[f.id] = _fixed_times(scope, f)
    for f in scope.planned:
        vt = s.vehicle_type_by_id[f.vehicle_type]
        st = s.station_by_id[f.station]
        ports = [p for p in st.ports if p.interface in vt.docking] if f.port is None else [
            p for p in st.ports if p.id == f.port]
        v.port[f.id] = {p.id: model.new_bool_var(f"port[{f.id},{p.id}]") for p in ports}
        if f.launch_site is None and vt.launch_sites:
            v.site[f.id] = {x: model.new_bool_var(f"site[{f.id},{x}]") for x in vt.launch_sites}
        for pid in scope.candidates[f.id]:
            v.ride[pid, f.id] = model.new_bool_var(f"ride[{pid},{f.id}]")
    for r in scope.returns:
        for g in r.downs:
            v.home[r.index, g] = model.new_bool_var(f"home[{r.assignment.person},{g}]")
    return v


def _docked_limit(scope: Scope, f: Flight, dock_lo: int, dock_hi: int, slack: float) -> int:
    """The longest stay any docking in [dock_lo, dock_hi] may have: the loosest limit in force
    there (DOCKED_LIMIT then holds each docking to the limit of its own date)."""
    days = max(d for _, d in docked_limits_over(scope, f.vehicle_type, dock_lo, dock_hi))
    return int(days * 86400 * slack)


def _planned_times(model: cp_model.CpModel, scope: Scope, f: Flight, slack: float) -> FlightTimes:
    vt = scope.scenario.vehicle_type_by_id[f.vehicle_type]
    rng = launch_range(scope, f)
    assert rng is not None
    first, steps = rng
    step = scope.step
    k = model.new_int_var(0, steps, f"launch_steps[{f.id}]")
    r0 = first + rendezvous(vt.rendezvous_hours)
    longest = max(1, _docked_limit(scope, f, r0, r0 + steps * step, slack) // step)
    stay = model.new_int_var(1, longest, f"stay_steps[{f.id}]")
    last = steps + longest
    m = model.new_int_var(1, last, f"undock_steps[{f.id}]")
    model.add(m == k + stay)
    r, land = rendezvous(vt.rendezvous_hours), rendezvous(vt.undock_to_landing_hours)
    dock0 = first + r
    launch = Time(first, first + steps * step, first + step * k, (f.id, 0), (f.id, 0))
    dock = Time(dock0, dock0 + steps * step, dock0 + step * k, (f.id, 1), (f.id, 0))
    undock = Time(dock0 + step, dock0 + last * step, dock0 + step * m, (f.id, 2), (f.id, 1))
    landing = undock.shift(land)
    landing = Time(landing.lo, landing.hi, landing.expr, (f.id, 3), (f.id, 1))
    return FlightTimes(launch, dock, undock, landing, k, first, m, stay, step)


def _partial_times(model: cp_model.CpModel, scope: Scope, f: Flight, slack: float) -> FlightTimes:
    vt = scope.scenario.vehicle_type_by_id[f.vehicle_type]
    assert f.launch is not None and f.dock is not None and scope.now is not None
    dock = scope.seconds(f.dock)
    anchor = scope.now
    lo_steps = 0 if anchor > dock else 1 + (dock - anchor) // scope.step
    hi_steps = max(lo_steps, (dock + _docked_limit(scope, f, dock, dock, slack) - anchor) // scope.step)
    m = model.new_int_var(lo_steps, hi_steps, f"undock_steps[{f.id}]")
    undock = Time(anchor + lo_steps * scope.step, anchor + hi_steps * scope.step,
                  anchor + scope.step * m, (f.id, 2))
    land = rendezvous(vt.undock_to_landing_hours)
    landing = Time(undock.lo + land, undock.hi + land, undock.expr + land, (f.id, 3))
    return FlightTimes(Time.at(scope.seconds(f.launch)), Time.at(dock), undock, landing,
                       undock_steps=m)


def _fixed_times(scope: Scope, f: Flight) -> FlightTimes:
    assert f.launch is not None
    far = scope.until + 1  # docked past the plan's horizon: as good as never leaving
    launch = Time.at(scope.seconds(f.launch))
    dock = Time.at(scope.seconds(f.dock)) if f.dock else None
    undock = Time.at(scope.seconds(f.undock)) if f.undock else Time.at(far)
    land = Time.at(scope.seconds(f.land)) if f.land else Time.at(far)
    return FlightTimes(launch, dock or launch, undock, land)


class Comparisons:
    """Literals for `a <= b` between instants, folded to bools where bounds decide."""

    def __init__(self, model: cp_model.CpModel):
        self.model = model
        self._le: dict[tuple[Any, Any], Lit] = {}
        self._and: dict[tuple[Any, ...], Lit] = {}

    def le(self, a: Time, b: Time) -> Lit:
        if a.hi <= b.lo:
            return True
        if a.lo > b.hi:
            return False
        if a.key and b.key and a.key[0] == b.key[0]:
            if a.key[1] == b.key[1]:
                return True
            if a.key[1] > b.key[1] and a.key[1] >= 2 > b.key[1]:
                return False  # undock/land after dock/launch: strictly later
            if a.key[1] < b.key[1]:
                return True
        key = (_ident(a), _ident(b))
        lit = self._le.get(key)
        if lit is None:
            lit = self.model.new_bool_var("")
            self.model.add(a.expr <= b.expr).only_enforce_if(lit)
            self.model.add(a.expr > b.expr).only_enforce_if(lit.negated())
            self._le[key] = lit
        return lit

    def lt(self, a: Time, b: Time) -> Lit:
        return negate(self.le(b, a))

    def all(self, *lits: Lit) -> Lit:
        """A literal for the conjunction, folding constants."""
        live = []
        for x in lits:
            if x is False:
                return False
            if x is not True:
                live.append(x)
        if not live:
            return True
        if len(live) == 1:
            return live[0]
        key = tuple(sorted(x.index for x in live))
        lit = self._and.get(key)
        if lit is None:
            lit = self.model.new_bool_var("")
            self.model.add_bool_and(live).only_enforce_if(lit)
            self.model.add_bool_or([negate(x) for x in live] + [lit])
            self._and[key] = lit
        return lit

    def inside(self, start: Time, end: Time, t: Time) -> Lit:
        """start <= t < end: aboard (or docked) on the span that starts at t."""
        return self.all(self.le(start, t), self.lt(t, end))


def negate(x: Lit) -> Lit:
    if x is True:
        return False
    if x is False:
        return True
    return x.negated()


def _ident(t: Time) -> Any:
    if t.key is not None:
        return t.key
    return ("expr", str(t.expr), t.lo, t.hi)
