"""Run the app with uvicorn (what `mixedcrew serve` calls)."""

from __future__ import annotations

import errno
import logging
import socket
import sys

import uvicorn

from mixedcrew.errors import DatabaseError
from mixedcrew.web.access import store as account_store
from mixedcrew.web.app import create_app
from mixedcrew.web.settings import WebSettings
from mixedcrew.web.storage.db import Database, safe_url
from mixedcrew.web.storage.maintenance import refuse_corrupt
from mixedcrew.web.timeouts import TimedH11Protocol


def listen(host: str, port: int) -> socket.socket:
    """A socket bound to (host, port), or OSError with a sentence: bound before "serving on" is
    printed, so a port in use or an unknown host is one line and exit 2, not a line then a failure."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    except socket.gaierror as err:
        raise OSError(f"--host {host}: not an address this machine can listen on ({err.strerror})") from None
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # a restart may reuse its port at once
    try:
        sock.bind(address)
    except OSError as err:
        sock.close()
        why = "already in use (another server?)" if err.errno == errno.EADDRINUSE else err.strerror
        raise OSError(f"--port {port}: cannot listen on {host}:{port}: {why}") from None
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def run(settings: WebSettings, *, host: str, port: int) -> int:
    """Serve until interrupted; exit status 2 when the database cannot be opened or the port taken."""
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
    try:
        sock = listen(host, port)
    except OSError as err:
        print(f"mixedcrew serve: {err}", file=sys.stderr)
        return 2
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    print(f"mixedcrew: database {safe_url(settings.db_url)}", file=sys.stderr)
    print(f"mixedcrew: serving on http://{host}:{port}/ (API: /api-docs, /openapi.json)", file=sys.stderr)
    # TimedH11Protocol: headers and body must arrive in bounded time (mixedcrew.web.timeouts)
    config = uvicorn.Config(create_app(settings), log_level="info", http=TimedH11Protocol)
    uvicorn.Server(config).run(sockets=[sock])
    return 0
