"""domain/ is one package: the scenario, [risk] and [planning] models share one Id and one
model base, and `from mixedcrew.domain import ...` gives what it gave as a single module."""

from __future__ import annotations

import inspect

import pydantic

import mixedcrew.domain as domain
from mixedcrew.domain import base, planning, risk


def test_every_domain_model_builds_on_the_one_base() -> None:
    """No second BaseModel subclass with its own config: all are domain.base.Model."""
    for module in (domain, planning, risk):
        for name, cls in vars(module).items():
            ours = inspect.isclass(cls) and cls.__module__ == module.__name__
            if ours and issubclass(cls, pydantic.BaseModel):
                assert issubclass(cls, base.Model), f"{module.__name__}.{name}"
    assert "Id" not in vars(risk) or risk.Id is base.Id  # one Id


def test_the_package_re_exports_what_the_module_gave() -> None:
    """Names code imported from mixedcrew.domain before it became a package."""
    for name in ("Id", "Model", "Scenario", "Flight", "Person", "Event", "Window", "RiskModel",
                 "PlanningSettings", "Agreement", "Quota"):
        assert hasattr(domain, name), name
    assert domain.Id is base.Id and domain.Model is base.Model
    assert domain.RiskModel is risk.RiskModel and domain.PlanningSettings is planning.PlanningSettings
