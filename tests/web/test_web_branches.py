"""What-if branches: a revision branched under a name is a scenario of its own; editing it leaves the
live manifest alone; the comparison page shows both with what differs and the violations before and
after; proposed back, the branch's changes go through the same approvals as any change (and are
refused as stale when the live manifest changed the same seats since)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

pytest.importorskip("fastapi", reason="the web extra is not installed: pip install 'mixedcrew[web]'")

from test_web_rights import LATER, Agencies, assign  # noqa: E402

from mixedcrew import loads_scenario  # noqa: E402
from mixedcrew.web.branches.ops import ops_between  # noqa: E402
from mixedcrew.web.editing.changes import ChangeIn, plan_change  # noqa: E402

HTML = {"accept": "text/html"}


@pytest.fixture
def world(client: Any) -> Iterator[Agencies]:
    yield Agencies(client)


def branch(world: Agencies, who: str, name: str, revision: int | None = None) -> int:
    r = world.c.post(f"/api/scenarios/{world.sid}/branches", json={"name": name, "revision": revision},
                     headers=world.as_(who))
    assert r.status_code == 201, r.text
    assert r.json()["of"] == world.sid
    return int(r.json()["id"])


def on(world: Agencies, sid: int, who: str, *ops: dict[str, Any]) -> Any:
    return world.c.post(f"/api/scenarios/{sid}/changes", json={"ops": list(ops)}, headers=world.as_(who))


def riders(world: Agencies, sid: int, flight: str) -> list[str | None]:
    maps = world.c.get(f"/api/scenarios/{sid}/seats", headers=world.as_("admin")).json()["flights"]
    up = next(m for m in maps if m["flight"] == flight and m["direction"] == "up")
    return [s["person"] for s in up["seats"]]


def test_a_branch_is_edited_apart_from_the_live_manifest_and_compared_with_it(world: Agencies):
    live_before = world.c.get(f"/api/scenarios/{world.sid}/source", headers=world.as_("admin")).content
    bid = branch(world, "ros", "Borisov on Crew-7")
    assert on(world, bid, "ros", assign("borisov", "SPXC7")).status_code == 201
    assert "borisov" in riders(world, bid, "SPXC7")
    assert "borisov" not in riders(world, world.sid, "SPXC7")
    live_after = world.c.get(f"/api/scenarios/{world.sid}/source", headers=world.as_("admin")).content
    assert live_after == live_before
    listed = world.c.get(f"/api/scenarios/{world.sid}/branches", headers=world.as_("nasa")).json()
    assert [(b["id"], b["name"], b["revision"]) for b in listed] == [(bid, "Borisov on Crew-7", 1)]
    data = world.c.get(f"/api/scenarios/{bid}/compare", headers=world.as_("nasa")).json()
    assert data["base"] == world.sid and data["is_origin"]
    assert any("Borisov" in line and "Crew-7" in line for line in data["lines"])
    assert data["ops"] == [{"op": "assign", "person": "borisov", "up": "SPXC7", "down": "SPXC7",
                            "role": "crew"}]
    added = data["changes"]["violations"]["added"]  # Crew-7 with Borisov alone: no commander, ...
    gone = data["changes"]["violations"]["gone"]  # ... and some stretch of the station covered again
    assert len(data["violations"]["after"]) == len(data["violations"]["before"]) + len(added) - len(gone)
    assert "COMMANDER" in {v["rule"] for v in added}
    page = world.c.get(f"/scenarios/{bid}/compare", headers={**HTML, **world.as_("nasa")}).text
    assert 'id="chart-compare"' in page and 'id="violations-before"' in page and "propose-back-form" in page
    fig = world.c.get(f"/api/scenarios/{bid}/compare/figure", headers=world.as_("nasa"))
    assert fig.status_code == 200 and fig.json()["data"]
    home = world.c.get(f"/scenarios/{bid}", headers={**HTML, **world.as_("nasa")}).text
    assert 'id="branch-origin"' in home and "Borisov on Crew-7" in home


def test_proposed_back_it_waits_for_the_same_approvals_then_applies(world: Agencies):
    bid = branch(world, "ros", "Borisov on Crew-7")
    assert on(world, bid, "ros", assign("borisov", "SPXC7")).status_code == 201
    r = world.c.post(f"/scenarios/{bid}/propose-back", headers={**HTML, **world.as_("nasa")},
                     follow_redirects=False)
    assert r.status_code == 303 and f"/scenarios/{world.sid}/proposals#proposal-" in r.headers["location"]
    pid = int(r.headers["location"].rsplit("-", 1)[1])
    p = world.c.get(f"/api/proposals/{pid}", headers=world.as_("ros")).json()
    assert p["needs"] == ["ROSCOSMOS"] and p["base_revision"] == 1
    assert p["sentence"].startswith("NASA proposes to assign Borisov, Konstantin (ROSCOSMOS) to Crew-7")
    assert world.decide("ros", pid).json()["state"] == "applied"
    assert "borisov" in riders(world, world.sid, "SPXC7")


def test_a_branch_proposed_back_after_the_live_seats_changed_is_stale(world: Agencies):
    bid = branch(world, "nasa", "O'Hara on MS-24")
    assert on(world, bid, "nasa", assign("ohara", "MS24")).status_code == 201
    assert world.change("ros", assign("kononenko", "MS24")).status_code == 201  # live, same seats, later
    r = world.c.post(f"/scenarios/{bid}/propose-back", headers={**HTML, **world.as_("nasa")})
    assert r.status_code == 409 and "seats:MS24 was changed in revision" in r.text
    assert "ohara" not in riders(world, world.sid, "MS24")


def test_nothing_to_propose_and_no_origin_are_said_plainly(world: Agencies):
    bid = branch(world, "nasa", "unchanged")
    same = world.c.post(f"/scenarios/{bid}/propose-back", headers={**HTML, **world.as_("nasa")})
    assert same.status_code == 422 and "does not differ from scenario" in same.text
    alone = world.c.get(f"/api/scenarios/{world.sid}/compare", headers=world.as_("nasa"))
    assert alone.status_code == 422 and "is not a branch" in alone.text
    assert world.c.get(f"/api/scenarios/{world.sid}/compare", params={"with": bid},
                       headers=world.as_("nasa")).json()["ops"] == []


def test_the_operations_between_two_manifests_turn_one_into_the_other():
    """ops_between is exact: applied to the first manifest they give the second's rides and flights."""
    live = loads_scenario(LATER)
    moved = live.model_copy(update={
        "assignments": tuple(a for a in live.assignments if a.person != "rubio") + (
            live.assignments[0].model_copy(update={"person": "ohara", "up": "MS24", "down": "MS24"}),),
        "flights": tuple(f.model_copy(update={"port": "poisk"}) if f.id == "MS24" else f
                         for f in live.flights)})
    ops = ops_between(live, moved)
    assert [o["op"] for o in ops][:1] == ["unassign"] and {"op": "set_flight", "flight": "MS24",
                                                           "port": "poisk"} in ops
    done = plan_change(live, ChangeIn.model_validate({"ops": ops}).ops).scenario
    key = lambda s: sorted((a.person, a.up, a.down or "") for a in s.assignments)  # noqa: E731
    assert key(done) == key(moved) and done.flight_by_id["MS24"].port == "poisk"
