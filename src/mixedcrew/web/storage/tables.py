"""Storage layer: the database rows. Only the stores, `storage` and the migrations use them.

A scenario is a name and an append-only list of revisions; each revision
keeps the bytes exactly as uploaded (so a download gives them back
unchanged). An edit, a plan saved from a job, or an approved proposal
adds a revision; none rewrites one. Jobs name the revision they ran on, so
a result never silently refers to a later manifest.

Access (migration 0002): users of an agency or administrators; their
credentials (page sessions and API tokens, kept only as SHA-256 hashes);
proposals (a change waiting for other agencies' approval); and the audit
log, which the database itself keeps append-only (triggers refuse UPDATE
and DELETE on SQLite and PostgreSQL).

Trust (migration 0003): audit entries and revisions are hash-chained
(`storage.chain`), revisions are append-only too, and on SQLite an INSERT
over an existing row (REPLACE, upserts) is refused for both.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# Names the migrations can refer to, the same on SQLite and PostgreSQL.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

JOB_STATES = ("queued", "running", "succeeded", "failed", "cancelled")
PROPOSAL_STATES = ("open", "applied", "rejected", "stale")
CREDENTIAL_KINDS = ("session", "token")
FINISHED_STATES = ("succeeded", "failed", "cancelled")


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes in, aware UTC datetimes out, on every backend.

    SQLite keeps no zone; PostgreSQL's timestamptz does. Both store UTC here.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value.isoformat()} given to the database: use UTC")
        return value.astimezone(UTC) if dialect.name != "sqlite" else value.astimezone(UTC).replace(
            tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class ScenarioRow(Base):
    __tablename__ = "scenarios"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    head: Mapped[int] = mapped_column(Integer, doc="number of the latest revision")


class RevisionRow(Base):
    __tablename__ = "scenario_revisions"
    __table_args__ = (
        UniqueConstraint("scenario_id", "number", name="uq_scenario_revisions_scenario_number"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    scenario_id: Mapped[int] = mapped_column(ForeignKey("scenarios.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    filename: Mapped[str] = mapped_column(String(255))
    source: Mapped[bytes] = mapped_column(LargeBinary)
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    note: Mapped[str] = mapped_column(Text, default="")
    # The scenario's hash chain (migration 0003, storage.chain): the previous revision's hash, this one's.
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class JobRow(Base):
    __tablename__ = "jobs"
    __table_args__ = (
        CheckConstraint("state IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')",
                        name="state"),
        CheckConstraint("progress >= 0 AND progress <= 1", name="progress"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    scenario_id: Mapped[int] = mapped_column(ForeignKey("scenarios.id", ondelete="CASCADE"), index=True)
    revision: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(40))
    params: Mapped[dict[str, Any]] = mapped_column(JSON)
    state: Mapped[str] = mapped_column(String(20), index=True)
    progress: Mapped[float] = mapped_column(Float, default=0.0)
    message: Mapped[str] = mapped_column(Text, default="")
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    cancel_requested: Mapped[bool] = mapped_column(Boolean, default=False)
    runner: Mapped[str | None] = mapped_column(String(64), nullable=True,
                                               doc="the server process running it")
    output_scenario_id: Mapped[int | None] = mapped_column(
        ForeignKey("scenarios.id", ondelete="SET NULL"), nullable=True,
        doc="a scenario this job saved (a plan)")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    resumed: Mapped[int] = mapped_column(Integer, default=0,
                                         doc="times a restart queued it again (migration 0003)")


# --- access: users, credentials, proposals, audit (migration 0002) ----------------------


class UserRow(Base):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint("is_admin OR agency IS NOT NULL", name="admin_or_agency"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    agency: Mapped[str | None] = mapped_column(String(80), nullable=True,
                                               doc="the agency whose part this user edits; none for admins")
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    password_hash: Mapped[str | None] = mapped_column(String(255), nullable=True,
                                                      doc="scrypt; none for a token-only account")
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class CredentialRow(Base):
    """A page session or an API token: only the SHA-256 of the secret is stored."""

    __tablename__ = "credentials"
    __table_args__ = (
        CheckConstraint("kind IN ('session', 'token')", name="kind"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    label: Mapped[str] = mapped_column(String(80), default="")
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    scopes: Mapped[list[str]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class ProposalRow(Base):
    """A change that touches other agencies' people, seats or flights, waiting for their approval."""

    __tablename__ = "proposals"
    __table_args__ = (
        CheckConstraint("state IN ('open', 'applied', 'rejected', 'stale')", name="state"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    scenario_id: Mapped[int] = mapped_column(ForeignKey("scenarios.id", ondelete="CASCADE"), index=True)
    base_revision: Mapped[int] = mapped_column(Integer, doc="the revision it was made against")
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"),
                                                  nullable=True)
    author: Mapped[str] = mapped_column(String(80))
    author_agency: Mapped[str | None] = mapped_column(String(80), nullable=True)
    change: Mapped[dict[str, Any]] = mapped_column(JSON, doc="the operations and their note")
    keys: Mapped[list[str]] = mapped_column(JSON, doc="what it touches: person:X, seats:F, ...")
    needs: Mapped[list[str]] = mapped_column(JSON, doc="agencies whose approval it needs")
    approvals: Mapped[list[str]] = mapped_column(JSON, doc="agencies that approved so far")
    state: Mapped[str] = mapped_column(String(10), index=True)
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    decided_by: Mapped[str | None] = mapped_column(String(80), nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    result_revision: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class AuditRow(Base):
    """One change: who, when, what before and after, which proposal. Never updated, never deleted."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    scenario_id: Mapped[int | None] = mapped_column(ForeignKey("scenarios.id"), nullable=True, index=True)
    revision: Mapped[int | None] = mapped_column(Integer, nullable=True,
                                                 doc="the revision the change produced")
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    actor: Mapped[str] = mapped_column(String(120), doc="the user's name then, or who else acted")
    agency: Mapped[str | None] = mapped_column(String(80), nullable=True)
    action: Mapped[str] = mapped_column(String(40))
    entity: Mapped[str] = mapped_column(String(200), doc="person:X, assignment:X@F, proposal:N, ...")
    before: Mapped[Any] = mapped_column(JSON, nullable=True)
    after: Mapped[Any] = mapped_column(JSON, nullable=True)
    keys: Mapped[list[str]] = mapped_column(JSON, doc="what it touched, for staleness of proposals")
    proposal_id: Mapped[int | None] = mapped_column(ForeignKey("proposals.id"), nullable=True)
    note: Mapped[str] = mapped_column(Text, default="")
    # The audit hash chain (migration 0003, storage.chain): the previous entry's hash, this one's.
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
