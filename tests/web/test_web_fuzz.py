"""Property: every write route, fed mutated valid bodies, answers below 500 (issue 17 §8).

Bodies start valid — a scenario upload (tests/fuzzing.py's text and data
mutants, the review's attack shapes), a change, a token, a user, a job, a
rejection, a login — and are mutated: values of other types, huge or
negative numbers, NUL and newlines in text, keys dropped or added, nesting.
Every answer must be below 500; an accepted upload must load again.
Few examples (the suite must stay quick); GET routes with odd ids and
queries are driven by the OpenAPI test of the trust issue (test_web_api).
"""

from __future__ import annotations

import copy
import random
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("fastapi")

from fastapi.testclient import TestClient  # noqa: E402
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from webtools import SMALL, TEST_KINDS, make_user  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import fuzzing  # noqa: E402
from mixedcrew.web.app import create_app  # noqa: E402
from mixedcrew.web.settings import WebSettings  # noqa: E402

ODD: list[Any] = ["", "x", "\x00", "a\nb", "=HYPERLINK(1)", "ü" * 300, 0, -1, 10**20, 2**63, 1e308, -0.0,
                  True, None, [], {}, [1, [2, [3]]], {"a": {"b": {"c": {}}}}, "9999-12-31", "2022-06-01"]
BODIES: dict[str, dict[str, Any]] = {
    "change": {"ops": [{"op": "set_availability", "person": "rubio", "available": {"from": "2021-01-01"}},
                       {"op": "assign", "person": "rubio", "up": "MS22", "down": "MS22"}], "note": "n"},
    "token": {"label": "t", "days": 3, "scopes": ["read"]},
    "user": {"name": "newuser", "agency": "NASA", "password": "a long enough password"},
    "job": {"kind": "check", "params": {}},
    "reject": {"reason": "no"},
    "login": {"name": "nasa", "password": "wrong password"},
}


def mutate_json(rng: random.Random, body: Any) -> Any:
    body = copy.deepcopy(body)
    for _ in range(rng.randint(1, 3)):
        paths = list(_paths(body, ()))
        if not paths:
            return rng.choice(ODD)
        path = rng.choice(paths)
        parent = body
        for part in path[:-1]:
            parent = parent[part]
        op = rng.randrange(4)
        if op == 0:
            parent[path[-1]] = rng.choice(ODD)
        elif op == 1 and isinstance(parent, dict):
            del parent[path[-1]]
        elif op == 2 and isinstance(parent, dict):
            parent[rng.choice(["extra", "op", "id", "kind"])] = rng.choice(ODD)
        else:
            parent[path[-1]] = [parent[path[-1]]] * rng.choice([2, 50])
    return body


def _paths(node: Any, path: tuple[Any, ...]) -> Iterator[tuple[Any, ...]]:
    if isinstance(node, dict):
        for k, v in node.items():
            yield (*path, k)
            yield from _paths(v, (*path, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield (*path, i)
            yield from _paths(v, (*path, i))


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, dict[str, str], int]]:
    folder = tmp_path_factory.mktemp("fuzz")
    web = WebSettings(db_url=f"sqlite:///{folder / 'web.db'}", heartbeat_s=0.2, stale_after_s=5.0,
                      max_jobs_per_user=50, max_jobs_per_agency=50)
    with TestClient(create_app(web, kinds=TEST_KINDS)) as c:
        accounts = c.app.state.accounts
        tokens = {"admin": make_user(accounts, "admin", days=30),
                  "nasa": make_user(accounts, "nasa", "NASA", password="a long nasa password", days=30)}
        sid = c.post("/api/scenarios", files={"file": ("small.toml", SMALL.read_bytes())},
                     headers={"Authorization": f"Bearer {tokens['admin']}"}).json()["id"]
        yield c, tokens, sid


FUZZ = settings(max_examples=15, deadline=None, derandomize=True, database=None,
                suppress_health_check=list(HealthCheck))


@FUZZ
@given(st.integers(0, 10**9))
def test_mutated_uploads_answer_below_500(world: Any, seed: int) -> None:
    c, tokens, sid = world
    rng = random.Random(seed)
    raw = (fuzzing.mutate_data if rng.random() < 0.4 else fuzzing.mutate_text)(rng, fuzzing.SMALL)
    auth = {"Authorization": f"Bearer {tokens['admin']}"}
    t0 = time.process_time()
    r = c.post("/api/scenarios", files={"file": (rng.choice(["s.toml", "a\x00.toml", "=x.toml"]), raw)},
               headers=auth)
    assert r.status_code < 500, r.text[:500]
    assert r.status_code in (201, 413, 422), r.status_code
    again = c.post(f"/api/scenarios/{sid}/revisions", files={"file": ("s.toml", raw)}, headers=auth)
    assert again.status_code < 500, again.text[:500]
    assert time.process_time() - t0 < 20


@FUZZ
@given(st.sampled_from(sorted(BODIES)), st.integers(0, 10**9))
def test_mutated_bodies_answer_below_500(world: Any, name: str, seed: int) -> None:
    c, tokens, sid = world
    rng = random.Random(seed)
    body = mutate_json(rng, BODIES[name])
    who = {"Authorization": f"Bearer {tokens['admin' if name in ('user', 'job') else 'nasa']}"}
    route = {"change": f"/api/scenarios/{sid}/changes", "token": "/api/tokens", "user": "/api/users",
             "job": f"/api/scenarios/{sid}/jobs", "reject": "/api/proposals/1/reject",
             "login": "/api/login"}[name]
    r = c.post(route, json=body, headers={} if name == "login" else who)
    assert r.status_code < 500, (route, body, r.text[:500])


def test_the_dotted_key_attack_upload_is_a_quick_422(world: Any) -> None:
    c, tokens, _ = world
    attack = (".".join(["k"] * 50_000) + " = 1\n").encode()
    t0 = time.process_time()
    r = c.post("/api/scenarios", files={"file": ("attack.toml", attack)},
               headers={"Authorization": f"Bearer {tokens['admin']}"})
    assert r.status_code == 422 and "dotted key of more than 16 parts" in r.text
    assert time.process_time() - t0 < 2.0
