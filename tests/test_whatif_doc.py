"""docs/whatif.md runs: its commands give the lines it shows, and its Python example prints what it says."""

from __future__ import annotations

import contextlib
import io
import os
import re
import shlex
import textwrap
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mixedcrew.cli import app
from mixedcrew.timeline import Timeline

ROOT = Path(__file__).resolve().parents[1]
DOC = (ROOT / "docs" / "whatif.md").read_text(encoding="utf-8")
CONSOLE = [textwrap.dedent(b) for b in re.findall(r"```console\n(.*?)```", DOC, flags=re.S)]


def _cases() -> list[tuple[str, list[str]]]:
    """(command, lines shown after it), in the page's order."""
    out: list[tuple[str, list[str]]] = []
    for block in CONSOLE:
        for line in block.strip("\n").splitlines():
            if line.startswith("$ mixedcrew "):
                out.append((line[2:], []))
            else:
                out[-1][1].append(line)
    return out


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):  # type: ignore[no-untyped-def]
    """A directory with examples/ beside it, where the page's commands write their files."""
    d = tmp_path_factory.mktemp("whatif-doc")
    (d / "examples").symlink_to(ROOT / "examples")
    return d


@pytest.fixture(autouse=True)
def _in(workdir):  # type: ignore[no-untyped-def]
    here = os.getcwd()
    os.chdir(workdir)
    yield
    os.chdir(here)


def test_doc_commands_print_the_lines_shown():
    """Each command, in order, exits as the page says (1 for a best effort, a plan with open
    flights left aside) and prints each line shown (risk rows: the same figures, spacing aside)."""
    for command, shown in _cases():
        result = CliRunner().invoke(app, shlex.split(command)[1:])
        expected = 1 if any("BEST-EFFORT" in line or "no plan exists" in line for line in shown) else 0
        assert result.exit_code == expected, (command, result.output)
        printed = [line.rstrip() for line in result.output.splitlines()]
        for line in shown:
            if line.strip() == "...":
                continue
            if "%" in line:
                assert any(p.split() == line.split() for p in printed), line
            else:
                assert line in printed, line


def _plan_2027() -> Path:
    """plan-2027.toml as the page's plan command writes it (made here when run alone)."""
    path = Path("plan-2027.toml")
    if not path.exists():
        command = next(c for c, _ in _cases() if c.startswith("mixedcrew plan "))
        assert CliRunner().invoke(app, shlex.split(command)[1:]).exit_code == 0
    return path


def test_doc_segregated_figure_is_what_the_command_prints():
    """The quotable figure: 2.4% with mixed crews, 100% segregated, as the table says."""
    command = next(c for c, _ in _cases() if "--compare segregated" in c)
    _plan_2027()
    result = CliRunner().invoke(app, [*shlex.split(command)[1:], "--json"])
    assert result.exit_code == 0, result.output
    import json

    figures = {f["figure"]: f for f in json.loads(result.output)["stress"]["figures"]}
    mixed = figures["P(a segment without operator)"]["with"]
    ros_mixed = figures["days ROS without operator"]["with"]["value"]
    assert f"| {ros_mixed:.1f} |" in DOC
    alone = figures["P(a segment without operator) (segregated)"]["with"]
    assert f"{mixed['value'] * 100:.1f}%" in DOC
    assert f"[{mixed['low'] * 100:.1f}, {mixed['high'] * 100:.1f}]" in DOC
    assert alone["value"] == 1.0
    ros_alone = figures["days ROS without operator (segregated)"]["with"]["value"]
    assert f"about {round(ros_alone)} days" in DOC and f"| {round(ros_alone)} |" in DOC


def test_doc_python_example_prints_williams():
    (code,) = re.findall(r"```python\n(.*?)```", DOC, flags=re.S)
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        exec(compile(code, "docs/whatif.md", "exec"), {})
    assert buffer.getvalue().strip() == "['Williams']"


def test_doc_soyuz_case_in_words_holds():
    """The words under the 2027 Soyuz case (the page's command: solver seed 1): MS-30 waits; the
    broken least crew is kept short by longer stays (MS-29 10 days, Crew-13 to its docked limit,
    one of its crew home with Crew-14 in Chari's seat); the Russian segment is staffed by the cosmonaut
    each Dragon carries; only the ledger breaks of the checker's rules."""
    from mixedcrew.io.events import load_events
    from mixedcrew.io.scenario_file import load_scenario
    from mixedcrew.plan import SolveOptions
    from mixedcrew.whatif.run import what_if

    command = next(c for c, _ in _cases() if "soyuz-down" in c and "whatif" in c)
    event = re.search(r"--event '(.*)'", command).group(1)  # type: ignore[union-attr]
    plan = load_scenario(_plan_2027())
    w = what_if(plan, list(load_events([event], plan)), trials=0,
                options=SolveOptions(time_limit=60, seed=1))
    assert w.new is not None and w.diff is not None
    assert w.new.flight_by_id["MS30"].launch >= datetime(2027, 9, 1, tzinfo=UTC)
    later = w.new.flight_by_id["MS29"].undock - plan.flight_by_id["MS29"].undock
    assert timedelta(days=9) < later < timedelta(days=11)
    crew13 = w.new.flight_by_id["SPXC13"]
    assert crew13.undock == datetime(2027, 5, 21, tzinfo=UTC)
    assert (crew13.undock - crew13.dock) / timedelta(days=1) <= 240
    # one of Crew-13 (not its cosmonaut) comes home with Crew-14, in the seat of Chari
    stays_on, dropped = w.diff.rides
    assert stays_on.endswith("(up on SPXC13) rides home on SPXC14 instead of SPXC13")
    assert "ROSCOSMOS" not in stays_on and dropped == "Chari (NASA) no longer flies up on SPXC14"
    assert len(w.new.riders_up("VOYG1")) == len(plan.riders_up("VOYG1")) == 4
    assert w.best_effort
    done = w.replanned.best_effort
    assert {f.rule for f in done.broken} == {"EXCHANGE", "HANDOVER", "MIN_ABOARD"}
    (ledger,) = [v for v in done.result.report.violations if v.end > w.replanned.now]
    assert ledger.rule == "EXCHANGE"
    # the hours best effort shortened are the checker's span of the ledger out of tolerance
    measured = done.hours["EXCHANGE", "nasa-roscosmos-integrated-crews"]
    assert abs(measured - (ledger.end - ledger.start) / timedelta(hours=1)) <= 1
    tl = Timeline(w.new)
    for month in (4, 5, 6, 7, 8):
        t = datetime(2027, month, 15, tzinfo=UTC)
        ros = [p for p in tl.aboard_at(t) if "ROS" in w.new.person_by_id[p].segments]
        assert 1 <= len(ros) <= 2, (t, ros)
        for person in ros:
            stay = next(x for x in tl.stays_of(person) if x.start <= t < x.end)
            assert w.new.flight_by_id[stay.up].vehicle_type == "crew-dragon", (t, ros)
