"""Re-planning after events: the past pinned, the future reopened, least disruption first.

`replan(plan, events)` takes a plan (every flight with instants) and events
from `now` (the earliest event) on. Flights launching from `now` are
reopened, with a launch window around their old date (unless they have
one) and their old docked days as target; flights docked at `now` get their
undocking re-planned; everyone aboard at `now` gets their ride home chosen
again. A damage event that leaves a docked flight with fewer usable seats
than the people who were to ride home on it adds an uncrewed replacement of
the same vehicle type (the Soyuz MS-23 answer to MS-22's coolant leak). The
objective first keeps assignments (disruption), then instants (movement),
then the scenario's usual levels.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from mixedcrew.domain import Damage, EarlyReturn, Event, Flight, Grounding, Scenario, Window
from mixedcrew.instants import format_day
from mixedcrew.plan.names import person_names
from mixedcrew.plan.result import BEST_EFFORT_PLAN_SHARE, Clock, PlanResult, SolveOptions
from mixedcrew.plan.scope import Reference
from mixedcrew.plan.shift import Blocked, blocked_windows

if TYPE_CHECKING:
    from mixedcrew.plan.best_effort import BestEffort
from mixedcrew.plan.solve import plan_scenario
from mixedcrew.timeline import seats_at

SLACK_DAYS = 30
REPLACEMENT_WINDOW_DAYS = 90


@dataclass
class Change:
    what: str
    why: str

    def __str__(self) -> str:
        return f"{self.what}: {self.why}"


@dataclass
class ReplanResult:
    result: PlanResult
    now: datetime
    reopened: list[str] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    blocked: list[Blocked] = field(default_factory=list)  # launches an event holds, and their windows
    best_effort: BestEffort | None = None  # when no plan keeps every rule and best effort was asked


def reference_of(plan: Scenario) -> Reference:
    riders: dict[str, set[str]] = {}
    for a in plan.assignments:
        riders.setdefault(a.up, set()).add(a.person)
    horizon = plan.scenario.horizon
    undock = {f.id: f.undock for f in plan.flights if f.undock}
    if horizon is not None:  # a flight docked at the old plan's horizon was to stay at least that long
        undock |= {f.id: horizon for f in plan.flights if not f.undock and f.dock and f.dock < horizon}
    return Reference(
        launch={f.id: f.launch for f in plan.flights if f.launch},
        undock=undock,
        riders={k: frozenset(v) for k, v in riders.items()},
        down={(a.person, a.up): a.down for a in plan.assignments if a.down},
    )


def truncate(s: Scenario, at: datetime) -> Scenario:
    """The scenario as known at `at`: later flights and events gone, docked flights still docked."""
    keep = {f.id for f in s.flights if f.launch is not None and f.launch < at}
    flights = []
    for f in s.flights:
        if f.id not in keep:
            continue
        if f.undock is not None and f.undock >= at and f.dock is not None and f.dock < at:
            f = f.model_copy(update={"undock": None, "land": None})
        flights.append(f)
    by_id = {f.id: f for f in flights}
    rides = []
    for a in s.assignments:
        if a.up not in keep:
            continue
        down = by_id.get(a.down or "")
        if down is None or down.undock is None:
            a = a.model_copy(update={"down": None})
        rides.append(a)
    meta = s.scenario.model_copy(update={"horizon": at})
    return s.model_copy(update={"flights": tuple(flights), "assignments": tuple(rides),
                                "events": tuple(e for e in s.events if e.at < at), "scenario": meta})


def reopen(plan: Scenario, now: datetime, slack_days: float = SLACK_DAYS,
           windows: dict[str, Window] | None = None) -> tuple[Scenario, list[str]]:
    """The plan with everything from `now` on open again (pinned flights excepted).

    windows: launch windows for flights an event blocks (shift.py), instead of their own."""
    slack = timedelta(days=slack_days)
    moved = windows or {}
    flights, reopened = [], []
    for f in plan.flights:
        if f.pinned or f.launch is None:
            flights.append(f)
            continue
        if f.launch >= now:
            # its old stay, or at least the part of it the old plan shows (docked at its horizon)
            end = f.undock or plan.scenario.horizon
            days = (end - f.dock) / timedelta(days=1) if end and f.dock and end > f.dock else None
            window = moved.get(f.id) or f.window or Window(start=max(now, f.launch - slack),
                                                           end=f.launch + slack)
            f = f.model_copy(update={"launch": None, "dock": None, "undock": None, "land": None,
                                     "port": None, "relocations": (), "window": window,
                                     "target_days": f.target_days or days})
            reopened.append(f.id)
        elif f.dock is not None and f.dock < now and (f.undock is None or f.undock > now):
            f = f.model_copy(update={"undock": None, "land": None})
            reopened.append(f.id)
        flights.append(f)
    by_id = {f.id: f for f in flights}
    rides = []
    for a in plan.assignments:
        up = by_id[a.up]
        if up.open and a.up in reopened:
            continue  # its crew is chosen again (the reference remembers it)
        # a flight open before (past the plan's end) keeps the crew written for it
        down = by_id.get(a.down or "")
        if down is not None and (down.id in reopened or (down.undock is None and not down.open)):
            a = a.model_copy(update={"down": None})
        rides.append(a)
    meta = plan.scenario.model_copy(update={"horizon": now})
    return plan.model_copy(update={"flights": tuple(flights), "assignments": tuple(rides),
                                   "scenario": meta}), reopened


def add_replacements(s: Scenario, plan: Scenario, now: datetime) -> tuple[Scenario, list[str]]:
    """An uncrewed replacement for each docked flight that damage left without seats for its riders."""
    added, flights = [], list(s.flights)
    for e in s.events:
        if not isinstance(e, Damage) or e.at < now:
            continue
        f = s.flight_by_id[e.flight]
        riders = plan.riders_down(f.id)
        if f.dock is None or not riders or seats_at(s, f, e.at) >= len(riders):
            continue
        vt = s.vehicle_type_by_id[f.vehicle_type]
        ident = f"{f.id}-R"
        flights.append(Flight(
            id=ident, name=f"{f.label} replacement", vehicle_type=f.vehicle_type, station=f.station,
            launch_site=f.launch_site or (vt.launch_sites[0] if vt.launch_sites else None),
            kind="uncrewed", window=Window(start=now, end=now + timedelta(days=REPLACEMENT_WINDOW_DAYS)),
            source=f"added by replan after {e.id}"))
        added.append(ident)
    return s.model_copy(update={"flights": tuple(flights)}), added


def replan(plan: Scenario, events: list[Event], options: SolveOptions | None = None,
           until: datetime | None = None, slack_days: float = SLACK_DAYS,
           shift_days: float | None = None, best_effort: bool = False) -> ReplanResult:
    """shift_days: how far a launch an event blocks may move (None: to the block's end + slack).
    best_effort: when no plan keeps every rule, the one that breaks the fewest (best_effort.py)."""
    if not events:
        raise ValueError("replan needs at least one event")
    now = min(e.at for e in events)
    with_events = plan.model_copy(update={"events": plan.events + tuple(events)})
    blocked = blocked_windows(with_events, with_events.events, now, shift_days, slack_days)
    windows = {b.flight: b.window for b in blocked if b.window is not None}
    reopened_s, reopened = reopen(with_events, now, slack_days, windows)
    s, added = add_replacements(reopened_s, plan, now)
    horizon = until or plan.scenario.horizon
    if horizon is not None and horizon <= now:
        horizon = None
    opts = options or SolveOptions()
    # one clock for the whole re-plan: with best effort asked, the full plan (or the proof that
    # none exists) runs on half the time left, and the best effort on whatever it leaves
    clock = Clock(opts.time_limit)
    result = plan_scenario(s, horizon, opts, now=now, reference=reference_of(plan),
                           clock=clock.part(BEST_EFFORT_PLAN_SHARE) if best_effort else clock)
    out = ReplanResult(result, now, reopened, added, blocked=blocked)
    if best_effort and result.status in ("infeasible", "unknown"):
        from mixedcrew.plan.best_effort import best_effort_plan

        out.best_effort = best_effort_plan(s, horizon, opts, now=now, reference=reference_of(plan),
                                           previous=plan, focus=tuple(result.explanation.facts),
                                           clock=clock)
        # why no full plan exists
        out.best_effort.result = replace(out.best_effort.result, explanation=result.explanation)
        if out.best_effort.plan is not None:
            result = out.result = out.best_effort.result
    if result.plan is not None:
        out.changes = changes(plan, result.plan, list(events), added)
    return out


def _why_down(plan: Scenario, events: list[Event], person: str, old: str | None) -> str:
    for e in events:
        if isinstance(e, Damage) and e.flight == old:
            return f"{old} lost {e.seats_lost} seat(s) in {e.id} on {format_day(e.at)}"
        f = plan.flight_by_id.get(old or "")
        if isinstance(e, Grounding) and f and e.vehicle_type in (None, f.vehicle_type) and (
                e.vehicle_type is not None or e.capsule == f.capsule):
            return f"{old}'s vehicle is grounded from {format_day(e.at)} ({e.id})"
        if isinstance(e, EarlyReturn) and person in e.people:
            return f"must be home by {format_day(e.at)} ({e.id})"
    return "to keep every rule after the events"


def changes(old: Scenario, new: Scenario, events: list[Event], added: list[str]) -> list[Change]:
    """What differs between the previous plan and the new one, and why."""
    out = [Change(f"{fid} added", "an uncrewed replacement: damage left too few seats to come home")
           for fid in added]
    names = person_names(new)
    old_down = {(a.person, a.up): a.down for a in old.assignments}
    new_down = {(a.person, a.up): a.down for a in new.assignments}
    for key, down in new_down.items():
        if key in old_down and old_down[key] != down:
            if old_down[key] is None and down and new.flight_by_id[down].undock is None:
                continue  # aboard at the horizon before and after
            who = names.get(key[0], key[0])
            out.append(Change(f"{who} rides home on {down} instead of {old_down[key]}",
                              _why_down(old, events, key[0], old_down[key])))
    old_up = {(a.person, a.up) for a in old.assignments}
    new_up = {(a.person, a.up) for a in new.assignments}
    for pid, fid in sorted(old_up - new_up):
        out.append(Change(f"{names.get(pid, pid)} no longer rides {fid} up",
                          "its seat is needed, or the rules no longer allow it"))
    for pid, fid in sorted(new_up - old_up):
        out.append(Change(f"{names.get(pid, pid)} rides {fid} up", "new crew"))
    for f in new.flights:
        g = old.flight_by_id.get(f.id)
        if g is None:
            continue
        for name in ("launch", "undock"):
            a, b = getattr(g, name), getattr(f, name)
            if a and b and a != b:
                days = (b - a) / timedelta(days=1)
                out.append(Change(f"{f.label} {name} moves {days:+.1f} days to {format_day(b)}",
                                  "to fit the changes above"))
        if g.port and f.port and g.port != f.port:
            out.append(Change(f"{f.label} docks at {f.port} instead of {g.port}",
                              "its port is taken, or out of service, when it now docks"))
    return out
