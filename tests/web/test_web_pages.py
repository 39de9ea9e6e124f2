"""Pages over HTTP: the same checks and limits as the API, answered as HTML; nothing half-written."""

from __future__ import annotations

import pytest

pytest.importorskip("fastapi", reason="the web extra is not installed: pip install 'mixedcrew[web]'")

from webtools import ISS, SMALL, admin_client  # noqa: E402

from mixedcrew.web.storage import history  # noqa: E402

HTML = {"accept": "text/html"}


def test_upload_form_redirects_to_the_manifest_page(client):
    r = client.post("/scenarios", files={"file": ("small.toml", SMALL.read_bytes())}, headers=HTML,
                    follow_redirects=False)
    assert r.status_code == 303
    page = client.get(r.headers["location"]).text
    assert "ISS, winter 2022-23 (small example)" in page
    assert page.count('class="show-span"') == 1 and 'id="violation-0"' in page
    assert 'data-bars="7"' in page and 'data-bars="3"' in page
    assert "Download the file as uploaded" in page
    index = client.get("/").text
    assert 'href="/scenarios/1"' in index and 'download="small.toml"' in index


def test_unknown_pages_are_404_pages(client):
    for path in ("/scenarios/41", "/jobs/41"):
        r = client.get(path, headers=HTML)
        assert r.status_code == 404 and r.headers["content-type"].startswith("text/html")
        assert "Not found" in r.text and "no " in r.text
    r = client.post("/jobs/41/stop", headers=HTML)
    assert r.status_code == 404


def test_too_large_upload_from_the_form_is_a_413_page(client, web_settings):
    big = b"#" * (web_settings.max_upload_bytes + 100_000)
    r = client.post("/scenarios", files={"file": ("big.toml", big)}, headers=HTML)
    assert r.status_code == 413 and r.headers["content-type"].startswith("text/html")
    assert str(web_settings.max_upload_bytes) in r.text
    slightly = b"#" * (web_settings.max_upload_bytes + 1)  # inside the form's framing allowance
    r = client.post("/scenarios", files={"file": ("big.toml", slightly)}, headers=HTML)
    assert r.status_code == 413 and "was not stored" in r.text


def test_names_in_a_scenario_are_text_not_markup(client):
    raw = SMALL.read_text(encoding="utf-8").replace('name = "Rubio, Francisco"',
                                                    'name = "Rubio, <script>alert(1)</script>"')
    r = client.post("/api/scenarios", files={"file": ("x.toml", raw.encode())})
    page = client.get(f"/scenarios/{r.json()['id']}").text
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_an_error_in_the_middle_of_an_upload_stores_nothing(web_settings, monkeypatch):
    """The scenario row is written, then the revision fails: the transaction leaves no trace."""
    def broken(*_a, **_k):
        raise OSError("disk full")

    monkeypatch.setattr(history, "add_revision", broken)
    with admin_client(web_settings, raise_server_exceptions=False) as client:
        r = client.post("/api/scenarios", files={"file": ("iss.toml", ISS.read_bytes())})
        assert r.status_code == 500
        monkeypatch.undo()
        assert client.get("/api/scenarios").json() == []
        assert client.post("/api/scenarios", files={"file": ("iss.toml", ISS.read_bytes())}).json()["id"] == 1


def test_pages_name_their_parts_for_assistive_technology(client):
    sid = client.post("/api/scenarios", files={"file": ("small.toml", SMALL.read_bytes())}).json()["id"]
    page = client.get(f"/scenarios/{sid}").text
    assert '<html lang="en">' in page and 'class="skip" href="#main"' in page
    assert page.count('role="img"') == 3 and page.count("aria-label=") >= 4
    assert '<label for="job-kind">' in page and 'scope="col"' in page
