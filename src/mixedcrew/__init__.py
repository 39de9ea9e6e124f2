"""mixedcrew: plan, check and stress-test crew rotations for crewed space stations
whose crews come from several agencies flying on each other's vehicles.

The public names below load on first use (PEP 562 `__getattr__`), so that
`import mixedcrew` and `mixedcrew --version` do not pay for building the
domain models; `from mixedcrew import check, load_scenario` works as always.
"""

from __future__ import annotations

import importlib as _importlib
import sys as _sys
import types as _types
from typing import TYPE_CHECKING
from typing import Any as _Any

# The one place the version is written: pyproject.toml reads it from here
# (importlib.metadata would cost a scan of every installed distribution at start-up).
__version__ = "0.1.0"

if TYPE_CHECKING:
    from mixedcrew.check import Report, check
    from mixedcrew.domain import Scenario
    from mixedcrew.errors import DataError, MixedcrewError, Problem, ScenarioError
    from mixedcrew.io.scenario_file import dump_scenario, load_scenario, loads_scenario, save_scenario
    from mixedcrew.rules import RULES, Violation
    from mixedcrew.timeline import Timeline

# public name -> the module that defines it
_HOMES = {
    "Report": "mixedcrew.check",
    "check": "mixedcrew.check",
    "Scenario": "mixedcrew.domain",
    "DataError": "mixedcrew.errors",
    "MixedcrewError": "mixedcrew.errors",
    "Problem": "mixedcrew.errors",
    "ScenarioError": "mixedcrew.errors",
    "dump_scenario": "mixedcrew.io.scenario_file",
    "load_scenario": "mixedcrew.io.scenario_file",
    "loads_scenario": "mixedcrew.io.scenario_file",
    "save_scenario": "mixedcrew.io.scenario_file",
    "RULES": "mixedcrew.rules",
    "Violation": "mixedcrew.rules",
    "Timeline": "mixedcrew.timeline",
}

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


def __getattr__(name: str) -> _Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'mixedcrew' has no attribute {name!r}")
    value = getattr(_importlib.import_module(home), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


class _Package(_types.ModuleType):
    """`mixedcrew.check` names both a submodule and the public function. Importing the
    submodule sets the package attribute to the module; keep the function there, as the
    eager `from mixedcrew.check import check` always did."""

    def __setattr__(self, name: str, value: _Any) -> None:
        if name == "check" and isinstance(value, _types.ModuleType):
            value = value.check
        super().__setattr__(name, value)


_sys.modules[__name__].__class__ = _Package
