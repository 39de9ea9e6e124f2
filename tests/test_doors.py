"""Every door of the CLI bounded: options range-checked with the option named, every `-o`
checked before work, an empty scenario refused by every command, `[risk]` rates and
durations capped, `replan --event` checked against the plan. One line, exit 2, no traceback.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from mixedcrew.cli import app
from mixedcrew.errors import ScenarioError
from mixedcrew.io.scenario_file import loads_scenario

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
SMALL = EXAMPLES / "small.toml"
runner = CliRunner()


def run(*args: str | Path) -> Result:
    result = runner.invoke(app, [str(a) for a in args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    return result


def refused(*args: str | Path) -> str:
    """The one line a refused command prints (exit 2, nothing on stdout)."""
    result = run(*args)
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    (line,) = result.stderr.splitlines()
    return line


@pytest.mark.parametrize("args, option, words", [
    (["plan", SMALL, "-o", "{out}", "--seed", "99999999999"], "--seed", "must be from 0 to 2,147,483,647"),
    (["plan", SMALL, "-o", "{out}", "--seed", "-1"], "--seed", "got -1"),
    (["plan", SMALL, "-o", "{out}", "--time-limit", "nan"], "--time-limit", "got nan"),
    (["plan", SMALL, "-o", "{out}", "--time-limit", "inf"], "--time-limit", "got inf"),
    (["plan", SMALL, "-o", "{out}", "--time-limit", "0"], "--time-limit", "got 0"),
    (["plan", SMALL, "-o", "{out}", "--work-limit", "-5"], "--work-limit", "got -5"),
    (["plan", SMALL, "-o", "{out}", "--workers", "0"], "--workers", "got 0"),
    (["generate", "-o", "{out}", "--candidates", "100000000"], "--candidates", "must be from 12"),
    (["risk", SMALL, "-n", "0"], "--trials", "got 0"),
    (["risk", SMALL, "-n", "10", "--seed", "-3"], "--seed", "got -3"),
    (["risk", SMALL, "-n", "10", "--batch", "0"], "--batch", "got 0"),
    (["risk", SMALL, "-n", "10", "--workers", "0"], "--workers", "got 0"),
    (["risk", SMALL, "-n", "10", "--station", "nope"], "--station", "unknown value 'nope'"),
    (["risk", SMALL, "-n", "10", "--engine", "nope"], "--engine", "choose fast, reference"),
    (["risk", SMALL, "-n", "10", "--compare", "nope"], "--compare", "choose segregated"),
    (["risk", SMALL, "-n", "10", "--from", "2024", "--until", "2023"], "--until", "is not after --from"),
    (["check", SMALL, "--from", "2024-01-01", "--until", "2023-01-01"], "--until", "is not after --from"),
])
def test_options_are_range_checked_with_the_option_named(tmp_path: Path, args: list[str | Path],
                                                         option: str, words: str) -> None:
    line = refused(*[str(a).replace("{out}", str(tmp_path / "out.toml")) for a in args])
    assert line.startswith(f"{option}: "), line
    assert words in line, line
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize("command", [
    ["check"], ["aboard", "--at", "2023-01-01"], ["report", "-o", "{dir}/r.html"],
    ["risk", "-n", "10"], ["plan", "-o", "{dir}/p.toml"], ["manifest"],
    ["replan", "-o", "{dir}/p.toml", "--event",
     '{ id = "x", kind = "damage", at = 2023-01-01, flight = "F", seats_lost = 1 }'],
])
@pytest.mark.parametrize("content", ["", "# only a comment\n", '[scenario]\nname = "nothing"\n'])
def test_an_empty_scenario_is_one_clear_error_for_every_command(tmp_path: Path, command: list[str],
                                                                content: str) -> None:
    empty = tmp_path / "empty.toml"
    empty.write_text(content)
    args: list[str | Path] = [command[0], empty, *[c.replace("{dir}", str(tmp_path)) for c in command[1:]]]
    assert refused(*args) == f"{empty}: the scenario has no [[stations]]: nothing to work on " \
                             "(docs/scenario.md shows a complete example)"


def _fifo(d: Path) -> Path:
    os.mkfifo(d / "pipe")
    return d / "pipe"


@pytest.mark.parametrize("target, words", [
    (lambda d: d / "missing" / "out", "does not exist"),
    (lambda d: d, "is a directory"),
    (_fifo, "is a FIFO"),
    (lambda d: Path("/dev/null"), "is a character device"),
])
@pytest.mark.parametrize("command", [
    ["report", SMALL], ["plan", SMALL], ["generate"], ["import-gcat", "/no/such/lists"],
    ["forward", SMALL, "--corps", "/no/corps.csv", "--announced", "/no/announced.csv"],
    ["replan", SMALL, "--event",
     '{ id = "leak2", kind = "damage", at = 2022-12-15, flight = "MS22", seats_lost = 1 }'],
])
def test_every_output_is_checked_before_any_work(tmp_path: Path, command: list[str | Path], target,  # type: ignore[no-untyped-def]
                                                 words: str) -> None:
    out = target(tmp_path)
    line = refused(*command, "-o", out)
    assert line.startswith(f"-o {out}: ") and words in line, line
    if out == Path("/dev/null"):
        assert out.is_char_device()


@pytest.mark.parametrize("field, value", [
    ("groundings_per_year", "3e4"), ("groundings_per_year", "1e9"), ("groundings_per_year", "1e300"),
    ("damage_per_docked_day", "5"), ("replacement_lead_days", "1e7"),
    ("grounding_days", '{ kind = "fixed", days = 1e9 }'),
    ("grounding_days", '{ kind = "lognormal", median_days = 80, sigma = 50 }'),
    ("launch_slip_days", '{ kind = "uniform", min_days = 0, max_days = 1e12 }'),
])
def test_risk_rates_and_durations_have_upper_bounds(field: str, value: str) -> None:
    text = SMALL.read_text() + f"\n[risk.vehicle_default]\n{field} = {value}\n"
    with pytest.raises(ScenarioError) as info:
        loads_scenario(text, "s.toml")
    (p,) = info.value.problems
    assert p.path.startswith(f"risk.vehicle_default.{field}")
    assert "less than or equal to" in p.message
    assert p.line == text.count("\n")


def test_replan_events_are_checked_against_the_plan(tmp_path: Path) -> None:
    """The review's cases: unknown flight, year 9999, an unknown person; nothing written."""
    out = tmp_path / "new.toml"
    for event, words in [
        ('{ id = "a", kind = "damage", at = 2022-12-15, flight = "NOPE", seats_lost = 1 }',
         "--event: flight: unknown flight 'NOPE'"),
        ('{ id = "a", kind = "damage", at = 9999-12-15, flight = "MS22", seats_lost = 1 }',
         "out of range"),
        ('{ id = "a", kind = "early_return", at = 2023-01-01, people = ["ghost"] }',
         "--event: people[0]: unknown person 'ghost'"),
    ]:
        line = refused("replan", SMALL, "--event", event, "-o", out)
        assert words in line, line
    assert not out.exists()
