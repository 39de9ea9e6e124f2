"""No 5xx from input: every route of the OpenAPI document driven with parameters generated from its
schema (hypothesis over the schema, as schemathesis does), on SQLite and on PostgreSQL; and the pages'
ids beyond 64 bits. Whatever is sent, the answer is below 500.

Bounded for CI: a few examples per route (MIXEDCREW_FUZZ_EXAMPLES raises it), no shrinking
database, one app per backend.
"""

from __future__ import annotations

import json
import os
import string
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest

pytest.importorskip("fastapi", reason="the web extra is not installed: pip install 'mixedcrew[web]'")

from fastapi.testclient import TestClient  # noqa: E402
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from webtools import SMALL, TEST_KINDS, make_user  # noqa: E402

from mixedcrew.web.app import create_app  # noqa: E402
from mixedcrew.web.settings import WebSettings  # noqa: E402

EXAMPLES = int(os.environ.get("MIXEDCREW_FUZZ_EXAMPLES", "15"))
# Past every column's range: 32-bit, 64-bit and beyond; the edges; and nonsense.
HOSTILE_INTS = st.sampled_from([0, -1, 2**31 - 1, 2**31, 2**63 - 1, 2**63, 2**64 + 1, 10**30, -(2**63) - 1])
# The ids of examples/small.toml (stored first), so generated requests also reach the rows.
KNOWN = ["ISS", "NASA", "ROSCOSMOS", "JAXA", "MS22", "MS23", "SPXC5", "USOS", "ROS", "cassada", "rubio",
         "crew-dragon", "soyuz-ms", "endeavour", "baikonur-31", "aboard", "stays", "ports", "people",
         "flights", "assignments", "open", "read", "write", "calendar", "check", "slow", "admin",
         "nasa-roscosmos-integrated-crews", "rassvet", "ksc-39a", "wakata", "kikina"]
TEXT = st.one_of(st.sampled_from(KNOWN), st.text(max_size=40),
                 st.text(alphabet=string.printable, max_size=300),
                 st.sampled_from(["\x00", "a\x00b", "'; DROP TABLE audit_log; --", "../../etc/passwd",
                                  "%00", "\u202e", "9" * 400, "NaN", "-Infinity", "1e309"]))
# Run last: they may take the test's own credential away (which answers 401, still not a 5xx).
LAST = ("/api/tokens/{token_id}", "/api/users/{user_id}", "/api/logout", "/logout",
        "/account/tokens/{token_id}/revoke", "/admin/users/{user_id}/disabled")


def _ref(spec: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[1]
        schema = spec["components"]["schemas"][name]
    return schema


def from_schema(spec: dict[str, Any], schema: dict[str, Any], depth: int = 0) -> st.SearchStrategy[Any]:
    """Values shaped by the schema, often at or past its bounds, mixed with values of other shapes."""
    schema = _ref(spec, schema)
    anything = st.recursive(st.none() | st.booleans() | HOSTILE_INTS | st.floats() | TEXT,
                            lambda inner: st.lists(inner, max_size=3)
                            | st.dictionaries(st.text(max_size=8), inner, max_size=3), max_leaves=6)
    if depth > 3:
        return anything
    options = schema.get("anyOf") or schema.get("oneOf")
    if options:
        return st.one_of([from_schema(spec, o, depth + 1) for o in options])
    if "enum" in schema:
        return st.one_of(st.sampled_from(schema["enum"]), TEXT)
    kind = schema.get("type")
    shaped: st.SearchStrategy[Any]
    if kind == "integer":
        low, high = schema.get("minimum"), schema.get("maximum")
        shaped = st.one_of(st.integers(min_value=low, max_value=high) if low is not None or high is not None
                           else st.integers(), HOSTILE_INTS, st.integers(min_value=1, max_value=3))
    elif kind == "number":
        shaped = st.one_of(st.floats(allow_nan=True, allow_infinity=True), HOSTILE_INTS)
    elif kind == "boolean":
        shaped = st.booleans()
    elif kind == "string":
        shaped = TEXT
        if schema.get("format") == "date-time":
            shaped = st.one_of(st.datetimes().map(lambda d: d.isoformat() + "Z"), TEXT)
    elif kind == "array":
        item = from_schema(spec, schema.get("items", {}), depth + 1)
        shaped = st.lists(item, max_size=4)
    elif kind == "object" or "properties" in schema:
        props = schema.get("properties", {})
        required = set(schema.get("required", []))
        shaped = st.fixed_dictionaries(
            {k: from_schema(spec, v, depth + 1) for k, v in props.items() if k in required},
            optional={k: from_schema(spec, v, depth + 1) for k, v in props.items() if k not in required})
    else:
        return anything
    return st.one_of(shaped, shaped, shaped, shaped, anything)  # mostly shaped, sometimes anything


def operations(spec: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    ops = [(path, method, op) for path, methods in spec["paths"].items() for method, op in methods.items()]
    return sorted(ops, key=lambda o: (o[0] in LAST, o[0], o[1]))


def request_for(spec: dict[str, Any], path: str, op: dict[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
    """A request to `path`: path and query parameters, and a body as the operation takes one."""
    params = {p["name"]: (p["in"], from_schema(spec, p.get("schema", {}))) for p in op.get("parameters", [])}
    body = (op.get("requestBody") or {}).get("content", {})
    parts: dict[str, st.SearchStrategy[Any]] = {name: s for name, (_, s) in params.items()}
    if "application/json" in body:
        parts["__json__"] = from_schema(spec, body["application/json"].get("schema", {}))
    elif "application/x-www-form-urlencoded" in body:
        form = _ref(spec, body["application/x-www-form-urlencoded"].get("schema", {}))
        parts["__form__"] = st.fixed_dictionaries({}, optional={
            k: from_schema(spec, v).map(lambda x: x if isinstance(x, str) else str(x))
            for k, v in form.get("properties", {}).items()})
    elif "multipart/form-data" in body:
        parts["__file__"] = st.one_of(st.binary(max_size=300), st.just(SMALL.read_bytes()),
                                      st.just(b"[scenario]\nname = 'x'\n" + b"a.a" * 2000 + b" = 1\n"))
    kinds = {name: where for name, (where, _) in params.items()}
    return st.fixed_dictionaries(parts).map(lambda values: {"values": values, "in": kinds})


def send(client: TestClient, method: str, path: str, req: dict[str, Any]) -> Any:
    values, where = req["values"], req["in"]
    url = path
    query = {}
    for name, value in values.items():
        if where.get(name) == "path":
            url = url.replace("{" + name + "}", quote(str(value), safe="") or "x")
        elif where.get(name) == "query" and value is not None:
            query[name] = value if isinstance(value, str | int | float) else str(value)
    kwargs: dict[str, Any] = {"params": query}
    if "__json__" in values:  # encoded here: NaN and Infinity go out as Python writes them
        kwargs["content"] = json.dumps(values["__json__"])
        kwargs["headers"] = {"content-type": "application/json"}
    if "__form__" in values:
        kwargs["data"] = values["__form__"]
    if "__file__" in values:
        kwargs["files"] = {"file": ("fuzz.toml", values["__file__"])}
    return client.request(method.upper(), url, follow_redirects=False, **kwargs)


@pytest.fixture(params=["sqlite", "postgresql"])
def fuzz_client(request: pytest.FixtureRequest, tmp_path: Any) -> Iterator[TestClient]:
    url = (f"sqlite:///{tmp_path / 'fuzz.db'}" if request.param == "sqlite"
           else str(request.getfixturevalue("postgres_url")))
    with TestClient(create_app(WebSettings(db_url=url), kinds=TEST_KINDS),
                    raise_server_exceptions=False) as client:
        client.headers["Authorization"] = f"Bearer {make_user(client.app.state.accounts, 'admin')}"
        sid = client.post("/api/scenarios", files={"file": ("small.toml", SMALL.read_bytes())}).json()["id"]
        client.post(f"/api/scenarios/{sid}/jobs", json={"kind": "check", "params": {}})
        yield client


def pages_spec() -> dict[str, Any]:
    """An OpenAPI document of the HTML pages too (they are left out of /openapi.json): their path,
    query and form parameters, so they are driven like the API."""
    from fastapi.openapi.utils import get_openapi
    from fastapi.routing import APIRoute

    from mixedcrew.web.access import pages as access_pages
    from mixedcrew.web.editing import pages as editing_pages
    from mixedcrew.web.jobs import pages as jobs_pages
    from mixedcrew.web.scenarios import pages as scenarios_pages

    shown = [APIRoute(r.path, r.endpoint, methods=sorted(r.methods or ()), include_in_schema=True)
             for feature in (scenarios_pages, access_pages, editing_pages, jobs_pages)
             for r in feature.router.routes if isinstance(r, APIRoute)]
    return get_openapi(title="pages", version="0", routes=shown)


def test_no_route_answers_5xx_to_generated_input(fuzz_client: TestClient):
    """Every route of /openapi.json, then every HTML page, with generated parameters and bodies."""
    client = fuzz_client
    api = client.get("/openapi.json").json()
    assert len(operations(api)) > 30  # the whole API, not a part of it
    failures: list[str] = []
    pages = pages_spec()
    assert len(operations(pages)) > 20  # every page
    for spec in (api, pages):
        _drive_all(client, spec, failures)
    assert failures == []


def _drive_all(client: TestClient, spec: dict[str, Any], failures: list[str]) -> None:
    ops = operations(spec)
    for n, (path, method, op) in enumerate(ops):
        if client.get("/api/me").status_code == 401:  # an earlier route revoked or disabled it
            client.headers["Authorization"] = f"Bearer {make_user(client.app.state.accounts, f'fuzzer{n}')}"
        try:
            _driver(client, path, method, request_for(spec, path, op), failures)()
        except AssertionError:
            pass  # recorded; go on to the other routes, so one run names every route that fails


def _driver(client: TestClient, path: str, method: str, requests: st.SearchStrategy[dict[str, Any]],
            failures: list[str]) -> Any:
    @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    @given(req=requests)
    def drive(req: dict[str, Any]) -> None:
        r = send(client, method, path, req)
        if r.status_code >= 500:
            failures.append(f"{method.upper()} {path} {req['values']!r:.300} -> {r.status_code} "
                            f"{r.text[:200]}")
            raise AssertionError(failures[-1])

    return drive


@pytest.mark.parametrize("path", ["/jobs/{n}", "/scenarios/{n}", "/scenarios/1/audit?after={n}",
                                  "/scenarios/{n}/crew", "/scenarios/{n}/proposals",
                                  "/api/scenarios/1/source?revision={n}", "/api/scenarios/1/audit?after={n}"])
def test_ids_beyond_any_column_are_refused_not_crashed(client: TestClient, path: str):
    """The ten routes that answered 500 to a 65-bit id (and their neighbours): 404 or 422 now."""
    client.post("/api/scenarios", files={"file": ("small.toml", SMALL.read_bytes())})
    for n in (2**31, 2**63, 2**64 + 1, 10**30, -1):
        r = client.get(path.format(n=n), headers={"accept": "text/html"})
        assert r.status_code in (404, 422), (path, n, r.status_code)
