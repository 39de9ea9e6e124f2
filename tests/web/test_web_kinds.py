"""The plan and risk job kinds call the planner and the risk engine when those are installed."""

from __future__ import annotations

import pytest

pytest.importorskip("fastapi", reason="the web extra is not installed: pip install 'mixedcrew[web]'")

from webtools import SMALL, admin_client, plannable, wait_job  # noqa: E402

from mixedcrew.web.jobs.kinds import default_kinds, entry_missing  # noqa: E402


def upload(client, raw: bytes, name: str = "open.toml") -> int:
    r = client.post("/api/scenarios", files={"file": (name, raw, "application/toml")})
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


def run(client, sid: int, kind: str, **params) -> dict:
    r = client.post(f"/api/scenarios/{sid}/jobs", json={"kind": kind, "params": params})
    assert r.status_code == 202, r.text
    return wait_job(client, r.json()["id"], timeout=60)


def test_the_server_offers_check_plan_and_risk():
    assert list(default_kinds()) == ["check", "plan", "risk", "whatif"]
    assert entry_missing("mixedcrew.no_such_part", "run") is not None
    why = entry_missing("mixedcrew.check", "no_such_function")
    assert why == "mixedcrew.check has no no_such_function() in this version"
    assert entry_missing("mixedcrew.check", "check") is None


def test_drawing_a_scenario_page_imports_no_planner_or_risk_engine():
    """The jobs panel asks whether plan and risk exist without importing them: the first page a
    server draws does not pay for OR-Tools, pandas and NumPy (issue 12: the page under 300 ms)."""
    import subprocess
    import sys

    script = (
        "import sys\n"
        "from fastapi.testclient import TestClient\n"
        "from webtools import SMALL, TEST_KINDS, sign_in\n"
        "from mixedcrew.web.app import create_app\n"
        "from mixedcrew.web.settings import WebSettings\n"
        "app = create_app(WebSettings(db_url='sqlite:///' + sys.argv[1]), kinds=TEST_KINDS)\n"
        "with TestClient(app) as c:\n"
        "    sign_in(c)\n"
        "    sent = c.post('/api/scenarios', files={'file': ('small.toml', SMALL.read_bytes())})\n"
        "    sid = sent.json()['id']\n"
        "    page = c.get(f'/scenarios/{sid}', headers={'accept': 'text/html'})\n"
        "    assert page.status_code == 200 and 'Start a job' in page.text, page.status_code\n"
        "heavy = ('ortools', 'pandas', 'mixedcrew.plan', 'mixedcrew.risk')\n"
        "print(sorted(m for m in heavy if m in sys.modules))\n")
    import os
    from pathlib import Path

    here = str(Path(__file__).resolve().parent)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in (here, os.environ.get("PYTHONPATH")) if p)}
    with __import__("tempfile").TemporaryDirectory() as folder:
        done = subprocess.run([sys.executable, "-c", script, f"{folder}/web.db"], capture_output=True,
                              text=True, timeout=300, env=env)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "[]"


def test_an_unavailable_kind_says_why(client):
    kinds = {k["name"]: k for k in client.get("/api/job-kinds").json()}
    assert kinds["missing"]["available"] is False and "not part of this installation" in kinds[
        "missing"]["unavailable_because"]
    assert kinds["check"]["available"] and "ignore" in kinds["check"]["params_schema"]["properties"]


def test_plan_job_saves_the_plan_as_a_scenario(web_settings):
    pytest.importorskip("mixedcrew.plan", reason="the planner (mixedcrew.plan) is not in this build")
    with admin_client(web_settings) as client:
        sid = upload(client, plannable())
        job = run(client, sid, "plan", time_limit=20)
        assert job["state"] == "succeeded", job
        assert job["result"]["status"] == "planned" and job["result"]["planned_flights"] == ["SPXC6"]
        out = job["output_scenario_id"]
        flights = {f["id"]: f for f in client.get(f"/api/scenarios/{out}/export.json").json()[
            "scenario"]["flights"]}
        assert flights["SPXC6"]["launch"].startswith("2023-0")
        page = client.get(f"/jobs/{job['id']}").text
        assert 'id="levels"' in page and f'href="/scenarios/{out}"' in page


def test_infeasible_plan_lists_the_conflicting_facts_as_sentences(web_settings):
    pytest.importorskip("mixedcrew.plan", reason="the planner (mixedcrew.plan) is not in this build")
    with admin_client(web_settings) as client:
        sid = upload(client, plannable(feasible=False))
        job = run(client, sid, "plan", time_limit=20)
        assert job["state"] == "succeeded" and job["result"]["status"] == "infeasible"
        assert job["output_scenario_id"] is None and job["message"] == "no plan exists"
        sentences = job["result"]["explanations"]
        assert any("must carry 1 ROSCOSMOS person" in s for s in sentences), sentences
        page = client.get(f"/jobs/{job['id']}").text
        assert all(f"<li>{s}</li>" in page.replace("&#39;", "'") for s in sentences)


def test_risk_job_reports_the_headline_with_intervals(web_settings):
    pytest.importorskip("mixedcrew.risk", reason="the risk engine (mixedcrew.risk) is not in this build")
    with admin_client(web_settings) as client:
        sid = upload(client, SMALL.read_bytes(), "small.toml")
        job = run(client, sid, "risk", trials=2000, seed=3)
        assert job["state"] == "succeeded", job
        result = job["result"]
        assert result["trials"] == 2000 and result["seed"] == 3 and result["headline"].startswith("Over ")
        assert any(row[0].startswith("P(station emptied)") for row in result["figures"])
        again = run(client, sid, "risk", trials=2000, seed=3)
        assert again["result"]["figures"] == result["figures"]  # same seed, same numbers
        assert 'id="headline"' in client.get(f"/jobs/{job['id']}").text
