"""The same manifest without the seat exchange: each agency flies only its own vehicles.

Every ride an agreement counts (a guest of the vehicle's operator riding
under a quota) is given to a stand-in of the host agency, who operates the
host's home segment. Flights, seats and dates stay as they are, so the two
manifests differ only in who can operate which segment.
"""

from __future__ import annotations

from mixedcrew.domain import Agreement, Assignment, Person, Quota, Scenario, Training
from mixedcrew.errors import RiskInputError


def segregated(scenario: Scenario) -> tuple[Scenario, int]:
    """(the segregated scenario, the number of rides given to stand-ins)."""
    s = scenario
    people: list[Person] = []
    rides: list[Assignment] = []
    moved = 0
    for a in s.assignments:
        host = _host(s, a)
        if host is None:
            rides.append(a)
            continue
        standin = _standin(s, a, host)
        people.append(standin)
        rides.append(a.model_copy(update={"person": standin.id, "agency": None}))
        moved += 1
    if not moved:
        raise RiskInputError("no ride is counted by an agreement's quotas: the segregated manifest "
                             "would be the manifest itself (add [[agreements]] with quotas)")
    return s.model_copy(update={"people": s.people + tuple(people), "assignments": tuple(rides)}), moved


def _host(s: Scenario, a: Assignment) -> str | None:
    """The agency whose seat this ride would be without the exchange, or None."""
    up = s.flight_by_id.get(a.up)
    if up is None or up.launch is None:
        return None
    for ag in s.agreements:
        if not ag.covers(up.launch):
            continue
        for q in ag.quotas:
            if _counted(s, a, ag, q):
                return ag.parties[1] if q.party == ag.parties[0] else ag.parties[0]
    return None


def _counted(s: Scenario, a: Assignment, ag: Agreement, q: Quota) -> bool:
    up = s.flight_by_id[a.up]
    return up.vehicle_type == q.vehicle_type and up.kind in q.kinds and s.agency_of(a) == q.party


def _standin(s: Scenario, a: Assignment, host: str) -> Person:
    agency = s.agency_by_id.get(host)
    if agency is None or agency.home_segment is None:
        raise RiskInputError(f"agency {host!r} has no home_segment: the segregated manifest needs "
                             "one to say which segment its stand-ins operate")
    person = s.person_by_id.get(a.person)
    types = {s.flight_by_id[f].vehicle_type for f in (a.up, a.down) if f in s.flight_by_id}
    ready = min(t for t in (s.flight_by_id[a.up].launch,) if t is not None)
    name = person.short_name if person else a.person
    return Person(
        id=f"standin:{a.person}:{a.up}", name=f"{host} stand-in, for {name}", agency=host,
        segments=(agency.home_segment,),
        trained=tuple(Training(vehicle_type=t, ready=ready, commander=a.role == "commander")
                      for t in sorted(types)),
    )
