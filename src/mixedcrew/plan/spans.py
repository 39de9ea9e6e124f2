"""How long a fact a best-effort plan gives up stays broken, in solver terms (hours).

Best effort (best_effort.py) first finds the fewest weighted facts to give
up; this module then says, for each fact, how many hours the plan breaks
it, so that the next step can shorten them. Each measure is an expression
that is 0 when the fact is kept and at least the broken time when it is
given up (the solver, minimising, makes it exact):

- DOCKED_LIMIT: the stay past the limit in force on the docking day (the
  checker's span, from the limit's end to the undocking);
- GROUNDED: for each flight launched inside the block, the time from its
  launch to the block's end (the plan's horizon when it has none), and
  the same for a ride home on a grounded vehicle: how early it flew;
- EXCHANGE, an agreement's ledger: from each launch after which the seats
  received differ by more than the tolerance to the ledger's next launch
  (the checker's span);
- COVERAGE (a segment's operators, or continuous presence), LIFEBOAT,
  MIN_ABOARD and CAPACITY (people above the nominal crew, handovers
  included): the days on which the rule fails, sampled on the scope's day
  grid from the first instant the planner decides: daily for a plan of up
  to SAMPLES days (planned instants lie on the grid, so a span between two
  of them is exact to the day; fixed instants to within a day), every
  ceil(days / SAMPLES) days over a longer one (each sample counts as that
  many days). A sample holds who may be aboard then, a product literal per
  stay that may straddle it: daily over the whole forward scenario (1,650
  days) that was 110,000 variables and 20 s more solving. (The exact
  alternative, from each instant the rule fails at to the next instant,
  needs the solver to pick the next instant, and did not prove its optimum
  in 25 s.)
- every other fact (CERT, TRAINED, AVAILABLE, COMMANDER, CREW, CLIENT,
  SHARES, HANDOVER, an EXCHANGE quota on one flight): one day.

The day-sampled measures and the ledger add literals per sample or per
pair of launches: they are built only for the facts asked (best effort
asks them for the facts its cheapest plan gave up, and holds the others).
The measures are not alike (one day for a quota missed on a flight), so
best effort compares them only between plans giving up the same facts.
"""

from __future__ import annotations

from ortools.sat.python import cp_model

from mixedcrew.domain import Grounding, SiteOutage
from mixedcrew.plan.constraints import grounding_hit
from mixedcrew.plan.context import Context, Guard
from mixedcrew.plan.scope import docked_limits_over
from mixedcrew.plan.state import StationState
from mixedcrew.plan.variables import Expr, Lit, Time

HOUR = 3600
DAY = 86400
UNIT_HOURS = 24  # a fact with no span of its own counts as one day
SAMPLES = 400  # the most samples a day-sampled measure takes: daily up to 400 days, then sparser
SAMPLED = ("COVERAGE", "LIFEBOAT", "MIN_ABOARD", "CAPACITY")
DIRECT = ("DOCKED_LIMIT", "GROUNDED")


def has_span(rule: str, subject: str) -> bool:
    """Whether a fact's broken time is its own (not the one day of a fact with no span)."""
    return rule in DIRECT or rule in SAMPLED or (rule == "EXCHANGE" and ":" not in subject)


def broken_hours(ctx: Context, g: Guard) -> Expr:
    """Hours the plan breaks the fact of guard g: 0 when it is kept."""
    off = g.literal.negated()
    if g.rule == "DOCKED_LIMIT":
        return _docked_limit(ctx, g.subject, off)
    if g.rule == "GROUNDED":
        return _grounded(ctx, g.subject, off)
    if g.rule == "EXCHANGE" and g.subject in ctx.ledgers:
        return _ledger(ctx, g.subject, off)
    if g.rule in SAMPLED:
        return _days_failing(ctx, g, off)
    return UNIT_HOURS * (1 - g.literal)


def _hours_var(ctx: Context, seconds: int) -> cp_model.IntVar:
    return ctx.model.new_int_var(0, max(0, seconds) // HOUR + 1, "")


def _at_least(ctx: Context, hours: cp_model.IntVar, seconds: Expr, enforce: list[Lit]) -> None:
    """hours >= seconds / HOUR whenever every literal holds (folded)."""
    ctx.require(HOUR * hours - seconds, 0, None, enforce, [])


def _docked_limit(ctx: Context, fid: str, off: cp_model.BoolVarT) -> Expr:
    f = ctx.flight(fid)
    t = ctx.v.times[fid]
    stay = t.between(t.dock, t.undock) if t.stay_steps is not None else t.undock.expr - t.dock.expr
    hours = _hours_var(ctx, t.undock.hi - t.dock.lo)
    pieces = docked_limits_over(ctx.scope, f.vehicle_type, t.dock.lo, t.dock.hi)
    for i, (start, days) in enumerate(pieces):
        since = ctx.cmp.le(Time.at(start), t.dock) if i else True
        before = ctx.cmp.lt(t.dock, Time.at(pieces[i + 1][0])) if i + 1 < len(pieces) else True
        _at_least(ctx, hours, stay - int(days * DAY), [since, before, off])
    return hours


def _grounded(ctx: Context, event_id: str, off: cp_model.BoolVarT) -> Expr:
    e = next(x for x in ctx.s.events if x.id == event_id)
    assert isinstance(e, Grounding | SiteOutage)
    at = Time.at(ctx.scope.seconds(e.at))
    end = ctx.scope.seconds(e.until) if e.until else ctx.scope.until
    total: Expr = 0
    for f in ctx.scope.planned:
        t = ctx.v.times[f.id]
        hit = grounding_hit(ctx, e, f)
        if hit is False or t.launch.lo >= end:
            continue
        hours = _hours_var(ctx, end - t.launch.lo)
        _at_least(ctx, hours, end - t.launch.expr, [hit, ctx.cmp.le(at, t.launch), off])
        total = total + hours
    if not isinstance(e, Grounding) or e.crew_return:
        return total
    for fid in sorted(ctx.variable):
        f = ctx.flight(fid)
        if not (e.vehicle_type == f.vehicle_type or (e.capsule and e.capsule == f.capsule)):
            continue
        t = ctx.v.times[fid]
        if t.undock.lo >= end:
            continue
        home = [r.lit for r in ctx.downs[fid] if r.lit is not False]
        if not home:
            continue
        hours = _hours_var(ctx, end - t.undock.lo)
        for lit in home:
            _at_least(ctx, hours, end - t.undock.expr, [lit, ctx.cmp.le(at, t.undock), off])
        total = total + hours
    return total


def _ledger(ctx: Context, agreement: str, off: cp_model.BoolVarT) -> Expr:
    """From each checked launch after which the ledger is out of tolerance, to the next launch
    of the ledger (or the plan's horizon): the solver picks the next one, and picks the nearest."""
    ag = next(a for a in ctx.s.agreements if a.id == agreement)
    launches, checked = ctx.ledgers[agreement]
    model, cmp = ctx.model, ctx.cmp
    total: Expr = 0
    for when, gap, enforce in checked:
        if isinstance(gap, int) and abs(gap) <= ag.tolerance:
            continue
        out = model.new_bool_var("")
        live = [x for x in (*enforce, off) if x is not True]
        if any(x is False for x in live):
            continue
        enforced = [x for x in live if not isinstance(x, bool)]
        if isinstance(gap, int):  # out of tolerance whatever the plan: out wherever it counts
            model.add_bool_or([out]).only_enforce_if(enforced)
        else:
            model.add(gap <= ag.tolerance).only_enforce_if([out.negated(), *enforced])
            model.add(gap >= -ag.tolerance).only_enforce_if([out.negated(), *enforced])
        hours = _hours_var(ctx, ctx.scope.until - when.lo)
        options = []
        for other, counted in launches:
            after = cmp.all(cmp.lt(when, other), counted)
            if after is False or other is when:
                continue
            pick = model.new_bool_var("")
            if after is not True:
                model.add_implication(pick, after)
            _at_least(ctx, hours, other.expr - when.expr, [pick])
            options.append(pick)
        last = model.new_bool_var("")
        _at_least(ctx, hours, ctx.scope.until - when.expr, [last])
        model.add_bool_or([*options, last]).only_enforce_if(out)
        total = total + hours
    return total


def _days_failing(ctx: Context, g: Guard, off: cp_model.BoolVarT) -> Expr:
    """Hours, sampled from the first instant the planner decides to the horizon, where the rule
    of g fails: once a day (a literal a day, which the rule's own expression forces when the
    fact is given up), or every `step` days over a plan longer than SAMPLES days, so that a
    long plan's model stays small (each sample holds who may be aboard then)."""
    station, _, part = g.subject.partition(":")
    state = next(s for s in ctx.states or () if s.station.id == station)
    scope = ctx.scope
    first = max(ctx.var_start, scope.now or 0)
    day = -(-first // DAY) * DAY  # the origin is a midnight: days on the grid
    step = DAY * max(1, -(-(scope.until - day) // (SAMPLES * DAY)))
    total: Expr = 0
    while day < scope.until:
        failing = _fails_at(ctx, state, g.rule, part, Time.at(day), off)
        total = total + failing
        day += step
    return (step // HOUR) * total


def _fails_at(ctx: Context, state: StationState, rule: str, part: str, t: Time,
              off: cp_model.BoolVarT) -> Expr:
    """A literal true where the rule fails at t while its fact is given up (0 where it cannot
    fail; 1 - guard where it fails whatever the plan)."""
    st = state.station
    since = st.continuous_presence_from
    if rule in ("COVERAGE", "MIN_ABOARD") and since is not None and ctx.scope.seconds(since) > t.lo:
        return 0  # asked only of a continuously crewed station (LIFEBOAT and CAPACITY always)
    if rule == "COVERAGE" and part != "presence":
        seg = next(s for s in st.segments if s.id == part)
        if seg.min_operators == 1:
            return _none_of(ctx, state.any_operator(t, seg.id), off, since is None, state, t)
        if seg.min_operators < 1:
            return 0
    expr, lo, hi = _holds(ctx, state, rule, part, t)
    if isinstance(expr, int):
        return 0 if (lo is None or expr >= lo) and (hi is None or expr <= hi) else off
    b = ctx.model.new_bool_var("")
    enforce = [b.negated(), off]
    if rule == "COVERAGE" and since is None:
        crewed = ctx.at_least_one(state.crew(t))
        if crewed is False:
            return 0
        if crewed is not True:
            enforce.append(crewed)
    if lo is not None:
        ctx.model.add(expr >= lo).only_enforce_if(enforce)
    if hi is not None:
        ctx.model.add(expr <= hi).only_enforce_if(enforce)
    return b


def _holds(ctx: Context, state: StationState, rule: str, part: str, t: Time
           ) -> tuple[Expr, int | None, int | None]:
    """(expression, least, most): the rule holds at t when least <= expression <= most."""
    st = state.station
    if rule == "COVERAGE" and part == "presence":
        return state.crew(t), 1, None
    if rule == "COVERAGE":
        seg = next(s for s in st.segments if s.id == part)
        return state.operators(t, seg.id), seg.min_operators, None
    if rule == "LIFEBOAT":
        return state.crew(t) - state.lifeboat_seats(t), None, 0
    if rule == "MIN_ABOARD":
        least = ctx.s.planning.min_aboard
        return (state.crew(t), least, None) if least is not None else (0, None, None)
    eras = [e for e in st.crew if ctx.scope.seconds(e.start) <= t.lo]  # CAPACITY
    return (state.crew(t), None, eras[-1].nominal) if eras else (0, None, None)


def _none_of(ctx: Context, lits: list[Lit], off: cp_model.BoolVarT, while_crewed: bool,
             state: StationState, t: Time) -> Expr:
    """Fails where none of the operator literals holds (and, without continuous presence,
    someone is aboard)."""
    if any(x is True for x in lits):
        return 0
    live = [x for x in lits if x is not False]
    crewed: Lit = ctx.at_least_one(state.crew(t)) if while_crewed else True
    if crewed is False:
        return 0
    if not live and crewed is True:
        return off
    b = ctx.model.new_bool_var("")
    ctx.implies([crewed, off], [], [*live, b])
    return b
