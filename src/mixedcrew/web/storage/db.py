"""Engines, transactions and migrations: SQLite by default, PostgreSQL by URL."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.orm import Session, sessionmaker

from mixedcrew.errors import DatabaseError

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
SUPPORTED = ("sqlite", "postgresql")
BEGIN_OPTION = "mixedcrew_sqlite_begin"


def make_engine(url: str) -> Engine:
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise DatabaseError(
            f"database URL {url!r} is not a URL: write e.g. sqlite:///mixedcrew.db or "
            "postgresql+psycopg://user@localhost/mixedcrew") from None
    backend = parsed.get_backend_name()
    if backend not in SUPPORTED:
        raise DatabaseError(f"database {backend!r} is not supported: use sqlite or postgresql+psycopg")
    if backend == "postgresql" and parsed.get_driver_name() != "psycopg":
        parsed = parsed.set(drivername="postgresql+psycopg")
    if backend == "sqlite":
        return _sqlite_engine(parsed)
    return create_engine(parsed, pool_pre_ping=True)


def _sqlite_engine(url: Any) -> Engine:
    if url.database and url.database != ":memory:":
        Path(url.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 15})

    # pysqlite's own transaction handling starts transactions late and
    # commits behind our back around DDL; let SQLAlchemy say BEGIN itself
    # (the recipe in SQLAlchemy's SQLite notes), so a transaction is one.
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA foreign_keys = ON")
        cur.execute("PRAGMA busy_timeout = 15000")
        if url.database and url.database != ":memory:":
            cur.execute("PRAGMA journal_mode = WAL")
        cur.close()

    # Writing transactions take SQLite's write lock when they begin (IMMEDIATE),
    # so two of them wait for each other (busy_timeout) instead of one failing
    # when it upgrades a read to a write; reading ones (DEFERRED) never block.
    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        mode = conn.get_execution_options().get(BEGIN_OPTION, "IMMEDIATE")
        conn.exec_driver_sql(f"BEGIN {mode}")

    return engine


def alembic_config(engine: Engine | None = None) -> Any:
    """Alembic's configuration for our migrations. Alembic is imported here, not at start: a server
    on a database at the head never needs it, and it is a good part of a restart's imports."""
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if engine is not None:
        cfg.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False))
    return cfg


def migrate(engine: Engine, revision: str = "head") -> None:
    """Bring the schema up to `revision` (all migrations by default), in one transaction."""
    from alembic import command

    cfg = alembic_config(engine)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)


def current_revision(engine: Engine) -> str | None:
    """The schema revision the database is at (None: not made yet), read from Alembic's table."""
    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


REVISION_LINE = re.compile(r'^(down_revision|revision) = (?:"([^"]*)"|None)$', re.M)


@functools.cache
def head_revision() -> str | None:
    """The newest migration's revision, from the files themselves (no need to load Alembic)."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in (MIGRATIONS / "versions").glob("[0-9]*.py"):
        for kind, value in REVISION_LINE.findall(path.read_text(encoding="utf-8")):
            (revisions if kind == "revision" else parents).add(value)
    heads = sorted(revisions - parents)
    if len(heads) != 1:
        raise DatabaseError(f"the migrations in {MIGRATIONS} have {len(heads)} heads ({', '.join(heads)}): "
                            "there must be one")
    return heads[0]


class Database:
    """An engine and its sessions. `transaction()` commits all or nothing; `reading()` only reads."""

    def __init__(self, engine: Engine):
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        self._readers = sessionmaker(engine.execution_options(**{BEGIN_OPTION: "DEFERRED"}),
                                     expire_on_commit=False)

    @classmethod
    def open(cls, url: str, *, upgrade: bool = True) -> Database:
        engine = make_engine(url)
        if upgrade:
            try:
                # At the head already: nothing to run, so a role without DDL rights (the
                # server's, see storage.roles) opens it, and a restart skips Alembic's work.
                if current_revision(engine) != head_revision():
                    migrate(engine)
            except DatabaseError:
                raise
            except Exception as err:  # driver errors: unreachable server, bad password, read-only file
                engine.dispose()
                hint = ("; migrate as the tables' owner first: `mixedcrew db migrate --db OWNER_URL`"
                        if re.search(r"permission denied|must be (the )?owner", _first_line(err)) else "")
                raise DatabaseError(
                    f"cannot open database {safe_url(url)}: {_first_line(err)}{hint}") from err
        return cls(engine)

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        with self._sessions() as session, session.begin():
            yield session

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A transaction that only reads: on SQLite it takes no write lock."""
        with self._readers() as session, session.begin():
            yield session

    def dispose(self) -> None:
        self.engine.dispose()


def safe_url(url: str) -> str:
    """The URL with any password hidden, for messages and logs."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "(unreadable URL)"


def _first_line(err: BaseException) -> str:
    text = str(getattr(err, "orig", None) or err).strip()
    return text.splitlines()[0] if text else type(err).__name__
