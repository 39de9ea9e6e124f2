"""Fixtures for the planner's tests: a tiny station with two open flights.

tests/plan/tiny.toml: a station with segments A (BLUE) and B (RED), one
flown Soyuz and one flown Dragon, and two open flights (Soyuz-2, Dragon-2)
with launch windows; a crew-swap agreement as on the ISS.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from mixedcrew.domain import Scenario
from mixedcrew.io.scenario_file import loads_scenario

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]


def tiny_text() -> str:
    return (HERE / "tiny.toml").read_text(encoding="utf-8")


def tiny_with(*edits: tuple[str, str]) -> Scenario:
    """The tiny scenario with text replacements, each of which must apply."""
    text = tiny_text()
    for old, new in edits:
        assert old in text, old
        text = text.replace(old, new)
    return loads_scenario(text, "tiny.toml")


@pytest.fixture(name="tiny_with")
def tiny_with_fixture():
    """tiny_with((old, new), ...) -> the tiny scenario with those text edits."""
    return tiny_with


@pytest.fixture
def tiny() -> Scenario:
    return loads_scenario(tiny_text(), "tiny.toml")


@pytest.fixture
def cli():
    """invoke(*args) -> Result, on an app with only the planner's commands."""
    from mixedcrew.cli.plan import register

    app = typer.Typer()
    register(app)

    @app.callback()
    def root() -> None:
        """planner commands"""

    runner = CliRunner()
    return lambda *args: runner.invoke(app, [str(a) for a in args])
