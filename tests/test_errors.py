"""One error tree: every MixedcrewError is defined in mixedcrew.errors and drawn in its
docstring; library errors name parameters, and the command line puts the flag there."""

from __future__ import annotations

import importlib
import pkgutil
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

import mixedcrew
import mixedcrew.errors
import mixedcrew.plan
import mixedcrew.risk
from mixedcrew.check import UnknownRuleError as RaisedByCheck
from mixedcrew.check import check
from mixedcrew.cli import app
from mixedcrew.errors import InputError, MixedcrewError, RiskInputError, UnknownRuleError
from mixedcrew.io.scenario_file import load_scenario
from mixedcrew.plan.generate import generate_scenario

SRC = Path(mixedcrew.errors.__file__).resolve().parent
EXAMPLES = SRC.parents[1] / "examples"


def every_subclass(cls: type) -> set[type]:
    found = set()
    for sub in cls.__subclasses__():
        found |= {sub, *every_subclass(sub)}
    return found


def all_modules() -> list[str]:
    """Every module of the package (the web extra is installed where the tests run), but
    Alembic's migration scripts, which only run inside Alembic."""
    return [m.name for m in pkgutil.walk_packages(mixedcrew.__path__, "mixedcrew.")
            if ".migrations" not in m.name]


def test_every_error_is_defined_in_errors_and_drawn_in_its_tree() -> None:
    """Each MixedcrewError subclass anywhere in mixedcrew lives in mixedcrew.errors and has a
    line in the tree its docstring draws."""
    for name in all_modules():
        importlib.import_module(name)
    found = every_subclass(MixedcrewError)
    names = {c.__name__ for c in found}
    assert {"ScenarioError", "PlanInputError", "StressError", "DatabaseError", "NotFound"} <= names
    for cls in found:
        assert cls.__module__ == "mixedcrew.errors", cls
        assert re.search(rf"[├└]── {cls.__name__}\b", mixedcrew.errors.__doc__ or ""), cls
    # the modules that raise them re-export the same classes
    assert mixedcrew.plan.PlanInputError is mixedcrew.errors.PlanInputError
    assert mixedcrew.risk.RiskInputError is RiskInputError
    assert RaisedByCheck is UnknownRuleError


def test_web_failures_keep_their_builtin_bases() -> None:
    """Web failures joined the tree without changing what catches them (LookupError, ValueError)."""
    from mixedcrew.web import errors as web_errors

    assert issubclass(web_errors.NotFound, LookupError) and issubclass(web_errors.Invalid, ValueError)
    assert issubclass(web_errors.Conflict, MixedcrewError)


def test_library_errors_name_parameters_not_flags() -> None:
    """The library says "trials must be at least 1, got 0", not "--trials ..."."""
    small = load_scenario(EXAMPLES / "small.toml")
    with pytest.raises(RiskInputError, match=r"^trials must be at least 1, got 0$") as e:
        mixedcrew.risk.assess_risk(small, trials=0, engine="reference")
    assert e.value.parameter == "trials"
    with pytest.raises(InputError, match=r"^years must be 1\.\.30, got 0$") as g:
        generate_scenario(years=0)
    assert g.value.parameter == "years"
    with pytest.raises(UnknownRuleError, match="unknown rule id NOPE") as u:
        check(small, ignore=["NOPE"])
    assert u.value.parameter == "ignore"


def test_no_library_raise_quotes_a_command_line_flag() -> None:
    """Outside cli/ (and web/, which answers HTTP), no `raise ...Error(...)` message says `--flag`."""
    flagged = []
    for path in SRC.rglob("*.py"):
        rel = path.relative_to(SRC).as_posix()
        if rel.startswith(("cli/", "web/")):
            continue
        text = path.read_text(encoding="utf-8")
        for m in re.finditer(r"raise \w+\((?:[^()]|\([^()]*\))*\)", text):
            if re.search(r"--[a-z]", m.group(0)):
                flagged.append(f"{rel}: {m.group(0)[:80]}")
    assert flagged == []


@pytest.mark.parametrize(("args", "line"), [
    (["risk", str(EXAMPLES / "small.toml"), "--engine", "reference", "--backend", "dask"],
     "--backend must be local: the reference engine runs only locally"),
    (["risk", str(EXAMPLES / "small.toml"), "--from", "2030"],
     "--from: the window 2030-01-01 .. 2023-09-27 is empty"),
    (["generate", "--years", "0", "-o", "unused.toml"], "--years must be 1..30, got 0"),
    (["check", str(EXAMPLES / "small.toml"), "--ignore", "NOPE"], "--ignore: unknown rule id NOPE"),
])
def test_the_command_line_puts_its_flag_in_place_of_the_parameter(args: list[str], line: str) -> None:
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2, result.output
    assert result.output.startswith(line), result.output
    assert len(result.output.strip().splitlines()) == 1
