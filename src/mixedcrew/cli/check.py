"""`mixedcrew schema`, `check` and `aboard`: the light commands, which load a
scenario and read its timeline (no solver, no NumPy, no plotly).

The library modules are imported in the command bodies: building the domain
models is most of a light command's start-up, and `--version` or `--help`
need none of it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from mixedcrew.cli._support import EXIT_VIOLATIONS, fail, guarded, load, out, parse_instant, window


def schema() -> None:
    """Print the JSON Schema of scenario files (for editor completion)."""
    from mixedcrew.domain import Scenario

    out.print(json.dumps(Scenario.model_json_schema(by_alias=True), indent=2), markup=False)


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
    from mixedcrew.instants import format_instant

    t0, t1 = parse_instant(start, "--from"), parse_instant(end, "--until")
    window(t0, t1)
    scenario = load(file)
    report = check(scenario, start=t0, end=t1, ignore=ignore or ())
    if as_json:
        out.print(json.dumps(report.as_json(), indent=2), markup=False)
    else:
        for v in report.violations:
            out.print(f"{v.rule:<12} {format_instant(v.start)} .. {format_instant(v.end)}  {v.message}",
                      markup=False)
        counts = ", ".join(f"{r} {n}" for r, n in report.by_rule().items() if n) or "none"
        out.print(f"{len(report.violations)} violation(s): {counts}", markup=False)
    if not report.ok:
        raise typer.Exit(EXIT_VIOLATIONS)


@guarded
def aboard(
    file: Annotated[Path, typer.Argument(help="Scenario or plan file (TOML).")],
    at: Annotated[str, typer.Option("--at", help="UTC instant, e.g. 2023-01-01T00:00:00Z.")],
    station: Annotated[str | None, typer.Option(help="Station id (default: the first).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Who is aboard at an instant: people, operators per segment, docked vehicles, lifeboat seats."""
    from mixedcrew.summary import aboard_snapshot

    t = parse_instant(at, "--at")
    assert t is not None
    scenario = load(file)
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


def register(app: typer.Typer) -> None:
    app.command()(schema)
    app.command("check")(check_cmd)
    app.command()(aboard)
