"""Exports: JSON, CSV, and iCalendar feeds per agency and per person with stable UIDs."""

from __future__ import annotations

import csv
import io

import pytest

pytest.importorskip("fastapi", reason="the web extra is not installed: pip install 'mixedcrew[web]'")

from icalendar import Calendar  # noqa: E402
from webtools import ISS, SMALL  # noqa: E402

from mixedcrew import Timeline, load_scenario  # noqa: E402


def upload(client, path=SMALL, raw: bytes | None = None) -> int:
    data = raw if raw is not None else path.read_bytes()
    r = client.post("/api/scenarios", files={"file": (path.name, data, "application/toml")})
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


def events(client, url: str) -> list:
    r = client.get(url)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/calendar")
    return [c for c in Calendar.from_ical(r.content).walk("VEVENT")]


def test_csv_has_a_row_per_stay_flight_and_violation(client):
    sid = upload(client, ISS)
    s = load_scenario(ISS)
    tl = Timeline(s)
    rows = {}
    for name in ("stays", "flights", "violations"):
        text = client.get(f"/api/scenarios/{sid}/export/{name}.csv").text
        rows[name] = list(csv.DictReader(io.StringIO(text)))
    assert len(rows["stays"]) == len(tl.stays) and len(rows["flights"]) == len(s.flights)
    assert [r["rule"] for r in rows["violations"]] == ["LIFEBOAT", "LIFEBOAT", "CAPACITY"]
    rubio = [r for r in rows["stays"] if r["person"].endswith("rubio") or "Rubio" in r["name"]]
    assert rubio and rubio[0]["agency"] == "NASA" and float(rubio[0]["days"]) > 360


def test_json_export_holds_the_scenario_and_what_is_derived(client):
    sid = upload(client)
    data = client.get(f"/api/scenarios/{sid}/export.json").json()
    assert {f["id"] for f in data["scenario"]["flights"]} == {"MS22", "SPXC5", "MS23"}
    assert len(data["stays"]) == 7 and len(data["dockings"]) == 3
    assert [v["rule"] for v in data["violations"]] == ["LIFEBOAT"]


def test_json_export_gives_every_port_a_relocated_flight_held(client):
    """A docking lists its port holds in turn: on the ISS example, a flight that relocated holds
    its ports in turn, each starting where the one before ends or later (a Cygnus moved out of the
    way comes back to the same port)."""
    sid = upload(client, ISS)
    data = client.get(f"/api/scenarios/{sid}/export.json").json()
    s = load_scenario(ISS)
    moved = {f.id for f in s.flights if f.relocations}
    assert moved
    by_flight = {d["flight"]: d for d in data["dockings"]}
    for fid in moved:
        holds = by_flight[fid]["holds"]
        assert len(holds) == len(s.flight_by_id[fid].relocations) + 1, holds
        assert holds[0]["port"] == by_flight[fid]["port"]
        assert all(a["end"] <= b["start"] for a, b in zip(holds, holds[1:], strict=False))
    assert all(d["holds"] for d in data["dockings"] if d["port"])


def test_agency_feed_has_launch_dock_undock_land_of_its_flights(client):
    sid = upload(client)
    nasa = events(client, f"/api/scenarios/{sid}/calendars/agency/NASA.ics")
    # NASA rides all three flights (Rubio on MS-22, Mann and Cassada on Crew-5), MS-23 brings Rubio home
    kinds = sorted(str(e["categories"].cats[0]) for e in nasa)
    assert len(nasa) == 12 and kinds.count("launch") == 3 and kinds.count("landing") == 3
    uids = [str(e["uid"]) for e in nasa]
    assert len(set(uids)) == len(uids)
    launch = next(e for e in nasa if str(e["uid"]) == "launch-MS22-agency-NASA@ISS.mixedcrew")
    assert launch.decoded("dtstart").isoformat() == "2022-09-21T13:54:49+00:00"
    assert "Rubio" in str(launch["summary"])


def test_person_feed_has_their_rides_only(client):
    sid = upload(client)
    rubio = events(client, f"/api/scenarios/{sid}/calendars/person/rubio.ics")
    summaries = sorted(str(e["summary"]).split(":")[0] for e in rubio)
    assert summaries == ["Docking", "Landing", "Launch", "Undocking"]
    assert {str(e["uid"]).split("-")[1] for e in rubio} == {"MS22", "MS23"}  # up on MS-22, down on MS-23


def test_uids_are_stable_across_uploads_and_sequence_follows_the_revision(client):
    """A re-imported feed updates the same events: same UIDs from a re-uploaded file."""
    first, second = upload(client), upload(client)
    a = events(client, f"/api/scenarios/{first}/calendars/agency/ROSCOSMOS.ics")
    b = events(client, f"/api/scenarios/{second}/calendars/agency/ROSCOSMOS.ics")
    assert [str(e["uid"]) for e in a] == [str(e["uid"]) for e in b]
    assert all(int(e["sequence"]) == 1 for e in a)


def test_exports_list_every_feed(client):
    sid = upload(client)
    listed = client.get(f"/api/scenarios/{sid}/exports").json()
    assert [x["title"] for x in listed["agency_calendars"]] == ["NASA", "ROSCOSMOS", "JAXA"]
    assert len(listed["person_calendars"]) == 7
    for link in listed["files"] + listed["agency_calendars"] + listed["person_calendars"]:
        assert client.get(link["href"]).status_code == 200, link
