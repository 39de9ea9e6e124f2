"""Match the corps list's people to the GCAT people of a history scenario.

The corps list mostly writes short forms ("Fincke, Mike", "Hague, Nick",
"Kim, Jonny"); GCAT writes full names in its own transliteration
("Fincke, Edward Michael", "Prokop'ev, Sergey Valer'evich", "Wakata
Koichi"). A match needs the same surname (folded: accents, punctuation,
spacing and common transliteration variants) and a compatible given name
(the same word, a known nickname, or one letter apart); several people
left after that are told apart by agency, or reported ambiguous. Nothing is
matched on a surname alone: "Jones, Cameron" (a 2025 candidate) is not
"Jones, Thomas David".
"""

from __future__ import annotations

from dataclasses import dataclass

from mixedcrew.domain import Person
from mixedcrew.io.corps import CorpsMember, name_key

# Short forms in the corps list -> the given name GCAT writes.
NICKNAMES = {
    "mike": "michael", "nick": "nicklaus", "bob": "robert", "butch": "barry", "jonny": "jonathan",
    "don": "donald", "frank": "francisco", "tom": "thomas", "tim": "timothy", "joe": "joseph",
    "chris": "christopher", "pyotr": "petr", "reid": "reid",
}


@dataclass(frozen=True)
class Match:
    row: CorpsMember
    person_id: str | None
    how: str  # how it matched, or why it did not
    ambiguous: tuple[str, ...] = ()  # the history people it could be, when more than one

    @property
    def key(self) -> str:
        return person_key(self.row)


def person_key(row: CorpsMember) -> str:
    """One person across rows (Wakata is listed under JAXA and under Axiom)."""
    return name_key(row.name)


def _surname(p: Person) -> str:
    # GCAT writes "Surname, Given"; a few Japanese and Russian entries "Surname Given".
    return p.name.split(",")[0] if "," in p.name else p.name.split()[0]


def _given(p: Person) -> list[str]:
    rest = p.name.split(",", 1)[1] if "," in p.name else " ".join(p.name.split()[1:])
    return name_key(rest).split()


def _close(a: str, b: str) -> bool:
    """One edit apart (Nichole / Nicole, Dmitri / Dmitry)."""
    if abs(len(a) - len(b)) > 1 or min(len(a), len(b)) < 4:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b, strict=True)) <= 1
    short, long_ = sorted((a, b), key=len)
    return any(long_[:i] + long_[i + 1:] == short for i in range(len(long_)))


def given_matches(corps_given: str, gcat_given: list[str]) -> str | None:
    """How a corps given name matches GCAT's, or None."""
    words = name_key(corps_given).split()
    if not words:
        return "surname (no given name listed)"
    first = words[0]
    if first in gcat_given:
        return "surname and given name"
    if NICKNAMES.get(first) in gcat_given:
        return f"surname and nickname ({first} = {NICKNAMES[first]})"
    if any(_close(first, g) for g in gcat_given):
        return "surname and given name spelled one letter apart"
    return None


def match_people(corps: list[CorpsMember], people: list[Person]) -> list[Match]:
    by_surname: dict[str, list[Person]] = {}
    for p in people:
        by_surname.setdefault(name_key(_surname(p)).replace(" ", ""), []).append(p)
    out = []
    for row in corps:
        same = by_surname.get(name_key(row.surname).replace(" ", ""), [])
        hits = [(p, how) for p in same if (how := given_matches(row.given, _given(p)))]
        if len(hits) > 1:
            hits = [(p, how) for p, how in hits if p.agency == row.agency] or hits
        if len(hits) == 1:
            p, how = hits[0]
            if name_key(p.name) == name_key(row.name):
                how = "same name"
            out.append(Match(row, p.id, how))
        elif hits:
            out.append(Match(row, None, "ambiguous: " + ", ".join(p.name for p, _ in hits),
                             tuple(p.id for p, _ in hits)))
        elif same:
            out.append(Match(row, None, "surname only, given name differs from "
                                        + ", ".join(p.name for p in same)))
        else:
            out.append(Match(row, None, "not in the history (never flew to the station)"))
    return out
