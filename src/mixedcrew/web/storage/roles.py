"""Least privilege on PostgreSQL: the rights of the role the server connects as.

Migrations run as an owner role (it owns the tables, their triggers and
sequences). The server connects as another role that may read and write the
working rows, but may only INSERT and SELECT audit entries and revisions: no
UPDATE, DELETE or TRUNCATE of history, no ownership, so no `ALTER TABLE ...
DISABLE TRIGGER`, no dropping the triggers, and no `session_replication_role`
(which needs a superuser). docs/web.md shows the whole setup; `mixedcrew db
grant ROLE --db OWNER_URL` runs these statements.
"""

from __future__ import annotations

import re

from sqlalchemy import Engine, text

# table -> what the server's role may do with it; history is append-only even for the server.
SERVER_PRIVILEGES = {
    "scenarios": "SELECT, INSERT, UPDATE",
    "scenario_revisions": "SELECT, INSERT",
    "audit_log": "SELECT, INSERT",
    "jobs": "SELECT, INSERT, UPDATE",
    "users": "SELECT, INSERT, UPDATE",
    "credentials": "SELECT, INSERT, UPDATE",
    "proposals": "SELECT, INSERT, UPDATE",
    "alembic_version": "SELECT",
}
ROLE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def grant_statements(role: str) -> list[str]:
    """The SQL that gives `role` exactly the server's rights (run as the owner of the tables)."""
    if not ROLE_NAME.match(role):
        raise ValueError(f"role {role!r} is not a plain PostgreSQL name: use lower-case letters, digits "
                         "and _, at most 63, starting with a letter or _")
    return [f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {role}",
            f"GRANT USAGE ON SCHEMA public TO {role}",
            *(f"GRANT {rights} ON {table} TO {role}" for table, rights in SERVER_PRIVILEGES.items()),
            f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}"]


def grant_server_role(engine: Engine, role: str) -> None:
    """Run `grant_statements(role)` in one transaction (the engine connects as the owner)."""
    statements = grant_statements(role)
    with engine.begin() as conn:
        for statement in statements:
            conn.execute(text(statement))
