"""Changes to a scenario, in domain words: what they do, what they touch, whose consent they need.

A change is a list of operations applied in order, all or none. Each
operation is checked on the scenario as the operations before it left it:

- whose consent it needs: the agency of each person it touches, the owner
  of each seat it takes (see `seats`), the operator of a flight it moves;
  vehicles, stations, agreements and whole flights are the administrators';
- what it touches (keys such as ``person:rubio``, ``seats:MS22``): a
  proposal is stale when a later change touched one of its keys;
- its effect on each entity, before and after, for the audit log.

Pure functions of the Scenario; the service stores the result.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from mixedcrew.domain import (
    Agreement,
    Assignment,
    Flight,
    Id,
    Person,
    Scenario,
    Station,
    Training,
    VehicleType,
    Window,
)
from mixedcrew.instants import Instant
from mixedcrew.io.locate import format_path
from mixedcrew.references import check_references
from mixedcrew.web.editing.seats import Direction, seat_map
from mixedcrew.web.errors import Conflict, FieldError, Forbidden, Invalid

MAX_OPS = 50
MAX_TEXT = 200  # names and labels in a change


class Op(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class PutPerson(Op):
    """Create a person, or replace one (same id) entirely."""

    op: Literal["put_person"]
    person: Person

    @field_validator("person")
    @classmethod
    def _short(cls, p: Person) -> Person:
        if len(p.name) > MAX_TEXT or not p.name.strip():
            raise ValueError(f"a person's name has 1 to {MAX_TEXT} characters")
        return p


class RemovePerson(Op):
    op: Literal["remove_person"]
    person: Id


class SetAvailability(Op):
    op: Literal["set_availability"]
    person: Id
    available: Window


class SetTraining(Op):
    op: Literal["set_training"]
    person: Id
    trained: tuple[Training, ...] = Field(max_length=20)


class Assign(Op):
    """A person rides up on `up` and down on `down` (left out: still aboard at the horizon)."""

    op: Literal["assign"]
    person: Id
    up: Id
    down: Id | None = None
    role: Literal["commander", "crew"] = "crew"
    agency: Id | None = Field(default=None, description="the agency they fly for, if not their own")


class Unassign(Op):
    op: Literal["unassign"]
    person: Id
    up: Id


class Move(Op):
    """Take a person off the flight they ride up on (`from`) and onto another, as one change.

    `down` left out: the new flight when the old ride came down on the flight it went up on,
    else the old ride's way down. Role and the agency flown for carry over.
    """

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)
    op: Literal["move"]
    person: Id
    from_: Id = Field(alias="from", description="the flight they ride up on now")
    up: Id
    down: Id | None = None


class SetFlight(Op):
    """Move a flight's instants or port; fields left out stay as they are."""

    op: Literal["set_flight"]
    flight: Id
    launch: Instant | None = None
    dock: Instant | None = None
    undock: Instant | None = None
    land: Instant | None = None
    port: Id | None = None


class PutFlight(Op):
    op: Literal["put_flight"]
    flight: Flight


class PutVehicleType(Op):
    op: Literal["put_vehicle_type"]
    vehicle_type: VehicleType


class PutStation(Op):
    op: Literal["put_station"]
    station: Station


class PutAgreement(Op):
    op: Literal["put_agreement"]
    agreement: Agreement


class RemoveAgreement(Op):
    op: Literal["remove_agreement"]
    agreement: Id


Operation = Annotated[
    PutPerson | RemovePerson | SetAvailability | SetTraining | Assign | Unassign | Move | SetFlight
    | PutFlight | PutVehicleType | PutStation | PutAgreement | RemoveAgreement,
    Field(discriminator="op"),
]
ADMIN_OPS = {"put_flight", "put_vehicle_type", "put_station", "put_agreement", "remove_agreement"}


class ChangeIn(BaseModel):
    """What a client sends: operations applied in order, all or none."""

    model_config = ConfigDict(extra="forbid")
    ops: list[Operation] = Field(min_length=1, max_length=MAX_OPS)
    note: str = Field(default="", max_length=500)
    base_revision: int | None = Field(default=None, ge=1, description=(
        "the revision the client saw; when a later revision touched the same people, seats or "
        "flights, the change is refused with 409 instead of applied over it"))


@dataclass(frozen=True)
class Effect:
    """One entity's change: for the audit log (before/after) and staleness (keys)."""

    entity: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    keys: frozenset[str]


@dataclass
class Planned:
    scenario: Scenario
    effects: list[Effect] = field(default_factory=list)
    consent: set[str] = field(default_factory=set)  # agencies whose consent it needs
    admin: list[str] = field(default_factory=list)  # why an administrator is needed

    @property
    def keys(self) -> frozenset[str]:
        return frozenset(k for e in self.effects for k in e.keys)

    def needs(self, agency: str | None) -> list[str]:
        """Agencies other than `agency` that must approve."""
        return sorted(self.consent - {agency} - {None})


def dumped(obj: BaseModel | None) -> dict[str, Any] | None:
    return None if obj is None else obj.model_dump(mode="json", by_alias=True, exclude_defaults=True)


def overlaps(a: Iterable[str], b: Iterable[str]) -> str | None:
    """The first key of `a` that `b` also touches ('*' touches all; 'seats:*' every seat)."""
    bs = set(b)
    if "*" in bs:
        return next(iter(a), None)
    for key in a:
        if key == "*" or key in bs or (key.startswith("seats:") and "seats:*" in bs) or (
                key == "seats:*" and any(k.startswith("seats:") for k in bs)):
            return key
    return None


# --- applying ------------------------------------------------------------------------------


def plan_change(s: Scenario, ops: list[Any]) -> Planned:
    """Apply `ops` in order to `s`; Invalid (422) or Conflict (409) when one cannot apply."""
    planned = Planned(s)
    for i, op in enumerate(ops):
        try:
            APPLY[op.op](planned, op)
        except _Refused as err:
            raise err.at(i) from None
    problems = check_references(planned.scenario)
    if problems:
        raise Invalid([FieldError(("body", "ops"), f"{format_path(path)}: {msg}", "reference")
                       for path, msg in problems[:20]])
    _check_seats(s, planned)
    return planned


class _Refused(Exception):
    def __init__(self, status: int, msg: str):
        self.status, self.msg = status, msg
        super().__init__(msg)

    def at(self, i: int) -> Exception:
        if self.status == 409:
            return Conflict(f"operation {i}: {self.msg}")
        return Invalid([FieldError(("body", "ops", i), self.msg, "value_error")])


def _person(s: Scenario, pid: str) -> Person:
    found = s.person_by_id.get(pid)
    if found is None:
        raise _Refused(422, f"no person {pid!r} in this scenario")
    return found


def _flight(s: Scenario, fid: str) -> Flight:
    found = s.flight_by_id.get(fid)
    if found is None:
        raise _Refused(422, f"no flight {fid!r} in this scenario")
    return found


def _replace(items: tuple[Any, ...], new: Any, ident: str) -> tuple[Any, ...]:
    """`items` with the one whose id is `ident` replaced by `new` (None: removed; absent: appended)."""
    out = [x for x in items if x.id != ident] if new is None else [
        new if x.id == ident else x for x in items]
    if new is not None and not any(x.id == ident for x in items):
        out.append(new)
    return tuple(out)


def _set(planned: Planned, collection: str, ident: str, new: Any, entity: str, keys: set[str]) -> None:
    s = planned.scenario
    old = next((x for x in getattr(s, collection) if x.id == ident), None)
    planned.scenario = s.model_copy(update={collection: _replace(getattr(s, collection), new, ident)})
    planned.effects.append(Effect(f"{entity}:{ident}", dumped(old), dumped(new), frozenset(keys)))


def _put_person(planned: Planned, op: PutPerson) -> None:
    old = planned.scenario.person_by_id.get(op.person.id)
    planned.consent |= {op.person.agency} | ({old.agency} if old else set())
    _set(planned, "people", op.person.id, op.person, "person", {f"person:{op.person.id}"})


def _remove_person(planned: Planned, op: RemovePerson) -> None:
    s = planned.scenario
    person = _person(s, op.person)
    rides = [s.flight_by_id[a.up].label if a.up in s.flight_by_id else a.up
             for a in s.assignments if a.person == op.person]
    if rides:
        raise _Refused(409, f"{person.name} still rides on {', '.join(rides)}: unassign those first")
    planned.consent.add(person.agency)
    _set(planned, "people", op.person, None, "person", {f"person:{op.person}"})


def _edit_person(planned: Planned, pid: str, **changes: Any) -> None:
    person = _person(planned.scenario, pid)
    planned.consent.add(person.agency)
    new = Person.model_validate({**person.model_dump(by_alias=True), **changes})
    _set(planned, "people", pid, new, "person", {f"person:{pid}"})


def _set_availability(planned: Planned, op: SetAvailability) -> None:
    _edit_person(planned, op.person, available=op.available)


def _set_training(planned: Planned, op: SetTraining) -> None:
    _edit_person(planned, op.person, trained=op.trained)


def _take_seat(planned: Planned, flight: Flight, direction: Direction, person: str, agency: str) -> None:
    """Consent for a seat on `flight`: the rider's agency's own free seat, else a free one borrowed."""
    m = seat_map(planned.scenario, flight, direction)
    people = planned.scenario.person_by_id
    if person in m.people:
        raise _Refused(409, f"{people[person].name} already rides {direction} on {flight.label}")
    if not m.free:
        taken = ", ".join(f"{people[p].name} ({people[p].agency})" if p in people else p for p in m.people)
        raise _Refused(409, f"{flight.label} has no free seat {direction}: {len(m.seats)} seats, "
                            f"taken by {taken}")
    own = m.free_of(agency)
    owner = agency if own else m.free[0].owner
    planned.consent |= {agency} | ({owner} if owner else set())


def _assign(planned: Planned, op: Assign) -> None:
    s = planned.scenario
    person = _person(s, op.person)
    up = _flight(s, op.up)
    if any(a.person == op.person and a.up == op.up for a in s.assignments):
        raise _Refused(409, f"{person.name} already rides up on {up.label}: move or unassign first to "
                            "change it")
    agency = op.agency or person.agency
    planned.consent.add(person.agency)
    _take_seat(planned, up, "up", op.person, agency)
    if op.down is not None:
        _take_seat(planned, _flight(s, op.down), "down", op.person, agency)
    new = Assignment(person=op.person, up=op.up, down=op.down, role=op.role, agency=op.agency)
    planned.scenario = s.model_copy(update={"assignments": (*s.assignments, new)})
    keys = {f"rides:{op.person}", f"seats:{op.up}"} | ({f"seats:{op.down}"} if op.down else set())
    planned.effects.append(Effect(f"assignment:{op.person}@{op.up}", None, dumped(new), frozenset(keys)))


def _unassign(planned: Planned, op: Unassign) -> None:
    s = planned.scenario
    person = _person(s, op.person)
    old = next((a for a in s.assignments if a.person == op.person and a.up == op.up), None)
    if old is None:
        raise _Refused(409, f"{person.name} does not ride up on {_flight(s, op.up).label}")
    planned.consent.add(person.agency)
    planned.scenario = s.model_copy(update={"assignments": tuple(a for a in s.assignments if a is not old)})
    keys = {f"rides:{op.person}", f"seats:{op.up}"} | ({f"seats:{old.down}"} if old.down else set())
    planned.effects.append(Effect(f"assignment:{op.person}@{op.up}", dumped(old), None, frozenset(keys)))


def _move(planned: Planned, op: Move) -> None:
    """Off one flight and onto another: the seats and consents of both, in one change."""
    s = planned.scenario
    person = _person(s, op.person)
    old = next((a for a in s.assignments if a.person == op.person and a.up == op.from_), None)
    if old is None:
        raise _Refused(409, f"{person.name} does not ride up on {_flight(s, op.from_).label}")
    down = op.down if op.down is not None else (op.up if old.down == old.up else old.down)
    _unassign(planned, Unassign(op="unassign", person=op.person, up=op.from_))
    _assign(planned, Assign(op="assign", person=op.person, up=op.up, down=down, role=old.role,
                            agency=old.agency))


def _operator(s: Scenario, flight: Flight) -> str | None:
    vtype = s.vehicle_type_by_id.get(flight.vehicle_type)
    return vtype.operator if vtype else None


def _set_flight(planned: Planned, op: SetFlight) -> None:
    flight = _flight(planned.scenario, op.flight)
    operator = _operator(planned.scenario, flight)
    if operator is None:
        planned.admin.append(f"{flight.label} has no operator: administrators manage it")
    planned.consent |= {operator} if operator else set()
    changes = {k: getattr(op, k) for k in op.model_fields_set if k not in ("op", "flight")}
    new = Flight.model_validate({**flight.model_dump(by_alias=True), **changes})
    _set(planned, "flights", op.flight, new, "flight", {f"flight:{op.flight}"})


def _admin_put(collection: str, entity: str, attr: str,
               keys: Callable[[str], set[str]]) -> Callable[..., None]:
    def apply(planned: Planned, op: Any) -> None:
        obj = getattr(op, attr)
        planned.admin.append(f"only administrators manage {collection.replace('_', ' ')}")
        _set(planned, collection, obj.id, obj, entity, keys(obj.id))
    return apply


def _remove_agreement(planned: Planned, op: RemoveAgreement) -> None:
    if op.agreement not in {a.id for a in planned.scenario.agreements}:
        raise _Refused(422, f"no agreement {op.agreement!r} in this scenario")
    planned.admin.append("only administrators manage agreements")
    _set(planned, "agreements", op.agreement, None, "agreement", {f"agreement:{op.agreement}", "seats:*"})


APPLY: dict[str, Callable[..., None]] = {
    "put_person": _put_person,
    "remove_person": _remove_person,
    "set_availability": _set_availability,
    "set_training": _set_training,
    "assign": _assign,
    "unassign": _unassign,
    "move": _move,
    "set_flight": _set_flight,
    "put_flight": _admin_put("flights", "flight", "flight", lambda i: {f"flight:{i}", f"seats:{i}"}),
    "put_vehicle_type": _admin_put("vehicle_types", "vehicle_type", "vehicle_type",
                                   lambda i: {f"vehicle_type:{i}", "seats:*"}),
    "put_station": _admin_put("stations", "station", "station", lambda i: {f"station:{i}"}),
    "put_agreement": _admin_put("agreements", "agreement", "agreement",
                                lambda i: {f"agreement:{i}", "seats:*"}),
    "remove_agreement": _remove_agreement,
}


def _check_seats(before: Scenario, planned: Planned) -> None:
    """No change may seat more people than a flight has seats (beyond what the file already had)."""
    after = planned.scenario
    touched = {k.split(":", 1)[1] for k in planned.keys if k.startswith("seats:")}
    if "*" in touched:
        touched = set(after.flight_by_id)
    for fid in sorted(touched):
        flight = after.flight_by_id.get(fid)
        if flight is None:
            continue
        seats = after.seats_of(flight)
        old = before.flight_by_id.get(fid)
        for direction, now_n, was_n in (
                ("up", len(after.riders_up(fid)), len(before.riders_up(fid)) if old else 0),
                ("down", len(after.riders_down(fid)), len(before.riders_down(fid)) if old else 0)):
            was_seats = before.seats_of(old) if old else seats
            if now_n > seats and (now_n > was_n or seats < was_seats):
                raise Conflict(f"{flight.label} would carry {now_n} people {direction} in {seats} seats")


def authorise(planned: Planned, *, agency: str | None, is_admin: bool) -> list[str]:
    """The agencies that must still approve (empty: it applies now); Forbidden for admin-only work."""
    if planned.admin and not is_admin:
        raise Forbidden(f"{planned.admin[0]}; ask an administrator")
    return planned.needs(agency)


def describe(op: Any) -> str:
    """One line for pages and the audit log."""
    kind = str(op.get("op") if isinstance(op, dict) else op.op)
    data = op if isinstance(op, dict) else op.model_dump(mode="json", by_alias=True, exclude_none=True)
    if kind == "assign":
        down = f", down on {data['down']}" if data.get("down") else ""
        return f"assign {data['person']}: up on {data['up']}{down}"
    if kind == "unassign":
        return f"unassign {data['person']} from {data['up']}"
    if kind in ("set_availability", "set_training", "remove_person"):
        return f"{kind.replace('_', ' ')} of {data['person']}"
    if kind == "put_person":
        p = data.get("person") or {}
        return f"put person {p.get('id')} ({p.get('agency')})"
    if kind == "set_flight":
        return f"move flight {data['flight']}"
    target = next((v for k, v in data.items() if k != "op"), "")
    return f"{kind.replace('_', ' ')} {target.get('id') if isinstance(target, dict) else target}"
