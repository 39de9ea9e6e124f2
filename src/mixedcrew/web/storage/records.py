"""Plain records of stored rows, shared by every feature: what a store function returns, never a row.

Each `*_record` function turns a row into its record; the stores call them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Select, select

from mixedcrew.web.storage.tables import (
    FINISHED_STATES,
    AuditRow,
    CredentialRow,
    JobRow,
    ProposalRow,
    RevisionRow,
    ScenarioRow,
    UserRow,
)


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class StoredRevision:
    scenario_id: int
    number: int
    filename: str
    source: bytes
    sha256: str
    size: int
    created_at: datetime
    note: str


@dataclass(frozen=True)
class StoredScenario:
    id: int
    name: str
    created_at: datetime
    head: int
    filename: str
    size: int
    updated_at: datetime


@dataclass(frozen=True)
class StoredJob:
    id: int
    scenario_id: int
    revision: int
    kind: str
    params: dict[str, Any]
    state: str
    progress: float
    message: str
    result: dict[str, Any] | None
    error: str | None
    cancel_requested: bool
    output_scenario_id: int | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    resumed: int = 0  # times a restart queued it again

    @property
    def finished(self) -> bool:
        return self.state in FINISHED_STATES


@dataclass(frozen=True)
class StoredUser:
    id: int
    name: str
    agency: str | None
    is_admin: bool
    disabled: bool
    created_at: datetime
    has_password: bool


@dataclass(frozen=True)
class StoredCredential:
    id: int
    user_id: int
    kind: str
    label: str
    scopes: tuple[str, ...]
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None


@dataclass(frozen=True)
class StoredProposal:
    id: int
    scenario_id: int
    base_revision: int
    author_id: int | None
    author: str
    author_agency: str | None
    change: dict[str, Any]
    keys: tuple[str, ...]
    needs: tuple[str, ...]
    approvals: tuple[str, ...]
    state: str
    reason: str | None
    decided_by: str | None
    decided_at: datetime | None
    result_revision: int | None
    created_at: datetime

    @property
    def waiting_for(self) -> tuple[str, ...]:
        return tuple(a for a in self.needs if a not in self.approvals)


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: datetime
    scenario_id: int | None
    revision: int | None
    actor_id: int | None
    actor: str
    agency: str | None
    action: str
    entity: str
    before: Any
    after: Any
    keys: tuple[str, ...]
    proposal_id: int | None
    note: str


def json_safe(value: Any) -> Any:
    """Plain JSON for a JSON column: NaN and infinities (which PostgreSQL's json refuses) become null."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    return value


def revision_record(row: RevisionRow) -> StoredRevision:
    return StoredRevision(row.scenario_id, row.number, row.filename, row.source, row.sha256, row.size,
                          row.created_at, row.note)


def job_record(row: JobRow) -> StoredJob:
    return StoredJob(row.id, row.scenario_id, row.revision, row.kind, dict(row.params), row.state,
                     row.progress, row.message, row.result, row.error, row.cancel_requested,
                     row.output_scenario_id, row.created_at, row.started_at, row.finished_at,
                     row.resumed or 0)


def scenario_query() -> Select[ScenarioRow, str, int, datetime]:
    return (select(ScenarioRow, RevisionRow.filename, RevisionRow.size, RevisionRow.created_at)
            .join(RevisionRow, (RevisionRow.scenario_id == ScenarioRow.id)
                  & (RevisionRow.number == ScenarioRow.head)))


def scenario_record(row: ScenarioRow, filename: str, size: int, updated: datetime) -> StoredScenario:
    return StoredScenario(row.id, row.name, row.created_at, row.head, filename, size, updated)


def user_record(row: UserRow) -> StoredUser:
    return StoredUser(row.id, row.name, row.agency, row.is_admin, row.disabled, row.created_at,
                      row.password_hash is not None)


def credential_record(row: CredentialRow) -> StoredCredential:
    return StoredCredential(row.id, row.user_id, row.kind, row.label, tuple(row.scopes), row.created_at,
                            row.expires_at, row.revoked_at)


def proposal_record(row: ProposalRow) -> StoredProposal:
    return StoredProposal(row.id, row.scenario_id, row.base_revision, row.author_id, row.author,
                          row.author_agency, dict(row.change), tuple(row.keys), tuple(row.needs),
                          tuple(row.approvals), row.state, row.reason, row.decided_by, row.decided_at,
                          row.result_revision, row.created_at)


def audit_record(row: AuditRow) -> AuditEntry:
    return AuditEntry(row.id, row.at, row.scenario_id, row.revision, row.actor_id, row.actor, row.agency,
                      row.action, row.entity, row.before, row.after, tuple(row.keys or ()),
                      row.proposal_id, row.note)
