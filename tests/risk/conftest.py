"""Fixtures for the risk engine tests; the scenarios themselves are in risk_cases.py."""

from __future__ import annotations

import pytest
from risk_cases import EXAMPLES

from mixedcrew.domain import Scenario
from mixedcrew.io.scenario_file import load_scenario


@pytest.fixture(scope="session")
def iss() -> Scenario:
    """examples/iss.toml: the ISS 2000-2026, with integrated crews from 2022."""
    return load_scenario(EXAMPLES / "iss.toml")


@pytest.fixture(scope="session")
def small_example() -> Scenario:
    """examples/small.toml: ISS winter 2022-23 with the MS-22 leak."""
    return load_scenario(EXAMPLES / "small.toml")
