"""Looking after the database file: SQLite's quick check, online backup and restore.

A corrupt SQLite file is refused before the server serves it (a half-read
file answers 500s and drops connections); backups use SQLite's online
backup API, so a running server may keep writing while one is taken, and a
backup is written to a temporary file and renamed, so no half-written copy
is ever left under the name asked for. PostgreSQL has its own tools
(pg_dump, pg_restore): `backup` and `restore` say so instead of guessing.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import tempfile
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from mixedcrew.errors import DatabaseError
from mixedcrew.web.storage.db import safe_url

PG_DUMP_HINT = ("PostgreSQL: back up with `pg_dump --format=custom --file=FILE DBNAME` and restore with "
                "`pg_restore --clean --if-exists --dbname=DBNAME FILE` (see docs/web.md)")


def sqlite_path(url: str) -> Path | None:
    """The file of a SQLite URL (None for PostgreSQL or an in-memory database)."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        return None
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        return None
    return Path(parsed.database).expanduser()


def quick_check(path: Path) -> str | None:
    """What is wrong with the SQLite file at `path` (SQLite's quick_check), or None when it is sound."""
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=15)
    except sqlite3.Error as err:
        return str(err)
    try:
        rows = [r[0] for r in conn.execute("PRAGMA quick_check(5)").fetchall()]
    except sqlite3.Error as err:
        return str(err)
    finally:
        conn.close()
    return None if rows == ["ok"] else "; ".join(str(r) for r in rows)


def refuse_corrupt(url: str) -> None:
    """DatabaseError naming the file and what to do, when the SQLite file of `url` fails its check."""
    path = sqlite_path(url)
    if path is None or not path.exists():
        return
    problem = quick_check(path)
    if problem is not None:
        raise DatabaseError(
            f"database file {path} is corrupt (SQLite quick_check: {problem}): restore a backup with "
            f"`mixedcrew db restore BACKUP --db {safe_url(url)}`, or move the file away to start afresh")


def _need_sqlite(url: str, what: str) -> Path:
    path = sqlite_path(url)
    if path is None:
        raise DatabaseError(f"{what} works on SQLite files; for {safe_url(url)}: {PG_DUMP_HINT}")
    return path


def _copy(source: sqlite3.Connection, target: Path) -> None:
    """SQLite's online backup of `source` into a new file at `target`, renamed into place at the end."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    os.close(fd)
    try:
        with contextlib.closing(sqlite3.connect(temp)) as out:
            source.backup(out)
        os.replace(temp, target)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp)


def backup(url: str, target: Path) -> None:
    """Copy the live database of `url` to `target` (online: writers may go on meanwhile)."""
    path = _need_sqlite(url, "db backup")
    if not path.exists():
        raise DatabaseError(f"there is no database file {path} to back up")
    refuse_corrupt(url)
    with contextlib.closing(sqlite3.connect(path, timeout=15)) as source:
        _copy(source, target)


def restore(url: str, source: Path) -> None:
    """Replace the database of `url` with the backup at `source`, after checking the backup.

    Stop the server first: its open connections would otherwise keep serving
    what they had read.
    """
    path = _need_sqlite(url, "db restore")
    if not source.is_file():
        raise DatabaseError(f"backup {source} is not a file")
    problem = quick_check(source)
    if problem is not None:
        raise DatabaseError(f"backup {source} is not a sound SQLite database ({problem}): nothing restored")
    with contextlib.closing(sqlite3.connect(f"file:{source}?mode=ro", uri=True)) as backup_db:
        if backup_db.execute("SELECT count(*) FROM sqlite_master WHERE name = 'alembic_version'"
                             ).fetchone() == (0,):
            raise DatabaseError(f"backup {source} is not a mixedcrew database (no schema version): "
                                "nothing restored")
        for leftover in (Path(f"{path}-wal"), Path(f"{path}-shm")):
            with contextlib.suppress(FileNotFoundError):
                leftover.unlink()
        _copy(backup_db, path)
