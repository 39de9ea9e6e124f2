"""Bad and hostile input: oversized bodies, deeply nested JSON, SQL-looking strings, script tags in
names, path tricks in upload names. Each gets a clear 4xx and changes nothing; a property test fuzzes
the API's inputs."""

from __future__ import annotations

from typing import Any

import pytest

pytest.importorskip("fastapi", reason="the web extra is not installed: pip install 'mixedcrew[web]'")

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from webtools import SMALL, bearer, make_user  # noqa: E402

HTML = {"accept": "text/html"}
SQL = "Robert'); DROP TABLE users; --"
SCRIPT = "<script>alert('crew')</script><img src=x onerror=alert(1)>"


class World:
    def __init__(self, client: Any):
        self.c = client
        self.admin = dict(client.headers)
        stored = client.post("/api/scenarios", files={"file": ("small.toml", SMALL.read_bytes())})
        self.sid = stored.json()["id"]
        self.nasa = bearer(make_user(client.app.state.accounts, "nasa", "NASA"))

    def state(self) -> tuple[int, int, int, int]:
        """(head revision, audit rows, proposals, scenarios): what a refused request must leave alone."""
        c, a = self.c, self.admin
        return (c.get(f"/api/scenarios/{self.sid}", headers=a).json()["revision"],
                len(c.get("/api/audit", params={"limit": 5000}, headers=a).json()),
                len(c.get(f"/api/scenarios/{self.sid}/proposals", headers=a).json()),
                len(c.get("/api/scenarios", headers=a).json()))

    def change(self, body: Any, **kw: Any) -> Any:
        return self.c.post(f"/api/scenarios/{self.sid}/changes", headers=self.nasa, json=body, **kw)


@pytest.fixture
def world(client: Any) -> World:
    return World(client)


def test_oversized_json_bodies_are_refused_unread(world: World, web_settings: Any):
    before = world.state()
    huge = {"ops": [{"op": "set_availability", "person": "rubio", "available": {"from": "2022-01-01"}}],
            "note": "x" * (web_settings.max_json_bytes + 1)}
    r = world.change(huge)
    assert r.status_code == 413 and f"over {web_settings.max_json_bytes} bytes" in r.json()["detail"]

    def chunks():  # no Content-Length: counted while it streams in
        yield b'{"ops": [], "note": "'
        for _ in range(40):
            yield b"y" * 8192
        yield b'"}'

    r = world.c.post(f"/api/scenarios/{world.sid}/changes", content=chunks(),
                     headers={**world.nasa, "content-type": "application/json"})
    assert r.status_code == 413
    big_upload = b"#" * (web_settings.max_upload_bytes + 70_000)
    r = world.c.post("/api/scenarios", files={"file": ("big.toml", big_upload)})
    assert r.status_code == 413 and str(web_settings.max_upload_bytes) in r.json()["detail"]
    assert world.state() == before


def test_deeply_nested_json_is_refused_with_the_reason(world: World):
    before = world.state()
    for depth in (100_000, 1000, 33):
        body = '{"ops": [' + "[" * depth + "]" * depth + "]}"
        r = world.c.post(f"/api/scenarios/{world.sid}/changes", content=body,
                         headers={**world.nasa, "content-type": "application/json"})
        assert r.status_code == 422, depth
        item = r.json()["detail"][0]
        assert item["type"] == "json_too_deep" and "at most 32" in item["msg"]
    assert world.c.post("/api/tokens", content="[" * 5000, headers={
        **world.nasa, "content-type": "application/json"}).status_code == 422
    malformed = world.c.post(f"/api/scenarios/{world.sid}/changes", content='{"ops": [}',
                             headers={**world.nasa, "content-type": "application/json"})
    assert malformed.status_code == 422 and malformed.json()["detail"][0]["type"] == "json_invalid"
    assert world.state() == before
    brackets_in_text = world.change({"ops": [{"op": "set_availability", "person": "rubio",
                                              "available": {"from": "2022-01-01"}}], "note": "[" * 400})
    assert brackets_in_text.status_code == 201  # inside a string they are text, not nesting


def test_sql_looking_strings_are_stored_as_text_or_refused(world: World):
    r = world.change({"ops": [{"op": "put_person", "person": {"id": "tables", "name": SQL, "agency": "NASA",
                                                              "segments": ["USOS"]}}], "note": SQL})
    assert r.status_code == 201
    people = world.c.get(f"/api/scenarios/{world.sid}/people", headers=world.nasa).json()["people"]
    assert next(p["name"] for p in people if p["id"] == "tables") == SQL
    assert len(world.c.get("/api/users", headers=world.admin).json()) == 2  # the table is there
    before = world.state()
    bad_id = world.change({"ops": [{"op": "set_availability", "person": "x'; DROP TABLE users; --",
                                    "available": {}}]})
    assert bad_id.status_code == 422 and "pattern" in bad_id.text
    assert world.c.get(f"/api/scenarios/{world.sid}/people", params={"agency": "' OR '1'='1"},
                       headers=world.nasa).json()["people"] == []
    assert world.c.get(f"/api/scenarios/{world.sid}/proposals", params={"state": "open' OR 1=1 --"},
                       headers=world.nasa).status_code == 422
    assert world.c.post("/api/login", json={"name": "admin' --", "password": "' OR ''='"}).status_code == 401
    assert world.c.get("/api/scenarios/1 OR 1=1", headers=world.nasa).status_code == 422
    assert world.state() == before


def test_script_tags_in_names_are_shown_as_text(world: World):
    r = world.change({"ops": [
        {"op": "put_person", "person": {"id": "xss", "name": SCRIPT, "agency": "NASA", "segments": ["USOS"]}},
        {"op": "assign", "person": "xss", "up": "MS23"}], "note": SCRIPT})
    assert r.status_code == 202  # a seat on a ROSCOSMOS Soyuz: a proposal
    pid = r.json()["proposal"]["id"]
    ros = bearer(make_user(world.c.app.state.accounts, "ros", "ROSCOSMOS"))
    assert world.c.post(f"/api/proposals/{pid}/approve", headers=ros).json()["state"] == "applied"
    pages = [f"/scenarios/{world.sid}", f"/scenarios/{world.sid}/crew", f"/scenarios/{world.sid}/audit",
             f"/scenarios/{world.sid}/proposals"]
    for path in pages:
        page = world.c.get(path, headers={**world.nasa, **HTML})
        assert page.status_code == 200, path
        assert "<script>alert" not in page.text and "<img src=x" not in page.text, path
        assert "script-src 'self'" in page.headers["content-security-policy"]
    crew = world.c.get(f"/scenarios/{world.sid}/crew", headers={**world.nasa, **HTML}).text
    assert "&lt;script&gt;alert(&#39;crew&#39;)&lt;/script&gt;" in crew
    proposals = world.c.get(f"/scenarios/{world.sid}/proposals", headers={**world.nasa, **HTML}).text
    assert "&lt;script&gt;" in proposals  # the note, as text


@pytest.mark.parametrize("name", [
    "../../etc/passwd", "..\\..\\windows\\win.ini", "/etc/passwd.toml", "a/../../b.toml", "..", ".",
    "x\x00.toml", "x\n.toml", 'x".toml', "\u202elmot.exe", "C:\\temp\\x.toml", "x" * 300 + ".toml"])
def test_path_tricks_in_upload_names_are_refused(world: World, name: str):
    before = world.state()
    for url in ("/api/scenarios", f"/api/scenarios/{world.sid}/revisions"):
        r = world.c.post(url, files={"file": (name, SMALL.read_bytes())})
        assert r.status_code == 422, (url, name)
        item = r.json()["detail"][0]
        assert item["loc"] == ["body", "file", "filename"] and "not a plain file name" in item["msg"]
    assert world.state() == before


def test_path_tricks_in_urls_find_nothing(world: World):
    for path in (f"/api/scenarios/{world.sid}/calendars/person/..%2F..%2Fetc%2Fpasswd.ics",
                 f"/api/scenarios/{world.sid}/export/..%2F..%2Fapp.csv", "/static/..%2Fapp.py",
                 "/static/../app.py", "/static/%2e%2e/app.py", f"/api/scenarios/{world.sid}/figures/..%2Fx"):
        r = world.c.get(path, headers=world.nasa)
        assert r.status_code == 404, path
        assert "import" not in r.text


# --- fuzzing the API's inputs ------------------------------------------------------------------

IDS = ["rubio", "petelin", "kikina", "MS22", "SPXC5", "MS23", "NASA", "ROSCOSMOS", "nobody"]
NASTY = st.sampled_from([SQL, SCRIPT, "", " ", "\x00", "é" * 3, "../x", "%s%n", "null", "1e309", "🚀"])
TEXT = st.one_of(st.sampled_from(IDS), NASTY, st.text(max_size=20))
INSTANT = st.one_of(st.sampled_from(["2022-01-01", "2023-02-03T04:05:06Z", "2023-02-30", "yesterday",
                                     "2023-01-01T00:00:00"]), TEXT)
SCALAR = st.one_of(st.none(), st.booleans(), st.integers(-10**20, 10**20),
                   st.floats(allow_nan=False, allow_infinity=False), TEXT)
JSON = st.recursive(SCALAR, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                    st.dictionaries(TEXT, inner, max_size=4)), max_leaves=12)
OP = st.one_of(
    st.fixed_dictionaries({"op": st.just("assign"), "person": TEXT, "up": TEXT},
                          optional={"down": st.one_of(st.none(), TEXT), "role": TEXT, "agency": TEXT}),
    st.fixed_dictionaries({"op": st.just("unassign"), "person": TEXT, "up": TEXT}),
    st.fixed_dictionaries({"op": st.just("set_availability"), "person": TEXT,
                           "available": st.fixed_dictionaries({}, optional={"from": INSTANT,
                                                                            "until": INSTANT})}),
    st.fixed_dictionaries({"op": st.just("set_training"), "person": TEXT, "trained": st.lists(
        st.fixed_dictionaries({"vehicle_type": TEXT, "ready": INSTANT}, optional={"commander": SCALAR}),
        max_size=3)}),
    st.fixed_dictionaries({"op": st.just("put_person"), "person": st.fixed_dictionaries(
        {"id": TEXT, "name": TEXT, "agency": TEXT}, optional={"segments": st.lists(TEXT, max_size=2)})}),
    st.fixed_dictionaries({"op": st.sampled_from(["set_flight", "put_agreement", "remove_person", "nope"]),
                           "flight": TEXT, "person": TEXT}),
    st.dictionaries(TEXT, JSON, max_size=4),
)
BODY = st.one_of(
    st.fixed_dictionaries({"ops": st.lists(OP, max_size=4)},
                          optional={"note": TEXT, "base_revision": st.one_of(st.integers(-2, 5), TEXT)}),
    JSON)


def test_fuzzed_changes_are_applied_proposed_or_refused_and_refusals_change_nothing(world: World):
    """Any JSON as a change: 201 (one more revision), 202 (one more proposal), or a 4xx changing nothing."""

    @settings(max_examples=120, deadline=None, suppress_health_check=list(HealthCheck))
    @given(BODY)
    def post(body: Any) -> None:
        before = world.state()
        r = world.change(body)
        after = world.state()
        assert r.status_code in (201, 202, 403, 409, 422), (r.status_code, r.text)
        assert r.headers["content-type"].startswith("application/json")
        if r.status_code == 201:
            assert after[0] == before[0] + 1 and after[1] > before[1] and after[2] == before[2]
        elif r.status_code == 202:
            assert after[0] == before[0] and after[2] == before[2] + 1
        else:
            assert after == before, r.text
            detail = r.json()["detail"]
            assert detail and (isinstance(detail, str) or all(d["msg"] for d in detail))

    post()


def test_fuzzed_query_parameters_never_break_a_read(world: World):
    sid = world.sid

    @settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
    @given(TEXT, st.one_of(st.integers(-5, 10**12), TEXT), st.one_of(st.integers(-5, 10**6), TEXT))
    def read(word: str, after: Any, limit: Any) -> None:
        for path, params in ((f"/api/scenarios/{sid}/people", {"agency": word}),
                             (f"/api/scenarios/{sid}/audit", {"after": after, "limit": limit}),
                             (f"/api/scenarios/{sid}/proposals", {"state": word}),
                             (f"/api/scenarios/{sid}/aboard", {"at": word}),
                             (f"/api/scenarios/{sid}/source", {"revision": after})):
            r = world.c.get(path, params=params, headers=world.nasa)
            assert r.status_code in (200, 404, 422), (path, params, r.status_code, r.text[:200])

    read()
