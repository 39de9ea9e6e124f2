"""Accounts and tokens: every route refuses strangers (401) and requests outside their rights (403);
tokens are stored only as hashes, revocable, with expiry; page sessions log in and out."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("fastapi", reason="the web extra is not installed: pip install 'mixedcrew[web]'")

from fastapi.testclient import TestClient  # noqa: E402
from starlette.routing import Mount  # noqa: E402
from webtools import SMALL, TEST_KINDS, bearer, make_user, wait_job  # noqa: E402

from mixedcrew.web.access.guard import is_public  # noqa: E402
from mixedcrew.web.app import create_app  # noqa: E402
from mixedcrew.web.settings import WebSettings  # noqa: E402

HTML = {"accept": "text/html"}


@dataclass
class World:
    client: Any
    tokens: dict[str, str]
    ids: dict[str, int]
    db_path: Path

    def as_(self, who: str) -> dict[str, str]:
        return bearer(self.tokens[who])


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """small.toml (NASA, ROSCOSMOS, JAXA) stored; users of those agencies, of AXIOM (not in it), an admin."""
    folder = tmp_path_factory.mktemp("access")
    settings = WebSettings(db_url=f"sqlite:///{folder / 'web.db'}", heartbeat_s=0.2, stale_after_s=2.0)
    with TestClient(create_app(settings, kinds=TEST_KINDS)) as c:
        accounts = c.app.state.accounts
        tokens = {"admin": make_user(accounts, "admin"),
                  "nasa": make_user(accounts, "nasa", "NASA", password="nasa-password"),
                  "nasa_read": make_user(accounts, "nasa", scopes=("read",)),
                  "nasa_calendar": make_user(accounts, "nasa", scopes=("calendar",)),
                  "ros": make_user(accounts, "ros", "ROSCOSMOS"),
                  "jaxa": make_user(accounts, "jaxa", "JAXA"),
                  "axiom": make_user(accounts, "axiom", "AXIOM")}
        admin = bearer(tokens["admin"])
        sid = c.post("/api/scenarios", files={"file": ("small.toml", SMALL.read_bytes())},
                     headers=admin).json()["id"]
        job = c.post(f"/api/scenarios/{sid}/jobs", json={"kind": "check"}, headers=admin).json()["id"]
        c.headers.update(admin)
        wait_job(c, job)
        del c.headers["Authorization"]
        proposal = c.post(f"/api/scenarios/{sid}/changes", headers=bearer(tokens["nasa"]), json={"ops": [
            {"op": "set_availability", "person": "petelin", "available": {"from": "2021-01-01"}}]}).json()
        ros_token = c.get("/api/tokens", headers=bearer(tokens["ros"])).json()[0]["id"]
        ros_user = next(u["id"] for u in c.get("/api/users", headers=admin).json() if u["name"] == "ros")
        ids = {"scenario_id": sid, "job_id": job, "proposal_id": proposal["proposal"]["id"],
               "token_id": ros_token, "user_id": ros_user}
        yield World(c, tokens, ids, folder / "web.db")


# --- walking every route ---------------------------------------------------------------------

VALUES = {"name": "stays", "agency": "NASA", "person": "rubio"}
CHANGE = {"ops": [{"op": "set_availability", "person": "rubio", "available": {"from": "2021-01-01"}}]}
UPLOAD = {"files": {"file": ("small.toml", SMALL.read_bytes(), "application/toml")}}
BODIES: dict[tuple[str, str], dict[str, Any]] = {
    ("GET", "/api/scenarios/{scenario_id}/aboard"): {"params": {"at": "2023-01-01T00:00:00Z"}},
    ("POST", "/api/scenarios"): UPLOAD,
    ("POST", "/api/scenarios/{scenario_id}/revisions"): UPLOAD,
    ("POST", "/scenarios"): UPLOAD,
    ("POST", "/scenarios/{scenario_id}/revisions"): UPLOAD,
    ("POST", "/api/scenarios/{scenario_id}/jobs"): {"json": {"kind": "check"}},
    ("POST", "/scenarios/{scenario_id}/jobs"): {"data": {"kind": "check"}},
    ("POST", "/api/scenarios/{scenario_id}/changes"): {"json": CHANGE},
    ("POST", "/scenarios/{scenario_id}/crew"): {"data": {"op": "set_availability", "person": "rubio",
                                                         "from": "2021-01-01"}},
    ("POST", "/api/proposals/{proposal_id}/reject"): {"json": {"reason": "no"}},
    ("POST", "/proposals/{proposal_id}/reject"): {"data": {"reason": "no"}},
    ("POST", "/api/tokens"): {"json": {"label": "walk"}},
    ("POST", "/account/tokens"): {"data": {"label": "walk"}},
    ("POST", "/api/users"): {"json": {"name": "walker", "agency": "NASA", "password": "long-enough"}},
    ("POST", "/admin/users"): {"data": {"name": "walker", "agency": "NASA", "password": "long-enough"}},
    ("PATCH", "/api/users/{user_id}"): {"json": {"disabled": True}},
    ("POST", "/admin/users/{user_id}/disabled"): {"data": {"disabled": "true"}},
}
ADMIN_ONLY = ("/api/users", "/admin/", "/api/audit")
UPLOADS = {"/api/scenarios", "/scenarios", "/api/scenarios/{scenario_id}/revisions",
           "/scenarios/{scenario_id}/revisions"}
FEEDS = ("/calendars/agency/", "/calendars/person/")


def routes(app: Any) -> list[tuple[str, str]]:
    """(method, path template) of every route of the app (routers included), '/static' for the assets."""
    try:  # FastAPI >= 0.16x keeps included routers as such; this walks into them
        from fastapi.routing import iter_route_contexts

        listed: list[Any] = list(iter_route_contexts(app.routes))
    except ImportError:
        listed = list(app.routes)
    found = []
    for route in listed:
        methods = getattr(route, "methods", None)
        if methods:
            found += [(m, route.path) for m in sorted(set(methods) - {"HEAD"})]
        elif isinstance(route, Mount) or route.path == "/static":
            found.append(("GET", route.path))
        else:
            raise AssertionError(f"a route of an unknown kind: {route!r}")
    return found


def witness(method: str, path: str) -> str:
    """Whose credential lies outside this route's rights."""
    if path.startswith(ADMIN_ONLY) or (method == "POST" and path in UPLOADS):
        return "nasa"  # a user of an agency, not an administrator
    if path.endswith(("/approve", "/reject")):
        return "jaxa"  # in the scenario, but neither side of the proposal
    if path.endswith("/logout"):
        return "nasa"  # a token, not a page session
    if "{token_id}" in path:
        return "nasa"  # another user's token
    if method == "POST" and path in ("/api/tokens", "/account/tokens"):
        return "nasa_read"  # a read-only token cannot make a token
    if any(f"{{{p}}}" in path for p in ("scenario_id", "job_id", "proposal_id")):
        return "axiom"  # an agency with no part in the scenario
    return "nasa_calendar"  # a token that may only read calendar feeds


def concrete(world: World, path: str) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: str(world.ids.get(m.group(1), VALUES.get(m.group(1)))), path)


def call(world: World, method: str, path: str, headers: dict[str, str] | None = None) -> Any:
    url = concrete(world, path) if path != "/static" else "/static/app.css"
    return world.client.request(method, url, headers=headers or {}, follow_redirects=False,
                                **BODIES.get((method, path), {}))


def audit_size(world: World) -> tuple[int, int]:
    head = world.client.get(f"/api/scenarios/{world.ids['scenario_id']}", headers=world.as_("admin"))
    return len(world.client.get("/api/audit", params={"limit": 5000}, headers=world.as_("admin")).json()), \
        head.json()["revision"]


def test_every_route_refuses_strangers_and_requests_outside_their_rights(world: World):
    """Walk app.routes: each answers 401 without a credential and 403 to one outside its rights."""
    app = world.client.app
    walked = routes(app)
    assert len(walked) > 50
    public = [(m, p) for m, p in walked
              if is_public(m, concrete(world, p) if p != "/static" else "/static/x")]
    assert sorted(public) == [("GET", "/favicon.ico"), ("GET", "/login"), ("GET", "/static"),
                              ("GET", "/static/timeline.js"),
                              ("GET", "/static/vendor/plotly.min.js"), ("POST", "/api/login"),
                              ("POST", "/login")]
    before = audit_size(world)
    refused: dict[str, list[str]] = {"401": [], "403": []}
    for method, path in walked:
        if (method, path) in public:
            continue
        stranger = call(world, method, path)
        if stranger.status_code != 401:
            refused["401"].append(f"{method} {path}: {stranger.status_code}")
        outsider = call(world, method, path, world.as_(witness(method, path)))
        if outsider.status_code != 403:
            refused["403"].append(f"{method} {path} as {witness(method, path)}: {outsider.status_code} "
                                  f"{outsider.text[:120]}")
    assert refused == {"401": [], "403": []}
    assert audit_size(world) == before  # nothing refused left a trace


def test_a_calendar_token_reads_the_feeds_and_nothing_else(world: World):
    calendar = world.as_("nasa_calendar")
    for method, path in routes(world.client.app):
        if is_public(method, concrete(world, path)) or path == "/static":
            continue
        r = call(world, method, path, calendar)
        if method == "GET" and any(f in path for f in FEEDS):
            assert r.status_code == 200 and r.headers["content-type"].startswith("text/calendar"), path
        else:
            assert r.status_code == 403, (method, path, r.status_code)


def test_strangers_see_the_login_page_and_unknown_paths_are_401_too(world: World):
    c = world.client
    page = c.get(f"/scenarios/{world.ids['scenario_id']}", headers=HTML)
    assert page.status_code == 401 and 'action="/login"' in page.text
    assert f'value="/scenarios/{world.ids["scenario_id"]}"' in page.text  # back there after logging in
    r = c.get("/api/no-such-thing")
    assert r.status_code == 401 and r.headers["www-authenticate"].startswith("Bearer")
    assert c.get("/api/scenarios", headers={"Authorization": "Bearer mxt_made-up"}).status_code == 401
    assert c.get("/api/scenarios", headers={"Authorization": "Basic YWRtaW46eA=="}).status_code == 401
    assert c.get("/static/app.css").status_code == 200  # the package's own assets are public


def test_tokens_are_stored_as_hashes_only(world: World):
    """Not one secret appears in the database files, only its SHA-256."""
    import hashlib

    world.client.get("/api/me", headers=world.as_("nasa"))  # the WAL has seen traffic too
    files = b"".join(p.read_bytes() for p in world.db_path.parent.glob("web.db*"))
    for secret in world.tokens.values():
        assert secret.encode() not in files
        assert hashlib.sha256(secret.encode()).hexdigest().encode() in files
    listed = world.client.get("/api/tokens", headers=world.as_("nasa")).json()
    assert listed and all("token" not in t and "secret_hash" not in t for t in listed)


def test_a_token_is_revocable_and_expires(world: World):
    c = world.client
    made = c.post("/api/tokens", json={"label": "short", "days": 1, "scopes": ["read"]},
                  headers=world.as_("nasa"))
    assert made.status_code == 201 and made.json()["token"].startswith("mxt_")
    secret, tid = made.json()["token"], made.json()["id"]
    assert c.get("/api/me", headers=bearer(secret)).json()["scopes"] == ["read"]
    accounts = c.app.state.accounts
    with pytest.raises(Exception, match="expired on"):
        accounts.authenticate(secret, now=datetime.now(UTC) + timedelta(days=2))
    assert c.delete(f"/api/tokens/{tid}", headers=world.as_("ros")).status_code == 403  # not theirs
    assert c.delete(f"/api/tokens/{tid}", headers=world.as_("nasa")).status_code == 200
    gone = c.get("/api/me", headers=bearer(secret))
    assert gone.status_code == 401 and "revoked" in gone.json()["detail"]
    assert c.delete(f"/api/tokens/{tid}", headers=world.as_("nasa")).status_code == 409
    too_much = c.post("/api/tokens", json={"days": 400}, headers=world.as_("nasa"))
    assert too_much.status_code == 422
    wider = c.post("/api/tokens", json={"scopes": ["read", "write"]}, headers=bearer(
        make_user(accounts, "nasa", scopes=("read", "write"))))
    assert wider.status_code == 201


def test_log_in_and_out_with_a_page_session(world: World):
    c = TestClient(world.client.app)  # its own cookie jar
    wrong = c.post("/api/login", json={"name": "nasa", "password": "not-it"})
    assert wrong.status_code == 401 and wrong.json()["detail"] == "wrong user name or password"
    assert c.post("/api/login", json={"name": "nobody", "password": "not-it"}).status_code == 401
    form = c.post("/login", data={"name": "nasa", "password": "nasa-password", "next": "//evil.example/"},
                  follow_redirects=False)
    assert form.status_code == 303 and form.headers["location"] == "/"  # never to another site
    cookie = form.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie.replace("Strict", "strict")
    assert c.get("/api/me").json()["via"] == "session"
    sid = world.ids["scenario_id"]
    assert "rubio" in c.get(f"/scenarios/{sid}/crew").text
    # a page session cannot be used by another site's form
    evil = c.post(f"/scenarios/{sid}/crew", data=BODIES[("POST", "/scenarios/{scenario_id}/crew")]["data"],
                  headers={"origin": "http://evil.example"})
    assert evil.status_code == 403
    assert c.post("/logout", follow_redirects=False).status_code == 303
    assert c.get("/api/me").status_code == 401


def test_administrators_manage_users(world: World):
    c = world.client
    admin = world.as_("admin")
    made = c.post("/api/users", json={"name": "esa-planner", "agency": "ESA", "password": "long-enough"},
                  headers=admin)
    assert made.status_code == 201 and made.json()["agency"] == "ESA"
    again = c.post("/api/users", json={"name": "esa-planner", "agency": "ESA"}, headers=admin)
    assert again.status_code == 409
    bad = c.post("/api/users", json={"name": "../root", "agency": "ESA", "password": "short"}, headers=admin)
    assert bad.status_code == 422 and {e["loc"][-1] for e in bad.json()["detail"]} == {"name", "password"}
    both = c.post("/api/users", json={"name": "x", "agency": "ESA", "is_admin": True}, headers=admin)
    assert both.status_code == 422
    login = TestClient(c.app).post("/api/login", json={"name": "esa-planner", "password": "long-enough"})
    assert login.status_code == 200
    uid = made.json()["id"]
    token = make_user(c.app.state.accounts, "esa-planner")
    assert c.patch(f"/api/users/{uid}", json={"disabled": True}, headers=admin).json()["disabled"]
    refused = c.get("/api/me", headers=bearer(token))
    assert refused.status_code == 401 and "disabled" in refused.json()["detail"]
    c.patch(f"/api/users/{uid}", json={"disabled": False}, headers=admin)
    assert c.get("/api/me", headers=bearer(token)).status_code == 200
    actions = [e["action"] for e in c.get("/api/audit", params={"limit": 5000}, headers=admin).json()]
    assert {"user.add", "user.change", "token.create", "token.revoke", "login"} <= set(actions)


def test_the_users_command_makes_the_first_administrator(tmp_path: Path):
    import typer
    from typer.testing import CliRunner

    from mixedcrew.cli import web as commands

    app = typer.Typer()
    commands.register(app)
    db = f"sqlite:///{tmp_path / 'cli.db'}"
    run = CliRunner().invoke
    added = run(app, ["users", "add", "root", "--admin", "--password-stdin", "--db", db],
                input="s3cret-pass\n")
    assert added.exit_code == 0, added.output
    assert "added administrator root" in added.output
    token = run(app, ["users", "token", "root", "--label", "ci", "--db", db])
    assert token.exit_code == 0 and token.stdout.strip().startswith("mxt_")
    assert run(app, ["users", "add", "root", "--admin", "--no-password", "--db", db]).exit_code == 2
    assert run(app, ["users", "add", "nobody", "--db", db]).exit_code == 2  # neither --agency nor --admin
    assert run(app, ["users", "add", "n1", "--agency", "NASA", "--no-password", "--db", db]).exit_code == 0
    listed = run(app, ["users", "list", "--db", db]).output
    assert "root\tadministrator\tactive" in listed and "n1\tNASA\tactive" in listed
    with TestClient(create_app(WebSettings(db_url=db))) as c:
        secret = token.stdout.strip()
        assert c.get("/api/me", headers=bearer(secret)).json()["is_admin"] is True
        assert c.post("/api/login", json={"name": "root", "password": "s3cret-pass"}).status_code == 200
    assert run(app, ["users", "disable", "n1", "--db", db]).exit_code == 0
    assert "n1\tNASA\tdisabled" in run(app, ["users", "list", "--db", db]).output
