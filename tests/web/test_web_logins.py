"""Logins resist guessing: failures per user name and per client address are limited (429 with
Retry-After), a success clears them, lock-outs are audited, and tokens are not affected."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

pytest.importorskip("fastapi", reason="the web extra is not installed: pip install 'mixedcrew[web]'")

from fastapi.testclient import TestClient  # noqa: E402
from webtools import TEST_KINDS, bearer, make_user, sign_in  # noqa: E402

from mixedcrew.web.access.throttle import LoginThrottle  # noqa: E402
from mixedcrew.web.app import create_app  # noqa: E402
from mixedcrew.web.errors import TooManyAttempts  # noqa: E402

PASSWORD = "correct horse battery"


@pytest.fixture
def c(web_settings: Any) -> Iterator[Any]:
    settings = web_settings.with_(login_failures_per_account=3, login_failures_per_address=6)
    with TestClient(create_app(settings, kinds=TEST_KINDS)) as client:
        sign_in(client)
        yield client


def login(c: Any, name: str, password: str) -> Any:
    return c.post("/api/login", json={"name": name, "password": password}, headers={"Authorization": ""})


def test_an_account_is_locked_after_its_failures_even_for_the_right_password(c: Any):
    token = make_user(c.app.state.accounts, "esa", "ESA", password=PASSWORD)
    assert [login(c, "esa", "guess").status_code for _ in range(3)] == [401, 401, 401]
    r = login(c, "esa", PASSWORD)
    assert r.status_code == 429
    assert int(r.headers["retry-after"]) > 0
    assert "too many failed logins for this user name (3 in 15 minutes)" in r.json()["detail"]
    # the page form says the same, with the same status
    page = c.post("/login", data={"name": "esa", "password": PASSWORD}, headers={"accept": "text/html"},
                  follow_redirects=False)
    assert page.status_code == 429 and "too many failed logins" in page.text and page.headers["retry-after"]
    # a token is not a password: it keeps working during the lock-out
    assert c.get("/api/me", headers=bearer(token)).status_code == 200
    entries = [e for e in c.get("/api/audit").json() if e["action"] == "login.locked"]
    assert [e["entity"] for e in entries] == ["account:esa"]
    assert entries[0]["after"]["failures"] == 3


def test_a_success_clears_the_failures(c: Any):
    make_user(c.app.state.accounts, "jaxa", "JAXA", password=PASSWORD)
    for _ in range(2):
        assert login(c, "jaxa", "guess").status_code == 401
    assert login(c, "jaxa", PASSWORD).status_code == 200
    assert [login(c, "jaxa", "guess").status_code for _ in range(2)] == [401, 401]
    assert login(c, "jaxa", PASSWORD).status_code == 200


def test_one_address_guessing_many_names_is_locked_out(c: Any):
    make_user(c.app.state.accounts, "csa", "CSA", password=PASSWORD)
    for n in range(6):  # six made-up names, one failure each: no single account reaches its limit
        assert login(c, f"nobody{n}", "guess").status_code == 401
    r = login(c, "csa", PASSWORD)
    assert r.status_code == 429 and "for this address" in r.json()["detail"]
    assert "address:testclient" in [e["entity"] for e in c.get("/api/audit").json()
                                    if e["action"] == "login.locked"]


def test_a_lock_out_ends_when_the_failures_leave_the_window():
    now = [1000.0]
    throttle = LoginThrottle(per_account=2, per_address=100, window_s=60, clock=lambda: now[0])
    assert throttle.failed("esa", "10.0.0.1") == []
    locked = throttle.failed("ESA ", "10.0.0.1")  # names compare as the login does: trimmed, any case
    assert [(lock.kind, lock.key) for lock in locked] == [("account", "esa")]
    now[0] += 30
    with pytest.raises(TooManyAttempts) as refused:
        throttle.check("esa", "10.0.0.2")
    assert refused.value.retry_after_s == 30
    now[0] += 31
    throttle.check("esa", "10.0.0.2")  # both failures are older than the window now


def test_the_throttle_forgets_the_oldest_names_beyond_its_bound():
    throttle = LoginThrottle(per_account=2, per_address=10**6, window_s=60, max_keys=100)
    for n in range(1000):
        throttle.failed(f"made-up-{n}", None)
    assert len(throttle._failures) == 100


def test_docs_name_the_password_hashing_parameters_in_use():
    """docs/web.md states the scrypt parameters the code uses (change both together)."""
    from pathlib import Path

    from mixedcrew.web.access.auth import SCRYPT_N, SCRYPT_P, SCRYPT_R

    docs = (Path(__file__).resolve().parents[2] / "docs" / "web.md").read_text(encoding="utf-8")
    assert f"N=2^{SCRYPT_N.bit_length() - 1}, r={SCRYPT_R}, p={SCRYPT_P}" in docs
