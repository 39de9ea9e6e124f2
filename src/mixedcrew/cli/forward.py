"""`mixedcrew forward` (the forward ISS scenario from the corps and the announced flights) and
`mixedcrew manifest` (a plan as a crew manifest a person reads).

The builders are imported when the commands run."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from mixedcrew.cli._support import err, fail, guarded, load, out, parse_instant, require_output


@guarded
def forward(
    history: Annotated[Path, typer.Argument(help="History scenario (examples/iss.toml).")],
    corps: Annotated[Path, typer.Option("--corps", help="Corps list (CSV).")],
    announced: Annotated[Path, typer.Option("--announced", help="Announced flights and policies (CSV).")],
    output: Annotated[Path, typer.Option("-o", "--output", help="Scenario file to write.")],
    until: Annotated[str, typer.Option(help="Open flights launch before this.")] = "2031-01-31",
    agreement_until: Annotated[str | None, typer.Option(
        help="The integrated-crew agreement counts flights launched before this "
             "(default 2031-01-01: assumed extended to the end).")] = None,
    us_crew: Annotated[int | None, typer.Option(help="People on the US segment, 2-4 (default 4).")] = None,
    deorbit_vehicle_dock: Annotated[str | None, typer.Option(
        help="The deorbit vehicle docks from this date (default 2029-07-01).")] = None,
    soyuz_every_days: Annotated[float | None, typer.Option(help="Soyuz cadence (default 240).")] = None,
    dragon_every_days: Annotated[float | None, typer.Option(help="Dragon cadence (default 182).")] = None,
    window_days: Annotated[float | None, typer.Option(help="Launch window half-width (default 7).")] = None,
    rest_days: Annotated[float | None, typer.Option(help="Rest between stays (default 730).")] = None,
    training_days: Annotated[float | None, typer.Option(
        help="Training on a new vehicle (default 365).")] = None,
    candidate_days: Annotated[float | None, typer.Option(
        help="Candidates' basic training (default 730).")] = None,
    starliner_cargo_days: Annotated[float | None, typer.Option(
        help="Starliner-1 docked days (default 30).")] = None,
    private_days: Annotated[float | None, typer.Option(
        help="Private missions' docked days (default 14).")] = None,
    share_tolerance: Annotated[float | None, typer.Option(
        help="US-segment share tolerance in seats (default 1).")] = None,
    handover_days: Annotated[float | None, typer.Option(
        help="Planner rule HANDOVER: a rotation leaves only after the next crew of its vehicle "
             "type docked this many days before (default 6).")] = None,
    no_handover: Annotated[bool, typer.Option(
        "--no-handover", help="Ask no direct handover (rule HANDOVER off).")] = False,
    handover_until: Annotated[str | None, typer.Option(
        help="Handovers asked of rotations leaving before this (default: the deorbit "
             "vehicle's docking).")] = None,
    min_aboard: Annotated[int | None, typer.Option(
        help="Planner rule MIN_ABOARD: people aboard at least (default: nominal crew minus "
             "one; 0: not asked).")] = None,
) -> None:
    """Build the forward ISS scenario: the history, the real corps, the announced flights, open
    rotations at the policy cadences (docs/forward.md)."""
    from pydantic import ValidationError

    from mixedcrew.io.forward import build_forward
    from mixedcrew.io.forward_settings import ForwardSettings
    from mixedcrew.io.scenario_file import save_scenario

    require_output(output)
    given: dict[str, Any] = {"until": parse_instant(until, "--until")}
    if no_handover and handover_days is not None:
        fail(["--no-handover: not with --handover-days"])
    if no_handover:
        given["handover_days"] = None
    for name, text in (("agreement_until", agreement_until), ("deorbit_vehicle_dock", deorbit_vehicle_dock),
                       ("handover_until", handover_until)):
        if text is not None:
            given[name] = parse_instant(text, "--" + name.replace("_", "-"))
    if us_crew is not None:
        given["us_crew"] = us_crew
    numbers = {"soyuz_every_days": soyuz_every_days, "dragon_every_days": dragon_every_days,
               "window_days": window_days, "rest_days": rest_days, "training_days": training_days,
               "candidate_days": candidate_days, "starliner_cargo_days": starliner_cargo_days,
               "private_days": private_days, "share_tolerance": share_tolerance,
               "handover_days": handover_days, "min_aboard": min_aboard}
    given.update({k: v for k, v in numbers.items() if v is not None})
    try:
        settings = ForwardSettings(**given)
    except ValidationError as e:
        fail([f"--{str(problem['loc'][0]).replace('_', '-')}: {problem['msg']}"
              for problem in e.errors()])
    base = load(history)
    if base.scenario.horizon is not None and settings.until <= base.scenario.horizon:
        fail([f"--until: {until} is not after the history's horizon "
              f"{base.scenario.horizon.date().isoformat()}"])
    result = build_forward(base, corps, announced, settings)
    save_scenario(result.scenario, output, header=result.header)
    s = result.scenario
    matched = sum(1 for m in result.matches if m.person_id)
    out.print(f"wrote {output}: {len(s.flights)} flights ({sum(1 for f in s.flights if f.open)} open), "
              f"{len(s.people)} people; corps rows matched to GCAT people: {matched} of "
              f"{len(result.matches)}", markup=False)
    for note in result.notes:
        out.print(f"  {note}", markup=False)
    for m in result.unmatched:
        err.print(f"not matched: {m.row.name} ({m.row.agency}): {m.how}", markup=False)


@guarded
def manifest(
    file: Annotated[Path, typer.Argument(help="Plan or scenario file (TOML).")],
    start: Annotated[str | None, typer.Option(
        "--from", help="Flights launching from this instant (default: the history's horizon).")] = None,
) -> None:
    """Print a plan as a crew manifest: flight, launch, docked span, port, crew and roles, and why
    a flight is short of a full crew."""
    from mixedcrew.manifest_text import manifest_lines

    scenario = load(file)
    for line in manifest_lines(scenario, parse_instant(start, "--from")):
        out.print(line, markup=False)


def register(app: typer.Typer) -> None:
    app.command("forward")(forward)
    app.command("manifest")(manifest)
