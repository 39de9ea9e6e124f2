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
    assert list(default_kinds()) == ["check", "plan", "risk"]
    assert entry_missing("mixedcrew.no_such_part", "run") is not None
    why = entry_missing("mixedcrew.check", "no_such_function")
    assert why == "mixedcrew.check has no no_such_function() in this version"
    assert entry_missing("mixedcrew.check", "check") is None


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
