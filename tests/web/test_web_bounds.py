"""Tokens and jobs bounded (issue 17 §5): a token mints nothing that outlives it or does more,
revoking a token revokes what it minted, sessions and tokens are distinct secrets, and job
quotas per user and per agency answer 429 naming the quota, without starving administrators.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("fastapi")

from fastapi.testclient import TestClient  # noqa: E402
from webtools import SMALL, TEST_KINDS, make_user  # noqa: E402

from mixedcrew.web.access.auth import SESSION_COOKIE  # noqa: E402
from mixedcrew.web.app import create_app  # noqa: E402
from mixedcrew.web.settings import WebSettings  # noqa: E402


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture
def app_client(tmp_path: Path) -> Iterator[tuple[TestClient, dict[str, str], int]]:
    settings = WebSettings(db_url=f"sqlite:///{tmp_path / 'web.db'}", heartbeat_s=0.2, stale_after_s=5.0,
                           max_jobs_per_user=2, max_jobs_per_agency=3, max_queued_jobs=3, job_workers=1)
    with TestClient(create_app(settings, kinds=TEST_KINDS)) as c:
        accounts = c.app.state.accounts
        tokens = {"admin": make_user(accounts, "admin", days=30),
                  "nasa": make_user(accounts, "nasa", "NASA", password="a long nasa password", days=30),
                  "nasa2": make_user(accounts, "nasa2", "NASA", days=30),
                  "nasa3": make_user(accounts, "nasa3", "NASA", days=30),
                  "ros": make_user(accounts, "ros", "ROSCOSMOS", days=30)}
        sid = c.post("/api/scenarios", files={"file": ("small.toml", SMALL.read_bytes())},
                     headers=bearer(tokens["admin"])).json()["id"]
        yield c, tokens, sid


def test_a_token_cannot_mint_one_that_outlives_it(app_client: Any) -> None:
    c, tokens, _ = app_client
    short = c.post("/api/tokens", json={"label": "1 day", "days": 1, "scopes": ["read", "write"]},
                   headers=bearer(tokens["nasa"])).json()
    child = c.post("/api/tokens", json={"label": "asks 366 days", "days": 366, "scopes": ["read"]},
                   headers=bearer(short["token"]))
    assert child.status_code == 201
    assert datetime.fromisoformat(child.json()["expires_at"]) <= datetime.fromisoformat(short["expires_at"])
    assert child.json()["scopes"] == ["read"]


def test_revoking_a_token_revokes_what_it_minted_at_any_depth(app_client: Any) -> None:
    c, tokens, _ = app_client
    parent = c.post("/api/tokens", json={"label": "parent"}, headers=bearer(tokens["nasa"])).json()
    child = c.post("/api/tokens", json={"label": "child"}, headers=bearer(parent["token"])).json()
    grandchild = c.post("/api/tokens", json={"label": "grandchild"}, headers=bearer(child["token"])).json()
    sibling = c.post("/api/tokens", json={"label": "made by the user's own token"},
                     headers=bearer(tokens["nasa"])).json()
    assert c.delete(f"/api/tokens/{parent['id']}", headers=bearer(tokens["nasa"])).status_code == 200
    for gone in (parent, child, grandchild):
        r = c.get("/api/me", headers=bearer(gone["token"]))
        assert r.status_code == 401 and "revoked" in r.json()["detail"]
    assert c.get("/api/me", headers=bearer(sibling["token"])).status_code == 200


def test_sessions_and_tokens_are_distinct_secrets(app_client: Any) -> None:
    c, tokens, _ = app_client
    browser = TestClient(c.app)
    assert browser.post("/api/login", json={"name": "nasa", "password": "a long nasa password"}
                        ).status_code == 200
    session_secret = browser.cookies[SESSION_COOKIE]
    assert browser.get("/api/me").status_code == 200
    as_bearer = TestClient(c.app).get("/api/me", headers=bearer(session_secret))
    assert as_bearer.status_code == 401 and "page session cannot be sent as a Bearer token" in as_bearer.text
    as_cookie = TestClient(c.app, cookies={SESSION_COOKIE: tokens["nasa"]}).get("/api/me")
    assert as_cookie.status_code == 401 and "cannot be sent as the session cookie" in as_cookie.text


def _start(c: TestClient, sid: int, token: str) -> Any:
    return c.post(f"/api/scenarios/{sid}/jobs", json={"kind": "slow", "params": {"steps": 2000}},
                  headers=bearer(token))


def test_job_quotas_answer_429_naming_the_quota_and_spare_administrators(app_client: Any) -> None:
    c, tokens, sid = app_client
    for _ in range(2):
        assert _start(c, sid, tokens["nasa"]).status_code == 202
    third = _start(c, sid, tokens["nasa"])
    assert third.status_code == 429 and "quota 'jobs per user' reached" in third.json()["detail"]
    assert third.headers["retry-after"]
    assert _start(c, sid, tokens["nasa2"]).status_code == 202  # the agency's third
    agency = _start(c, sid, tokens["nasa3"])
    assert agency.status_code == 429 and "quota 'jobs per agency' reached: NASA" in agency.json()["detail"]
    assert _start(c, sid, tokens["admin"]).status_code == 202  # administrators are not held by agencies
    # 4 jobs now (1 running on the one worker, 3 queued): the queue is full for everyone but
    # administrators, whose jobs are still taken
    queue_full = _start(c, sid, tokens["ros"])
    assert queue_full.status_code == 429 and "quota 'queued jobs' reached" in queue_full.json()["detail"]
    assert _start(c, sid, tokens["admin"]).status_code == 202
    mine = [j for j in c.get("/api/jobs", headers=bearer(tokens["admin"])).json()]
    first = min(j["id"] for j in mine)
    assert c.delete(f"/api/jobs/{first}", headers=bearer(tokens["nasa"])).status_code in (200, 202)


# --- text that travels, logins ---------------------------------------------------------------


def test_csv_exports_neutralise_formulas_and_ics_escapes_text(app_client: Any) -> None:
    """A name starting like a formula is written '=…; a scenario name with ; and , is escaped."""
    c, tokens, _ = app_client
    text = SMALL.read_text().replace('name = "Rubio, Francisco"', 'name = "=HYPERLINK(\\"http://x\\")"', 1)
    text = text.replace('name = "ISS, winter', 'name = "ISS; a, b \\\\ c', 1)
    assert "HYPERLINK" in text and "ISS; a, b" in text
    sid = c.post("/api/scenarios", files={"file": ("f.toml", text.encode())},
                 headers=bearer(tokens["admin"])).json()["id"]
    stays = c.get(f"/api/scenarios/{sid}/export/stays.csv", headers=bearer(tokens["admin"])).text
    assert "'=HYPERLINK" in stays and ",=HYPERLINK" not in stays
    ics = c.get(f"/api/scenarios/{sid}/calendars/agency/NASA.ics", headers=bearer(tokens["admin"]))
    assert ics.status_code == 200
    assert "X-WR-CALNAME:ISS\\; a\\, b \\\\ c" in ics.text, ics.text[:300]


def test_names_with_control_characters_are_refused_not_stored(app_client: Any) -> None:
    c, tokens, _ = app_client
    for bad in ("\\n", "\\u0000"):
        text = SMALL.read_text().replace('name = "Rubio, Francisco"', f'name = "Rubio{bad}F"', 1)
        r = c.post("/api/scenarios", files={"file": ("f.toml", text.encode())},
                   headers=bearer(tokens["admin"]))
        assert r.status_code == 422 and "control character" in r.text


def test_login_refuses_a_foreign_origin_and_a_nul_name(app_client: Any) -> None:
    c, _, _ = app_client
    browser = TestClient(c.app)
    body = {"name": "nasa", "password": "a long nasa password"}
    foreign = browser.post("/api/login", json=body, headers={"Origin": "https://evil.example"})
    assert foreign.status_code == 403 and "another site" in foreign.text
    form = browser.post("/login", data=body, headers={"Origin": "https://evil.example"},
                        follow_redirects=False)
    assert form.status_code == 403
    assert browser.post("/api/login", json=body, headers={"Origin": "http://testserver"}).status_code == 200
    nul = browser.post("/api/login", json={"name": "nasa\x00", "password": "x"})
    assert nul.status_code == 401


def test_passwords_at_owasp_strength(app_client: Any) -> None:
    from mixedcrew.web.access.auth import SCRYPT_N, hash_password, verify_password

    c, tokens, _ = app_client
    assert SCRYPT_N >= 2**17
    stored = hash_password("correct horse battery")
    assert stored.startswith(f"scrypt${2**17}$8$1$") and verify_password("correct horse battery", stored)
    for weak, words in (("12345678", "most common"), ("iloveyou", "most common"), ("short", "at least 8")):
        r = c.post("/api/users", json={"name": f"u{len(weak)}{weak[:2]}", "agency": "NASA", "password": weak},
                   headers=bearer(tokens["admin"]))
        assert r.status_code == 422 and words in r.text, r.text
