"""Reads and writes of proposal rows; each function runs in the caller's transaction.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from mixedcrew.web.storage.records import (
    StoredProposal,
    json_safe,
    proposal_record,
)
from mixedcrew.web.storage.tables import (
    ProposalRow,
)


def add_proposal(session: Session, *, scenario_id: int, base_revision: int, author_id: int | None,
                 author: str, author_agency: str | None, change: dict[str, Any], keys: list[str],
                 needs: list[str], now: datetime) -> StoredProposal:
    row = ProposalRow(scenario_id=scenario_id, base_revision=base_revision, author_id=author_id,
                      author=author, author_agency=author_agency, change=json_safe(change), keys=keys,
                      needs=needs, approvals=[], state="open", created_at=now)
    session.add(row)
    session.flush()
    return proposal_record(row)


def get_proposal(session: Session, proposal_id: int, *, for_update: bool = False) -> StoredProposal | None:
    row = session.get(ProposalRow, proposal_id, with_for_update=for_update)
    return proposal_record(row) if row else None


def list_proposals(session: Session, *, scenario_id: int | None = None, state: str | None = None,
                   limit: int = 200) -> list[StoredProposal]:
    query = select(ProposalRow).order_by(ProposalRow.id.desc()).limit(limit)
    if scenario_id is not None:
        query = query.where(ProposalRow.scenario_id == scenario_id)
    if state is not None:
        query = query.where(ProposalRow.state == state)
    return [proposal_record(r) for r in session.scalars(query)]


def update_open_proposal(session: Session, proposal_id: int, **values: Any) -> bool:
    """Change an open proposal (approvals, state, reason, decision); False when it is no longer open."""
    done = session.execute(update(ProposalRow).where(ProposalRow.id == proposal_id,
                                                     ProposalRow.state == "open").values(**values))
    return bool(done.rowcount == 1)  # type: ignore[attr-defined]
