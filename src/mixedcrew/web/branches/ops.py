"""The change that turns one manifest into another, as the editing operations a person would send.

A branch proposed back to the live manifest becomes this list, submitted as
any change is: applied at once when it needs no other agency, else stored as
a proposal waiting for the same approvals. Unassignments come first (their
seats are freed before anyone takes them), then the flights, then the
assignments. Pure functions of the two Scenarios.
"""

from __future__ import annotations

from typing import Any

from mixedcrew.domain import Assignment, Scenario

FLIGHT_FIELDS = ("launch", "dock", "undock", "land", "port")


def _ride(a: Assignment) -> tuple[str | None, str, str | None]:
    return a.down, a.role, a.agency


def ops_between(live: Scenario, branch: Scenario) -> list[dict[str, Any]]:
    """The operations that make `live`'s people, flights and rides those of `branch`."""
    dump = {"mode": "json", "by_alias": True, "exclude_defaults": True}
    people = [{"op": "put_person", "person": p.model_dump(**dump)} for p in branch.people  # type: ignore[arg-type]
              if live.person_by_id.get(p.id) != p]
    before = {(a.person, a.up): a for a in live.assignments}
    after = {(a.person, a.up): a for a in branch.assignments}
    gone = [k for k, a in before.items() if k not in after or _ride(after[k]) != _ride(a)]
    new = [k for k, a in after.items() if k not in before or _ride(before[k]) != _ride(a)]
    flights: list[dict[str, Any]] = []
    for f in branch.flights:
        old = live.flight_by_id.get(f.id)
        if old is None:
            flights.append({"op": "put_flight", "flight": f.model_dump(**dump)})  # type: ignore[arg-type]
            continue
        changed = {k: getattr(f, k) for k in FLIGHT_FIELDS if getattr(f, k) != getattr(old, k)}
        if changed:
            flights.append({"op": "set_flight", "flight": f.id,
                            **{k: (v.isoformat().replace("+00:00", "Z") if hasattr(v, "isoformat") else v)
                               for k, v in changed.items()}})
    unassign = [{"op": "unassign", "person": p, "up": up} for p, up in gone]
    assign = []
    for key in new:
        a = after[key]
        op: dict[str, Any] = {"op": "assign", "person": a.person, "up": a.up, "down": a.down, "role": a.role}
        if a.agency:
            op["agency"] = a.agency
        assign.append(op)
    return people + unassign + flights + assign
