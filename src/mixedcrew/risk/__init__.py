"""The risk engine: Monte Carlo of groundings, slips, damage and medical returns over a manifest.

`assess_risk(scenario, ...)` compiles the manifest (plan.py), plays trials
on the fast engine (fast.py) or the SimPy reference (reference.py), in this
process or on Dask (backends.py), and returns a RiskResult with estimates
and 95% intervals. docs/risk.md describes the model and the policy.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from mixedcrew.domain import Scenario
from mixedcrew.risk.backends import DEFAULT_BATCH_BLOCKS, BackendError, run_dask, run_local
from mixedcrew.risk.fast import no_disruptions, play
from mixedcrew.risk.metrics import Estimate, Totals
from mixedcrew.risk.plan import RiskInputError, TrialPlan, compile_plan
from mixedcrew.risk.reference import run_reference
from mixedcrew.risk.result import RiskResult
from mixedcrew.risk.segregate import segregated

__all__ = [
    "BackendError",
    "Estimate",
    "RiskInputError",
    "RiskResult",
    "Totals",
    "TrialPlan",
    "assess_risk",
    "compile_plan",
    "segregated",
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
    if compare is not None and compare not in COMPARISONS:
        raise RiskInputError(f"unknown comparison {compare!r}: choose {', '.join(COMPARISONS)}")
    if engine not in ENGINES:
        raise RiskInputError(f"unknown engine {engine!r}: choose {', '.join(ENGINES)}")
    if backend not in BACKENDS:
        raise RiskInputError(f"unknown backend {backend!r}: choose {', '.join(BACKENDS)}")
    if engine == "reference" and backend != "local":
        raise RiskInputError("the reference engine runs only locally: use --backend local")
    if seed < 0:
        raise RiskInputError(f"the seed must be 0 or more (got {seed})")
    variants, moved = {}, 0
    if compare == "segregated":
        variants["segregated"], moved = segregated(scenario)
    plan = compile_plan(scenario, station=station, start=start, end=end, variants=variants)
    if engine == "reference":
        if trials < 1:
            raise RiskInputError(f"--trials must be at least 1 (got {trials})")
        totals = Totals.of(run_reference(plan, trials, seed))
    elif backend == "dask":
        totals = run_dask(plan, trials, seed, workers=workers, address=address, batch_blocks=batch_blocks,
                          progress=progress)
    else:
        totals = run_local(plan, trials, seed, batch_blocks=batch_blocks, progress=progress)
    return RiskResult(plan=plan, totals=totals, seed=seed, engine=engine, backend=backend,
                      as_planned=play(plan, no_disruptions(plan)), scenario=scenario.scenario.name,
                      compare=compare, rides_moved=moved)
