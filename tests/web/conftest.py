"""Fixtures for the web app: settings on a throwaway SQLite file, a throwaway PostgreSQL
server from the installed binaries, an app with extra job kinds, a live server.

PostgreSQL: initdb in a temporary folder, a free loopback port, removed after
the session. When the binaries are missing (or there is no unprivileged user
to run them as root), the tests that need it are skipped with that reason.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "expect_http_status(code): a browser test whose page answers "
                                       "with this error status on purpose (e.g. 422 for a refused upload)")


# Nothing from the web extra at module level: without it, each test module
# reports itself skipped (pytest.importorskip) instead of failing to collect.


@pytest.fixture
def web_settings(tmp_path: Path) -> Any:
    from mixedcrew.web.settings import WebSettings

    return WebSettings(db_url=f"sqlite:///{tmp_path / 'web.db'}", heartbeat_s=0.2, stale_after_s=2.0)


@pytest.fixture
def client(web_settings: Any) -> Iterator[Any]:
    """The app on a fresh SQLite file, signed in as an administrator (an API token)."""
    from fastapi.testclient import TestClient
    from webtools import TEST_KINDS, sign_in

    from mixedcrew.web.app import create_app

    with TestClient(create_app(web_settings, kinds=TEST_KINDS)) as c:
        sign_in(c)
        yield c


# --- PostgreSQL ---------------------------------------------------------------------------


@dataclass
class PostgresServer:
    port: int
    user: str

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://{self.user}@127.0.0.1:{self.port}/{database}"


def _pg_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """A throwaway PostgreSQL server: initdb in a temp folder, a free loopback port."""
    bindir = _pg_bin()
    if bindir is None or not (bindir / "pg_ctl").exists():
        pytest.skip("PostgreSQL server binaries (initdb, pg_ctl) are not installed: "
                    "`make test` installs Debian's postgresql when run as root")
    run_as: dict[str, int] = {}
    if os.geteuid() == 0:  # PostgreSQL refuses to run as root
        try:
            pw = pwd.getpwnam("postgres")
        except KeyError:
            pytest.skip("running as root and there is no 'postgres' user to run PostgreSQL as")
        run_as = {"user": pw.pw_uid, "group": pw.pw_gid}
    base = Path(tempfile.mkdtemp(prefix="mixedcrew-pg-"))
    if run_as:
        os.chown(base, run_as["user"], run_as["group"])
    from webtools import free_port

    data, port, user = base / "data", free_port(), "mixedcrew"

    def pg(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return subprocess.run(args, capture_output=True, text=True, check=check, timeout=60,
                              env={**os.environ, "LC_ALL": "C"}, **run_as)  # type: ignore[call-overload]

    try:
        pg(str(bindir / "initdb"), "-D", str(data), "-U", user, "--auth=trust", "-E", "UTF8", "--no-sync")
        pg(str(bindir / "pg_ctl"), "-D", str(data), "-l", str(base / "log"), "-w", "-t", "30", "-o",
           f"-p {port} -k {base} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off "
           "-c synchronous_commit=off", "start")
    except subprocess.CalledProcessError as err:
        log = (base / "log").read_text() if (base / "log").exists() else ""
        shutil.rmtree(base, ignore_errors=True)
        pytest.fail(f"could not start PostgreSQL: {err.stderr}{err.stdout}\n{log}")
    try:
        yield PostgresServer(port, user)
    finally:
        pg(str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop", check=False)
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture
def postgres_url(postgres_server: PostgresServer) -> Iterator[str]:
    """A fresh, empty database on the throwaway server, dropped afterwards."""
    import psycopg

    name = f"t_{uuid.uuid4().hex[:12]}"
    admin = postgres_server.url().replace("postgresql+psycopg", "postgresql")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield postgres_server.url(name)
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Each storage test runs on a SQLite file and on PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.db'}"
    return str(request.getfixturevalue("postgres_url"))


