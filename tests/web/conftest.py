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
import socket
import subprocess
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("fastapi", reason="the web extra is not installed: pip install 'mixedcrew[web]'")

from pydantic import BaseModel, ConfigDict  # noqa: E402

from mixedcrew.web.jobs import JobContext, JobError, JobKind, JobOutcome  # noqa: E402
from mixedcrew.web.kinds import CHECK  # noqa: E402
from mixedcrew.web.settings import WebSettings  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
ISS = EXAMPLES / "iss.toml"
SMALL = EXAMPLES / "small.toml"
ARTIFACTS = ROOT / "test-artifacts"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# --- job kinds for tests ----------------------------------------------------------------


class SlowParams(BaseModel):
    model_config = ConfigDict(extra="forbid")
    steps: int = 200
    step_s: float = 0.02
    fail_at: int | None = None


def run_slow(scenario: Any, params: dict[str, Any], ctx: JobContext) -> JobOutcome:
    """Counts to `steps`, reporting progress each step; fails at `fail_at` when asked."""
    p = SlowParams.model_validate(params)
    for i in range(p.steps):
        if p.fail_at is not None and i == p.fail_at:
            raise JobError(f"asked to fail at step {i}")
        ctx.progress(i / p.steps, f"step {i} of {p.steps}", force=True)
        time.sleep(p.step_s)
    return JobOutcome({"steps": p.steps, "flights": len(scenario.flights)}, f"{p.steps} steps")


def run_explain(scenario: Any, params: dict[str, Any], ctx: JobContext) -> JobOutcome:
    """A stand-in for an infeasible plan: explanations as sentences."""
    return JobOutcome({"status": "infeasible", "explanations": [
        "Crew-3 must carry one ROSCOSMOS person, but ROSCOSMOS has not certified Crew Dragon before "
        "2022-07-15.", "Soyuz MS-22 has 3 seats, 4 people are assigned to it."]}, "infeasible")


def run_copy(scenario: Any, params: dict[str, Any], ctx: JobContext) -> JobOutcome:
    """A stand-in for a plan: saves the scenario back as a new one."""
    from mixedcrew.io.scenario_file import dump_scenario

    return JobOutcome({"status": "optimal"}, "planned", scenario_toml=dump_scenario(scenario),
                      scenario_name="copy made by a job")


class NoParams(BaseModel):
    model_config = ConfigDict(extra="forbid")


SLOW = JobKind("slow", "Slow count", "Counts slowly, for tests.", run_slow, SlowParams)
EXPLAIN = JobKind("explain", "Explain", "Always infeasible, for tests.", run_explain, NoParams)
COPY = JobKind("copy", "Copy", "Saves a copy as a new scenario, for tests.", run_copy, NoParams)
MISSING = JobKind("missing", "Missing", "Never available.", run_explain, NoParams,
                  unavailable=lambda: "mixedcrew.nothing is not part of this installation")
TEST_KINDS = {k.name: k for k in (CHECK, SLOW, EXPLAIN, COPY, MISSING)}


@pytest.fixture
def web_settings(tmp_path: Path) -> WebSettings:
    return WebSettings(db_url=f"sqlite:///{tmp_path / 'web.db'}", heartbeat_s=0.2, stale_after_s=2.0)


@pytest.fixture
def client(web_settings: WebSettings) -> Iterator[Any]:
    from fastapi.testclient import TestClient

    from mixedcrew.web.app import create_app

    with TestClient(create_app(web_settings, kinds=TEST_KINDS)) as c:
        yield c


def wait_job(client: Any, job_id: int, timeout: float = 20.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        job = client.get(f"/api/jobs/{job_id}").json()
        if job["state"] in ("succeeded", "failed", "cancelled"):
            return job
        assert time.monotonic() < deadline, f"job {job_id} still {job['state']} after {timeout} s"
        time.sleep(0.05)


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


# --- a live server for the browser ------------------------------------------------------------


@dataclass
class LiveServer:
    url: str
    thread: threading.Thread
    server: Any


def start_live_server(settings: WebSettings, kinds: Any = None) -> LiveServer:
    import uvicorn

    from mixedcrew.web.app import create_app

    port = free_port()
    config = uvicorn.Config(create_app(settings, kinds=kinds), host="127.0.0.1", port=port,
                            log_level="warning", lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="mixedcrew-test-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert thread.is_alive(), "the test server stopped while starting"
        assert time.monotonic() < deadline, "the test server did not start in 30 s"
        time.sleep(0.05)
    return LiveServer(f"http://127.0.0.1:{port}", thread, server)


def stop_live_server(live: LiveServer) -> None:
    live.server.should_exit = True
    live.thread.join(timeout=15)
