"""Jobs: POST gives an id, GET polls state and progress, DELETE stops; a dead server's jobs fail."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("fastapi", reason="the web extra is not installed: pip install 'mixedcrew[web]'")

import httpx  # noqa: E402
from webtools import ISS, SMALL, TEST_KINDS, admin_client, bearer, free_port, seed_user, wait_job  # noqa: E402

from mixedcrew.web.jobs import store as job_store  # noqa: E402
from mixedcrew.web.jobs.runner import JobCancelled, JobContext  # noqa: E402
from mixedcrew.web.storage import history  # noqa: E402
from mixedcrew.web.storage.db import Database  # noqa: E402


def upload(client, path: Path = SMALL) -> int:
    r = client.post("/api/scenarios", files={"file": (path.name, path.read_bytes(), "application/toml")})
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


def start(client, sid: int, kind: str, **params) -> dict:
    r = client.post(f"/api/scenarios/{sid}/jobs", json={"kind": kind, "params": params})
    assert r.status_code == 202, r.text
    return r.json()


def test_check_job_gives_the_check_result(client):
    sid = upload(client, ISS)
    job = start(client, sid, "check")
    assert job["state"] in ("queued", "running") and job["links"]["self"] == f"/api/jobs/{job['id']}"
    done = wait_job(client, job["id"])
    assert done["state"] == "succeeded" and done["progress"] == 1.0 and done["message"] == "3 violations"
    expected = client.get(f"/api/scenarios/{sid}/check").json()
    assert done["result"]["violations"] == [
        {k: v for k, v in x.items() if k != "index"} for x in expected["violations"]]
    assert done["result"]["summary"] == expected["summary"]
    ignoring = wait_job(client, start(client, sid, "check", ignore=["lifeboat"])["id"])
    assert {v["rule"] for v in ignoring["result"]["violations"]} == {"CAPACITY"}
    assert [j["id"] for j in client.get(f"/api/scenarios/{sid}/jobs").json()] == [ignoring["id"], job["id"]]


def test_progress_rises_and_delete_stops_a_running_job(client):
    sid = upload(client)
    job = start(client, sid, "slow", steps=2000, step_s=0.005)
    seen = []
    deadline = time.monotonic() + 10
    while len(seen) < 3 and time.monotonic() < deadline:
        now = client.get(f"/api/jobs/{job['id']}").json()
        if now["state"] == "running" and now["progress"] > (seen[-1] if seen else 0):
            seen.append(now["progress"])
        time.sleep(0.05)
    assert len(seen) == 3 and seen == sorted(seen)
    r = client.delete(f"/api/jobs/{job['id']}")
    assert r.status_code == 202 and r.json()["cancel_requested"]
    done = wait_job(client, job["id"])
    assert done["state"] == "cancelled" and done["message"] == "stopped on request" and done["result"] is None
    assert client.delete(f"/api/jobs/{job['id']}").status_code == 202  # asking again is harmless


def test_delete_of_a_finished_job_is_409(client):
    sid = upload(client)
    job = wait_job(client, start(client, sid, "slow", steps=1, step_s=0)["id"])
    assert job["state"] == "succeeded" and job["result"] == {"steps": 1, "flights": 3}
    r = client.delete(f"/api/jobs/{job['id']}")
    assert r.status_code == 409 and "already succeeded" in r.json()["detail"]


def test_a_queued_job_is_cancelled_at_once_and_never_runs(web_settings):
    with admin_client(web_settings.with_(job_workers=1), kinds=TEST_KINDS) as client:
        sid = upload(client)
        busy = start(client, sid, "slow", steps=400, step_s=0.01)
        waiting = start(client, sid, "slow", steps=1, step_s=0)
        r = client.delete(f"/api/jobs/{waiting['id']}")
        assert r.status_code == 202 and r.json()["state"] == "cancelled"
        client.delete(f"/api/jobs/{busy['id']}")
        wait_job(client, busy["id"])
        time.sleep(0.2)
        after = client.get(f"/api/jobs/{waiting['id']}").json()
        assert after["state"] == "cancelled" and after["started_at"] is None


def test_failures_are_recorded_with_their_reason(client):
    sid = upload(client)
    failed = wait_job(client, start(client, sid, "slow", steps=10, step_s=0, fail_at=3)["id"])
    assert failed["state"] == "failed" and failed["error"] == "asked to fail at step 3"

    crashed = wait_job(client, start(client, sid, "crash")["id"])
    assert crashed["state"] == "failed"
    assert crashed["error"] == "internal error in the crash job: ZeroDivisionError: division by zero"


def test_infeasibility_explanations_are_sentences_on_the_page(client):
    sid = upload(client)
    job = wait_job(client, start(client, sid, "explain")["id"])
    assert job["result"]["status"] == "infeasible"
    page = client.get(f"/jobs/{job['id']}").text
    assert '<ol class="explanations" id="explanations">' in page
    assert "<li>Soyuz MS-22 has 3 seats, 4 people are assigned to it.</li>" in page


def test_a_job_can_save_a_manifest_as_a_new_scenario(client):
    sid = upload(client)
    job = wait_job(client, start(client, sid, "copy")["id"])
    out = job["output_scenario_id"]
    assert job["state"] == "succeeded" and out not in (None, sid)
    assert client.get(f"/api/scenarios/{out}").json()["name"] == "copy made by a job"
    checks = [client.get(f"/api/scenarios/{i}/check").json() for i in (out, sid)]
    assert checks[0] == checks[1]


def test_job_started_from_the_page(client):
    sid = upload(client)
    r = client.post(f"/scenarios/{sid}/jobs", data={"kind": "check"}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/jobs/")
    job_id = int(r.headers["location"].rsplit("/", 1)[1])
    wait_job(client, job_id)
    page = client.get(f"/jobs/{job_id}").text
    assert 'id="result-violations"' in page and page.count('data-rule="LIFEBOAT"') == 1
    assert client.get("/jobs").status_code == 200


def test_stop_from_the_page(client):
    sid = upload(client)
    job = start(client, sid, "slow", steps=1000, step_s=0.01)
    r = client.post(f"/jobs/{job['id']}/stop", follow_redirects=False)
    assert r.status_code == 303
    assert wait_job(client, job["id"])["state"] == "cancelled"


def test_a_job_left_running_by_a_dead_server_is_resumed_on_restart(web_settings):
    """A row left 'running' (its server gone) is queued again when the app starts, runs to the result
    an uninterrupted run gives, and its page says it was resumed."""
    db = Database.open(web_settings.db_url)
    long_ago = datetime.now(UTC) - timedelta(hours=1)
    with db.transaction() as s:
        sc = history.add_scenario(s, name="x", filename="small.toml", source=SMALL.read_bytes(), now=long_ago)
        job = job_store.create_job(s, scenario_id=sc.id, revision=1, kind="check", params={}, runner="gone",
                                   now=long_ago)
        job_store.start_job(s, job.id, runner="gone", now=long_ago)
    db.dispose()
    with admin_client(web_settings, kinds=TEST_KINDS) as client:
        after = wait_job(client, job.id)
        fresh = wait_job(client, start(client, sc.id, "check")["id"])
        page = client.get(f"/jobs/{job.id}").text
        assert "Resumed:" not in client.get(f"/jobs/{fresh['id']}").text
    assert after["state"] == "succeeded" and after["resumed"] == 1 and after["error"] is None
    assert after["result"] == fresh["result"] and fresh["resumed"] == 0
    assert 'id="job-resumed"' in page and "Resumed:" in page


def test_a_job_running_at_a_sigkill_runs_again_to_the_same_result_after_restart(tmp_path):
    """SIGKILL the server in the middle of a job; the next start queues it again and it finishes with
    the result an uninterrupted run gives."""
    db_url = f"sqlite:///{tmp_path / 'crash.db'}"
    script = Path(__file__).with_name("serve_for_tests.py")
    auth = bearer(seed_user(db_url))

    def serve() -> tuple[subprocess.Popen[bytes], str]:
        port = free_port()
        proc = subprocess.Popen([sys.executable, str(script), db_url, str(port)], cwd=tmp_path,
                                env={**os.environ, "PYTHONPATH": os.pathsep.join(
                                    [str(script.parent), *filter(None, [os.environ.get("PYTHONPATH")])])},
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{base}/api/health", headers=auth, timeout=1).status_code == 200:
                    return proc, base
            except httpx.TransportError:
                pass
            assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
            assert time.monotonic() < deadline, "server did not start"
            time.sleep(0.1)

    proc, base = serve()
    try:
        r = httpx.post(f"{base}/api/scenarios", files={"file": ("small.toml", SMALL.read_bytes())},
                       headers=auth)
        sid = r.json()["id"]
        job = httpx.post(f"{base}/api/scenarios/{sid}/jobs", headers=auth,
                         json={"kind": "slow", "params": {"steps": 150, "step_s": 0.01}}).json()
        deadline = time.monotonic() + 10
        while httpx.get(f"{base}/api/jobs/{job['id']}", headers=auth).json()["state"] != "running":
            assert time.monotonic() < deadline
            time.sleep(0.05)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
    proc, base = serve()
    try:
        with httpx.Client(base_url=base, headers=auth) as http:
            after = wait_job(http, job["id"], timeout=30)
            page = http.get(f"/jobs/{job['id']}").text
        assert after["state"] == "succeeded" and after["resumed"] == 1
        assert after["result"] == {"steps": 150, "flights": 3} and "Resumed:" in page
        assert httpx.get(f"{base}/api/scenarios/{sid}/source", headers=auth).content == SMALL.read_bytes()
    finally:
        proc.terminate()
        proc.wait(10)


def test_context_throttles_progress_and_raises_once_stopped():
    import threading

    stored: list[tuple[float, str | None]] = []
    stop = threading.Event()
    ctx = JobContext(1, lambda f, m: stored.append((f, m)) or False, stop, min_interval_s=60)
    ctx.progress(0.1, "a")
    ctx.progress(0.2, "b")  # within the interval: not stored
    ctx.progress(0.3, "c", force=True)
    assert stored == [(0.1, "a"), (0.3, "c")]
    stop.set()
    with pytest.raises(JobCancelled):
        ctx.progress(0.4)
    asked = JobContext(2, lambda f, m: True, threading.Event())  # the database says: stop
    with pytest.raises(JobCancelled):
        asked.progress(0.5, force=True)


def test_the_app_on_postgresql(postgres_url):
    """The same app on PostgreSQL: upload, a job to completion, a stop, state kept across a restart."""
    from mixedcrew.web.settings import WebSettings

    settings = WebSettings(db_url=postgres_url, heartbeat_s=0.2, stale_after_s=2.0)
    with admin_client(settings, kinds=TEST_KINDS) as client:
        sid = upload(client, ISS)
        done = wait_job(client, start(client, sid, "check")["id"])
        assert done["state"] == "succeeded" and len(done["result"]["violations"]) == 3
        slow = start(client, sid, "slow", steps=5000, step_s=0.01)
        client.delete(f"/api/jobs/{slow['id']}")
        assert wait_job(client, slow["id"])["state"] == "cancelled"
        bad = client.post("/api/scenarios", files={"file": ("x.toml", b"[scenario\n")})
        assert bad.status_code == 422
    with admin_client(settings, kinds=TEST_KINDS) as client:
        assert client.get(f"/api/scenarios/{sid}/source").content == ISS.read_bytes()
        assert [j["state"] for j in client.get(f"/api/scenarios/{sid}/jobs").json()] == ["cancelled",
                                                                                        "succeeded"]
        assert len(client.get("/api/scenarios").json()) == 1


def test_shutdown_does_not_wait_for_a_job_that_ignores_its_stop(web_settings):
    """A clean shutdown asks jobs to stop, waits a little, then records them failed, and returns."""
    settings = web_settings.with_(shutdown_wait_s=0.3)
    with admin_client(settings, kinds=TEST_KINDS) as client:
        sid = upload(client)
        job = start(client, sid, "stubborn", seconds=30)
        deadline = time.monotonic() + 10
        while client.get(f"/api/jobs/{job['id']}").json()["state"] != "running":
            assert time.monotonic() < deadline
            time.sleep(0.05)
        began = time.monotonic()
    assert time.monotonic() - began < 5
    with admin_client(settings, kinds=TEST_KINDS) as client:
        after = client.get(f"/api/jobs/{job['id']}").json()
    assert after["state"] == "failed" and "shut down before this job finished" in after["error"]


def _untimed(value: Any) -> Any:
    """A result without its wall-clock figures (the only part a rerun may change)."""
    if isinstance(value, dict):
        return {k: _untimed(v) for k, v in value.items() if k != "seconds"}
    if isinstance(value, list):
        return [_untimed(v) for v in value]
    return value


def test_a_resumed_plan_job_gives_the_plan_an_uninterrupted_run_gives(web_settings, tmp_path):
    """With a work limit (the solver's deterministic time) the plan is the same after a resume:
    the same levels and values, the same manifest saved, byte for byte (but the job's number)."""
    from typer.testing import CliRunner

    from mixedcrew.cli import app as cli_app

    made = tmp_path / "open.toml"
    assert CliRunner().invoke(cli_app, ["generate", "-o", str(made), "--years", "1", "--candidates", "12",
                                        "--seed", "1"]).exit_code == 0
    params = {"work_limit": 1}
    db = Database.open(web_settings.db_url)
    long_ago = datetime.now(UTC) - timedelta(hours=1)
    with db.transaction() as s:
        sc = history.add_scenario(s, name="open", filename="open.toml", source=made.read_bytes(),
                                  now=long_ago)
        left = job_store.create_job(s, scenario_id=sc.id, revision=1, kind="plan", params=params,
                                    runner="gone", now=long_ago)
        job_store.start_job(s, left.id, runner="gone", now=long_ago)
    db.dispose()
    with admin_client(web_settings, kinds=TEST_KINDS) as client:
        resumed = wait_job(client, left.id, timeout=120)
        fresh = wait_job(client, start(client, sc.id, "plan", **params)["id"], timeout=120)
        # the saved file's header names its job; the rest is the plan
        saved = [re.sub(rb"\(job \d+\)", b"(job N)", client.get(
            f"/api/scenarios/{j['output_scenario_id']}/source").content) for j in (resumed, fresh)]
    assert resumed["state"] == fresh["state"] == "succeeded" and resumed["resumed"] == 1
    assert resumed["result"]["status"] == "planned"
    assert _untimed(resumed["result"]) == _untimed(fresh["result"])
    assert saved[0] == saved[1]
