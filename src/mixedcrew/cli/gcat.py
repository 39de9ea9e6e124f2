"""`mixedcrew import-gcat`: a scenario from Jonathan McDowell's human spaceflight lists.

The importer (and the domain models it builds) is imported when the command runs."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from mixedcrew.cli._support import err, fail, guarded, out, parse_instant, require_output


@guarded
def import_gcat(
    directory: Annotated[Path, typer.Argument(help="Folder with missions.txt, astro.txt, rides-*.tsv.")],
    output: Annotated[Path, typer.Option("-o", "--output", help="Scenario file to write.")],
    station: Annotated[str, typer.Option(
        help="Station: ISS, Mir, Salyut-1..7, Skylab, Tiangong, Tiangong-1, Tiangong-2 (or a name, "
             "alias or the lists' Station tag).")] = "ISS",
    since: Annotated[str | None, typer.Option(help="Only flights launched from this date.")] = None,
    supplement: Annotated[Path | None, typer.Option(help="CSV of rides after the rides file ends.")] = None,
    facts: Annotated[Path | None, typer.Option(help="Facts file (default: the one shipped).")] = None,
    dockings: Annotated[Path | None, typer.Option(
        help="Folder with the ISS docking record (soyuz.csv, us-crew.csv, uncrewed.csv).")] = None,
    corps: Annotated[Path | None, typer.Option(
        help="Astronaut-corps CSV (data/corps-2026.csv): who had left flight status, and when.")] = None,
) -> None:
    """Build a scenario from Jonathan McDowell's human spaceflight lists (CC BY 4.0)."""
    from mixedcrew.io.importer import import_gcat as run_import
    from mixedcrew.io.scenario_file import save_scenario

    require_output(output)
    from mixedcrew.io.importer import find_station, load_facts, station_names

    known, _ = load_facts(facts)
    if find_station(known, station) is None:
        fail([f"--station: unknown station {station!r}: known stations are "
              f"{', '.join(station_names(known))} (or their names, aliases and GCAT tags)"])
    result = run_import(directory, station=station, since=parse_instant(since, "--since"),
                        supplement=supplement, facts=facts, dockings=dockings, corps=corps)
    save_scenario(result.scenario, output, header=result.header)
    s = result.scenario
    out.print(f"wrote {output}: {len(s.flights)} flights, {len(s.people)} people, "
              f"{len(s.assignments)} rides", markup=False)
    for line in result.mismatches:
        err.print(f"duration mismatch: {line}", markup=False)
    if result.mismatches:
        err.print(f"{len(result.mismatches)} person(s) whose stays do not add up to astro.txt's "
                  "total time in space (see docs/history.md)", markup=False)


def register(app: typer.Typer) -> None:
    app.command("import-gcat")(import_gcat)
