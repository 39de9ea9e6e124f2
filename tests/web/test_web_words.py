"""Changes in words: a move is one change (or one proposal); proposals and audit entries read as
sentences with names and flights, the JSON one click away; proposals waiting for an agency are
counted in the header and on the scenario list."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

pytest.importorskip("fastapi", reason="the web extra is not installed: pip install 'mixedcrew[web]'")

from test_web_rights import Agencies, assign  # noqa: E402


@pytest.fixture
def world(client: Any) -> Iterator[Agencies]:
    yield Agencies(client)


def move(person: str, src: str, dst: str, **extra: Any) -> dict[str, Any]:
    return {"op": "move", "person": person, "from": src, "up": dst, **extra}


def test_a_move_is_one_proposal_that_applies_in_one_revision(world: Agencies):
    """NASA moving a cosmonaut between Dragons: one proposal, waiting for ROSCOSMOS, then one revision."""
    assert world.change("ros", assign("borisov", "SPXC7")).status_code == 201
    r = world.change("nasa", move("borisov", "SPXC7", "SPXC8"))
    assert r.status_code == 202, r.text
    proposal = r.json()["proposal"]
    assert proposal["needs"] == ["ROSCOSMOS"]
    assert proposal["sentence"] == ("NASA proposes to move Borisov, Konstantin (ROSCOSMOS) from Crew-7 to "
                                    "Crew-8; waiting for ROSCOSMOS")
    before = world.head()
    done = world.decide("ros", proposal["id"]).json()
    assert done["state"] == "applied" and done["result_revision"] == before + 1
    assert done["sentence"].endswith("approved by ROSCOSMOS and applied as revision " + str(before + 1))
    assert "borisov" not in world.riders("SPXC7") and "borisov" in world.riders("SPXC8")


def test_a_move_keeps_the_way_down_and_refuses_in_names(world: Agencies):
    assert world.change("ros", assign("chub", "SPXC7")).status_code == 201
    assert world.change("ros", move("chub", "SPXC7", "MS24")).status_code == 201  # its own seat on a Soyuz
    people = world.c.get(f"/api/scenarios/{world.sid}/people", headers=world.as_("admin")).json()
    ride = next(a for a in people["assignments"] if a["person"] == "chub")
    assert (ride["up"], ride.get("down")) == ("MS24", "MS24")  # a round trip stays a round trip
    missing = world.change("ros", move("chub", "SPXC7", "SPXC8"))
    assert missing.status_code == 409
    assert "Chub, Nikolai does not ride up on Crew-7" in missing.json()["detail"]
    assert world.change("ros", move("kononenko", "MS24", "SPXC8")).json()["detail"].endswith(
        "Kononenko, Oleg does not ride up on Soyuz MS-24")


def test_audit_entries_read_as_sentences(world: Agencies):
    assert world.change("ros", assign("borisov", "SPXC7")).status_code == 201
    pid = world.change("nasa", move("borisov", "SPXC7", "SPXC8")).json()["proposal"]["id"]
    world.decide("ros", pid, "reject", reason="Crew-8 is full of tests")
    entries = world.c.get(f"/api/scenarios/{world.sid}/audit", headers=world.as_("admin")).json()
    sentences = [e["sentence"] for e in entries]
    assert sentences[0].startswith("admin uploaded later.toml as revision 1")
    assert "ros (ROSCOSMOS) assigned Borisov, Konstantin (ROSCOSMOS) to Crew-7 (revision 2)" in sentences
    assert (f"nasa (NASA) proposed to move Borisov, Konstantin (ROSCOSMOS) from Crew-7 to Crew-8 "
            f"(proposal {pid}, waiting for ROSCOSMOS)") in sentences
    assert f"ros (ROSCOSMOS) rejected proposal {pid}: Crew-8 is full of tests" in sentences
    page = world.c.get(f"/scenarios/{world.sid}/audit", headers=world.as_("admin")).text
    assert "assigned Borisov, Konstantin (ROSCOSMOS) to Crew-7" in page
    assert '<details class="as-json">' in page  # the JSON behind each sentence, one click away


def test_proposals_page_and_the_count_waiting_for_your_agency(world: Agencies):
    assert world.change("ros", assign("borisov", "SPXC7")).status_code == 201
    world.change("nasa", move("borisov", "SPXC7", "SPXC8"))
    world.change("nasa", {"op": "set_availability", "person": "kononenko",
                          "available": {"from": "2023-01-01"}})
    page = world.c.get(f"/scenarios/{world.sid}/proposals", headers=world.as_("ros")).text
    assert ("NASA proposes to move Borisov, Konstantin (ROSCOSMOS) from Crew-7 to Crew-8; waiting for "
            "ROSCOSMOS") in page
    assert "/api/proposals/" in page and "As JSON" in page
    ros_list = world.c.get("/", headers=world.as_("ros")).text
    assert "2 proposals waiting for ROSCOSMOS" in " ".join(ros_list.split())
    assert f'<a\n        href="/scenarios/{world.sid}/proposals">2 proposals</a>' in ros_list
    nasa_list = world.c.get("/", headers=world.as_("nasa")).text
    assert "0 proposals waiting for NASA" in " ".join(nasa_list.split())


def picker(world: Agencies, who: str, flight: str) -> str:
    window = {"seat": flight, "from": "2023", "until": "2024"}
    return world.c.get(f"/scenarios/{world.sid}/crew", params=window, headers=world.as_(who)).text


def test_the_picker_offers_who_could_ride_and_says_why_not_for_the_others(world: Agencies):
    """NASA on Soyuz MS-24: O'Hara and Moghbeli (Soyuz-trained, free); Cassada and Mann not trained on it;
    Rubio still up on MS-22 then. The checker agrees: assigning an offered one breaks none of its rules."""
    page = picker(world, "nasa", "MS24")
    form = page.split('id="assign-form"')[1].split("</form>")[0]
    people = form.split('id="assign-person"')[1].split("</select>")[0]
    assert [o.split('"')[1] for o in people.split("<option value=")[1:]] == ["moghbeli", "ohara"]
    cannot = page.split('id="cannot-fly"')[1].split("</details>")[0]
    assert "AVAILABLE: Rubio is on two trips at once: Soyuz MS-22" in cannot
    assert ("TRAINED: Cassada rides Soyuz MS-24 (Soyuz MS, launch 2023-09-15) but has no training "
            "on it") in cannot
    assert world.change("nasa", assign("ohara", "MS24")).status_code == 201
    found = world.c.get(f"/api/scenarios/{world.sid}/check", headers=world.as_("admin")).json()["violations"]
    assert not [v for v in found if "ohara" in v["people"] and v["rule"] in ("CERT", "TRAINED", "AVAILABLE")]
    r = world.change("nasa", assign("cassada", "MS24"))  # a ROSCOSMOS seat: it waits for ROSCOSMOS
    assert r.status_code == 202 and world.decide("ros", r.json()["proposal"]["id"]).status_code == 200
    found = world.c.get(f"/api/scenarios/{world.sid}/check", headers=world.as_("admin")).json()["violations"]
    assert [v["rule"] for v in found if "cassada" in v["people"] and "MS24" in v["flights"]
            and v["rule"] in ("CERT", "TRAINED", "AVAILABLE")] == ["TRAINED", "TRAINED"]


def test_the_move_form_makes_one_proposal(world: Agencies):
    assert world.change("ros", assign("borisov", "SPXC7")).status_code == 201
    page = picker(world, "admin", "SPXC7")
    assert ('<option value="borisov@SPXC7" selected>Borisov, Konstantin (ROSCOSMOS), up on Crew-7</option>'
            in page)  # the first ride: the To list is his
    r = world.c.post(f"/scenarios/{world.sid}/crew", headers=world.as_("nasa"), follow_redirects=True,
                     data={"op": "move", "ride": "borisov@SPXC7", "up": "SPXC8", "down": "",
                           "window_from": "2023", "window_until": "2024"})
    assert r.status_code == 200 and "waits for the approval of ROSCOSMOS" in r.text
    open_ = world.c.get(f"/api/scenarios/{world.sid}/proposals", params={"state": "open"},
                        headers=world.as_("ros")).json()
    assert [p["change"]["ops"][0]["op"] for p in open_] == ["move"]


def _options(page: str, select_id: str) -> list[str]:
    body = page.split(f'id="{select_id}"')[1].split("</select>")[0]
    return [o.split('"')[1] for o in body.split("<option value=")[1:]]


def _violations(world: Agencies, person: str) -> list[str]:
    found = world.c.get(f"/api/scenarios/{world.sid}/check", headers=world.as_("admin")).json()["violations"]
    return [v["rule"] for v in found
            if person in v["people"] and v["rule"] in ("CERT", "TRAINED", "AVAILABLE")]


def test_the_flights_down_are_those_the_person_could_come_down_on(world: Agencies):
    """Up on Soyuz MS-24, O'Hara could come down on a later flight, not on one that landed before it
    launched; the list is the chosen person's, asked for by the form's own button (no script)."""
    window = {"from": "2023", "until": "2024", "list": "down", "up": "MS24", "person": "ohara"}
    page = world.c.get(f"/scenarios/{world.sid}/crew", params=window, headers=world.as_("nasa")).text
    downs = _options(page, "assign-down")
    assert downs[:2] == ["MS24", ""] and "SPXC8" in downs and "MS22" not in downs and "SPXC5" not in downs
    cannot = page.split('id="cannot-come-down"')[1].split("</details>")[0]
    assert "Crew-5</strong>: Crew-5 comes down on 2023-03-12, before Soyuz MS-24 launches" in cannot
    assert '<option value="ohara" selected>' in page and 'formmethod="get"' in page
    # The checker agrees with what is offered: O'Hara up on MS-24 and down on Crew-8 breaks none of its rules.
    r = world.change("nasa", {"op": "assign", "person": "ohara", "up": "MS24", "down": "SPXC8"})
    if r.status_code == 202:  # a seat of another agency's: it approves
        assert world.decide("ros", r.json()["proposal"]["id"]).status_code == 200
    assert r.status_code in (201, 202) and _violations(world, "ohara") == []


def test_the_move_lists_the_flights_the_person_could_go_to(world: Agencies):
    """Cassada (Dragon-trained only) moved off Crew-5: the Dragons are offered, the Soyuz are not,
    with the checker's TRAINED reason; a move to an offered flight breaks none of its rules."""
    window = {"from": "2023", "until": "2024", "list": "to", "ride": "cassada@SPXC5"}
    page = world.c.get(f"/scenarios/{world.sid}/crew", params=window, headers=world.as_("nasa")).text
    assert '<option value="cassada@SPXC5" selected>' in page
    tos = _options(page, "move-up")
    assert "SPXC8" in tos and "SPXC5" not in tos and not [t for t in tos if t.startswith("MS")]
    cannot = page.split('id="cannot-move"')[1].split("</details>")[0]
    assert "<strong>Soyuz MS-24</strong>: TRAINED: Cassada rides Soyuz MS-24" in cannot
    rubio = world.c.get(f"/scenarios/{world.sid}/crew", headers=world.as_("nasa"),
                        params={**window, "ride": "rubio@MS22"}).text
    assert '<option value="rubio@MS22" selected>' in rubio and _options(rubio, "move-up") != tos
    r = world.change("nasa", move("cassada", "SPXC5", "SPXC8"))
    if r.status_code == 202:
        assert world.decide("ros", r.json()["proposal"]["id"]).status_code == 200
    assert r.status_code in (201, 202) and _violations(world, "cassada") == []
