"""mixedcrew: plan, check and stress-test crew rotations for crewed space stations
whose crews come from several agencies flying on each other's vehicles."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("mixedcrew")
except PackageNotFoundError:  # running from a source tree without install
    __version__ = "0.0.0"

from mixedcrew.check import Report, check
from mixedcrew.domain import Scenario
from mixedcrew.errors import DataError, MixedcrewError, Problem, ScenarioError
from mixedcrew.io.scenario_file import dump_scenario, load_scenario, loads_scenario, save_scenario
from mixedcrew.rules import RULES, Violation
from mixedcrew.timeline import Timeline

__all__ = [
    "RULES",
    "DataError",
    "MixedcrewError",
    "Problem",
    "Report",
    "Scenario",
    "ScenarioError",
    "Timeline",
    "Violation",
    "__version__",
    "check",
    "dump_scenario",
    "load_scenario",
    "loads_scenario",
    "save_scenario",
]
