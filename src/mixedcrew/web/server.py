"""Run the app with uvicorn (what `mixedcrew serve` calls)."""

from __future__ import annotations

import logging
import sys

import uvicorn

from mixedcrew.web.access import store as account_store
from mixedcrew.web.app import create_app
from mixedcrew.web.settings import WebSettings
from mixedcrew.web.storage.db import Database, DatabaseError, safe_url
from mixedcrew.web.storage.maintenance import refuse_corrupt


def run(settings: WebSettings, *, host: str, port: int) -> int:
    """Serve until interrupted; exit status 2 when the database cannot be opened."""
    try:  # open (and migrate) once here, so a bad URL or a corrupt file is one clear line
        refuse_corrupt(settings.db_url)
        db = Database.open(settings.db_url)
    except DatabaseError as err:
        print(f"mixedcrew serve: {err}", file=sys.stderr)
        return 2
    with db.reading() as session:
        users = account_store.count_users(session)
    db.dispose()
    if users == 0:
        print("mixedcrew: no user yet: make the first administrator with `mixedcrew users add NAME --admin"
              f" --db {safe_url(settings.db_url)}`", file=sys.stderr)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    print(f"mixedcrew: database {safe_url(settings.db_url)}", file=sys.stderr)
    print(f"mixedcrew: serving on http://{host}:{port}/ (API: /api-docs, /openapi.json)", file=sys.stderr)
    uvicorn.run(create_app(settings), host=host, port=port, log_level="info")
    return 0
