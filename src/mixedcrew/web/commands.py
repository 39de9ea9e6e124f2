"""`mixedcrew serve`: registered on the CLI by `register`, web dependencies loaded at call time."""

from __future__ import annotations

import importlib.util
from typing import Annotated

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
    from mixedcrew.web.server import run
    from mixedcrew.web.settings import WebSettings, default_db_url

    settings = WebSettings(db_url=db or default_db_url())
    if max_upload is not None:
        if max_upload < 1:
            typer.echo(f"--max-upload: {max_upload} is not a positive number of bytes", err=True)
            raise typer.Exit(2)
        settings = settings.with_(max_upload_bytes=max_upload)
    raise typer.Exit(run(settings, host=host, port=port))


def register(app: typer.Typer) -> None:
    """Add `serve` to a Typer app (the `mixedcrew` command calls this)."""
    app.command("serve")(serve)
