"""The `mixedcrew` command. Errors become one line each and an exit status:
0 clean, 1 rule violations (or a finding), 2 bad input."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console

from mixedcrew import __version__
from mixedcrew.errors import DataError, MixedcrewError, Problem, ScenarioError

app = typer.Typer(
    name="mixedcrew",
    help="Plan, check and stress-test crew rotations for stations with mixed, multi-agency crews.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
# emoji=False: rich would otherwise print a name or id such as ":rocket:" as an emoji.
out = Console(highlight=False, soft_wrap=True, emoji=False)
err = Console(stderr=True, highlight=False, soft_wrap=True, emoji=False)

EXIT_VIOLATIONS = 1
EXIT_BAD_INPUT = 2


def fail(problems: list[Problem] | list[str]) -> NoReturn:
    for p in problems:
        err.print(str(p), markup=False)
    raise typer.Exit(EXIT_BAD_INPUT)


def guarded(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Turn the project's errors into clear lines and exit status 2, never a traceback."""
    import functools

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except (ScenarioError, DataError) as e:
            fail(e.problems)
        except MixedcrewError as e:
            fail([str(e)])

    return wrapper


def parse_instant(value: str | None, option: str) -> datetime | None:
    if value is None:
        return None
    from mixedcrew.instants import to_instant

    try:
        return to_instant(value)
    except ValueError as e:
        fail([f"{option}: {e}"])


def version_callback(value: bool) -> None:
    if value:
        out.print(f"mixedcrew {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    version: Annotated[bool, typer.Option("--version", callback=version_callback, is_eager=True,
                                          help="Print the version and exit.")] = False,
) -> None:
    """mixedcrew: who is aboard when, which rules a manifest breaks, and why."""


@app.command()
def schema() -> None:
    """Print the JSON Schema of scenario files (for editor completion)."""
    from mixedcrew.domain import Scenario

    out.print(json.dumps(Scenario.model_json_schema(by_alias=True), indent=2), markup=False)


@app.command("check")
@guarded
def check_cmd(
    file: Annotated[Path, typer.Argument(help="Scenario or plan file (TOML).")],
    start: Annotated[str | None, typer.Option("--from", help="Only violations from this instant.")] = None,
    end: Annotated[str | None, typer.Option("--until", help="Only violations before this instant.")] = None,
    ignore: Annotated[list[str] | None,
                      typer.Option("--ignore", help="Rule id to skip (repeatable).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Check a manifest against every rule. Exit 0 clean, 1 violations, 2 bad input."""
    from mixedcrew.check import check
    from mixedcrew.io.scenario_file import load_scenario

    t0, t1 = parse_instant(start, "--from"), parse_instant(end, "--until")
    scenario = load_scenario(file)
    report = check(scenario, start=t0, end=t1, ignore=ignore or ())
    if as_json:
        out.print(json.dumps(report.as_json(), indent=2), markup=False)
    else:
        from mixedcrew.instants import format_instant

        for v in report.violations:
            out.print(f"{v.rule:<12} {format_instant(v.start)} .. {format_instant(v.end)}  {v.message}",
                      markup=False)
        counts = ", ".join(f"{r} {n}" for r, n in report.by_rule().items() if n) or "none"
        out.print(f"{len(report.violations)} violation(s): {counts}", markup=False)
    if not report.ok:
        raise typer.Exit(EXIT_VIOLATIONS)


@app.command()
@guarded
def aboard(
    file: Annotated[Path, typer.Argument(help="Scenario or plan file (TOML).")],
    at: Annotated[str, typer.Option("--at", help="UTC instant, e.g. 2023-01-01T00:00:00Z.")],
    station: Annotated[str | None, typer.Option(help="Station id (default: the first).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Who is aboard at an instant: people, operators per segment, docked vehicles, lifeboat seats."""
    from mixedcrew.io.scenario_file import load_scenario
    from mixedcrew.summary import aboard_snapshot

    t = parse_instant(at, "--at")
    assert t is not None
    scenario = load_scenario(file)
    if station is not None and station not in scenario.station_by_id:
        fail([f"--station: unknown station {station!r} (stations: {', '.join(scenario.station_by_id)})"])
    snap = aboard_snapshot(scenario, t, station)
    if as_json:
        out.print(json.dumps(snap, indent=2), markup=False)
        return
    out.print(f"At {snap['at']}: {len(snap['aboard'])} aboard", markup=False)
    for p in snap["aboard"]:
        out.print(f"  {p['name']:<36} {p['agency']:<18} up {p['up_flight']:<10} down {p['down_flight']}",
                  markup=False)
    out.print("Operators per segment: " + ", ".join(f"{k} {v}" for k, v in snap["segments"].items()),
              markup=False)
    for d in snap["docked"]:
        out.print(f"  docked: {d['flight']:<10} {d['vehicle_type']:<14} port {d['port']}", markup=False)
    out.print(f"Lifeboat seats: {snap['lifeboat_seats']}", markup=False)


@app.command("import-gcat")
@guarded
def import_gcat(
    directory: Annotated[Path, typer.Argument(help="Folder with missions.txt, astro.txt, rides-*.tsv.")],
    output: Annotated[Path, typer.Option("-o", "--output", help="Scenario file to write.")],
    station: Annotated[str, typer.Option(help="Station as written in the lists' Station column.")] = "ISS",
    since: Annotated[str | None, typer.Option(help="Only flights launched from this date.")] = None,
    supplement: Annotated[Path | None, typer.Option(help="CSV of rides after the rides file ends.")] = None,
    facts: Annotated[Path | None, typer.Option(help="Facts file (default: the one shipped).")] = None,
) -> None:
    """Build a scenario from Jonathan McDowell's human spaceflight lists (CC BY 4.0)."""
    from mixedcrew.io.importer import import_gcat as run_import
    from mixedcrew.io.scenario_file import save_scenario

    result = run_import(directory, station=station, since=parse_instant(since, "--since"),
                        supplement=supplement, facts=facts)
    save_scenario(result.scenario, output, header=result.header)
    s = result.scenario
    out.print(f"wrote {output}: {len(s.flights)} flights, {len(s.people)} people, "
              f"{len(s.assignments)} rides", markup=False)
    for line in result.mismatches:
        err.print(f"duration mismatch: {line}", markup=False)
    if result.mismatches:
        err.print(f"{len(result.mismatches)} person(s) whose stays do not add up to astro.txt's "
                  "total time in space (see docs/history.md)", markup=False)


@app.command()
@guarded
def report(
    file: Annotated[Path, typer.Argument(help="Scenario or plan file (TOML).")],
    output: Annotated[Path, typer.Option("-o", "--output", help="HTML file to write.")] = Path("report.html"),
) -> None:
    """Print a summary and write a standalone HTML report (works offline)."""
    from mixedcrew.check import check
    from mixedcrew.io.scenario_file import load_scenario, write_atomic
    from mixedcrew.report.html import render_report
    from mixedcrew.summary import print_summary, summarise
    from mixedcrew.timeline import Timeline

    scenario = load_scenario(file)
    timeline = Timeline(scenario)
    result = check(scenario, timeline)
    summary = summarise(scenario, timeline, result)
    print_summary(summary, out)
    write_atomic(output, render_report(scenario, timeline, result, summary))
    out.print(f"wrote {output}", markup=False)


# Commands of the planner, risk engine and web app live beside their code; each
# module adds its commands with `register(app)`. A part not installed is skipped.
_COMMAND_MODULES = ("mixedcrew.plan.commands", "mixedcrew.risk.commands", "mixedcrew.web.commands")


def _register_commands() -> None:
    import importlib

    for name in _COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as e:
            if e.name and name.startswith(e.name):
                continue
            raise
        module.register(app)


_register_commands()


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        err.print("interrupted")
        sys.exit(130)
