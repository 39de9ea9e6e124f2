"""Helpers and job kinds shared by the web tests (fixtures live in conftest.py).

Import it after `pytest.importorskip("fastapi")`: it needs the web extra.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict

from mixedcrew.web.jobs.kinds import CHECK, PLAN
from mixedcrew.web.jobs.runner import JobContext, JobError, JobKind, JobOutcome
from mixedcrew.web.settings import WebSettings

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
ISS = EXAMPLES / "iss.toml"
SMALL = EXAMPLES / "small.toml"
ARTIFACTS = ROOT / "test-artifacts"

# small.toml with one open Crew Dragon flight (Crew-6) to plan. Without the
# four extra candidates it is impossible: no ROSCOSMOS person is trained on
# Crew Dragon and free, yet the agreement asks for one on every Dragon.
OPEN_FLIGHT = """
[[flights]]
id = "SPXC6"
name = "Crew-6"
vehicle_type = "crew-dragon"
station = "ISS"
launch_site = "ksc-39a"
window = { from = 2023-02-20T00:00:00Z, until = 2023-03-10T00:00:00Z }
"""
CANDIDATES = "".join(f"""
[[people]]
id = "{pid}"
name = "{name}"
agency = "{agency}"
segments = ["{segment}"]
trained = [{{ vehicle_type = "crew-dragon", ready = 2022-06-01{extra} }}]
""" for pid, name, agency, segment, extra in [
    ("bowen", "Bowen, Stephen", "NASA", "USOS", ", commander = true"),
    ("hoburg", "Hoburg, Warren", "NASA", "USOS", ""),
    ("alneyadi", "Al Neyadi, Sultan", "NASA", "USOS", ""),
    ("fedyaev", "Fedyaev, Andrey", "ROSCOSMOS", "ROS", ""),
])


def plannable(feasible: bool = True) -> bytes:
    text = SMALL.read_text(encoding="utf-8") + (CANDIDATES if feasible else "") + OPEN_FLIGHT
    return text.encode("utf-8")


# --- users and credentials -----------------------------------------------------------------


def make_user(accounts: Any, name: str, agency: str | None = None, *, password: str | None = None,
              scopes: tuple[str, ...] = ("read", "write"), days: int = 1) -> str:
    """A user (made once) and a fresh API token for them; returns the token's secret."""
    from mixedcrew.web.deps import command_line_principal
    from mixedcrew.web.errors import NotFound

    cli = command_line_principal("tests")
    try:
        user = accounts.user_named(name)
    except NotFound:
        user = accounts.add_user(cli, name=name, agency=agency, is_admin=agency is None, password=password)
    secret, _ = accounts.create_token(cli, label=f"{name} (tests)", days=days, scopes=scopes, for_user=user)
    return str(secret)


def sign_in(client: Any, name: str = "admin", agency: str | None = None, **kw: Any) -> str:
    """Make `client` (a TestClient, started) send a token of user `name` from now on."""
    token = make_user(client.app.state.accounts, name, agency, **kw)
    client.headers["Authorization"] = f"Bearer {token}"
    return token


@contextmanager
def admin_client(settings: WebSettings, kinds: Any = None, **options: Any) -> Iterator[Any]:
    """A started TestClient of the app, signed in as an administrator."""
    from fastapi.testclient import TestClient

    from mixedcrew.web.app import create_app

    with TestClient(create_app(settings, kinds=kinds), **options) as client:
        sign_in(client)
        yield client


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def seed_user(db_url: str, name: str = "admin", agency: str | None = None, **kw: Any) -> str:
    """A user and token straight in a database (before a server starts on it)."""
    from mixedcrew.web.access.service import Accounts
    from mixedcrew.web.storage.db import Database

    db = Database.open(db_url)
    try:
        return make_user(Accounts(db), name, agency, **kw)
    finally:
        db.dispose()


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# --- job kinds for tests ----------------------------------------------------------------


class SlowParams(BaseModel):
    model_config = ConfigDict(extra="forbid")
    steps: int = 1000  # 20 s by default: a page-started job is still running when the test stops it
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


def run_stubborn(scenario: Any, params: dict[str, Any], ctx: JobContext) -> JobOutcome:
    """A job that never looks at its stop signal (like a solver between solutions)."""
    time.sleep(float(params.get("seconds", 30)))
    return JobOutcome({"slept": True})


class StubbornParams(BaseModel):
    model_config = ConfigDict(extra="forbid")
    seconds: float = 30


def run_crash(scenario: Any, params: dict[str, Any], ctx: JobContext) -> JobOutcome:
    """A bug in a job kind: the job fails with the error, the server carries on."""
    return JobOutcome({"x": 1 / 0})


class NoParams(BaseModel):
    model_config = ConfigDict(extra="forbid")


SLOW = JobKind("slow", "Slow count", "Counts slowly, for tests.", run_slow, SlowParams)
EXPLAIN = JobKind("explain", "Explain", "Always infeasible, for tests.", run_explain, NoParams)
COPY = JobKind("copy", "Copy", "Saves a copy as a new scenario, for tests.", run_copy, NoParams)
STUBBORN = JobKind("stubborn", "Stubborn", "Ignores stop requests, for tests.", run_stubborn,
                   StubbornParams)
CRASH = JobKind("crash", "Crash", "Always raises, for tests.", run_crash, NoParams)
MISSING = JobKind("missing", "Missing", "Never available.", run_explain, NoParams,
                  unavailable=lambda: "mixedcrew.nothing is not part of this installation")
TEST_KINDS = {k.name: k for k in (CHECK, PLAN, SLOW, EXPLAIN, COPY, CRASH, STUBBORN, MISSING)}


def wait_job(client: Any, job_id: int, timeout: float = 20.0) -> dict[str, Any]:
    """Poll a job until it finishes (`client`: a TestClient or an httpx.Client that signs in)."""
    deadline = time.monotonic() + timeout
    while True:
        job = client.get(f"/api/jobs/{job_id}").json()
        if job["state"] in ("succeeded", "failed", "cancelled"):
            return job
        assert time.monotonic() < deadline, f"job {job_id} still {job['state']} after {timeout} s"
        time.sleep(0.05)


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
