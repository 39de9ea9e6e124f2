"""The `[risk]` section of a scenario: the stochastic model the risk engine samples.

Domain-level (no NumPy/SimPy imports); the risk package reads it. Every
field may be left out: the built-in defaults below come from the public
record since 2000, and docs/risk.md gives the source of each number.

A per-vehicle-type or per-site entry only needs the fields it changes; the
rest come from `vehicle_default` / `site_default`, and from the built-ins.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Annotated, Any, Literal, TypeVar

from pydantic import Field, ValidationInfo, field_validator, model_validator

from mixedcrew.domain.base import Id, Model

# Upper bounds keep a run's memory and time bounded (a trial holds every sampled grounding:
# 3e4 a year took 3.4 GB for 2,048 trials, 1e9 asked for 7 PiB). Each is far above the record
# (docs/risk.md): groundings 0.12 a year, stand-downs of months, slips of days.
MAX_PER_YEAR = 12.0  # a stand-down a month: 100 times the record
MAX_PER_DAY = 1.0  # rates per docked day or person-day
MAX_DAYS = 3650.0  # ten years, for any duration
MAX_SIGMA = 3.0  # a lognormal's spread: e^3 is 20 times the median at one sigma
PerYear = Annotated[float, Field(ge=0, le=MAX_PER_YEAR, allow_inf_nan=False)]
PerDay = Annotated[float, Field(ge=0, le=MAX_PER_DAY, allow_inf_nan=False)]
Days = Annotated[float, Field(ge=0, le=MAX_DAYS, allow_inf_nan=False)]

_NEEDS = {
    "fixed": ("days",),
    "exponential": ("mean_days",),
    "lognormal": ("median_days", "sigma"),
    "uniform": ("min_days", "max_days"),
}
_FIELDS = ("days", "mean_days", "median_days", "sigma", "min_days", "max_days")


class Distribution(Model):
    """A non-negative duration in days: `{ kind = "lognormal", median_days = 80, sigma = 1.0 }`."""

    kind: Literal["fixed", "exponential", "lognormal", "uniform"]
    days: Days | None = None
    mean_days: Days | None = None
    median_days: float | None = Field(default=None, gt=0, le=MAX_DAYS, allow_inf_nan=False)
    sigma: float | None = Field(default=None, ge=0, le=MAX_SIGMA, allow_inf_nan=False)
    min_days: Days | None = None
    max_days: Days | None = None

    @model_validator(mode="after")
    def _fields_of_kind(self) -> Distribution:
        needed = _NEEDS[self.kind]
        missing = [f for f in needed if getattr(self, f) is None]
        extra = [f for f in _FIELDS if f not in needed and getattr(self, f) is not None]
        if missing or extra:
            raise ValueError(f"a {self.kind} distribution takes {' and '.join(needed)}"
                             + (f" (missing {', '.join(missing)})" if missing else "")
                             + (f" (not {', '.join(extra)})" if extra else ""))
        if self.kind == "uniform" and self.max_days < self.min_days:  # type: ignore[operator]
            raise ValueError(f"max_days {self.max_days} is below min_days {self.min_days}")
        return self

    @property
    def mean(self) -> float:
        if self.kind == "fixed":
            return float(self.days)  # type: ignore[arg-type]
        if self.kind == "exponential":
            return float(self.mean_days)  # type: ignore[arg-type]
        if self.kind == "lognormal":
            return self.median_days * math.exp(self.sigma**2 / 2)  # type: ignore[operator]
        return (self.min_days + self.max_days) / 2  # type: ignore[operator]

    def describe(self) -> str:
        if self.kind == "fixed":
            return f"{self.days:g} days"
        if self.kind == "exponential":
            return f"exponential, mean {self.mean_days:g} days"
        if self.kind == "lognormal":
            return f"lognormal, median {self.median_days:g} days, sigma {self.sigma:g}"
        return f"uniform {self.min_days:g}-{self.max_days:g} days"


NO_DAYS = Distribution(kind="fixed", days=0)


class VehicleRisk(Model):
    """What can go wrong with one vehicle type (or, without `vehicle_type`, any type)."""

    vehicle_type: Id | None = None
    groundings_per_year: PerYear | None = Field(default=None, description="fleet stand-downs per year")
    grounding_days: Distribution | None = Field(default=None, description="how long a stand-down lasts")
    launch_slip_days: Distribution | None = Field(default=None, description="delay of each launch")
    damage_per_docked_day: PerDay | None = Field(
        default=None, description="rate at which a docked vehicle stops being a usable lifeboat")
    replacement_lead_days: Days | None = Field(
        default=None, description="days from damage to the launch of an uncrewed replacement")
    source: str = ""


class SiteRisk(Model):
    """What can go wrong with one launch site (or, without `site`, any site)."""

    site: Id | None = None
    outages_per_year: PerYear | None = None
    outage_days: Distribution | None = None
    launch_slip_days: Distribution | None = Field(
        default=None, description="delay added to the vehicle type's slip for launches from here")
    source: str = ""


@dataclass(frozen=True)
class VehicleRates:
    """A vehicle type's risk with every field resolved."""

    groundings_per_year: float
    grounding_days: Distribution
    launch_slip_days: Distribution
    damage_per_docked_day: float
    replacement_lead_days: float


@dataclass(frozen=True)
class SiteRates:
    outages_per_year: float
    outage_days: Distribution
    launch_slip_days: Distribution


# The built-in defaults. docs/risk.md explains each number and its source.
BUILTIN_VEHICLE = VehicleRates(
    groundings_per_year=0.12,
    grounding_days=Distribution(kind="lognormal", median_days=80, sigma=1.0),
    launch_slip_days=Distribution(kind="exponential", mean_days=5),
    damage_per_docked_day=1.0e-4,
    replacement_lead_days=70.0,
)
BUILTIN_SITE = SiteRates(
    outages_per_year=0.02,
    outage_days=Distribution(kind="lognormal", median_days=120, sigma=0.7),
    launch_slip_days=NO_DAYS,
)
BUILTIN_MEDICAL_PER_PERSON_DAY = 2.1e-5


class RiskModel(Model):
    vehicle_default: VehicleRisk = VehicleRisk()
    vehicles: tuple[VehicleRisk, ...] = ()
    site_default: SiteRisk = SiteRisk()
    sites: tuple[SiteRisk, ...] = ()
    medical_returns_per_person_day: PerDay = BUILTIN_MEDICAL_PER_PERSON_DAY
    # Events in the scenario format, played in every trial (`[[risk.stress]]`). Kept as
    # tables here because the event types live in the domain, which imports this module;
    # mixedcrew.io.events validates them against the scenario when a risk run reads them.
    stress: tuple[dict[str, Any], ...] = ()
    source: str = ""

    @field_validator("vehicle_default")
    @classmethod
    def _any_type(cls, v: VehicleRisk) -> VehicleRisk:
        if v.vehicle_type is not None:
            raise ValueError("vehicle_default applies to every type: leave vehicle_type out")
        return v

    @field_validator("site_default")
    @classmethod
    def _any_site(cls, v: SiteRisk) -> SiteRisk:
        if v.site is not None:
            raise ValueError("site_default applies to every site: leave site out")
        return v

    @field_validator("vehicles", "sites")
    @classmethod
    def _keyed_once(cls, items: tuple, info: ValidationInfo) -> tuple:  # type: ignore[type-arg]
        key = "vehicle_type" if info.field_name == "vehicles" else "site"
        seen: set[str] = set()
        for i, item in enumerate(items):
            value = getattr(item, key)
            if value is None:
                raise ValueError(f"entry [{i}] needs {key}")
            if value in seen:
                raise ValueError(f"entry [{i}]: {key} {value!r} is listed twice")
            seen.add(value)
        return items

    def vehicle(self, vehicle_type: str) -> VehicleRates:
        own = next((v for v in self.vehicles if v.vehicle_type == vehicle_type), VehicleRisk())
        return VehicleRates(**{
            name: _first(getattr(own, name), getattr(self.vehicle_default, name),
                         getattr(BUILTIN_VEHICLE, name))
            for name in VehicleRates.__dataclass_fields__
        })

    def site(self, site: str) -> SiteRates:
        own = next((s for s in self.sites if s.site == site), SiteRisk())
        return SiteRates(**{
            name: _first(getattr(own, name), getattr(self.site_default, name), getattr(BUILTIN_SITE, name))
            for name in SiteRates.__dataclass_fields__
        })

    def unknown_references(self, vehicle_types: set[str], sites: set[str]
                           ) -> list[tuple[tuple[str | int, ...], str]]:
        """(path, message) for each entry naming a vehicle type or site the scenario lacks."""
        found: list[tuple[tuple[str | int, ...], str]] = []
        for i, v in enumerate(self.vehicles):
            if v.vehicle_type not in vehicle_types:
                found.append((("risk", "vehicles", i, "vehicle_type"),
                              f"unknown vehicle type {v.vehicle_type!r} (vehicle types: "
                              f"{', '.join(sorted(vehicle_types)) or 'none'})"))
        for i, s in enumerate(self.sites):
            if s.site not in sites:
                found.append((("risk", "sites", i, "site"),
                              f"unknown launch site {s.site!r} "
                              f"(launch sites: {', '.join(sorted(sites)) or 'none'})"))
        return found


T = TypeVar("T")


def _first(*values: T | None) -> T:
    return next(v for v in values if v is not None)
