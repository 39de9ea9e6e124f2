"""The world mixedcrew models: immutable entities and value objects, no I/O.

The models validate their own fields (types, ranges, instant order inside
one object). Cross-references between objects are checked by
:func:`mixedcrew.references.check_references`, so that every problem in a
file can be reported at once.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from typing import Annotated, Any, Literal, TypeVar

from pydantic import Field, model_validator

from mixedcrew.domain.base import MAX_COUNT, MAX_DAYS, Name

# re-exported: `from mixedcrew.domain import Id, Model, PlanningSettings, RiskModel` as before
from mixedcrew.domain.base import Id as Id
from mixedcrew.domain.base import Model as Model
from mixedcrew.domain.planning import PlanningSettings as PlanningSettings
from mixedcrew.domain.risk import RiskModel as RiskModel
from mixedcrew.instants import Instant, format_day


class Window(Model):
    """A half-open span [start, end) of UTC instants; end None means open-ended."""

    start: Instant | None = Field(default=None, alias="from")
    end: Instant | None = Field(default=None, alias="until")

    @model_validator(mode="after")
    def _ordered(self) -> Window:
        if self.start and self.end and self.end < self.start:
            raise ValueError(
                f"'until' {format_day(self.end)} is before 'from' {format_day(self.start)}"
            )
        return self

    def contains(self, t: datetime) -> bool:
        return (self.start is None or self.start <= t) and (self.end is None or t < self.end)


# --- station -----------------------------------------------------------------


class Segment(Model):
    id: Id
    name: Name = ""
    min_operators: int = Field(default=1, ge=0, le=MAX_COUNT)


class CrewEra(Model):
    """Crew size the station is staffed for, from an instant on."""

    start: Instant = Field(alias="from")
    nominal: int = Field(ge=1, le=MAX_COUNT)
    maximum: int = Field(ge=1, le=MAX_COUNT)
    handover_days: float = Field(default=14.0, ge=0, le=MAX_DAYS)

    @model_validator(mode="after")
    def _max_at_least_nominal(self) -> CrewEra:
        if self.maximum < self.nominal:
            raise ValueError(f"maximum {self.maximum} is below nominal {self.nominal}")
        return self


class Port(Model):
    id: Id
    name: Name = ""
    interface: str = Field(description="docking interface, e.g. SSVP, APAS, IDSS")
    start: Instant | None = Field(default=None, alias="from")
    end: Instant | None = Field(default=None, alias="until")

    def available(self, start: datetime, end: datetime) -> bool:
        return (self.start is None or self.start <= start) and (self.end is None or end <= self.end)


class Station(Model):
    id: Id
    name: Name = ""
    continuous_presence_from: Instant | None = None
    continuous_presence_until: Instant | None = Field(
        default=None, description="left empty on purpose from then on (Mir, 1999)")
    segments: tuple[Segment, ...] = ()
    crew: tuple[CrewEra, ...] = Field(default=(), description="crew eras, in time order")
    ports: tuple[Port, ...] = ()

    def era_at(self, t: datetime) -> CrewEra | None:
        current = None
        for era in self.crew:
            if era.start <= t:
                current = era
        return current


# --- agencies, vehicles, certifications ----------------------------------------


class Agency(Model):
    id: Id
    name: Name = ""
    home_segment: Id | None = None
    private: bool = False


class LaunchSite(Model):
    id: Id
    name: Name = ""
    latitude: float | None = Field(default=None, ge=-90, le=90)


class DockedLimit(Model):
    """A change of a vehicle type's docked limit from an instant on."""

    start: Instant = Field(alias="from")
    days: float = Field(gt=0, le=MAX_DAYS)
    source: str = ""


class VehicleType(Model):
    id: Id
    name: Name = ""
    operator: Id | None = Field(default=None, description="agency whose vehicle this is")
    seats: int = Field(ge=0, le=MAX_COUNT)
    max_docked_days: float = Field(gt=0, le=MAX_DAYS)
    docked_limits: tuple[DockedLimit, ...] = ()
    docking: tuple[str, ...] = Field(default=(), description="docking interfaces it fits")
    launch_sites: tuple[Id, ...] = ()
    rendezvous_hours: float = Field(default=24.0, ge=0, le=MAX_DAYS * 24)
    undock_to_landing_hours: float = Field(default=12.0, ge=0, le=MAX_DAYS * 24)
    source: str = ""

    def docked_limit_at(self, t: datetime) -> float:
        days = self.max_docked_days
        for change in self.docked_limits:
            if change.start <= t:
                days = change.days
        return days


class Capsule(Model):
    id: Id
    name: Name = ""
    vehicle_type: Id
    turnaround_days: float = Field(default=0.0, ge=0, le=MAX_DAYS)


class Certification(Model):
    agency: Id
    vehicle_type: Id
    start: Instant = Field(alias="from")
    end: Instant | None = Field(default=None, alias="until")
    source: str = ""

    def valid_at(self, t: datetime) -> bool:
        return self.start <= t and (self.end is None or t < self.end)


# --- people ---------------------------------------------------------------------


class Training(Model):
    vehicle_type: Id
    ready: Instant
    commander: bool = False


class Person(Model):
    id: Id
    name: Name
    known_as: str = Field(default="", description="the name they go by, e.g. Megan McArthur")
    agency: Id
    segments: tuple[Id, ...] = Field(default=(), description="segments they can operate")
    trained: tuple[Training, ...] = ()
    available: Window = Window()
    min_rest_days: float | None = Field(default=None, ge=0, le=MAX_DAYS)

    @property
    def short_name(self) -> str:
        return self.name.split(",")[0].strip()

    def training_for(self, vehicle_type: str) -> Training | None:
        found = [t for t in self.trained if t.vehicle_type == vehicle_type]
        return min(found, key=lambda t: t.ready) if found else None


# --- flights and crew -------------------------------------------------------------

# "uncrewed": a crew vehicle flying empty (a lifeboat once docked, e.g. Soyuz MS-23);
# "cargo": a vehicle that carries no crew and is no lifeboat but holds a port (Progress,
# Cygnus, Cargo Dragon, HTV, an uncrewed test flight).
FlightKind = Literal["rotation", "visit", "test", "uncrewed", "cargo"]


class Relocation(Model):
    """A docked vehicle moves to another port: it undocks at `undock` and docks to `port`
    at `dock`. It stays the station's vehicle meanwhile (its crew rides in it)."""

    undock: Instant
    dock: Instant
    port: Id
    source: str = ""

    @model_validator(mode="after")
    def _ordered(self) -> Relocation:
        if self.dock < self.undock:
            raise ValueError(f"relocation docks at {self.dock.isoformat()} before it undocks "
                             f"at {self.undock.isoformat()}")
        return self


@dataclass(frozen=True)
class PortStay:
    """One port a flight holds on [start, end); end None: still there at the data's end."""

    port: str | None
    start: datetime
    end: datetime | None


class Flight(Model):
    """One trip of one vehicle. Instants left out are open (to be planned)."""

    id: Id
    name: Name = ""
    vehicle_type: Id
    capsule: Id | None = None
    station: Id
    port: Id | None = Field(default=None, description="the port it docks to first")
    relocations: tuple[Relocation, ...] = Field(
        default=(), description="moves to other ports while docked, in time order")
    launch_site: Id | None = None
    kind: FlightKind = "rotation"
    seats: int | None = Field(default=None, ge=0, le=MAX_COUNT, description="overrides the type's seats")
    launch: Instant | None = None
    dock: Instant | None = None
    undock: Instant | None = None
    land: Instant | None = None
    window: Window | None = Field(default=None, description="launch window for planning")
    target_days: float | None = Field(default=None, gt=0, le=MAX_DAYS, description="preferred docked days")
    pinned: bool = False
    client: Id | None = Field(
        default=None, description="the private agency that bought this mission: only its people "
                                  "ride it, and its commander has flown to this station before")
    source: str = ""

    @property
    def label(self) -> str:
        return self.name or self.id

    @property
    def instants(self) -> tuple[datetime | None, ...]:
        return (self.launch, self.dock, self.undock, self.land)

    @property
    def open(self) -> bool:
        """Not launched yet in this manifest: the planner's to fill."""
        return self.launch is None

    @property
    def docked(self) -> bool:
        return self.dock is not None

    @property
    def port_stays(self) -> tuple[PortStay, ...]:
        """The ports it holds while docked, in order: between two stays it holds none."""
        if self.dock is None:
            return ()
        stays, port, start = [], self.port, self.dock
        for move in self.relocations:
            stays.append(PortStay(port, start, move.undock))
            port, start = move.port, move.dock
        stays.append(PortStay(port, start, self.undock))
        return tuple(stays)

    @model_validator(mode="after")
    def _relocations_in_order(self) -> Flight:
        for a, b in zip(self.relocations, self.relocations[1:], strict=False):
            if b.undock < a.dock:
                raise ValueError(f"relocations out of order: one undocks at {b.undock.isoformat()} "
                                 f"before the previous docks at {a.dock.isoformat()}")
        return self


class Assignment(Model):
    """A person rides up on one flight and down on another (often the same)."""

    person: Id
    up: Id
    down: Id | None = Field(default=None, description="left out: still aboard at the horizon")
    role: Literal["commander", "crew"] = "crew"
    agency: Id | None = Field(
        default=None, description="the agency they fly for on this ride, if not their own"
    )


# --- agreements -------------------------------------------------------------------


class Quota(Model):
    """Each counted flight of `vehicle_type` carries `per_flight` people of `party`."""

    vehicle_type: Id
    party: Id
    per_flight: int = Field(default=1, ge=0, le=MAX_COUNT)
    at_most: int | None = Field(default=None, ge=0, le=MAX_COUNT,
                                description="no more than this many of `party` on a counted flight")
    kinds: tuple[FlightKind, ...] = ("rotation",)


class Agreement(Model):
    id: Id
    name: Name = ""
    parties: tuple[Id, Id]
    start: Instant = Field(alias="from")
    end: Instant | None = Field(default=None, alias="until")
    quotas: tuple[Quota, ...] = ()
    tolerance: int = Field(default=1, ge=0, le=MAX_COUNT, description="max |seats given - seats received|")
    closed_after: bool = Field(
        default=False, description="after `until`, the quotas' vehicle types carry nobody of the "
                                   "party each quota names: no seat exchange without the agreement")
    source: str = ""

    def covers(self, t: datetime) -> bool:
        return self.start <= t and (self.end is None or t < self.end)


class Share(Model):
    agency: Id
    percent: float = Field(gt=0, le=100)


class Shares(Model):
    """Partners of a segment fly on its vehicles in proportion to their utilisation shares.

    Counted: people of the listed agencies riding up on flights of `vehicle_types`
    (of `kinds`) launched inside the window; each agency's count stays within
    `tolerance` seats of its share of that total.
    """

    id: Id
    name: Name = ""
    segment: Id
    start: Instant = Field(alias="from")
    end: Instant | None = Field(default=None, alias="until")
    vehicle_types: tuple[Id, ...] = Field(min_length=1)
    kinds: tuple[FlightKind, ...] = ("rotation",)
    shares: tuple[Share, ...] = Field(min_length=1)
    tolerance: float = Field(default=1.0, ge=0, le=MAX_COUNT, description="seats off the share, at most")
    source: str = ""

    def covers(self, t: datetime) -> bool:
        return self.start <= t and (self.end is None or t < self.end)

    @model_validator(mode="after")
    def _shares_sum(self) -> Shares:
        total = sum(s.percent for s in self.shares)
        if abs(total - 100) > 0.05:
            raise ValueError(f"shares add up to {total:g}%, not 100%")
        if len({s.agency for s in self.shares}) != len(self.shares):
            raise ValueError("an agency appears twice in shares")
        return self


# --- events -----------------------------------------------------------------------


class EventBase(Model):
    id: Id
    at: Instant
    note: str = ""
    source: str = ""


E = TypeVar("E", bound=EventBase)


class Grounding(EventBase):
    kind: Literal["grounding"]
    vehicle_type: Id | None = None
    capsule: Id | None = None
    until: Instant | None = None
    crew_return: bool = Field(
        default=True,
        description="docked vehicles may still bring their crews home (false: not even that, "
                    "as with Starliner after its thruster problems)",
    )

    @model_validator(mode="after")
    def _target(self) -> Grounding:
        if (self.vehicle_type is None) == (self.capsule is None):
            raise ValueError("a grounding names exactly one of vehicle_type or capsule")
        return self


class Damage(EventBase):
    """Damage that removes lifeboat seats from a docked flight from `at` on."""

    kind: Literal["damage"]
    flight: Id
    seats_lost: int = Field(ge=1, le=MAX_COUNT)


class ContingencySeat(EventBase):
    """An emergency seat added to a docked flight (e.g. a seat liner moved)."""

    kind: Literal["contingency_seat"]
    flight: Id
    seats_added: int = Field(default=1, ge=1, le=MAX_COUNT)


class EarlyReturn(EventBase):
    """People who must leave the station by `at` (medical or other reasons)."""

    kind: Literal["early_return"]
    people: tuple[Id, ...] = Field(min_length=1)
    reason: str = ""


class SiteOutage(EventBase):
    kind: Literal["site_outage"]
    site: Id
    until: Instant | None = None


Event = Annotated[
    Grounding | Damage | ContingencySeat | EarlyReturn | SiteOutage, Field(discriminator="kind")
]


# --- scenario ---------------------------------------------------------------------


class Meta(Model):
    name: Name = ""
    description: str = ""
    attribution: str = ""
    horizon: Instant | None = Field(
        default=None,
        description="the instant the data runs to: flights still docked then leave undock out",
    )
    min_rest_days: float = Field(default=0.0, ge=0, le=MAX_DAYS, description="default rest between stays")


class Scenario(Model):
    scenario: Meta = Meta()
    stations: tuple[Station, ...] = ()
    launch_sites: tuple[LaunchSite, ...] = ()
    agencies: tuple[Agency, ...] = ()
    vehicle_types: tuple[VehicleType, ...] = ()
    capsules: tuple[Capsule, ...] = ()
    certifications: tuple[Certification, ...] = ()
    people: tuple[Person, ...] = ()
    flights: tuple[Flight, ...] = ()
    assignments: tuple[Assignment, ...] = ()
    agreements: tuple[Agreement, ...] = ()
    shares: tuple[Shares, ...] = ()
    events: tuple[Event, ...] = ()
    planning: PlanningSettings = PlanningSettings()
    risk: RiskModel = RiskModel()

    # Lookups are derived once; the model is frozen, so they never go stale —
    # except through model_copy, which copies the instance dict: drop them there.
    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> Scenario:
        new = super().model_copy(update=update, deep=deep)
        for name in _CACHED:
            new.__dict__.pop(name, None)
        return new

    @cached_property
    def station_by_id(self) -> dict[str, Station]:
        return {s.id: s for s in self.stations}

    @cached_property
    def agency_by_id(self) -> dict[str, Agency]:
        return {a.id: a for a in self.agencies}

    @cached_property
    def vehicle_type_by_id(self) -> dict[str, VehicleType]:
        return {v.id: v for v in self.vehicle_types}

    @cached_property
    def capsule_by_id(self) -> dict[str, Capsule]:
        return {c.id: c for c in self.capsules}

    @cached_property
    def person_by_id(self) -> dict[str, Person]:
        return {p.id: p for p in self.people}

    @cached_property
    def flight_by_id(self) -> dict[str, Flight]:
        return {f.id: f for f in self.flights}

    def agency_of(self, a: Assignment) -> str | None:
        """The agency a person flies for on this ride."""
        if a.agency:
            return a.agency
        person = self.person_by_id.get(a.person)
        return person.agency if person else None

    def seats_of(self, flight: Flight) -> int:
        if flight.kind == "cargo":
            return 0  # carries no crew and is no lifeboat
        if flight.seats is not None:
            return flight.seats
        return self.vehicle_type_by_id[flight.vehicle_type].seats

    @cached_property
    def _riders(self) -> tuple[dict[str, list[Assignment]], dict[str, list[Assignment]]]:
        up: dict[str, list[Assignment]] = {}
        down: dict[str, list[Assignment]] = {}
        for a in self.assignments:
            up.setdefault(a.up, []).append(a)
            if a.down is not None:
                down.setdefault(a.down, []).append(a)
        return up, down

    def riders_up(self, flight_id: str) -> list[Assignment]:
        return self._riders[0].get(flight_id, [])

    def riders_down(self, flight_id: str) -> list[Assignment]:
        return self._riders[1].get(flight_id, [])

    def events_of(self, kind: type[E]) -> list[E]:
        return [e for e in self.events if isinstance(e, kind)]


_CACHED = tuple(name for name, v in vars(Scenario).items() if isinstance(v, cached_property))
