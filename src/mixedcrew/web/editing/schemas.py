"""What the editing API accepts and returns: changes, proposals, seats, audit entries.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import Field

from mixedcrew.domain import Scenario
from mixedcrew.web.deps import In, Out
from mixedcrew.web.editing.changes import describe
from mixedcrew.web.editing.seats import SeatMap
from mixedcrew.web.editing.words import audit_words, proposal_words
from mixedcrew.web.storage.records import (
    AuditEntry,
    StoredProposal,
)


class RejectIn(In):
    reason: str = Field(default="", max_length=500)


class ProposalOut(Out):
    id: int
    scenario_id: int
    base_revision: int
    author: str
    author_agency: str | None
    change: dict[str, Any]
    summary: list[str]
    sentence: str = Field(description="the proposal in words, with names: who proposes what, for whom")
    keys: list[str]
    needs: list[str]
    approvals: list[str]
    waiting_for: list[str]
    state: Literal["open", "applied", "rejected", "stale"]
    reason: str | None
    decided_by: str | None
    decided_at: datetime | None
    result_revision: int | None
    created_at: datetime
    links: dict[str, str]

    @classmethod
    def of(cls, p: StoredProposal, names: Scenario | None = None) -> ProposalOut:
        """`names`: the scenario whose people and flights the sentence names (else ids)."""
        base = f"/api/proposals/{p.id}"
        return cls(id=p.id, scenario_id=p.scenario_id, base_revision=p.base_revision, author=p.author,
                   author_agency=p.author_agency, change=p.change,
                   summary=[describe(op) for op in p.change.get("ops", [])],
                   sentence=proposal_words(p, names), keys=list(p.keys),
                   needs=list(p.needs), approvals=list(p.approvals), waiting_for=list(p.waiting_for),
                   state=p.state, reason=p.reason, decided_by=p.decided_by,
                   decided_at=p.decided_at, result_revision=p.result_revision, created_at=p.created_at,
                   links={"self": base, "approve": f"{base}/approve", "reject": f"{base}/reject",
                          "page": f"/scenarios/{p.scenario_id}/proposals#proposal-{p.id}"})


class ChangeOut(Out):
    applied: bool = Field(description="true: a new revision; false: stored as a proposal")
    revision: int | None = Field(description="the revision it made, when applied")
    effects: list[str] = Field(description="the entities it changes: person:X, assignment:X@F, ...")
    proposal: ProposalOut | None = Field(description="the proposal, when it needs other agencies' approval")


class SeatOut(Out):
    number: int
    owner: str | None
    person: str | None
    flies_for: str | None


class SeatMapOut(Out):
    flight: str
    direction: Literal["up", "down"]
    seats: list[SeatOut]
    overflow: list[str]

    @classmethod
    def of(cls, m: SeatMap) -> SeatMapOut:
        return cls(flight=m.flight, direction=m.direction, overflow=list(m.overflow),
                   seats=[SeatOut(number=s.number, owner=s.owner, person=s.person, flies_for=s.flies_for)
                          for s in m.seats])


class AuditOut(Out):
    id: int
    at: datetime
    scenario_id: int | None
    revision: int | None
    actor: str
    actor_id: int | None
    agency: str | None
    action: str
    entity: str
    before: Any
    after: Any
    keys: list[str]
    proposal_id: int | None
    note: str
    sentence: str = Field(description="the entry in words, with names")

    @classmethod
    def of(cls, e: AuditEntry, names: Scenario | None = None) -> AuditOut:
        return cls(id=e.id, at=e.at, scenario_id=e.scenario_id, revision=e.revision, actor=e.actor,
                   actor_id=e.actor_id, agency=e.agency, action=e.action, entity=e.entity, before=e.before,
                   after=e.after, keys=list(e.keys), proposal_id=e.proposal_id, note=e.note,
                   sentence=audit_words(e, names))
