"""`mixedcrew report`: the demo summary and a standalone HTML report.

plotly, and the domain models, load only when the command runs."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from mixedcrew.cli._support import guarded, load, out, require_output


@guarded
def report(
    file: Annotated[Path, typer.Argument(help="Scenario or plan file (TOML).")],
    output: Annotated[Path, typer.Option("-o", "--output", help="HTML file to write.")] = Path("report.html"),
) -> None:
    """Print a summary and write a standalone HTML report (works offline)."""
    from mixedcrew.check import check
    from mixedcrew.io.output import write_atomic
    from mixedcrew.report.html import render_report
    from mixedcrew.summary import print_summary, summarise
    from mixedcrew.timeline import Timeline

    require_output(output)
    scenario = load(file)
    timeline = Timeline(scenario)
    result = check(scenario, timeline)
    summary = summarise(scenario, timeline, result)
    print_summary(summary, out)
    write_atomic(output, render_report(scenario, timeline, result, summary))
    out.print(f"wrote {output}", markup=False)


def register(app: typer.Typer) -> None:
    app.command()(report)
