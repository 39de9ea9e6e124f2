"""Restart to serving: how long `mixedcrew serve` takes from launch to its first answer, on a database
that a killed server left with a job running (the job is queued again), against a first start on an
empty database measured in the same run. The goal: a restart serves in under 2 s.

    .venv/bin/python benchmarks/web_restart.py [--runs 3]

Each figure is the median of --runs launches: from starting the process to the first 200 from
/api/health (with a token), so it includes Python's start-up and imports.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "web"))
from webtools import SMALL, free_port, seed_user  # noqa: E402

from mixedcrew.web.jobs import store as job_store  # noqa: E402
from mixedcrew.web.storage import history  # noqa: E402
from mixedcrew.web.storage.db import Database  # noqa: E402

GOAL_S = 2.0


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) the process has used so far, from /proc (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def serve_until_answering(db_url: str, token: str, cwd: Path) -> tuple[float, float]:
    """(wall seconds, the server's CPU seconds) from launching `mixedcrew serve` to its first 200 on
    /api/health; then stops it. CPU time tells the work apart from waiting on a loaded machine."""
    port = free_port()
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", "from mixedcrew.cli import main; main()", "serve",
                             "--db", db_url, "--port", str(port)], cwd=cwd,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=dict(os.environ))
    try:
        while True:
            try:
                r = httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=1,
                              headers={"Authorization": f"Bearer {token}"})
                if r.status_code == 200:
                    return time.perf_counter() - started, cpu_seconds(proc.pid)
            except httpx.TransportError:
                pass
            if proc.poll() is not None:
                raise SystemExit(f"mixedcrew serve exited with {proc.returncode}")
            if time.perf_counter() - started > 60:
                raise SystemExit("mixedcrew serve did not answer in 60 s")
            time.sleep(0.01)
    finally:
        proc.terminate()
        proc.wait(15)


def left_running(db_url: str) -> None:
    """A scenario and a job 'running' on a server that is gone (as after a SIGKILL)."""
    db = Database.open(db_url)
    long_ago = datetime.now(UTC) - timedelta(hours=1)
    with db.transaction() as s:
        sc = history.add_scenario(s, name="x", filename="small.toml", source=SMALL.read_bytes(), now=long_ago)
        job = job_store.create_job(s, scenario_id=sc.id, revision=1, kind="check", params={}, runner="gone",
                                   now=long_ago)
        job_store.start_job(s, job.id, runner="gone", now=long_ago)
    db.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="mixedcrew-restart-") as tmp:
        base = Path(tmp)
        first, restart = [], []
        for n in range(args.runs):
            url = f"sqlite:///{base / f'fresh-{n}.db'}"
            token = seed_user(url)  # a user only: the schema is made by this, as on a first start
            first.append(serve_until_answering(url, token, base))
            left_running(url)
            restart.append(serve_until_answering(url, token, base))
    f, r = (statistics.median(t[0] for t in first), statistics.median(t[0] for t in restart))
    fc, rc = (statistics.median(t[1] for t in first), statistics.median(t[1] for t in restart))
    load = os.getloadavg()[0]
    runs = f"(median of {args.runs})"
    print(f"start with nothing to take over:            {f:.2f} s wall, {fc:.2f} s CPU {runs}")
    print(f"restart (a job left running, queued again): {r:.2f} s wall, {rc:.2f} s CPU {runs}")
    print(f"restart / plain start: {r / f:.2f} wall, {rc / fc:.2f} CPU; load average {load:.1f} on "
          f"{os.cpu_count()} CPUs")
    print(f"goal: restart serving in under {GOAL_S:.0f} s -> wall {'met' if r < GOAL_S else 'NOT met'}, "
          f"CPU {'met' if rc < GOAL_S else 'NOT met'}")


if __name__ == "__main__":
    main()
