"""The JSON API: uploads, exact downloads, check results equal to the CLI's, limits and errors."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

pytest.importorskip("fastapi", reason="the web extra is not installed: pip install 'mixedcrew[web]'")

from typer.testing import CliRunner  # noqa: E402
from webtools import ISS, SMALL  # noqa: E402

from mixedcrew.cli import app as cli_app  # noqa: E402
from mixedcrew.errors import ScenarioError  # noqa: E402
from mixedcrew.io.scenario_file import loads_scenario  # noqa: E402

BROKEN = SMALL.read_text(encoding="utf-8").replace('vehicle_type = "soyuz-ms"', 'vehicle_type = 7', 1)


def upload(client, path: Path = ISS, name: str | None = None, raw: bytes | None = None):
    data = raw if raw is not None else path.read_bytes()
    return client.post("/api/scenarios", files={"file": (name or path.name, data, "application/toml")})


@pytest.fixture
def iss_id(client) -> int:
    r = upload(client)
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


def test_upload_then_download_unchanged(client, iss_id):
    """The stored file comes back byte for byte, with its name."""
    r = client.get(f"/api/scenarios/{iss_id}/source")
    assert r.status_code == 200 and r.content == ISS.read_bytes()
    assert 'filename="iss.toml"' in r.headers["content-disposition"]
    listed = client.get("/api/scenarios").json()
    assert [s["id"] for s in listed] == [iss_id] and listed[0]["size"] == len(ISS.read_bytes())


def test_check_equals_the_command_line(client, iss_id):
    """GET /check gives exactly `mixedcrew check --json` on the same file."""
    cli = CliRunner().invoke(cli_app, ["check", str(ISS), "--json"])
    assert cli.exit_code == 1
    expected = json.loads(cli.stdout)
    got = client.get(f"/api/scenarios/{iss_id}/check").json()
    assert [{k: v for k, v in x.items() if k != "index"} for x in got["violations"]] == expected["violations"]
    assert got["summary"] == expected["summary"] and len(got["violations"]) == 3
    detail = client.get(f"/api/scenarios/{iss_id}").json()
    assert detail["facts"]["violations"] == 3 and detail["bars"]["stays"] > 400


def test_broken_file_gets_the_cli_lines(client):
    """422 with one item per problem: field path, line, and the CLI's `FILE:LINE: path: message`."""
    with pytest.raises(ScenarioError) as err:
        loads_scenario(BROKEN.encode(), "broken.toml")
    r = upload(client, name="broken.toml", raw=BROKEN.encode())
    assert r.status_code == 422
    items = r.json()["detail"]
    assert [i["text"] for i in items] == [str(p) for p in err.value.problems]
    assert items[0]["loc"][:2] == ["body", "file"] and items[0]["line"] == err.value.problems[0].line
    assert client.get("/api/scenarios").json() == []  # nothing stored


def test_toml_syntax_error_and_bad_encoding(client):
    r = upload(client, name="x.toml", raw=b"[scenario]\nname = \"a\"\n[[flights]\n")
    assert r.status_code == 422 and r.json()["detail"][0]["line"] == 3
    assert r.json()["detail"][0]["text"].startswith("x.toml:3: TOML syntax")
    r = upload(client, name="x.toml", raw=b"name = \"\xff\"\n")
    assert r.status_code == 422 and "not UTF-8" in r.json()["detail"][0]["msg"]


def test_file_names_with_paths_are_refused(client):
    for name in ("../etc/passwd.toml", "a\\b.toml", "..", "/abs.toml"):
        r = upload(client, SMALL, name=name)
        assert r.status_code == 422, name
        assert r.json()["detail"][0]["loc"] == ["body", "file", "filename"]
    assert client.get("/api/scenarios").json() == []


def test_uploads_over_the_limit_get_413(client, web_settings):
    """By Content-Length before reading, and by counting a body sent without one."""
    big = b"# " + b"x" * web_settings.max_upload_bytes + b"\n"
    r = upload(client, name="big.toml", raw=big)
    assert r.status_code == 413 and str(web_settings.max_upload_bytes) in r.json()["detail"]

    def chunks():
        for _ in range(40):
            yield b"y" * 65536

    r = client.post("/api/scenarios", content=chunks(),
                    headers={"content-type": "multipart/form-data; boundary=xyz"})
    assert r.status_code == 413
    assert client.get("/api/scenarios").json() == []


def test_a_file_just_under_the_limit_is_accepted(client, web_settings):
    raw = SMALL.read_bytes()
    padded = raw + b"#" * (web_settings.max_upload_bytes - len(raw) - 1) + b"\n"
    assert len(padded) == web_settings.max_upload_bytes
    assert upload(client, name="padded.toml", raw=padded).status_code == 201


@pytest.mark.parametrize("path", [
    "/api/scenarios/999", "/api/scenarios/999/source", "/api/scenarios/999/check",
    "/api/scenarios/999/figures/stays", "/api/scenarios/999/ledgers", "/api/scenarios/999/exports",
    "/api/scenarios/999/export.json", "/api/scenarios/999/export/stays.csv",
    "/api/scenarios/999/calendars/agency/NASA.ics", "/api/scenarios/999/jobs", "/api/jobs/999",
])
def test_unknown_ids_are_404(client, path):
    r = client.get(path)
    assert r.status_code == 404 and "999" in r.json()["detail"]


def test_unknown_names_inside_a_scenario_are_404(client, iss_id):
    base = f"/api/scenarios/{iss_id}"
    for path in ("/figures/nope", "/export/nope.csv", "/calendars/agency/NOPE.ics",
                 "/calendars/person/NOPE.ics", "/source?revision=7"):
        assert client.get(base + path).status_code == 404, path
    assert client.delete("/api/jobs/12345").status_code == 404


def test_malformed_json_is_422_with_fields(client, iss_id):
    url = f"/api/scenarios/{iss_id}/jobs"
    r = client.post(url, content=b'{"kind": "check",', headers={"content-type": "application/json"})
    assert r.status_code == 422 and r.json()["detail"][0]["type"] == "json_invalid"
    r = client.post(url, json={"kind": "check", "colour": "red"})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "colour"]
    r = client.post(url, json={"kind": "check", "params": {"ignore": ["NOPE"], "from": "yesterday"}})
    locs = {tuple(d["loc"]) for d in r.json()["detail"]}
    assert r.status_code == 422 and locs == {("body", "params", "ignore"), ("body", "params", "from")}
    r = client.post(url, json={"kind": "dance"})
    assert r.status_code == 422 and "unknown job kind 'dance'" in r.json()["detail"][0]["msg"]
    r = client.post(url, json={"kind": "missing"})
    assert r.status_code == 422 and "not part of this installation" in r.json()["detail"][0]["msg"]
    assert client.get(f"/api/scenarios/{iss_id}/aboard", params={"at": "soon"}).status_code == 422
    assert client.get(f"/api/scenarios/{iss_id}/jobs").json() == []


def test_aboard_and_ledgers(client, iss_id):
    snap = client.get(f"/api/scenarios/{iss_id}/aboard", params={"at": "2023-01-01T00:00:00Z"}).json()
    assert len(snap["aboard"]) == 7 and snap["lifeboat_seats"] == 4
    (ledger,) = client.get(f"/api/scenarios/{iss_id}/ledgers").json()
    assert ledger["totals"] == {"NASA": 6, "ROSCOSMOS": 8} and ledger["per_year"]["2022"] == {
        "NASA": 1, "ROSCOSMOS": 1}


def test_figures_are_plotly_json_with_a_bar_per_stay(client, iss_id):
    bars = client.get(f"/api/scenarios/{iss_id}").json()["bars"]
    stays = client.get(f"/api/scenarios/{iss_id}/figures/stays").json()
    ports = client.get(f"/api/scenarios/{iss_id}/figures/ports").json()
    assert sum(len(t["x"]) for t in stays["data"]) == bars["stays"]
    assert sum(len(t["x"]) for t in ports["data"]) == bars["ports"]
    aboard = client.get(f"/api/scenarios/{iss_id}/figures/aboard").json()
    assert {t["name"] for t in aboard["data"]} >= {"people aboard", "lifeboat seats"}


def test_openapi_documents_every_api_route(client):
    spec = client.get("/openapi.json").json()
    paths = spec["paths"]
    for route in client.app.routes:
        path = getattr(route, "path", "")
        if path.startswith("/api/"):
            assert path in paths, path
    assert "post" in paths["/api/scenarios"] and "delete" in paths["/api/jobs/{job_id}"]
    assert "413" in paths["/api/scenarios"]["post"]["responses"]
    assert not any(p.startswith("/scenarios") for p in paths)  # pages stay out of the API
    page = client.get("/api-docs").text  # the spec as a page, with no CDN-loaded Swagger UI
    assert page.count("<tr>") - 1 == sum(len(methods) for methods in paths.values())
    assert client.get("/docs").status_code == 404


def test_assets_are_served_from_the_package_whatever_the_working_directory(client, tmp_path):
    here = os.getcwd()
    os.chdir(tmp_path)
    try:
        js = client.get("/static/vendor/plotly.min.js")
        assert js.status_code == 200 and len(js.content) > 1_000_000
        for name in ("app.css", "manifest.js", "jobs.js"):
            assert client.get(f"/static/{name}").status_code == 200, name
    finally:
        os.chdir(here)
    page = client.get("/").text
    assert "http://" not in page and "https://" not in page  # no CDN
    assert "script-src 'self'" in client.get("/").headers["content-security-policy"]


def test_health(client):
    body = client.get("/api/health").json()
    from mixedcrew.web.storage.db import head_revision

    assert body["ok"] is True and body["schema"] == head_revision() == "0003"


def test_new_versions_are_appended_and_the_old_ones_kept(client):
    sid = upload(client, SMALL).json()["id"]
    changed = SMALL.read_bytes().replace(b'name = "ISS, winter 2022-23 (small example)"',
                                         b'name = "second version"')
    r = client.post(f"/api/scenarios/{sid}/revisions", files={"file": ("v2.toml", changed)})
    assert r.status_code == 201 and r.json()["number"] == 2
    assert client.get(f"/api/scenarios/{sid}/source").content == changed
    assert client.get(f"/api/scenarios/{sid}/source", params={"revision": 1}).content == SMALL.read_bytes()
    assert [v["number"] for v in client.get(f"/api/scenarios/{sid}/revisions").json()] == [2, 1]
    bad = client.post(f"/api/scenarios/{sid}/revisions", files={"file": ("v3.toml", b"[scenario\n")})
    assert bad.status_code == 422 and bad.json()["detail"][0]["text"].startswith("v3.toml:1:")
    assert client.post("/api/scenarios/77/revisions", files={"file": ("x.toml", changed)}).status_code == 404
    assert client.get(f"/api/scenarios/{sid}").json()["revision"] == 2
    page = client.post(f"/scenarios/{sid}/revisions", files={"file": ("v3.toml", b"x = \n")},
                       headers={"accept": "text/html"})
    assert page.status_code == 422 and "v3.toml:1: TOML syntax" in page.text


def test_any_upload_is_stored_or_refused_with_located_problems(client):
    """Random bytes and TOML-ish text: 201 or 422 with lines, never a server error."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    small = SMALL.read_text(encoding="utf-8")
    mutations = st.tuples(st.integers(0, len(small) - 1), st.integers(0, 40), st.text(max_size=12))

    @settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
    @given(st.one_of(st.binary(max_size=300), mutations.map(
        lambda m: (small[:m[0]] + m[2] + small[m[0] + m[1]:]).encode("utf-8", "surrogatepass"))))
    def upload_anything(raw: bytes) -> None:
        r = client.post("/api/scenarios", files={"file": ("fuzz.toml", raw)})
        assert r.status_code in (201, 422), r.text
        if r.status_code == 422:
            assert all(item["text"].startswith("fuzz.toml") for item in r.json()["detail"])

    upload_anything()
