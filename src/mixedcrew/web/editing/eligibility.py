"""Who could take a seat on a flight, and why the others cannot, in the checker's own words.

The crew page's person picker lists the people who could ride a flight up
and back; for the others it says why not. The reasons are the checker's
(CERT, TRAINED, AVAILABLE — the same rule functions `mixedcrew check` runs),
asked about the person's own rides plus this one, so a picker never offers
what a check would then refuse, nor hides someone for a reason of its own.
Pure functions of the Scenario.
"""

from __future__ import annotations

from dataclasses import dataclass

from mixedcrew.domain import Assignment, Flight, Person, Scenario
from mixedcrew.rules import RULES
from mixedcrew.timeline import Timeline

# The rules about one person on one flight; SEATS is the seat map's (a full flight is one line).
PERSON_RULES = ("CERT", "TRAINED", "AVAILABLE")


@dataclass(frozen=True)
class Candidate:
    person: Person
    reasons: tuple[str, ...]  # empty: they could fly it

    @property
    def can(self) -> bool:
        return not self.reasons


def _alone(s: Scenario, person: Person, flight: Flight) -> Scenario:
    """The scenario cut to this person's rides plus a round trip on `flight` (early returns left out:
    they concern rides already flown, and would need the whole station's timeline)."""
    rides = [a for a in s.assignments if a.person == person.id]
    trial = Assignment(person=person.id, up=flight.id, down=flight.id)
    used = {flight.id} | {a.up for a in rides} | {a.down for a in rides if a.down}
    return s.model_copy(update={"assignments": (*rides, trial), "events": (),
                                "flights": tuple(f for f in s.flights if f.id in used)})


def why_not(s: Scenario, person: Person, flight: Flight) -> tuple[str, ...]:
    """The reasons `person` cannot ride `flight` up and back (none: they can)."""
    if any(a.person == person.id and flight.id in (a.up, a.down) for a in s.assignments):
        return (f"already rides on {flight.label}",)
    if flight.launch is None:
        return ()  # a flight still to plan: the planner picks its dates, and checks them
    alone = _alone(s, person, flight)
    tl = Timeline(alone.model_copy(update={"assignments": ()}))  # the rules here read no one aboard
    reasons = []
    for rule_id in PERSON_RULES:
        for v in RULES[rule_id].check(alone, tl):
            if flight.id in v.flights and person.id in v.people:
                reasons.append(f"{rule_id}: {v.message}")
    return tuple(dict.fromkeys(reasons))


def candidates(s: Scenario, flight: Flight, people: list[Person]) -> list[Candidate]:
    """Each of `people` with the reasons they cannot ride `flight`: those who can first, by name."""
    found = [Candidate(p, why_not(s, p, flight)) for p in people]
    return sorted(found, key=lambda c: (not c.can, c.person.name))
