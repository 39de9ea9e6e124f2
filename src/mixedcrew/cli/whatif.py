"""`mixedcrew whatif` and `mixedcrew compare`: an event's two futures, or any two manifests, side by side.

OR-Tools, NumPy and plotly load only inside the commands (mixedcrew.whatif
and what it calls). Bad input: one located line each, exit 2.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from mixedcrew.cli._support import (
    EXIT_FINDING,
    fail,
    guarded,
    in_range,
    load,
    out,
    parse_instant,
    require_output,
)
from mixedcrew.cli.risk import stress_problem_lines

MAX_TRIALS = 100_000_000


def register(app: typer.Typer) -> None:
    app.command("whatif")(guarded(whatif))
    app.command("compare")(guarded(compare))


def whatif(
    file: Annotated[Path, typer.Argument(metavar="PLAN", help="The current plan or scenario (TOML).")],
    event: Annotated[list[str], typer.Option(
        "--event", help="The event: a TOML inline table, or a TOML file of [[events]] (repeatable).")],
    trials: Annotated[int, typer.Option(
        "--trials", "-n", help="Risk trials per manifest (0: none).")] = 10_000,
    seed: Annotated[int, typer.Option(help="Seed of the risk trials and of the solver.")] = 0,
    output: Annotated[Path | None, typer.Option("-o", "--output", help="Write the new plan here.")] = None,
    html_out: Annotated[Path | None, typer.Option(
        "--html", help="Write a standalone page with both manifests on one time axis.")] = None,
    until: Annotated[str | None, typer.Option("--until", help="Re-plan up to this instant.")] = None,
    shift: Annotated[float | None, typer.Option(
        "--shift", help="Days a blocked launch may move (default: to the block's end + 30 days).")] = None,
    time_limit: Annotated[float, typer.Option(
        "--time-limit", help="Re-plan seconds: the full plan and the best effort together.")] = 60.0,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Re-plan after an event (best effort if needed), check both, run risk on both, side by side."""
    from mixedcrew.io.events import load_events

    in_range(trials, "--trials", 0, MAX_TRIALS)
    in_range(time_limit, "--time-limit", 0.1, 86_400.0, " s")
    if shift is not None:
        in_range(shift, "--shift", 0, 3650.0, " days")
    for path, option in ((output, "-o"), (html_out, "--html")):
        if path is not None:
            require_output(path, option)
    t = parse_instant(until, "--until")
    plan = load(file)
    events = list(load_events(event, plan))
    from mixedcrew.plan.result import SolveOptions
    from mixedcrew.risk import StressError
    from mixedcrew.whatif.run import as_json as whatif_json
    from mixedcrew.whatif.run import figure_lines, summary_lines, what_if

    try:
        w = what_if(plan, events, trials=trials, seed=seed, until=t, shift_days=shift,
                    options=SolveOptions(time_limit=time_limit, seed=seed))
    except StressError as e:
        fail(stress_problem_lines(e, events, "--event"))
    if output is not None and w.new is not None:
        from mixedcrew.io.scenario_file import save_scenario

        kind = "best-effort re-plan (it breaks rules)" if w.best_effort else "re-plan"
        save_scenario(w.new, output, header=f"A {kind} of {file.name} by `mixedcrew whatif` after "
                                            f"{', '.join(e.id for e in events)} (seed {seed}).")
    if html_out is not None and w.new is not None and w.diff is not None:
        _write_page(html_out, f"What if {', '.join(e.id for e in events)}: {file.name}", w)
    if as_json:
        data = whatif_json(w)
        data["output"], data["html"] = (str(output) if output and w.new else None,
                                        str(html_out) if html_out and w.new else None)
        out.print(json.dumps(data, indent=2), markup=False)
    else:
        for line in summary_lines(w):
            out.print(line, markup=False)
        for line in figure_lines(w):
            out.print(line, markup=False)
        for note in w.notes:
            out.print(f"note: {note}", markup=False)
        if output is not None and w.new is not None:
            out.print(f"wrote {output}" + (" (best effort)" if w.best_effort else ""), markup=False)
        if html_out is not None and w.new is not None:
            out.print(f"wrote {html_out}", markup=False)
    if w.new is None or w.best_effort:
        raise typer.Exit(EXIT_FINDING)


def _write_page(path: Path, title: str, w: Any) -> None:
    from mixedcrew.io.output import write_atomic
    from mixedcrew.risk.result import days, pct
    from mixedcrew.whatif.page import render_page
    from mixedcrew.whatif.run import summary_lines

    rows = [(label, ["-" if e is None else (pct(e) if label.startswith("P(") else days(e)) for e in cells])
            for label, cells in w.figure_rows()]
    since = w.replanned.now
    write_atomic(path, render_page(title, w.old, w.new, w.diff, since=since, names=("old plan", "new plan"),
                                   summary=summary_lines(w), figures=rows,
                                   columns=[c.title for c in w.columns]))


def compare(
    a: Annotated[Path, typer.Argument(metavar="A", help="A manifest (TOML).")],
    b: Annotated[Path, typer.Argument(metavar="B", help="Another manifest of the same station (TOML).")],
    trials: Annotated[int, typer.Option("--trials", "-n", help="Risk trials per manifest (0: none).")] = 0,
    seed: Annotated[int, typer.Option(help="Seed of the risk trials.")] = 0,
    html_out: Annotated[Path | None, typer.Option(
        "--html", help="Write a standalone page with both manifests on one time axis.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """What differs between two manifests: flights, crews, stays, violations (and risk with --trials)."""
    in_range(trials, "--trials", 0, MAX_TRIALS)
    if html_out is not None:
        require_output(html_out, "--html")
    sa, sb = load(a), load(b)
    from mixedcrew.whatif.diff import compare_manifests

    d = compare_manifests(sa, sb)
    names = (a.name, b.name) if a.name != b.name else (str(a), str(b))
    columns: list[tuple[str, dict[str, Any]]] = []
    if trials:
        columns = _risk_columns(sa, sb, names, trials, seed)
    rows = _figure_rows(columns)
    if html_out is not None:
        from mixedcrew.io.output import write_atomic
        from mixedcrew.whatif.page import render_page

        write_atomic(html_out, render_page(f"{names[0]} and {names[1]}", sa, sb, d, names=names,
                                           figures=[(k, [c for c in v]) for k, v in rows],
                                           columns=[c for c, _ in columns]))
    if as_json:
        data = d.as_json() | {"a": str(a), "b": str(b),
                              "figures": {t: {k: e.as_json() for k, e in v.items()} for t, v in columns}}
        out.print(json.dumps(data, indent=2), markup=False)
        return
    out.print(f"{names[0]} -> {names[1]}" + (": the same manifest" if d.same else ""), markup=False)
    for line in d.lines(names):
        out.print(line, markup=False)
    if rows:
        from rich.table import Table

        table = Table(title=f"risk, {trials:,} trials each, seed {seed} (95% intervals)")
        table.add_column("figure")
        for title, _ in columns:
            table.add_column(title, justify="right")
        for label, cells in rows:
            table.add_row(label, *cells)
        out.print(table)
    if html_out is not None:
        out.print(f"wrote {html_out}", markup=False)


def _risk_columns(sa: Any, sb: Any, names: tuple[str, str], trials: int, seed: int
                  ) -> list[tuple[str, dict[str, Any]]]:
    """Both manifests over the window they share, same seed and trial count."""
    from mixedcrew.risk import assess
    from mixedcrew.risk.arrays import default_window
    from mixedcrew.timeline import Timeline
    from mixedcrew.whatif.run import figures_of

    wa = default_window(sa, Timeline(sa), sa.stations[0].id)
    wb = default_window(sb, Timeline(sb), sb.stations[0].id)
    start, end = max(wa.start, wb.start), min(wa.end, wb.end)
    if end <= start:
        fail([f"{names[0]} and {names[1]} share no window to compare risk in: give --trials 0"])
    out_cols = []
    for name, s in zip(names, (sa, sb), strict=True):
        r = assess(s, [], trials=trials, seed=seed, start=start, end=end)
        out_cols.append((name, figures_of(r, stressed=True)))
    return out_cols


def _figure_rows(columns: list[tuple[str, dict[str, Any]]]) -> list[tuple[str, list[str]]]:
    from mixedcrew.risk.result import days, pct

    labels = list(dict.fromkeys(k for _, v in columns for k in v))
    return [(k, ["-" if v.get(k) is None else (pct(v[k]) if k.startswith("P(") else days(v[k]))
                 for _, v in columns]) for k in labels]
