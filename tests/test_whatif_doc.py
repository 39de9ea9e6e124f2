"""docs/whatif.md runs: its commands give the lines it shows, and its Python example prints what it says."""

from __future__ import annotations

import contextlib
import io
import os
import re
import shlex
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mixedcrew.cli import app
from mixedcrew.timeline import Timeline

ROOT = Path(__file__).resolve().parents[1]
DOC = (ROOT / "docs" / "whatif.md").read_text(encoding="utf-8")
CONSOLE = re.findall(r"```console\n(.*?)```", DOC, flags=re.S)


def _cases() -> list[tuple[str, list[str]]]:
    out = []
    for block in CONSOLE:
        lines = block.strip("\n").splitlines()
        assert lines[0].startswith("$ mixedcrew "), lines[0]
        out.append((lines[0][2:], lines[1:]))
    return out


@pytest.fixture(autouse=True)
def _at_root():  # type: ignore[no-untyped-def]
    here = os.getcwd()
    os.chdir(ROOT)
    yield
    os.chdir(here)


@pytest.mark.parametrize(("command", "shown"), _cases(), ids=lambda x: x[:40] if isinstance(x, str) else "")
def test_doc_command_prints_the_lines_shown(command, shown):
    """Each command exits as the page says (1 for a best effort) and prints each line shown
    (risk lines: the same figures, to the digits shown)."""
    result = CliRunner().invoke(app, shlex.split(command)[1:])
    expected = 1 if any("BEST-EFFORT" in line for line in shown) else 0
    assert result.exit_code == expected, result.output
    printed = [line.rstrip() for line in result.output.splitlines()]
    for line in shown:
        if line.strip() == "...":
            continue
        if "%" in line:  # a risk row: the same label and numbers, spacing aside
            assert any(p.split() == line.split() for p in printed), line
        else:
            assert line in printed, line


def test_doc_segregated_figure_is_what_the_command_prints():
    """The quotable figure: 2.4% with mixed crews, 100% segregated, as the table says."""
    command = next(c for c, _ in _cases() if "--compare segregated" in c)
    result = CliRunner().invoke(app, [*shlex.split(command)[1:], "--json"])
    assert result.exit_code == 0, result.output
    import json

    figures = {f["figure"]: f for f in json.loads(result.output)["stress"]["figures"]}
    mixed = figures["P(a segment without operator)"]["with"]
    alone = figures["P(a segment without operator) (segregated)"]["with"]
    assert f"{mixed['value'] * 100:.1f}%" in DOC
    assert f"[{mixed['low'] * 100:.1f}, {mixed['high'] * 100:.1f}]" in DOC
    assert alone["value"] == 1.0
    ros_alone = figures["days ROS without operator (segregated)"]["with"]["value"]
    assert f"about {round(ros_alone)} days" in DOC


def test_doc_python_example_prints_williams():
    (code,) = re.findall(r"```python\n(.*?)```", DOC, flags=re.S)
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        exec(compile(code, "docs/whatif.md", "exec"), {})
    assert buffer.getvalue().strip() == "['Williams']"


def test_doc_soyuz_case_in_words_holds():
    """The words under the Soyuz case: MS-27 waits, the Russian segment is staffed by the
    cosmonauts who rode Crew Dragon, nobody is moved to another flight."""
    from mixedcrew.io.events import load_events
    from mixedcrew.io.scenario_file import load_scenario
    from mixedcrew.plan import SolveOptions
    from mixedcrew.whatif.run import what_if

    command = next(c for c, _ in _cases() if "soyuz-down" in c and "whatif" in c)
    event = re.search(r"--event '(.*)'", command).group(1)  # type: ignore[union-attr]
    iss = load_scenario(ROOT / "examples" / "iss.toml")
    w = what_if(iss, list(load_events([event], iss)), trials=0, options=SolveOptions(time_limit=20))
    assert w.new is not None and w.diff is not None
    assert w.new.flight_by_id["MS27"].launch >= datetime(2025, 9, 1, tzinfo=UTC)
    assert w.diff.rides == []
    tl = Timeline(w.new)
    for month in (5, 6, 7, 8):
        t = datetime(2025, month, 15, tzinfo=UTC)
        ros = [p for p in tl.aboard_at(t) if "ROS" in w.new.person_by_id[p].segments]
        assert ros, t
        for p in ros:
            stay = next(x for x in tl.stays_of(p) if x.start <= t < x.end)
            assert w.new.flight_by_id[stay.up].vehicle_type == "crew-dragon", (t, p)
