"""Stress events: a fixed disruption that happens in every trial, on top of the random draws.

A stress is an event in the scenario format (`--stress`, `[[risk.stress]]`,
or an `[[events]]` entry the manifest does not reflect). It is compiled
against a TrialArrays into fixed draws, and injected into every trial's draws
before playing: a grounding or outage is one more interval of its type or
site, a damage caps the line's docked days until damage, an early return
caps each named rider's days aboard until a medical return. The engines
then play it exactly as a drawn disruption; neither has a special path.

Instants in a trial are relative to the trial's own dockings (as drawn
damage and medical returns are): a damage dated 30 docked days in happens
30 docked days after that flight's docking in a trial where it docked late.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from math import inf
from typing import Any

import numpy as np

from mixedcrew.domain import ContingencySeat, Damage, EarlyReturn, Grounding, Scenario, SiteOutage
from mixedcrew.errors import StressError
from mixedcrew.instants import DAY, format_day, format_instant
from mixedcrew.risk.arrays import TrialArrays
from mixedcrew.risk.draws import BatchDraws, Intervals, TrialDraws


@dataclass(frozen=True)
class Stress:
    """Fixed draws of one or more events, in the index space of one TrialArrays."""

    events: tuple[str, ...]
    groundings: tuple[Intervals, ...]  # per plan type
    outages: tuple[Intervals, ...]  # per plan site
    damage: tuple[float, ...]  # per line: docked days until damaged (inf: none)
    medical: tuple[float, ...]  # per stay: days aboard until an early return (inf: none)
    notes: tuple[str, ...] = ()
    # Capsule groundings: the flights of a grounded capsule launch from a site of their own
    # ("capsule@site"), whose outages are their real site's drawn ones plus the grounding.
    # `played` is the plan with those sites; `site_from` the real site each copies (-1: none).
    played: TrialArrays | None = None
    site_from: tuple[int, ...] = ()

    @property
    def empty(self) -> bool:
        return not self.events

    def plan_for(self, plan: TrialArrays) -> TrialArrays:
        """The plan the stressed draws are played on."""
        return self.played or plan


def no_stress(plan: TrialArrays) -> Stress:
    return Stress((), tuple(() for _ in plan.types), tuple(() for _ in plan.sites),
                  tuple(inf for _ in plan.lines.flight), tuple(inf for _ in plan.stays.people))


class _Builder:
    def __init__(self, plan: TrialArrays, scenario: Scenario | None = None):
        self.p, self.s = plan, scenario
        self.f_site = plan.flights.site.copy()
        self.extra_sites: list[tuple[str, int]] = []  # (name, real site index)
        self.g: list[list[tuple[float, float]]] = [[] for _ in plan.types]
        self.o: list[list[tuple[float, float]]] = [[] for _ in plan.sites]
        self.damage = [inf] * len(plan.lines.flight)
        self.medical = [inf] * len(plan.stays.people)
        self.notes: list[str] = []
        self.problems: list[tuple[int, str, str]] = []

    def days(self, t: datetime | None) -> float:
        return inf if t is None else (t - self.p.window.start) / DAY

    def add(self, i: int, e: Any) -> None:
        if isinstance(e, Grounding):
            self._grounding(i, e)
        elif isinstance(e, SiteOutage):
            self._interval(i, e, self.p.sites, self.o, e.site, "launches from site")
        elif isinstance(e, Damage):
            self._damage(i, e)
        elif isinstance(e, EarlyReturn):
            self._early_return(i, e)
        elif isinstance(e, ContingencySeat):
            self.notes.append(f"stress {e.id}: a contingency seat changes no trial (lifeboat seat "
                              "counts are the checker's, not the risk engine's); ignored")

    def _grounding(self, i: int, e: Grounding) -> None:
        if e.capsule is not None:
            self._capsule(e)
            return
        assert e.vehicle_type is not None
        self._interval(i, e, self.p.types, self.g, e.vehicle_type, "flight of type")
        if not e.crew_return:
            self.notes.append(f"stress {e.id}: crew_return = false is not played: in a trial a "
                              "docked vehicle always brings its crew home")

    def _capsule(self, e: Grounding) -> None:
        p, held = self.p, capsule_flights(self.p, e, self.s)
        if not held:
            self.notes.append(f"stress {e.id}: no flight of capsule {e.capsule} launches in the window; "
                              "it changes nothing")
            return
        for f in held:
            real = int(self.f_site[f])
            name = f"{e.capsule}@{p.sites[real] if 0 <= real < len(p.sites) else '-'}"
            names = [n for n, _ in self.extra_sites]
            if name not in names:
                self.extra_sites.append((name, real))
                self.o.append([])
                names.append(name)
            k = len(p.sites) + names.index(name)
            span = (self.days(e.at), self.days(e.until))
            if span not in self.o[k]:
                self.o[k].append(span)
            self.f_site[f] = k

    def _interval(self, i: int, e: Grounding | SiteOutage, names: tuple[str, ...],
                  into: list[list[tuple[float, float]]], name: str, what: str) -> None:
        if name not in names:
            self.notes.append(f"stress {e.id}: no {what} {name} launches in the window; it changes nothing")
            return
        into[names.index(name)].append((self.days(e.at), self.days(e.until)))

    def _damage(self, i: int, e: Damage) -> None:
        p, t = self.p, self.days(e.at)
        lines = [k for k in range(len(p.lines.flight)) if p.flights.ids[p.lines.flight[k]] == e.flight]
        docked = [k for k in lines if p.flights.dock[p.lines.flight[k]] <= t < p.lines.undock[k]]
        if not docked:
            self.problems.append((i, "flight", f"{e.flight} brings nobody home while docked at "
                                               f"{format_day(e.at)}: no lifeboat to damage"))
            return
        for k in docked:
            self.damage[k] = min(self.damage[k], t - max(float(p.flights.dock[p.lines.flight[k]]), 0.0))

    def _early_return(self, i: int, e: EarlyReturn) -> None:
        p, t = self.p, self.days(e.at)
        for k, person in enumerate(e.people):
            stays = [s for s, who in enumerate(p.stays.people) if who == person
                     and p.flights.dock[p.stays.up[s]] <= t < p.lines.undock[p.stays.line[s]]]
            if not stays:
                self.problems.append((i, f"people.{k}", f"{person} is not aboard {p.station} at "
                                                         f"{format_day(e.at)}"))
            for s in stays:
                self.medical[s] = min(self.medical[s], t - max(float(p.flights.dock[p.stays.up[s]]), 0.0))


def compile_stress(plan: TrialArrays, events: Sequence[Any], scenario: Scenario | None = None) -> Stress:
    """The fixed draws of `events` on `plan`; raises StressError naming each event that cannot apply.

    scenario: the manifest `plan` was compiled from (capsule groundings need its capsules)."""
    from dataclasses import replace

    from mixedcrew.domain.risk import NO_DAYS, SiteRates

    b = _Builder(plan, scenario)
    for i, e in enumerate(events):
        b.add(i, e)
    if b.problems:
        raise StressError(b.problems)
    played = None
    if b.extra_sites:
        never = SiteRates(outages_per_year=0.0, outage_days=NO_DAYS, launch_slip_days=NO_DAYS)
        played = replace(plan, sites=plan.sites + tuple(n for n, _ in b.extra_sites),
                         site_rates=plan.site_rates + tuple(plan.site_rates[j] if j >= 0 else never
                                                            for _, j in b.extra_sites),
                         flights=replace(plan.flights, site=b.f_site))
    return Stress(tuple(e.id for e in events), tuple(map(tuple, b.g)), tuple(map(tuple, b.o)),
                  tuple(b.damage), tuple(b.medical), tuple(b.notes), played,
                  tuple(j for _, j in b.extra_sites))


def window_problems(event: Any, start: datetime, end: datetime) -> list[tuple[str, str]]:
    """(field, message) when `event` cannot be played over the window [start, end)."""
    window = f"the window {format_day(start)} .. {format_day(end)}"
    until = getattr(event, "until", None)
    if until is not None and until <= event.at:
        return [("until", f"'until' {format_instant(until)} is not after 'at' {format_instant(event.at)}")]
    if event.at >= end or (until is not None and until <= start):
        return [("at", f"{format_instant(event.at)} is outside {window}: "
                       "choose a window (start, end) that includes it, or another date")]
    if isinstance(event, Damage | EarlyReturn | ContingencySeat) and event.at < start:
        return [("at", f"{format_instant(event.at)} is before {window}: a damage or early return "
                       "is an instant, so it must fall inside the window")]
    return []


# -- injection into draws -------------------------------------------------------------


def with_stress(stress: Stress, d: BatchDraws) -> BatchDraws:
    """The same trials with the stress added to every one of them."""
    g_start, g_end = _add_intervals(d.g_start, d.g_end, stress.groundings)
    o_start, o_end = d.o_start, d.o_end
    if stress.site_from:  # a capsule's own sites: its real site's drawn outages, copied
        def copies(x: np.ndarray) -> np.ndarray:
            b, _, m = x.shape
            cols = [x[:, j] if j >= 0 else np.full((b, m), inf) for j in stress.site_from]
            return np.concatenate([x, np.stack(cols, axis=1)], axis=1)
        o_start, o_end = copies(o_start), copies(o_end)
    o_start, o_end = _add_intervals(o_start, o_end, stress.outages)
    damage = np.minimum(d.damage, np.array(stress.damage, dtype=float)) if stress.damage else d.damage
    medical = np.minimum(d.medical, np.array(stress.medical, dtype=float)) if stress.medical else d.medical
    return BatchDraws(g_start, g_end, o_start, o_end, d.slips, damage, medical)


def with_stress_trial(stress: Stress, d: TrialDraws) -> TrialDraws:
    return TrialDraws(
        groundings=tuple(a + b for a, b in zip(d.groundings, stress.groundings, strict=True)),
        outages=tuple(a + b for a, b in zip(
            d.outages + tuple(d.outages[j] if j >= 0 else () for j in stress.site_from),
            stress.outages, strict=True)),
        slips=d.slips,
        damage=tuple(min(a, b) for a, b in zip(d.damage, stress.damage, strict=True)),
        medical=tuple(min(a, b) for a, b in zip(d.medical, stress.medical, strict=True)),
    )


def _add_intervals(start: np.ndarray, end: np.ndarray, fixed: tuple[Intervals, ...]
                   ) -> tuple[np.ndarray, np.ndarray]:
    m = max((len(x) for x in fixed), default=0)
    if m == 0:
        return start, end
    b, k = start.shape[0], start.shape[1]
    add_s, add_e = np.full((b, k, m), inf), np.full((b, k, m), inf)
    for j, intervals in enumerate(fixed):
        for n, (a, z) in enumerate(intervals):
            add_s[:, j, n], add_e[:, j, n] = a, z
    return np.concatenate([start, add_s], axis=2), np.concatenate([end, add_e], axis=2)


# -- events of the scenario itself ------------------------------------------------------


def unreflected_events(s: Scenario, plan: TrialArrays) -> tuple[list[Any], list[str]]:
    """The scenario's `[[events]]` that the manifest does not reflect inside the window.

    Returns those to play as stresses, and one note per event saying what was done
    with it and why (none is dropped silently).
    """
    apply: list[Any] = []
    reflected: list[str] = []
    outside: list[str] = []
    notes: list[str] = []
    t0, t1 = plan.window.start, plan.window.end
    for e in s.events:
        until = getattr(e, "until", None)
        if e.at >= t1 or (until is not None and until <= t0) or (
                isinstance(e, Damage | EarlyReturn | ContingencySeat) and e.at < t0):
            outside.append(e.id)
            continue
        why = _not_reflected(plan, e, s)
        if why is None:
            reflected.append(e.id)
        elif why:
            apply.append(e)
            notes.append(f"event {e.id} is not reflected in the manifest ({why}): played as a stress "
                         "in every trial")
        else:
            notes.append(f"event {e.id}: its kind is not part of a trial; ignored")
    if outside:
        notes.insert(0, "events outside the window, not played: " + ", ".join(outside))
    if reflected:
        notes.insert(0, "events reflected in the manifest (history, not replayed): " + ", ".join(reflected))
    return apply, notes


def capsule_flights(p: TrialArrays, e: Grounding, s: Scenario | None) -> list[int]:
    """The moving flights (by index) of the capsule a grounding names."""
    if s is None:
        return []
    return [f for f in range(len(p.flights.ids)) if not p.flights.fixed[f]
            and s.flight_by_id[p.flights.ids[f]].capsule == e.capsule]


def _not_reflected(p: TrialArrays, e: Any, s: Scenario | None = None) -> str | None:
    """Why the manifest does not reflect `e` (None: it does; "": the engine cannot play it)."""
    b = _Builder(p, s)
    if isinstance(e, Grounding | SiteOutage):
        if isinstance(e, Grounding) and e.vehicle_type is None:
            held = [p.flights.ids[f] for f in capsule_flights(p, e, s)
                    if b.days(e.at) <= p.flights.launch[f] < b.days(e.until)]
            return f"{', '.join(held)} launch(es) during it" if held else None
        names, k = (p.types, p.flights.type) if isinstance(e, Grounding) else (p.sites, p.flights.site)
        name = e.vehicle_type if isinstance(e, Grounding) else e.site
        if name not in names:
            return None
        a, z = b.days(e.at), b.days(e.until)
        held = [p.flights.ids[f] for f in range(len(p.flights.ids)) if not p.flights.fixed[f]
                and k[f] == names.index(name) and a <= p.flights.launch[f] < z]
        return f"{', '.join(held)} launch(es) during it" if held else None
    if isinstance(e, Damage):
        b._damage(0, e)
        return None if b.problems else f"people still ride home on {e.flight} after it"
    if isinstance(e, EarlyReturn):
        b._early_return(0, e)
        aboard = [person for k, person in enumerate(e.people)
                  if not any(f == f"people.{k}" for _, f, _ in b.problems)]
        return f"{', '.join(aboard)} still aboard after it" if aboard else None
    return ""
