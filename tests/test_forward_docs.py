"""docs/forward.md's commands, run as written, in a folder laid out like the repository.

Each `$ mixedcrew ...` line of the page's console blocks runs in order; lines
the page shows after a command are its expected output (a trailing `…`
stands for the rest of the line). The bad-input example must exit 2 and
write nothing; the plan must pass the checker after the horizon.
"""

from __future__ import annotations

import re
import shlex
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mixedcrew.cli import app

ROOT = Path(__file__).resolve().parent.parent
BAD_CORPS = ('name,agency,status,status_since,flown_before,trained_for,source,note\n'
             '"Doe, Jane",NAZA,active,2024-01-01,no,unknown,src,\n'
             '"Roe, Rick",NASA,active,2024-02-30,no,unknown,src,\n')


def doc_commands() -> list[tuple[str, list[str]]]:
    doc = (ROOT / "docs" / "forward.md").read_text(encoding="utf-8")
    out: list[tuple[str, list[str]]] = []
    for block in re.findall(r"```console\n(.*?)```", doc, flags=re.S):
        for line in block.splitlines():
            if line.startswith("$ "):
                out.append((line[2:], []))
            elif line.strip() and out:
                out[-1][1].append(line)
    return out


@pytest.fixture(scope="module")
def workdir(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("forward-docs")
    for rel in ("examples/iss.toml", "examples/iss-2030.toml", "data/corps-2026.csv",
                "data/announced-2026.csv"):
        (d / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / rel, d / rel)
    (d / "bad-corps.csv").write_text(BAD_CORPS, encoding="utf-8")
    return d


def test_the_page_has_the_commands_it_promises():
    names = [shlex.split(c)[1] for c, _ in doc_commands()]
    assert names.count("forward") == 4 and "plan" in names and "manifest" in names


def test_every_command_on_the_page_runs_as_documented(workdir, monkeypatch):
    """forward (shipped, flipped assumptions, no handovers, bad input), check, plan, check
    after the horizon, manifest."""
    monkeypatch.chdir(workdir)
    runner = CliRunner()
    for command, expected in doc_commands():
        args = shlex.split(command)[1:]
        result = runner.invoke(app, args)
        output = result.output
        if "bad-corps.csv" in command:
            assert result.exit_code == 2, output
            assert not (workdir / "never-written.toml").exists()
            lines = output.strip().splitlines()
            assert len(lines) == 2
            for want, got in zip(expected, lines, strict=True):
                assert got.startswith(want.split("…")[0]), (want, got)
            continue
        assert result.exit_code == 0, (command, output)
        if args[0] == "forward" and "-o" in args:
            written = args[args.index("-o") + 1]
            assert (workdir / written).is_file()
        if args[0] == "forward" and "--no-handover" in args:
            from mixedcrew.io.scenario_file import load_scenario

            planning = load_scenario(workdir / written).planning
            assert planning.handover_days is None and planning.min_aboard is None
        if args[0] == "forward" and args[-1] == "examples/iss-2030.toml":
            assert (workdir / written).read_bytes() == (ROOT / written).read_bytes()
        if args[0] == "check" and "--from" in args:
            assert "0 violation(s)" in output
        if args[0] == "manifest":
            assert "Soyuz MS-29" in output and "(ROSCOSMOS, commander)" in output
