"""`mixedcrew audit verify` and `mixedcrew db backup|restore|migrate|grant`: the web app's database
looked after from the command line. The web extra is checked when they run."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from mixedcrew.cli.web import DbOption, _need_extra
from mixedcrew.errors import DatabaseError

audit = typer.Typer(help="The web app's audit log and scenario history.", no_args_is_help=True)
db_app = typer.Typer(help="The web app's database: backup and restore (SQLite), migrate, grant (PostgreSQL).",
                     no_args_is_help=True)


def _url(db: str | None) -> str:
    from mixedcrew.web.settings import default_db_url

    return db or default_db_url()


@audit.command("verify")
def verify(
    db: DbOption = None,
    since: Annotated[str | None, typer.Option(
        "--since", help="An audit head printed by an earlier verify: the chain must still pass through it "
                        "(catches the newest entries removed).")] = None,
) -> None:
    """Walk the hash chains of the audit log and of every scenario's revisions.

    Exit 0 when the whole history verifies; 1 naming the first entry that does
    not (rewritten, removed or put in between behind the app's back); 2 when
    the database cannot be opened.
    """
    _need_extra("audit verify")
    from mixedcrew.web.storage.chain import Broken
    from mixedcrew.web.storage.chain import verify as walk
    from mixedcrew.web.storage.db import Database
    from mixedcrew.web.storage.maintenance import refuse_corrupt

    url = _url(db)
    try:
        refuse_corrupt(url)
        database = Database.open(url)
    except DatabaseError as err:
        typer.echo(f"mixedcrew audit verify: {err}", err=True)
        raise typer.Exit(2) from None
    try:
        with database.reading() as session:
            found = walk(session, since)
    finally:
        database.dispose()
    if isinstance(found, Broken):
        typer.echo(f"mixedcrew audit verify: {found}", err=True)
        raise typer.Exit(1)
    typer.echo(f"history verifies: {found.audit_entries} audit entries, {found.revisions} revisions of "
               f"{found.scenarios} scenarios; audit head {found.audit_head}")


BackupFile = Annotated[Path, typer.Argument(help="The backup file (SQLite).")]


@db_app.command("backup")
def backup(file: BackupFile, db: DbOption = None) -> None:
    """Copy the database to FILE with SQLite's online backup (the server may keep running)."""
    _need_extra("db backup")
    from mixedcrew.web.storage.maintenance import backup as copy

    try:
        copy(_url(db), file)
    except (DatabaseError, OSError) as err:
        typer.echo(f"mixedcrew db backup: {err}", err=True)
        raise typer.Exit(2) from None
    typer.echo(f"backed up to {file}")


@db_app.command("restore")
def restore(file: BackupFile, db: DbOption = None) -> None:
    """Replace the database with the backup FILE, once FILE passes SQLite's quick check.

    Stop the server first.
    """
    _need_extra("db restore")
    from mixedcrew.web.storage.maintenance import restore as put_back

    try:
        put_back(_url(db), file)
    except (DatabaseError, OSError) as err:
        typer.echo(f"mixedcrew db restore: {err}", err=True)
        raise typer.Exit(2) from None
    typer.echo(f"restored from {file}")


@db_app.command("migrate")
def migrate(db: DbOption = None) -> None:
    """Bring the database's schema to this version's head; on PostgreSQL, run it as the tables' owner."""
    _need_extra("db migrate")
    from mixedcrew.web.storage.db import Database, current_revision

    try:
        database = Database.open(_url(db))
    except DatabaseError as err:
        typer.echo(f"mixedcrew db migrate: {err}", err=True)
        raise typer.Exit(2) from None
    try:
        typer.echo(f"schema at revision {current_revision(database.engine)}")
    finally:
        database.dispose()


@db_app.command("grant")
def grant(
    role: Annotated[str, typer.Argument(help="The PostgreSQL role the server connects as.")],
    db: DbOption = None,
) -> None:
    """Give ROLE the server's rights and no more (PostgreSQL; --db connects as the tables' owner)."""
    _need_extra("db grant")
    from mixedcrew.web.storage.db import Database
    from mixedcrew.web.storage.roles import grant_server_role

    url = _url(db)
    if not url.startswith("postgresql"):
        typer.echo("mixedcrew db grant: --db: roles are PostgreSQL's; a SQLite file has none", err=True)
        raise typer.Exit(2)
    try:
        database = Database.open(url)
        try:
            grant_server_role(database.engine, role)
        finally:
            database.dispose()
    except ValueError as err:
        typer.echo(f"mixedcrew db grant: ROLE: {err}", err=True)
        raise typer.Exit(2) from None
    except DatabaseError as err:
        typer.echo(f"mixedcrew db grant: {err}", err=True)
        raise typer.Exit(2) from None
    typer.echo(f"granted the server's rights to {role}")


def register(app: typer.Typer) -> None:
    """Add `audit` and `db` to a Typer app (the `mixedcrew` command calls this)."""
    app.add_typer(audit, name="audit")
    app.add_typer(db_app, name="db")
