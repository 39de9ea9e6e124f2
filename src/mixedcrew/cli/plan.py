"""The planner's commands: `plan`, `replan` and `generate`.

`register(app)` adds them to the `mixedcrew` app. Bad input: one located line
each and exit 2; a finding: exit 1. OR-Tools loads only when a command runs
(the bodies import the planner's entry modules); like the scenario files and
the domain models, so that `mixedcrew --version` builds none of them.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.live import Live
from rich.text import Text

from mixedcrew.cli._support import (
    EXIT_FINDING,
    err,
    fail,
    guarded,
    in_range,
    load,
    out,
    parse_instant,
    require_output,
)


def _guard(fn: Callable[[], Any]) -> Any:
    return guarded(fn)()


@contextmanager
def _progress(enabled: bool) -> Iterator[Any]:
    """A live line with elapsed time, best objective and bound; only on a terminal."""
    if not enabled or not err.is_terminal:
        yield None
        return
    with Live(Text("planning…"), console=err, transient=True, refresh_per_second=8) as live:
        def update(level: str, elapsed: float, best: float | None, bound: float | None) -> None:
            shown = "-" if best is None else f"{best:,.0f}"
            live.update(Text(f"planning: level {level}  {elapsed:6.1f} s  best {shown}  "
                             f"bound {'-' if bound is None else f'{bound:,.0f}'}"))
        yield update


def _print_result(result: Any, output: Path | None, as_json: bool) -> None:
    from mixedcrew.instants import format_instant
    from mixedcrew.plan.names import person_names

    if as_json:
        data = result.as_json()
        if output is not None and result.plan is not None:
            data["output"] = str(output)
        out.print(json.dumps(data, indent=2), markup=False)
        return
    if result.status == "infeasible":
        minimal = result.explanation.minimal
        out.print("no plan exists; these facts conflict" + ("" if minimal or not result.facts else
                  " (not proven minimal: the most relevant first)") + ":", markup=False)
        for fact in result.facts:
            out.print(f"  {fact}", markup=False)
        if not result.facts:
            out.print("  (the solver proved it impossible but could not name the facts in time)",
                      markup=False)
        return
    if result.status == "unknown":
        out.print(f"no plan found in {result.seconds:.1f} s, and not proven impossible "
                  f"({'; '.join(result.tried)}): give more --time-limit", markup=False)
        return
    plan = result.plan
    names = person_names(plan)
    for fid in result.planned_flights:
        f = plan.flight_by_id[fid]
        crew = ", ".join(names[a.person] for a in plan.riders_up(fid))
        undock = format_instant(f.undock) if f.undock else "docked at horizon"
        out.print(f"{f.label:<14} launch {format_instant(f.launch)}  undock {undock}  port {f.port}  "
                  f"{crew or '(uncrewed)'}", markup=False)
    for f, why in result.scope.unplanned:
        out.print(f"{f.label:<14} left open: {why}", markup=False)
    for lv in result.levels:
        value, bound, unit = lv.shown
        state = "optimal" if lv.optimal else f"bound {bound:g}"
        out.print(f"level {lv.name:<11} {value:g} {unit} ({state})", markup=False)
    for note in result.tried:  # levels the time limit did not reach
        out.print(f"note: {note}", markup=False)
    if result.report is not None and result.report.violations:
        out.print(f"{len(result.report.violations)} violation(s) in the fixed data the plan keeps "
                  "(check it for details)", markup=False)
    if output is not None:
        out.print(f"wrote {output}", markup=False)


def _finish(result: Any, output: Path | None, as_json: bool, header: str, quiet: bool = False) -> None:
    from mixedcrew.io.scenario_file import save_scenario

    done = result.status in ("planned", "nothing to plan")
    if result.plan is not None and done and output is not None:
        save_scenario(result.plan, output, header=header)
    if not quiet:
        _print_result(result, output if done else None, as_json)
    for v in result.new_violations:
        err.print(f"planner bug: the plan breaks {v.rule}: {v.message}", markup=False)
    if not done or result.new_violations:
        raise typer.Exit(EXIT_FINDING)


def _finish_best_effort(done: Any, output: Path | None, as_json: bool, header: str,
                        before: list[str] | None = None, extra: dict[str, Any] | None = None) -> None:
    """Write a best-effort plan and say plainly what it is; exit 1 (it breaks rules)."""
    from mixedcrew.io.scenario_file import save_scenario
    from mixedcrew.plan.best_effort import describe

    if output is not None:
        save_scenario(done.plan, output, header=header + " BEST EFFORT: it breaks rules (see check).")
    if as_json:
        data = done.as_json() | (extra or {})
        data["output"] = str(output) if output else None
        out.print(json.dumps(data, indent=2), markup=False)
        raise typer.Exit(EXIT_FINDING)
    for line in before or []:
        out.print(line, markup=False)
    if done.result.facts:
        out.print("no plan keeps every rule; these facts conflict:", markup=False)
        for fact in done.result.facts:
            out.print(f"  {fact}", markup=False)
    for line in describe(done):
        out.print(line, markup=False)
    if output is not None:
        out.print(f"wrote {output} (best effort)", markup=False)
    raise typer.Exit(EXIT_FINDING)


def plan_cmd(
    scenario: Annotated[Path, typer.Argument(help="Scenario with open flights (TOML).")],
    output: Annotated[Path, typer.Option("-o", "--output", help="Plan file to write.")],
    until: Annotated[str | None, typer.Option("--until", help="Plan flights launching before this.")] = None,
    time_limit: Annotated[float, typer.Option(
        "--time-limit", help="Wall-clock seconds for the whole answer: start, levels, explanation.")] = 60.0,
    seed: Annotated[int, typer.Option("--seed", help="Solver random seed.")] = 0,
    workers: Annotated[int, typer.Option("--workers", help="Solver threads.")] = 1,
    work_limit: Annotated[float | None, typer.Option(
        "--work-limit", help="Deterministic solver time per level (same plan on any machine).")] = None,
    deterministic: Annotated[bool, typer.Option(
        "--deterministic/--free", help="With several workers: interleave them (same plan each "
                                       "run, slower) or let them race.")] = True,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    best_effort: Annotated[bool, typer.Option(
        "--best-effort", help="When no plan keeps every rule, write the one that breaks the fewest, shortest "
                              "(ORDER, SEATS, PORTS kept; exit 1, the checker's findings listed).")] = False,
) -> None:
    """Fill every open flight: launch, port and crew. Exit 0 planned, 1 impossible, 2 bad input."""
    def run() -> None:
        from mixedcrew.plan.result import BEST_EFFORT_PLAN_SHARE, Clock
        from mixedcrew.plan.solve import plan_scenario

        require_output(output)
        t = parse_instant(until, "--until")
        _options(time_limit, seed, workers, work_limit, deterministic)  # checked before any work
        s = load(scenario)
        # one clock for the whole command: with --best-effort, the full plan gets half the
        # time left and the best effort the rest, so --time-limit bounds both
        clock = Clock(time_limit)
        with _progress(not as_json) as progress:
            opts = _options(time_limit, seed, workers, work_limit, deterministic, progress)
            result = plan_scenario(s, t, opts,
                                   clock=clock.part(BEST_EFFORT_PLAN_SHARE) if best_effort else clock)
        header = f"Planned by `mixedcrew plan {scenario.name}` (seed {seed}, {workers} workers)."
        if best_effort and result.status in ("infeasible", "unknown"):
            from mixedcrew.plan.best_effort import best_effort_plan

            done = best_effort_plan(s, t, opts, focus=tuple(result.explanation.facts), clock=clock)
            done.result = replace(done.result, explanation=result.explanation)
            if done.plan is not None:
                _finish_best_effort(done, output, as_json, header.replace("Planned", "Best-effort plan"))
        _finish(result, output, as_json, header)

    _guard(run)


# Option ranges: CP-SAT's seed is a 32-bit int; a week of wall clock is past any real plan.
MAX_SECONDS = 7 * 24 * 3600.0
MAX_SEED = 2**31 - 1
MAX_WORKERS = 256
MAX_CANDIDATES = 2000  # the largest benchmark pool is 300


def _options(time_limit: float, seed: int, workers: int, work_limit: float | None,
             deterministic: bool, progress: Any = None) -> Any:
    from mixedcrew.plan.result import SolveOptions

    in_range(time_limit, "--time-limit", 0.01, MAX_SECONDS, " seconds")
    in_range(seed, "--seed", 0, MAX_SEED)
    in_range(workers, "--workers", 1, MAX_WORKERS)
    if work_limit is not None:
        in_range(work_limit, "--work-limit", 0.01, MAX_SECONDS, " seconds")
    return SolveOptions(time_limit=time_limit, seed=seed, workers=workers, work_limit=work_limit,
                        deterministic=deterministic, progress=progress)


def generate_cmd(
    output: Annotated[Path, typer.Option("-o", "--output", help="Scenario file to write.")],
    stations: Annotated[int, typer.Option("--stations", help="1; 2 or 3: commercial stations too.")] = 1,
    years: Annotated[int, typer.Option("--years", help="Years of rotations to plan.")] = 2,
    candidates: Annotated[int, typer.Option("--candidates", help="People in the pool.")] = 40,
    seed: Annotated[int, typer.Option("--seed", help="Random seed: same seed, same file.")] = 0,
) -> None:
    """Write a synthetic scenario with open flights, for tests and benchmarks."""
    def run() -> None:
        from mixedcrew.io.scenario_file import save_scenario
        from mixedcrew.plan.generate import generate_scenario

        require_output(output)
        in_range(seed, "--seed", 0, MAX_SEED)
        in_range(candidates, "--candidates", 12, MAX_CANDIDATES)
        s = generate_scenario(stations, years, candidates, seed)
        save_scenario(s, output, header=f"Generated by `mixedcrew generate --stations {stations} "
                                        f"--years {years} --candidates {candidates} --seed {seed}`.")
        open_flights = sum(1 for f in s.flights if f.open)
        out.print(f"wrote {output}: {len(s.stations)} station(s), {open_flights} open flights, "
                  f"{len(s.people)} people", markup=False)

    _guard(run)


def replan_cmd(
    plan: Annotated[Path, typer.Argument(help="The current plan (TOML).")],
    event: Annotated[list[str], typer.Option(
        "--event", help="An event as a TOML inline table, or a TOML file of [[events]] (repeatable).")],
    output: Annotated[Path, typer.Option("-o", "--output", help="New plan file to write.")],
    until: Annotated[str | None, typer.Option("--until", help="Plan up to this instant.")] = None,
    time_limit: Annotated[float, typer.Option(
        "--time-limit", help="Wall-clock seconds for the whole answer: start, levels, explanation.")] = 60.0,
    seed: Annotated[int, typer.Option("--seed", help="Solver random seed.")] = 0,
    workers: Annotated[int, typer.Option("--workers", help="Solver threads.")] = 1,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    shift: Annotated[float | None, typer.Option(
        "--shift", help="Days a launch an event blocks may move past its old date (default: it "
                        "waits for the grounding or outage to end, plus 30 days).")] = None,
    best_effort: Annotated[bool, typer.Option(
        "--best-effort", help="When no plan keeps every rule, write the one that breaks the fewest, shortest "
                              "(ORDER, SEATS, PORTS kept; exit 1, the checker's findings listed).")] = False,
) -> None:
    """Re-plan after events: the past pinned, fewest changes first. Exit 0, 1 impossible, 2 bad input."""
    def run() -> None:
        from mixedcrew.instants import format_instant
        from mixedcrew.io.events import load_events
        from mixedcrew.plan.replan import replan

        if shift is not None and not 0 <= shift <= 3650:
            fail([f"--shift: must be 0 to 3650 days, got {shift:g}"])
        require_output(output)
        t = parse_instant(until, "--until")
        _options(time_limit, seed, workers, None, True)  # checked before any work
        current = load(plan)
        # the checks of [[events]] in a file: references, ids, instants (mixedcrew.io.events)
        events = list(load_events(event, current))
        with _progress(not as_json) as progress:
            opts = _options(time_limit, seed, workers, None, True, progress)
            done = replan(current, events, opts, t, shift_days=shift, best_effort=best_effort)
        result = done.result
        held = [f"held: {b.sentence()}" for b in done.blocked]
        if done.best_effort is not None and done.best_effort.plan is not None:
            _finish_best_effort(done.best_effort, output, as_json,
                                f"Re-planned by `mixedcrew replan {plan.name}` after "
                                f"{', '.join(e.id for e in events)} (seed {seed}).",
                                before=held + [f"changed: {c}" for c in done.changes],
                                extra={"now": format_instant(done.now), "added": done.added,
                                       "held": [b.sentence() for b in done.blocked],
                                       "changes": [{"what": c.what, "why": c.why} for c in done.changes]})
        if as_json:
            data = result.as_json()
            data["now"] = done.now.isoformat().replace("+00:00", "Z")
            data["added"] = done.added
            data["changes"] = [{"what": c.what, "why": c.why} for c in done.changes]
            data["held"] = [b.sentence() for b in done.blocked]
            out.print(json.dumps(data, indent=2), markup=False)
            _finish(result, output, True, "", quiet=True)
            return
        for line in held:
            out.print(line, markup=False)
        for c in done.changes:
            out.print(f"changed: {c}", markup=False)
        _finish(result, output, False, f"Re-planned by `mixedcrew replan {plan.name}` after "
                                        f"{', '.join(e.id for e in events)} (seed {seed}).")

    _guard(run)


def register(app: typer.Typer) -> None:
    app.command("plan")(plan_cmd)
    app.command("replan")(replan_cmd)
    app.command("generate")(generate_cmd)
