"""The `mixedcrew` command. Errors become one line each and an exit status:
0 clean, 1 rule violations (or a finding), 2 bad input.

One module per command family, each adding its commands with `register(app)`:

- ``check``   `schema`, `check`, `aboard`
- ``gcat``    `import-gcat`
- ``forward`` `forward`, `manifest`
- ``report``  `report`
- ``plan``    `plan`, `replan`, `generate`
- ``risk``    `risk`
- ``whatif``  `whatif`, `compare`
- ``web``     `serve`, `users` (the web extra is checked when they run)
- ``storage`` `audit verify`, `db backup`, `db restore` (the web app's database)

Heavy libraries (OR-Tools, NumPy, plotly, SimPy, the web stack) are imported
inside the commands that use them, so `--version`, `--help`, `check` and the
other light commands start without them.
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from mixedcrew import __version__
from mixedcrew.cli import check, forward, gcat, plan, report, risk, storage, web, whatif
from mixedcrew.cli._support import EXIT_BAD_INPUT, EXIT_VIOLATIONS, err, fail, guarded, out, parse_instant

__all__ = ["EXIT_BAD_INPUT", "EXIT_VIOLATIONS", "app", "err", "fail", "guarded", "main", "out",
           "parse_instant"]

app = typer.Typer(
    name="mixedcrew",
    help="Plan, check and stress-test crew rotations for stations with mixed, multi-agency crews.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


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


for _family in (check, gcat, forward, report, plan, risk, whatif, web, storage):
    _family.register(app)


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        err.print("interrupted")
        sys.exit(130)
