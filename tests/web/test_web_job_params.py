"""Jobs with their parameters: the scenario page's forms send each kind's parameters (check: window
and rules left out; plan: time limit, seed, best effort; risk: window, trials, seed, compare, stress
events; what-if: events), the job page shows them all, and a plan job shows the planned flights with
their crews and the differences from the input."""

from __future__ import annotations

from typing import Any

import pytest

pytest.importorskip("fastapi", reason="the web extra is not installed: pip install 'mixedcrew[web]'")

from webtools import SMALL, admin_client, plannable, wait_job  # noqa: E402

from mixedcrew.web.errors import Invalid  # noqa: E402
from mixedcrew.web.jobs.pages import form_params  # noqa: E402

HTML = {"accept": "text/html"}
LEAK = '{ id = "leak", kind = "damage", at = 2022-12-15T00:00:00Z, flight = "MS22", seats = 0 }'


def test_form_fields_become_the_kinds_parameters():
    fields = {"kind": ["check"], "from": ["2022-01-01"], "until": [""], "ignore": ["LIFEBOAT", "PORTS"],
              "given": ["best_effort", "compare"], "seed": ["7"], "stress": [LEAK + "\n\n"]}
    params = form_params(fields)
    assert params == {"from": "2022-01-01", "ignore": ["LIFEBOAT", "PORTS"], "best_effort": False,
                      "compare": None, "seed": "7",
                      "stress": [{"id": "leak", "kind": "damage", "at": "2022-12-15T00:00:00Z",
                                  "flight": "MS22", "seats": 0}]}
    with pytest.raises(Invalid) as bad:
        form_params({"events": ["{ id = 'x', kind = "]})
    assert "line 1:" in bad.value.errors[0].msg and "one event a line" in bad.value.errors[0].msg


def start(client: Any, sid: int, **fields: Any) -> dict[str, Any]:
    r = client.post(f"/scenarios/{sid}/jobs", data=fields, headers=HTML, follow_redirects=False)
    assert r.status_code == 303, r.text
    return wait_job(client, int(r.headers["location"].rsplit("/", 1)[1]), timeout=120)


def upload(client: Any, text: bytes) -> int:
    r = client.post("/api/scenarios", files={"file": ("s.toml", text)})
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Any:
    from mixedcrew.web.jobs.kinds import default_kinds
    from mixedcrew.web.settings import WebSettings

    folder = tmp_path_factory.mktemp("jobs")
    with admin_client(WebSettings(db_url=f"sqlite:///{folder / 'web.db'}"), kinds=default_kinds()) as c:
        yield c


def test_a_check_from_the_form_runs_with_its_window_and_rules_left_out(client: Any):
    sid = upload(client, SMALL.read_bytes())
    window = {"from": "2022-01-01", "until": "2030-01-01"}
    job = start(client, sid, kind="check", ignore=["LIFEBOAT"], **window)
    assert job["state"] == "succeeded", job
    assert job["params"] == {"ignore": ["LIFEBOAT"], "from": "2022-01-01T00:00:00Z",
                             "until": "2030-01-01T00:00:00Z"}
    assert "LIFEBOAT" not in job["result"]["summary"]["rules_run"]
    page = client.get(f"/jobs/{job['id']}", headers=HTML).text
    table = page.split('id="job-params"')[1].split("</table>")[0]
    assert '<th scope="row">ignore</th>' in table and "LIFEBOAT" in table
    assert "2030-01-01T00:00:00Z" in table
    form = client.get(f"/scenarios/{sid}", headers=HTML).text
    for kind in ("check", "plan", "risk", "whatif"):
        assert f'id="job-form-{kind}"' in form


def test_a_plan_job_shows_the_planned_flights_with_their_crews_and_the_differences(client: Any):
    pytest.importorskip("mixedcrew.plan", reason="the planner (mixedcrew.plan) is not in this build")
    sid = upload(client, plannable())
    job = start(client, sid, kind="plan", time_limit="20", seed="3", given="best_effort")
    assert job["state"] == "succeeded", job
    assert job["params"] == {"time_limit": 20.0, "seed": 3}
    planned = job["result"]["planned"]
    assert [f["label"] for f in planned] == ["Crew-6"]
    assert len(planned[0]["up"]) == 4 and any("(ROSCOSMOS)" in name for name in planned[0]["up"])
    assert any("Crew-6" in line for line in job["result"]["change_lines"])
    page = client.get(f"/jobs/{job['id']}", headers=HTML).text
    assert 'id="planned-flights"' in page and 'id="plan-changes"' in page
    assert "Fedyaev, Andrey (ROSCOSMOS)" in page.split('id="planned-flights"')[1].split("</table>")[0]
    out = job["output_scenario_id"]
    assert f'href="/scenarios/{out}/compare?with={sid}" id="compare-output"' in page
    compared = client.get(f"/api/scenarios/{out}/compare", params={"with": sid}).json()
    assert any("Crew-6" in line for line in compared["lines"])  # the planned flight, marked as a change
    assert client.get(f"/scenarios/{out}/compare", params={"with": sid}, headers=HTML).status_code == 200
    # The job page's own chart is the comparison page's (the same figure, drawn by compare.js), and in it
    # the planned flight's docking is outlined as a difference.
    assert f'data-figure="/api/scenarios/{out}/compare/figure?with={sid}"' in page
    assert '<script src="/static/compare.js" defer></script>' in page
    fig = client.get(f"/api/scenarios/{out}/compare/figure", params={"with": sid}).json()
    outlined = [t["y"][0] for t in fig["data"]
                if t["type"] == "bar" and t["marker"]["line"]["color"] == "#D00000"]
    assert "flight · Crew-6" in outlined


def test_best_effort_from_the_form_saves_the_plan_that_breaks_the_fewest(client: Any):
    pytest.importorskip("mixedcrew.plan", reason="the planner (mixedcrew.plan) is not in this build")
    sid = upload(client, plannable(feasible=False))
    job = start(client, sid, kind="plan", time_limit="20", given="best_effort", best_effort="on")
    assert job["state"] == "succeeded", job
    assert job["params"]["best_effort"] is True
    assert job["result"]["best_effort"] is True and job["result"]["given_up"]
    assert job["output_scenario_id"] is not None
    page = client.get(f"/jobs/{job['id']}", headers=HTML).text
    assert 'id="given-up"' in page


def test_a_risk_job_takes_stress_events_from_the_form(client: Any):
    pytest.importorskip("mixedcrew.risk", reason="the risk engine is not in this build")
    sid = upload(client, SMALL.read_bytes())
    grounding = '{ id = "ground", kind = "grounding", at = 2022-10-01T00:00:00Z, vehicle_type = "soyuz-ms" }'
    job = start(client, sid, kind="risk", trials="200", seed="1", given="compare", stress=grounding)
    assert job["state"] == "succeeded", job
    assert job["params"]["compare"] is None and job["params"]["stress"][0]["id"] == "ground"
    assert job["params"]["trials"] == 200
    bad = client.post(f"/api/scenarios/{sid}/jobs", json={"kind": "risk", "params": {
        "stress": [{"id": "x", "kind": "grounding"}]}})
    assert bad.status_code == 422 and "event 0" in bad.text


def test_a_whatif_job_replans_into_a_new_scenario_and_leaves_the_live_one(client: Any):
    """The plan's Crew-6, then its launch pad out for a week: re-planned, saved apart, compared."""
    pytest.importorskip("mixedcrew.plan", reason="the planner (mixedcrew.plan) is not in this build")
    sid = upload(client, plannable())
    planned = start(client, sid, kind="plan", time_limit="20")
    live = planned["output_scenario_id"]
    launch = planned["result"]["planned"][0]["launch"]
    before = client.get(f"/api/scenarios/{live}/source").content
    pad = (f'{{ id = "pad", kind = "site_outage", at = {launch[:10]}T00:00:00Z, site = "ksc-39a", '
           f'until = {launch[:10]}T23:59:00Z }}')
    job = start(client, live, kind="whatif", events=pad, trials="0", time_limit="20", given="best_effort",
                best_effort="on")
    assert job["state"] == "succeeded", job
    assert job["result"]["events"][0]["id"] == "pad" and job["output_scenario_id"] not in (None, live)
    assert client.get(f"/api/scenarios/{live}/source").content == before  # the live manifest untouched
    moved = {f["label"]: f for f in job["result"]["planned"]}  # the flights that differ after the event
    assert moved["Crew-6"]["launch"] > launch and len(moved["Crew-6"]["up"]) == 4
    page = client.get(f"/jobs/{job['id']}", headers=HTML).text
    assert 'id="whatif-lines"' in page and "what if: pad" in page
    # the re-plan is a branch of the revision the job ran on, compared with it on its own page
    branches = client.get(f"/api/scenarios/{live}/branches").json()
    assert [(b["id"], b["job"], b["name"]) for b in branches] == [(job["output_scenario_id"], job["id"],
                                                                   "what if pad")]
    compared = client.get(f"/api/scenarios/{job['output_scenario_id']}/compare").json()
    assert compared["base"] == live and compared["risk_job"] == job["id"]


def test_the_comparison_page_runs_the_risk_of_both_with_the_same_seed(client: Any):
    pytest.importorskip("mixedcrew.risk", reason="the risk engine is not in this build")
    sid = upload(client, SMALL.read_bytes())
    r = client.post(f"/api/scenarios/{sid}/branches", json={"name": "no change"})
    bid = r.json()["id"]
    sent = client.post(f"/scenarios/{bid}/compare/risk", headers=HTML, follow_redirects=False,
                       data={"trials": "300", "seed": "5", "from": "2022-10-01", "until": ""})
    assert sent.status_code == 303
    jobs = [j for j in client.get("/api/jobs").json()
            if j["kind"] == "risk" and j["scenario_id"] in (sid, bid)]
    assert len(jobs) == 2 and {j["scenario_id"] for j in jobs} == {sid, bid}
    done = [wait_job(client, j["id"], timeout=120) for j in jobs]
    assert all(j["state"] == "succeeded" for j in done) and len({str(j["params"]) for j in done}) == 1
    runs = client.get(f"/api/scenarios/{bid}/compare").json()["risk_runs"]
    assert runs["base"]["seed"] == runs["branch"]["seed"] == 5 and runs["base"]["trials"] == 300
    assert runs["base"]["figures"] == runs["branch"]["figures"]  # the same manifest, the same trials
    page = client.get(f"/scenarios/{bid}/compare", headers=HTML).text
    assert 'id="risk-runs"' in page and "300 trials, seed 5" in page


def test_a_best_effort_plan_job_runs_inside_its_one_time_limit(monkeypatch: pytest.MonkeyPatch):
    """A plan job with best effort: the best effort gets what the full attempt left of the job's
    one clock (ending time_limit after the job began), not a fresh time limit of its own."""
    import threading
    import time

    from tests.plan.conftest import tiny_text

    import mixedcrew.plan.best_effort as be_module
    from mixedcrew.io.scenario_file import loads_scenario
    from mixedcrew.web.jobs.kinds import run_plan
    from mixedcrew.web.jobs.runner import JobContext

    deadlines: list[float] = []
    real_be = be_module.best_effort_plan

    def be_recording(*args: Any, clock: Any, **kwargs: Any) -> Any:
        deadlines.append(clock.deadline)
        return real_be(*args, clock=clock, **kwargs)

    monkeypatch.setattr(be_module, "best_effort_plan", be_recording)
    grounded = loads_scenario(tiny_text() + '\n[[events]]\nid = "sg"\nkind = "grounding"\n'
                              'vehicle_type = "soyuz"\nat = 2023-04-01T00:00:00Z\n'
                              'until = 2023-07-01T00:00:00Z\n', "grounded.toml")
    ctx = JobContext(1, lambda fraction, message: False, threading.Event())
    started = time.monotonic()
    outcome = run_plan(grounded, {"time_limit": 20, "best_effort": True}, ctx)
    assert outcome.result["best_effort"] is True and outcome.result["given_up"]
    assert len(deadlines) == 1 and deadlines[0] <= started + 20.5
