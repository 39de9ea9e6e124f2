"""Trust: hash-chained audit entries and revisions, both append-only; jobs that resume.

Adds `prev_hash` and `hash` to `audit_log` and `scenario_revisions` (see
`storage.chain`) and fills them for the rows already there, in order. The
revisions become append-only like the audit log (triggers refuse UPDATE and
DELETE, and TRUNCATE on PostgreSQL); on SQLite an INSERT over an existing row
(`INSERT OR REPLACE`, `REPLACE INTO`, an upsert) is refused for both tables,
since REPLACE deletes the old row without firing DELETE triggers. Jobs get
`resumed`: how many times a restart queued the job again.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

GENESIS = "0" * 64
AUDIT_REFUSED = "audit_log is append-only: its rows cannot be changed or deleted"
REVISIONS_REFUSED = "scenario_revisions is append-only: a revision cannot be changed or deleted"

SQLITE_TRIGGERS = [
    "CREATE TRIGGER audit_log_no_replace BEFORE INSERT ON audit_log "
    "WHEN EXISTS (SELECT 1 FROM audit_log WHERE id = NEW.id) "
    f"BEGIN SELECT RAISE(ABORT, '{AUDIT_REFUSED}'); END",
    "CREATE TRIGGER scenario_revisions_no_update BEFORE UPDATE ON scenario_revisions "
    f"BEGIN SELECT RAISE(ABORT, '{REVISIONS_REFUSED}'); END",
    "CREATE TRIGGER scenario_revisions_no_delete BEFORE DELETE ON scenario_revisions "
    f"BEGIN SELECT RAISE(ABORT, '{REVISIONS_REFUSED}'); END",
    "CREATE TRIGGER scenario_revisions_no_replace BEFORE INSERT ON scenario_revisions "
    "WHEN EXISTS (SELECT 1 FROM scenario_revisions WHERE id = NEW.id "
    "OR (scenario_id = NEW.scenario_id AND number = NEW.number)) "
    f"BEGIN SELECT RAISE(ABORT, '{REVISIONS_REFUSED}'); END",
]
POSTGRES_TRIGGERS = [
    "CREATE FUNCTION scenario_revisions_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
    f"BEGIN RAISE EXCEPTION '{REVISIONS_REFUSED} (% refused)', TG_OP USING ERRCODE = 'restrict_violation'; "
    "END $$",
    "CREATE TRIGGER scenario_revisions_no_change BEFORE UPDATE OR DELETE ON scenario_revisions "
    "FOR EACH ROW EXECUTE FUNCTION scenario_revisions_append_only()",
    "CREATE TRIGGER scenario_revisions_no_truncate BEFORE TRUNCATE ON scenario_revisions "
    "FOR EACH STATEMENT EXECUTE FUNCTION scenario_revisions_append_only()",
]


# The hash as storage.chain computes it, frozen here: a migration must not change when the app does.
def _link(prev: str, fields: dict[str, Any]) -> str:
    body = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    return hashlib.sha256(prev.encode("ascii") + b"\n" + body.encode("utf-8")).hexdigest()


def _instant(at: Any) -> str:
    if isinstance(at, str):
        at = datetime.fromisoformat(at)
    return str((at if at.tzinfo else at.replace(tzinfo=UTC)).astimezone(UTC).isoformat())


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def _backfill(conn: sa.Connection) -> None:
    prev = GENESIS
    for r in conn.execute(sa.text("SELECT id, at, scenario_id, revision, actor_id, actor, agency, action, "
                                  "entity, before, after, keys, proposal_id, note FROM audit_log "
                                  "ORDER BY id")).mappings().all():
        fields = {"at": _instant(r["at"]), "scenario_id": r["scenario_id"], "revision": r["revision"],
                  "actor_id": r["actor_id"], "actor": r["actor"], "agency": r["agency"],
                  "action": r["action"], "entity": r["entity"], "before": _json(r["before"]),
                  "after": _json(r["after"]), "keys": list(_json(r["keys"]) or ()),
                  "proposal_id": r["proposal_id"], "note": r["note"]}
        digest = _link(prev, fields)
        conn.execute(sa.text("UPDATE audit_log SET prev_hash = :p, hash = :h WHERE id = :id"),
                     {"p": prev, "h": digest, "id": r["id"]})
        prev = digest
    last: dict[int, str] = {}
    for r in conn.execute(sa.text("SELECT id, scenario_id, number, filename, source, size, created_at, note "
                                  "FROM scenario_revisions ORDER BY scenario_id, number")).mappings().all():
        before = last.get(r["scenario_id"], GENESIS)
        fields = {"scenario_id": r["scenario_id"], "number": r["number"], "filename": r["filename"],
                  "sha256": hashlib.sha256(bytes(r["source"])).hexdigest(), "size": r["size"],
                  "created_at": _instant(r["created_at"]), "note": r["note"]}
        digest = _link(before, fields)
        conn.execute(sa.text("UPDATE scenario_revisions SET prev_hash = :p, hash = :h WHERE id = :id"),
                     {"p": before, "h": digest, "id": r["id"]})
        last[r["scenario_id"]] = digest


def upgrade() -> None:
    conn = op.get_bind()
    for table in ("audit_log", "scenario_revisions"):
        op.add_column(table, sa.Column("prev_hash", sa.String(64), nullable=False, server_default=GENESIS))
        op.add_column(table, sa.Column("hash", sa.String(64), nullable=False, server_default=GENESIS))
    op.add_column("jobs", sa.Column("resumed", sa.Integer(), nullable=False, server_default="0"))
    if conn.dialect.name == "sqlite":
        op.execute("DROP TRIGGER audit_log_no_update")
        _backfill(conn)
        op.execute("CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log "
                   f"BEGIN SELECT RAISE(ABORT, '{AUDIT_REFUSED}'); END")
        statements = SQLITE_TRIGGERS
    else:
        op.execute("ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_change")
        _backfill(conn)
        op.execute("ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_change")
        statements = POSTGRES_TRIGGERS
    for statement in statements:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS scenario_revisions_no_truncate ON scenario_revisions")
        op.execute("DROP TRIGGER IF EXISTS scenario_revisions_no_change ON scenario_revisions")
        op.execute("DROP FUNCTION IF EXISTS scenario_revisions_append_only()")
    else:
        for name in ("audit_log_no_replace", "scenario_revisions_no_update", "scenario_revisions_no_delete",
                     "scenario_revisions_no_replace"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.drop_column("jobs", "resumed")
    for table in ("scenario_revisions", "audit_log"):
        op.drop_column(table, "hash")
        op.drop_column(table, "prev_hash")
