"""`mixedcrew serve` and `mixedcrew users`: registered on the CLI by `register`.

The web dependencies are an extra; they load when a command runs, and a missing
one is named with the install line."""

from __future__ import annotations

import getpass
import importlib.util
import sys
from typing import Annotated, Any

import typer

# import name -> distribution, for the message when the extra is missing
WEB_MODULES = {
    "fastapi": "fastapi",
    "uvicorn": "uvicorn",
    "sqlalchemy": "sqlalchemy",
    "alembic": "alembic",
    "jinja2": "jinja2",
    "multipart": "python-multipart",
    "icalendar": "icalendar",
}
EXTRA_HINT = "pip install 'mixedcrew[web]'"


def missing_web_modules() -> list[str]:
    """Distributions of the web extra that cannot be imported here."""
    return [dist for mod, dist in WEB_MODULES.items() if importlib.util.find_spec(mod) is None]


def serve(
    db: Annotated[str | None, typer.Option(
        "--db", help="Database URL: sqlite:///path.db or postgresql+psycopg://user@host/name "
                     "(default: a SQLite file in the user data folder).")] = None,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    max_upload: Annotated[int | None, typer.Option(
        "--max-upload", help="Largest scenario upload in bytes (default 2 MiB).")] = None,
) -> None:
    """Serve the web app: scenarios, manifest pages, jobs and exports, with a JSON API."""
    missing = missing_web_modules()
    if missing:
        typer.echo(f"mixedcrew serve needs the web extra ({', '.join(missing)} missing): "
                   f"{EXTRA_HINT}", err=True)
        raise typer.Exit(2)
    if not 1 <= port <= 65535:
        typer.echo(f"--port: must be from 1 to 65535, got {port}", err=True)
        raise typer.Exit(2)
    from mixedcrew.web.server import run
    from mixedcrew.web.settings import WebSettings, default_db_url

    settings = WebSettings(db_url=db or default_db_url())
    if max_upload is not None:
        if max_upload < 1:
            typer.echo(f"--max-upload: {max_upload} is not a positive number of bytes", err=True)
            raise typer.Exit(2)
        settings = settings.with_(max_upload_bytes=max_upload)
    raise typer.Exit(run(settings, host=host, port=port))


# --- users ------------------------------------------------------------------------------

users = typer.Typer(help="Users and API tokens of the web app's database (the first administrator too).",
                    no_args_is_help=True)
DbOption = Annotated[str | None, typer.Option(
    "--db", help="Database URL, as for `mixedcrew serve` (default: the SQLite file in the user data "
                 "folder).")]
PasswordStdin = Annotated[bool, typer.Option(
    "--password-stdin", help="Read the password from the first line of standard input (for scripts).")]


def _need_extra(command: str) -> None:
    missing = missing_web_modules()
    if missing:
        typer.echo(f"mixedcrew {command} needs the web extra ({', '.join(missing)} missing): {EXTRA_HINT}",
                   err=True)
        raise typer.Exit(2)


def _accounts(db: str | None) -> Any:
    """The database's accounts, and the command line as the one acting (an administrator's rights)."""
    from mixedcrew.errors import DatabaseError
    from mixedcrew.web.access.service import Accounts
    from mixedcrew.web.principal import command_line_principal
    from mixedcrew.web.settings import default_db_url
    from mixedcrew.web.storage.db import Database

    try:
        database = Database.open(db or default_db_url())
    except DatabaseError as err:
        typer.echo(f"mixedcrew users: {err}", err=True)
        raise typer.Exit(2) from None
    try:
        who = getpass.getuser()
    except (KeyError, OSError):
        who = "unknown"
    return Accounts(database), command_line_principal(who), database


def _run(db: str | None, action: Any) -> Any:
    """Run `action(accounts, cli)`; the service's refusals become one line and exit status 2."""
    from mixedcrew.web.errors import Conflict, Invalid, NotFound

    accounts, cli, database = _accounts(db)
    try:
        return action(accounts, cli)
    except Invalid as err:
        for e in err.errors:
            typer.echo(f"mixedcrew users: {e.loc[-1]}: {e.msg}", err=True)
        raise typer.Exit(2) from None
    except (Conflict, NotFound) as err:
        typer.echo(f"mixedcrew users: {err}", err=True)
        raise typer.Exit(2) from None
    finally:
        database.dispose()


def _password(stdin: bool, confirm: bool = True) -> str:
    if stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return str(typer.prompt("Password", hide_input=True, confirmation_prompt=confirm))


@users.command("add")
def add_user(
    name: Annotated[str, typer.Argument(help="User name: letters, digits and _ . @ + -")],
    agency: Annotated[str | None, typer.Option(
        help="The agency whose part this user edits, e.g. NASA.")] = None,
    admin: Annotated[bool, typer.Option("--admin", help="An administrator (no agency).")] = False,
    no_password: Annotated[bool, typer.Option(
        "--no-password", help="No password: the user signs in with API tokens only.")] = False,
    password_stdin: PasswordStdin = False,
    db: DbOption = None,
) -> None:
    """Add a user of an agency, or an administrator (`--admin`): how the first administrator is made."""
    _need_extra("users")
    if admin == (agency is not None):
        typer.echo("mixedcrew users add: give either --agency AGENCY or --admin", err=True)
        raise typer.Exit(2)
    password = None if no_password else _password(password_stdin)
    user = _run(db, lambda accounts, cli: accounts.add_user(cli, name=name, agency=agency, is_admin=admin,
                                                            password=password))
    typer.echo(f"added {'administrator' if user.is_admin else f'user of {user.agency}'} {user.name} "
               f"(id {user.id})")


@users.command("token")
def make_token(
    name: Annotated[str, typer.Argument(help="The user the token acts as.")],
    label: Annotated[str, typer.Option(help="What the token is for.")] = "command line",
    days: Annotated[int, typer.Option(help="Days until it expires (at most 366).")] = 90,
    scope: Annotated[list[str] | None, typer.Option(
        help="read, write or calendar; repeat for several (default: read and write).")] = None,
    db: DbOption = None,
) -> None:
    """Make an API token for a user and print it (once: only its hash is stored)."""
    _need_extra("users")

    def make(accounts: Any, cli: Any) -> Any:
        user = accounts.user_named(name)
        return accounts.create_token(cli, label=label, days=days, scopes=tuple(scope or ("read", "write")),
                                     for_user=user)

    secret, cred = _run(db, make)
    typer.echo(secret)
    typer.echo(f"token {cred.id} for {name}: {', '.join(cred.scopes)}, expires "
               f"{cred.expires_at:%Y-%m-%d %H:%M} UTC; send it as 'Authorization: Bearer <token>'", err=True)


@users.command("list")
def list_users(db: DbOption = None) -> None:
    """Every user: id, name, agency (or administrator), state."""
    _need_extra("users")
    for u in _run(db, lambda accounts, cli: accounts.users(cli)):
        state = "disabled" if u.disabled else "active"
        typer.echo(f"{u.id}\t{u.name}\t{u.agency or 'administrator'}\t{state}")


def _set(name: str, db: str | None, **change: Any) -> Any:
    return _run(db, lambda accounts, cli: accounts.change_user(cli, accounts.user_named(name).id, **change))


@users.command("disable")
def disable_user(name: str, db: DbOption = None) -> None:
    """Disable a user: their sessions and tokens stop working at once."""
    _need_extra("users")
    _set(name, db, disabled=True)
    typer.echo(f"disabled {name}")


@users.command("enable")
def enable_user(name: str, db: DbOption = None) -> None:
    """Enable a disabled user again (their unexpired tokens work again)."""
    _need_extra("users")
    _set(name, db, disabled=False)
    typer.echo(f"enabled {name}")


@users.command("password")
def set_password(name: str, password_stdin: PasswordStdin = False, db: DbOption = None) -> None:
    """Set a user's password (their page sessions end)."""
    _need_extra("users")
    _set(name, db, password=_password(password_stdin))
    typer.echo(f"password of {name} set")


def register(app: typer.Typer) -> None:
    """Add `serve` and `users` to a Typer app (the `mixedcrew` command calls this)."""
    app.command("serve")(serve)
    app.add_typer(users, name="users")
