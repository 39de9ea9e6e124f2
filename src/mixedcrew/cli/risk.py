"""`mixedcrew risk`: the risk engine on the command line.

NumPy (and SimPy for the reference engine) load only when the command runs, like
the scenario file and the domain models."""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console

from mixedcrew.cli._support import (
    err,
    fail,
    guarded,
    in_range,
    load,
    one_of,
    out,
    parse_instant,
    window,
    with_flag,
)
from mixedcrew.errors import Problem
from mixedcrew.io.locate import LineIndex, format_path

if TYPE_CHECKING:
    from mixedcrew.domain import Scenario

_YEAR = re.compile(r"\s*(\d{4})\s*")
# Option ranges (docs/risk.md): 10^8 trials is hours of work; seeds are NumPy's 64-bit entropy.
MAX_TRIALS = 100_000_000
MAX_SEED = 2**63 - 1
MAX_WORKERS = 256


def register(app: typer.Typer) -> None:
    app.command("risk")(guarded(risk))


def risk(
    file: Annotated[Path, typer.Argument(metavar="PLAN", help="Scenario or plan file (TOML).")],
    trials: Annotated[int, typer.Option("--trials", "-n", help="Number of trials.")] = 10_000,
    seed: Annotated[int, typer.Option(help="Seed: the same seed gives the same numbers.")] = 0,
    start: Annotated[str | None, typer.Option(
        "--from", help="Window start: an instant, a date, or a year (2022 = 2022-01-01).")] = None,
    end: Annotated[str | None, typer.Option(
        "--until",
        help="Window end (excluded): an instant, a date, or a year (2026 = through 2026).")] = None,
    compare: Annotated[str | None, typer.Option(
        help="Also play a variant of the manifest on the same trials: 'segregated' "
             "(each agency flies only its own vehicles).")] = None,
    station: Annotated[str | None, typer.Option(help="Station id (default: the first).")] = None,
    backend: Annotated[str, typer.Option(help="Where trials run: local or dask.")] = "local",
    workers: Annotated[int | None, typer.Option(
        help="Worker processes of the local Dask cluster (default: one per CPU).")] = None,
    address: Annotated[str | None, typer.Option(
        help="Address of an existing Dask scheduler, e.g. tcp://10.0.0.5:8786.")] = None,
    engine: Annotated[str, typer.Option(
        help="fast (compiled kernel; NumPy formulas without Numba) or reference (SimPy, slow: "
             "for checking).")] = "fast",
    batch: Annotated[int, typer.Option(
        help="Trials per task (rounded up to blocks of 1024); results do not depend on it.")] = 8192,
    as_json: Annotated[bool, typer.Option(
        "--json", help="Print JSON (numbers, seed and trial count).")] = False,
    stress: Annotated[list[str] | None, typer.Option(
        "--stress", help="An event (TOML inline table, or a file of [[events]]) that happens in every "
                         "trial on top of the random draws; repeatable. Figures come with and without "
                         "it, on the same trials.")] = None,
) -> None:
    """Monte Carlo of groundings, launch slips, damage and medical returns over a manifest."""
    from mixedcrew.errors import RiskInputError
    from mixedcrew.risk import BACKENDS, COMPARISONS, ENGINES, StressError, assess
    from mixedcrew.risk.backends import BLOCK

    t0, t1 = _window_bound(start, "--from", end=False), _window_bound(end, "--until", end=True)
    window(t0, t1)
    if address and backend != "dask":
        fail(["--address needs --backend dask"])
    in_range(trials, "--trials", 1, MAX_TRIALS)
    in_range(seed, "--seed", 0, MAX_SEED)
    in_range(batch, "--batch", 1, MAX_TRIALS)
    if workers is not None:
        in_range(workers, "--workers", 1, MAX_WORKERS)
    one_of(compare, "--compare", COMPARISONS)
    one_of(engine, "--engine", ENGINES)
    one_of(backend, "--backend", BACKENDS)
    scenario = load(file)
    one_of(station, "--station", list(scenario.station_by_id))
    _check_risk_references(scenario, file)
    values = stress or []
    from mixedcrew.io.events import load_events

    events = list(load_events(values, scenario, "--stress")) if values else []
    show = err.is_terminal and not err.is_dumb_terminal
    try:
        with _progress(err, trials, show) as progress:
            result = assess(scenario, events, trials=trials, seed=seed, start=t0, end=t1, station=station,
                            compare=compare, engine=engine, backend=backend, workers=workers,
                            address=address, batch_blocks=max(1, -(-batch // BLOCK)), progress=progress,
                            stress_file=(str(file), file.read_text(encoding="utf-8")))
    except StressError as e:
        fail(stress_problem_lines(e, events, "--stress"))
    except RiskInputError as e:
        # an option to blame (the window's --from or --until, --backend): its flag; else
        # what the manifest cannot give (no stays): the file
        fail([with_flag(e) if e.parameter else f"{file}: {e}"])
    if as_json:
        out.print(json.dumps(result.as_json(), indent=2), markup=False)
        return
    from mixedcrew.risk.paired import StressResult

    if isinstance(result, StressResult):
        for line in result.lines():
            out.print(line, markup=False)
        out.print(result.sentence(), markup=False)
        for note in (*result.plan.notes, *result.stress.notes):
            out.print(f"note: {note}", markup=False)
        out.print(f"repeat with: --seed {seed} --trials {trials}"
                  + "".join(f" --stress '{v}'" for v in values)
                  + (f" --compare {compare}" if compare else ""), markup=False)
        return
    out.print(result.window_table())
    out.print(result.year_table())
    out.print(result.sentence(), markup=False)
    for note in result.plan.notes:
        out.print(f"note: {note}", markup=False)
    out.print(f"repeat with: --seed {seed} --trials {trials}"
              + (f" --compare {compare}" if compare else ""), markup=False)


def _window_bound(value: str | None, option: str, *, end: bool) -> datetime | None:
    if value is not None and (m := _YEAR.fullmatch(value)):
        value = f"{int(m.group(1)) + (1 if end else 0):04d}-01-01"
    return parse_instant(value, option)


def _check_risk_references(scenario: Scenario, file: Path) -> None:
    found = scenario.risk.unknown_references({v.id for v in scenario.vehicle_types},
                                             {x.id for x in scenario.launch_sites})
    if found:
        index = LineIndex(file.read_text(encoding="utf-8"))
        fail([Problem(str(file), index.line_of(path), format_path(path), msg) for path, msg in found])


def stress_problem_lines(e: Exception, events: list[Any], option: str) -> list[Problem]:
    """A StressError's problems, one line each, naming the option (or section) and the event's field."""
    problems: list[tuple[int, str, str]] = e.problems  # type: ignore[attr-defined]
    return [Problem(option if i < len(events) else "risk.stress / [[events]]", None, where,
                    f"{msg} (event {events[i].id if i < len(events) else i - len(events)})")
            for i, where, msg in problems]


class _progress:
    """A rich progress bar on stderr with the running headline estimate; nothing when piped."""

    def __init__(self, console: Console, trials: int, show: bool) -> None:
        self.console, self.trials, self.show = console, trials, show

    def __enter__(self):  # type: ignore[no-untyped-def]
        if not self.show:
            return None
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        self.bar = Progress(TextColumn("trials"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                            TextColumn("{task.fields[headline]}"), console=self.console, transient=True)
        self.bar.start()
        self.task = self.bar.add_task("trials", total=self.trials, headline="")
        return self.update

    def update(self, totals) -> None:  # type: ignore[no-untyped-def]
        from mixedcrew.risk.metrics import probability
        from mixedcrew.risk.result import pct

        p = probability(int(totals.hits["short"][0, -1, -1]), totals.trials)
        self.bar.update(self.task, completed=totals.trials,
                        headline=f"P(a segment without operator) {pct(p)}")
        self.bar.refresh()  # a task takes long enough: show each result as it lands

    def __exit__(self, *exc: object) -> None:
        if self.show:
            self.bar.stop()
