"""People's names as explanations and change lists print them: unambiguous in the scenario.

A surname alone where no one else has it ("Rubio"); given name and surname
where surnames clash ("Christopher Williams", "Sunita Williams"); the id as
well where even that clashes.
"""

from __future__ import annotations

from collections import Counter

from mixedcrew.domain import Person, Scenario


def _full(p: Person) -> str:
    surname, _, given = p.name.partition(",")
    return f"{given.strip()} {surname.strip()}".strip()


def person_names(s: Scenario) -> dict[str, str]:
    """Each person's id -> the shortest name no one else in the scenario shares."""
    short = Counter(p.short_name for p in s.people)
    full = Counter(_full(p) for p in s.people)
    out = {}
    for p in s.people:
        if short[p.short_name] == 1:
            out[p.id] = p.short_name
        elif full[_full(p)] == 1:
            out[p.id] = _full(p)
        else:
            out[p.id] = f"{_full(p)} ({p.id})"
    return out
