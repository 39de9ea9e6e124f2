"""Rights: an agency edits its own people and fills the seats agreements give it; a change touching
another agency's person, seat or flight waits as a proposal for that agency; either side may reject;
a stale proposal is refused on approval with the reason; administrators manage vehicles, stations and
agreements."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

pytest.importorskip("fastapi", reason="the web extra is not installed: pip install 'mixedcrew[web]'")

from webtools import SMALL, bearer, make_user  # noqa: E402

# small.toml (Soyuz MS-22 and Crew-5 full, MS-23 uncrewed) with a later Soyuz and two later Dragons,
# and people to put on them. Agreement: each Soyuz gives NASA one seat, each Dragon ROSCOSMOS one.
LATER = SMALL.read_text(encoding="utf-8") + "".join(f"""
[[people]]
id = "{pid}"
name = "{name}"
agency = "{agency}"
segments = ["{seg}"]
trained = [{{ vehicle_type = "soyuz-ms", ready = 2022-01-01 }},
           {{ vehicle_type = "crew-dragon", ready = 2022-01-01 }}]
""" for pid, name, agency, seg in [
    ("ohara", "O'Hara, Loral", "NASA", "USOS"), ("moghbeli", "Moghbeli, Jasmin", "NASA", "USOS"),
    ("kononenko", "Kononenko, Oleg", "ROSCOSMOS", "ROS"), ("chub", "Chub, Nikolai", "ROSCOSMOS", "ROS"),
    ("borisov", "Borisov, Konstantin", "ROSCOSMOS", "ROS"), ("furukawa", "Furukawa, Satoshi", "JAXA", "USOS"),
]) + "".join(f"""
[[flights]]
id = "{fid}"
name = "{name}"
vehicle_type = "{vtype}"
station = "ISS"
port = "{port}"
launch = {launch}
dock = {dock}
undock = {undock}
land = {land}
""" for fid, name, vtype, port, launch, dock, undock, land in [
    ("MS24", "Soyuz MS-24", "soyuz-ms", "rassvet", "2023-09-15T15:44:36Z", "2023-09-15T21:38:00Z",
     "2024-04-06T03:54:00Z", "2024-04-06T07:17:00Z"),
    ("SPXC7", "Crew-7", "crew-dragon", "ida-2", "2023-08-26T07:27:27Z", "2023-08-27T13:16:00Z",
     "2024-03-11T15:20:00Z", "2024-03-12T09:47:00Z"),
    ("SPXC8", "Crew-8", "crew-dragon", "ida-3", "2024-03-04T03:53:38Z", "2024-03-05T07:28:00Z",
     "2024-10-23T10:05:00Z", "2024-10-25T07:29:00Z"),
])


class Agencies:
    """One client, a token per user; `as_(name)` sends as that user."""

    def __init__(self, client: Any):
        self.c = client
        accounts = client.app.state.accounts
        self.tokens = {name: make_user(accounts, name, agency) for name, agency in
                       [("admin", None), ("nasa", "NASA"), ("ros", "ROSCOSMOS"), ("jaxa", "JAXA")]}
        r = client.post("/api/scenarios", files={"file": ("later.toml", LATER.encode())},
                        headers=self.as_("admin"))
        assert r.status_code == 201, r.text
        self.sid = r.json()["id"]

    def as_(self, name: str) -> dict[str, str]:
        return bearer(self.tokens[name])

    def change(self, who: str, *ops: dict[str, Any], **extra: Any) -> Any:
        return self.c.post(f"/api/scenarios/{self.sid}/changes", json={"ops": list(ops), **extra},
                           headers=self.as_(who))

    def decide(self, who: str, pid: int, verb: str = "approve", reason: str = "") -> Any:
        body = {"json": {"reason": reason}} if verb == "reject" else {}
        return self.c.post(f"/api/proposals/{pid}/{verb}", headers=self.as_(who), **body)

    def head(self) -> int:
        return int(self.c.get(f"/api/scenarios/{self.sid}", headers=self.as_("admin")).json()["revision"])

    def person(self, pid: str) -> dict[str, Any]:
        people = self.c.get(f"/api/scenarios/{self.sid}/people", headers=self.as_("admin")).json()["people"]
        return next(p for p in people if p["id"] == pid)

    def riders(self, flight: str) -> list[str | None]:
        maps = self.c.get(f"/api/scenarios/{self.sid}/seats", headers=self.as_("admin")).json()["flights"]
        m = next(m for m in maps if m["flight"] == flight and m["direction"] == "up")
        return [s["person"] for s in m["seats"]]


@pytest.fixture
def world(client: Any) -> Iterator[Agencies]:
    yield Agencies(client)


def assign(person: str, flight: str) -> dict[str, Any]:
    return {"op": "assign", "person": person, "up": flight, "down": flight}


def availability(person: str, start: str) -> dict[str, Any]:
    return {"op": "set_availability", "person": person, "available": {"from": start}}


def test_an_agency_edits_its_own_people_at_once(world: Agencies):
    before = world.head()
    r = world.change("nasa", availability("rubio", "2022-01-01"),
                     {"op": "set_training", "person": "rubio", "trained": [
                         {"vehicle_type": "soyuz-ms", "ready": "2022-06-01"},
                         {"vehicle_type": "crew-dragon", "ready": "2023-01-01", "commander": True}]},
                     note="Rubio cross-trained on Dragon")
    assert r.status_code == 201, r.text
    assert r.json() == {"applied": True, "revision": before + 1, "effects": ["person:rubio", "person:rubio"],
                        "proposal": None}
    rubio = world.person("rubio")
    assert rubio["available"] == {"from": "2022-01-01T00:00:00Z"} and len(rubio["trained"]) == 2
    new = world.change("nasa", {"op": "put_person", "person": {
        "id": "hague", "name": "Hague, Nick", "agency": "NASA", "segments": ["USOS"]}})
    assert new.status_code == 201 and world.person("hague")["name"] == "Hague, Nick"
    gone = world.change("nasa", {"op": "remove_person", "person": "hague"})
    assert gone.status_code == 201


def test_a_change_to_another_agencys_person_waits_for_its_approval(world: Agencies):
    before = world.head()
    r = world.change("nasa", availability("kononenko", "2023-01-01"))
    assert r.status_code == 202
    proposal = r.json()["proposal"]
    assert proposal["needs"] == ["ROSCOSMOS"] and proposal["state"] == "open"
    assert proposal["summary"] == ["set availability of kononenko"]
    assert world.head() == before and "available" not in world.person("kononenko")  # not yet
    assert world.decide("nasa", proposal["id"]).status_code == 403  # not NASA's to approve
    assert world.decide("admin", proposal["id"]).status_code == 403  # nor an administrator's
    assert world.decide("jaxa", proposal["id"]).status_code == 403
    done = world.decide("ros", proposal["id"])
    assert done.status_code == 200 and done.json()["state"] == "applied"
    assert done.json()["result_revision"] == before + 1 and done.json()["approvals"] == ["ROSCOSMOS"]
    assert world.person("kononenko")["available"] == {"from": "2023-01-01T00:00:00Z"}
    again = world.decide("ros", proposal["id"])
    assert again.status_code == 409 and "applied" in again.json()["detail"]
    audit = world.c.get(f"/api/scenarios/{world.sid}/audit", headers=world.as_("nasa")).json()
    applied = [e for e in audit if e["action"] == "apply"]
    assert len(applied) == 1 and applied[0]["proposal_id"] == proposal["id"] and applied[0]["actor"] == "ros"
    assert applied[0]["before"]["id"] == "kononenko" and "available" not in applied[0]["before"]


def test_seats_an_agreement_gives_and_a_stale_proposal_refused_with_the_reason(world: Agencies):
    """NASA fills its Soyuz seat at once; taking a ROSCOSMOS seat is a proposal, stale once it is filled."""
    assert world.change("nasa", assign("ohara", "MS24")).status_code == 201  # NASA's seat by the agreement
    borrow = world.change("nasa", assign("moghbeli", "MS24"))  # no NASA seat left: a ROSCOSMOS one
    assert borrow.status_code == 202 and borrow.json()["proposal"]["needs"] == ["ROSCOSMOS"]
    pid = borrow.json()["proposal"]["id"]
    assert world.change("ros", assign("kononenko", "MS24")).status_code == 201
    assert world.change("ros", assign("chub", "MS24")).status_code == 201
    assert world.riders("MS24") == ["kononenko", "chub", "ohara"]
    stale = world.decide("ros", pid)
    assert stale.status_code == 409
    reason = stale.json()["detail"]
    assert reason.startswith(f"proposal {pid} is stale and was not applied: "
                             "seats:MS24 was changed in revision")
    assert "by ros" in reason and "after this proposal was made against revision" in reason
    stored = world.c.get(f"/api/proposals/{pid}", headers=world.as_("nasa")).json()
    assert stored["state"] == "stale" and stored["reason"] in reason
    full = world.change("nasa", assign("moghbeli", "MS24"))
    assert full.status_code == 409 and "Soyuz MS-24 has no free seat up" in full.json()["detail"]
    assert "taken by Kononenko, Oleg (ROSCOSMOS), Chub, Nikolai (ROSCOSMOS)" in full.json()["detail"]
    twice = world.change("nasa", assign("ohara", "MS24"))
    assert twice.status_code == 409 and "already rides up on Soyuz MS-24" in twice.json()["detail"]
    assert world.riders("MS24") == ["kononenko", "chub", "ohara"]


def test_moving_a_cosmonaut_between_dragons_needs_roscosmos_and_either_side_may_reject(world: Agencies):
    assert world.change("ros", assign("borisov", "SPXC7")).status_code == 201  # ROSCOSMOS's Dragon seat
    move = [{"op": "unassign", "person": "borisov", "up": "SPXC7"}, assign("borisov", "SPXC8")]
    first = world.change("nasa", *move, note="Crew-7 is full of USOS work")
    assert first.status_code == 202 and first.json()["proposal"]["needs"] == ["ROSCOSMOS"]
    pid = first.json()["proposal"]["id"]
    assert world.decide("jaxa", pid, "reject").status_code == 403  # neither side
    rejected = world.decide("ros", pid, "reject", "Borisov stays on Crew-7")
    assert rejected.status_code == 200 and rejected.json()["state"] == "rejected"
    assert rejected.json()["reason"] == "Borisov stays on Crew-7"
    assert world.decide("ros", pid).status_code == 409  # a rejected proposal cannot be approved
    second = world.change("nasa", *move).json()["proposal"]["id"]
    withdrawn = world.decide("nasa", second, "reject", "asked the wrong way")  # the proposing side
    assert withdrawn.status_code == 200 and withdrawn.json()["state"] == "rejected"
    third = world.change("nasa", *move).json()["proposal"]["id"]
    done = world.decide("ros", third)
    assert done.status_code == 200 and done.json()["state"] == "applied"
    assert "borisov" in world.riders("SPXC8") and "borisov" not in world.riders("SPXC7")


def test_a_change_concerning_two_agencies_applies_after_both_approve(world: Agencies):
    """ROSCOSMOS puts JAXA's Furukawa on a Dragon seat that is NASA's: both must agree."""
    r = world.change("ros", assign("furukawa", "SPXC8"))
    assert r.status_code == 202 and r.json()["proposal"]["needs"] == ["JAXA", "NASA"]
    pid = r.json()["proposal"]["id"]
    half = world.decide("jaxa", pid)
    assert half.status_code == 200 and half.json()["state"] == "open"
    assert half.json()["waiting_for"] == ["NASA"]
    assert "furukawa" not in world.riders("SPXC8")
    assert world.decide("jaxa", pid).status_code == 409  # JAXA has approved already
    done = world.decide("nasa", pid)
    assert done.status_code == 200 and done.json()["state"] == "applied"
    assert "furukawa" in world.riders("SPXC8")


def test_an_unrelated_later_change_leaves_a_proposal_valid(world: Agencies):
    pid = world.change("nasa", availability("chub", "2023-02-01")).json()["proposal"]["id"]
    assert world.change("ros", availability("kononenko", "2023-03-01")).status_code == 201
    assert world.change("nasa", assign("ohara", "MS24")).status_code == 201
    assert world.decide("ros", pid).json()["state"] == "applied"


def test_administrators_manage_vehicles_stations_and_agreements(world: Agencies):
    agreement = {"id": "nasa-jaxa", "parties": ["NASA", "JAXA"], "from": "2020-01-01",
                 "quotas": [{"vehicle_type": "crew-dragon", "party": "JAXA", "per_flight": 1}]}
    refused = world.change("nasa", {"op": "put_agreement", "agreement": agreement})
    assert refused.status_code == 403 and "only administrators manage agreements" in refused.json()["detail"]
    assert world.change("admin", {"op": "put_agreement", "agreement": agreement}).status_code == 201
    # now JAXA has a Dragon seat of its own: no proposal needed
    assert world.change("jaxa", assign("furukawa", "SPXC7")).status_code == 201
    vtype = {"id": "soyuz-ms", "name": "Soyuz MS", "operator": "ROSCOSMOS", "seats": 3,
             "max_docked_days": 215, "docking": ["SSVP"], "launch_sites": ["baikonur-31"]}
    assert world.change("ros", {"op": "put_vehicle_type", "vehicle_type": vtype}).status_code == 403
    same = world.change("admin", {"op": "put_vehicle_type", "vehicle_type": {**vtype, "seats": 3}})
    assert same.status_code == 201
    smaller = world.change("admin", {"op": "put_vehicle_type", "vehicle_type": {**vtype, "seats": 2}})
    assert smaller.status_code == 409  # MS-22 carries three
    # an administrator's change to an agency's person is that agency's to approve
    r = world.change("admin", availability("rubio", "2022-02-02"))
    assert r.status_code == 202 and r.json()["proposal"]["needs"] == ["NASA"]
    assert world.decide("admin", r.json()["proposal"]["id"], "reject").status_code == 200  # their own side
    assert world.change("ros", {"op": "set_flight", "flight": "MS24", "launch": "2023-09-15T15:00:00Z"}
                        ).status_code == 201  # the operator moves its flight
    moved = world.change("nasa", {"op": "set_flight", "flight": "MS24", "launch": "2023-09-15T14:00:00Z"})
    assert moved.status_code == 202 and moved.json()["proposal"]["needs"] == ["ROSCOSMOS"]


def test_refusals_name_the_problem_and_change_nothing(world: Agencies):
    before = world.head()
    unknown = world.change("nasa", availability("nobody", "2023-01-01"))
    assert unknown.status_code == 422
    assert unknown.json()["detail"][0]["loc"] == ["body", "ops", 0]
    assert "no person 'nobody'" in unknown.json()["detail"][0]["msg"]
    busy = world.change("nasa", {"op": "remove_person", "person": "rubio"})
    assert busy.status_code == 409 and "still rides on Soyuz MS-22" in busy.json()["detail"]
    dangling = world.change("nasa", {"op": "put_person", "person": {"id": "x1", "name": "X", "agency": "NASA",
                                                                    "segments": ["MARS"]}})
    assert dangling.status_code == 422 and "MARS" in dangling.text
    typo = world.change("nasa", {"op": "assign", "person": "rubio", "up": "MS24", "seat": 2})
    assert typo.status_code == 422
    assert world.head() == before
    r = world.change("nasa", availability("rubio", "2022-03-03"))
    old = r.json()["revision"]
    late = world.change("nasa", availability("rubio", "2022-04-04"), base_revision=old - 1)
    assert late.status_code == 409 and "person:rubio was changed in revision" in late.json()["detail"]
    fine = world.change("nasa", availability("cassada", "2022-04-04"), base_revision=old - 1)
    assert fine.status_code == 201  # nothing it touches changed since


def test_the_crew_and_proposal_pages_work_without_scripts(world: Agencies):
    html = {"accept": "text/html"}
    c = world.c
    page = c.get(f"/scenarios/{world.sid}/crew", headers={**html, **world.as_("nasa")})
    assert page.status_code == 200 and "People of NASA" in page.text and "O&#39;Hara, Loral" in page.text
    r = c.post(f"/scenarios/{world.sid}/crew", data={"op": "assign", "person": "moghbeli", "up": "MS24",
                                                     "down": "MS24"},
               headers={**html, **world.as_("nasa")}, follow_redirects=True)
    assert r.status_code == 200 and "Applied as revision" in r.text
    r = c.post(f"/scenarios/{world.sid}/crew", data={"op": "assign", "person": "ohara", "up": "MS24"},
               headers={**html, **world.as_("nasa")}, follow_redirects=True)
    assert "waits for the approval of ROSCOSMOS" in r.text
    proposals = c.get(f"/scenarios/{world.sid}/proposals", headers={**html, **world.as_("ros")}).text
    assert "Approve proposal" in proposals and (
        "NASA proposes to assign O&#39;Hara, Loral (NASA) to Soyuz MS-24 (staying aboard); waiting for "
        "ROSCOSMOS") in proposals
    pid = c.get(f"/api/scenarios/{world.sid}/proposals", headers=world.as_("ros")).json()[0]["id"]
    r = c.post(f"/proposals/{pid}/approve", headers={**html, **world.as_("ros")}, follow_redirects=True)
    assert r.status_code == 200 and 'data-state="applied"' in r.text
    assert world.change("ros", assign("kononenko", "MS24")).status_code == 201  # the last seat
    full = c.post(f"/scenarios/{world.sid}/crew", data={"op": "assign", "person": "rubio", "up": "MS24"},
                  headers={**html, **world.as_("nasa")})
    assert full.status_code == 409 and "no free seat" in full.text
