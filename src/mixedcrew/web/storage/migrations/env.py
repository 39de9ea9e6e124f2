"""Alembic environment: run with the connection the app hands over (see db.migrate)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from mixedcrew.web.storage.tables import Base

config = context.config
target_metadata = Base.metadata


def run() -> None:
    conn = config.attributes.get("connection")
    if conn is None:  # the alembic command line, with sqlalchemy.url set
        engine = create_engine(config.get_main_option("sqlalchemy.url") or "")
        with engine.begin() as connection:
            _migrate(connection)
        return
    _migrate(conn)


def _migrate(connection) -> None:  # type: ignore[no-untyped-def]
    # batch mode lets later migrations ALTER tables on SQLite too
    context.configure(connection=connection, target_metadata=target_metadata,
                      render_as_batch=True, compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


run()
