"""The risk engine: Monte Carlo of groundings, slips, damage and medical returns over a manifest.

`assess_risk(scenario, ...)` compiles the manifest into trial arrays (arrays.py), plays trials
on the fast engine (fast.py) or the SimPy reference (reference.py), in this
process or on Dask (backends.py), and returns a RiskResult with estimates
and 95% intervals. docs/risk.md describes the model and the policy.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from mixedcrew.domain import Scenario
from mixedcrew.errors import BackendError, RiskInputError, StressError
from mixedcrew.risk.arrays import TrialArrays, compile_plan
from mixedcrew.risk.backends import DEFAULT_BATCH_BLOCKS, run_dask, run_local
from mixedcrew.risk.fast import no_disruptions, play
from mixedcrew.risk.metrics import Estimate, Totals
from mixedcrew.risk.outcomes import Outcomes
from mixedcrew.risk.reference import run_reference
from mixedcrew.risk.result import RiskResult
from mixedcrew.risk.segregate import segregated
from mixedcrew.risk.stress import Stress, compile_stress, unreflected_events

if TYPE_CHECKING:
    from mixedcrew.risk.paired import StressResult

__all__ = [
    "BackendError",
    "Estimate",
    "RiskInputError",
    "RiskResult",
    "Totals",
    "TrialArrays",
    "Stress",
    "StressError",
    "assess",
    "assess_risk",
    "compile_plan",
    "segregated",
    "stress_of_scenario",
]

COMPARISONS = ("segregated",)
BACKENDS = ("local", "dask")
ENGINES = ("fast", "reference")


def assess_risk(
    scenario: Scenario,
    *,
    trials: int = 10_000,
    seed: int = 0,
    start: datetime | None = None,
    end: datetime | None = None,
    station: str | None = None,
    compare: str | None = None,
    engine: str = "fast",
    backend: str = "local",
    workers: int | None = None,
    address: str | None = None,
    batch_blocks: int = DEFAULT_BATCH_BLOCKS,
    progress: Callable[[Totals], None] | None = None,
) -> RiskResult:
    """Play `trials` trials of `scenario`'s manifest; the same seed gives the same numbers."""
    plan, moved = _compiled(scenario, station=station, start=start, end=end, compare=compare,
                            engine=engine, backend=backend, seed=seed)
    if engine == "reference":
        if trials < 1:
            raise RiskInputError(f"trials must be at least 1, got {trials}", parameter="trials")
        totals = Totals.of(run_reference(plan, trials, seed))
    elif backend == "dask":
        totals = run_dask(plan, trials, seed, workers=workers, address=address, batch_blocks=batch_blocks,
                          progress=progress)
    else:
        totals = run_local(plan, trials, seed, batch_blocks=batch_blocks, progress=progress)
    return RiskResult(plan=plan, totals=totals, seed=seed, engine=engine, backend=backend,
                      as_planned=play(plan, no_disruptions(plan)), scenario=scenario.scenario.name,
                      compare=compare, rides_moved=moved)


def _compiled(scenario: Scenario, *, station: str | None, start: datetime | None, end: datetime | None,
              compare: str | None, engine: str, backend: str, seed: int) -> tuple[TrialArrays, int]:
    if compare is not None and compare not in COMPARISONS:
        raise RiskInputError(f"unknown comparison {compare!r}: choose {', '.join(COMPARISONS)}",
                             parameter="compare")
    if engine not in ENGINES:
        raise RiskInputError(f"unknown engine {engine!r}: choose {', '.join(ENGINES)}", parameter="engine")
    if backend not in BACKENDS:
        raise RiskInputError(f"unknown backend {backend!r}: choose {', '.join(BACKENDS)}",
                             parameter="backend")
    if engine == "reference" and backend != "local":
        raise RiskInputError("backend must be local: the reference engine runs only locally",
                             parameter="backend")
    if seed < 0:
        raise RiskInputError(f"seed must be 0 or more, got {seed}", parameter="seed")
    variants, moved = {}, 0
    if compare == "segregated":
        variants["segregated"], moved = segregated(scenario)
    return compile_plan(scenario, station=station, start=start, end=end, variants=variants), moved


def stress_of_scenario(scenario: Scenario, filename: str = "scenario", text: str = "") -> list[Any]:
    """The scenario's `[[risk.stress]]` tables as events, checked as `[[events]]` are.

    Raises ScenarioError with one located problem per bad field or name (`text`, the
    file's text, gives the lines)."""
    from mixedcrew.errors import Problem, ScenarioError
    from mixedcrew.io.events import events_from_data, validate_events
    from mixedcrew.io.locate import LineIndex, format_path

    if not scenario.risk.stress:
        return []
    where = ("risk", "stress")
    events, problems = events_from_data(list(scenario.risk.stress), filename, text, where)
    if not problems:
        index = LineIndex(text)
        for k, path, message in validate_events(scenario, events):
            full = (*where, k, *path)
            problems.append(Problem(filename, index.line_of(full) or index.line_of(full[:3]),
                                    format_path(full), message))
    if problems:
        raise ScenarioError(problems)
    return events


def _check_window(plan: TrialArrays, events: Sequence[Any]) -> None:
    from mixedcrew.risk.stress import window_problems

    w = plan.window
    found = [(i, where, msg) for i, e in enumerate(events)
             for where, msg in window_problems(e, w.start, w.end)]
    if found:
        raise StressError(found)


def assess(
    scenario: Scenario,
    stress: Sequence[Any] = (),
    *,
    trials: int = 10_000,
    seed: int = 0,
    start: datetime | None = None,
    end: datetime | None = None,
    station: str | None = None,
    compare: str | None = None,
    engine: str = "fast",
    backend: str = "local",
    workers: int | None = None,
    address: str | None = None,
    batch_blocks: int = DEFAULT_BATCH_BLOCKS,
    progress: Callable[[Totals], None] | None = None,
    scenario_events: bool = True,
    stress_file: tuple[str, str] = ("scenario", ""),
) -> RiskResult | StressResult:
    """A risk run with the stress events `stress`, `[[risk.stress]]` and the `[[events]]` the
    manifest does not reflect, each played in every trial, paired with the same trials without
    them. With no stress at all, the plain RiskResult of `assess_risk`, with notes on the events.
    `stress_file`: the scenario's file name and text, to locate problems in `[[risk.stress]]`.
    StressError gives (index into the events played, field, message) for each that cannot apply."""
    from dataclasses import replace

    from mixedcrew.risk.paired import (
        StressResult,
        as_planned_with,
        run_paired_dask,
        run_paired_local,
        run_paired_reference,
    )

    plan, moved = _compiled(scenario, station=station, start=start, end=end, compare=compare, engine=engine,
                            backend=backend, seed=seed)
    events = [*stress, *stress_of_scenario(scenario, *stress_file)]
    notes: list[str] = []
    if scenario_events:
        unreflected, notes = unreflected_events(scenario, plan)
        events += unreflected
    plan = replace(plan, notes=plan.notes + tuple(notes))
    if trials < 1:
        raise RiskInputError(f"trials must be at least 1, got {trials}", parameter="trials")
    if not events:
        totals = (Totals.of(run_reference(plan, trials, seed)) if engine == "reference" else
                  run_dask(plan, trials, seed, workers=workers, address=address, batch_blocks=batch_blocks,
                           progress=progress) if backend == "dask" else
                  run_local(plan, trials, seed, batch_blocks=batch_blocks, progress=progress))
        return RiskResult(plan=plan, totals=totals, seed=seed, engine=engine, backend=backend,
                          as_planned=play(plan, no_disruptions(plan)), scenario=scenario.scenario.name,
                          compare=compare, rides_moved=moved)
    _check_window(plan, events)
    fixed = compile_stress(plan, events, scenario)
    if engine == "reference":
        paired = run_paired_reference(plan, fixed, trials, seed)
    elif backend == "dask":
        paired = run_paired_dask(plan, fixed, trials, seed, workers=workers, address=address,
                                 batch_blocks=batch_blocks, progress=progress)
    else:
        paired = run_paired_local(plan, fixed, trials, seed, batch_blocks=batch_blocks, progress=progress)

    def result(totals: Totals, planned: Outcomes) -> RiskResult:
        return RiskResult(plan=plan, totals=totals, seed=seed, engine=engine, backend=backend,
                          as_planned=planned, scenario=scenario.scenario.name, compare=compare,
                          rides_moved=moved)

    return StressResult(without=result(paired.base, play(plan, no_disruptions(plan))),
                        with_stress=result(paired.stressed, as_planned_with(plan, fixed)),
                        paired=paired, stress=fixed, events=tuple(events))
