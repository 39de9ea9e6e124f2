"""Timelines a person can read: labelled bars, the data horizon, and who is aboard on a date.

The date picker's data (report/aboard.py) is the timeline written down: at any
instant it names exactly the people, operators, docked vehicles and lifeboat
seats that `aboard_snapshot` (the Timeline's own query) gives.
"""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

from mixedcrew import Timeline, check, load_scenario
from mixedcrew.instants import to_instant
from mixedcrew.report.aboard import snapshot_at, timeline_data
from mixedcrew.report.html import aboard_figure, ports_figure, render_report, stays_figure
from mixedcrew.summary import aboard_snapshot, summarise

ROOT = Path(__file__).resolve().parent.parent
ISS = ROOT / "examples" / "iss.toml"


@pytest.fixture(scope="module")
def iss() -> tuple:
    s = load_scenario(ISS)
    return s, Timeline(s)


def test_stay_bars_name_the_flights_and_port_bars_the_vehicle(iss):
    """Each stay bar reads its flight (up → down when they differ); each port bar its flight and capsule."""
    s, tl = iss
    stays = stays_figure(s, tl)
    texts = [t for trace in stays.data for t in trace.text]
    assert len(texts) == len(tl.stays)
    assert "Soyuz MS-22 → Soyuz MS-23" in texts  # Rubio's ride up and the lifeboat that brought him home
    assert "Crew-5" in texts
    ports = [t for trace in ports_figure(s, tl).data for t in trace.text]
    assert len(ports) == len(tl.port_holds)
    assert "Crew-5 · Endurance" in ports


def test_every_chart_marks_the_data_horizon(iss):
    s, tl = iss
    for fig in (stays_figure(s, tl), ports_figure(s, tl), aboard_figure(s, tl)):
        lines = [sh for sh in fig.layout.shapes if sh.name == "horizon"]
        assert len(lines) == 1 and to_instant(lines[0].x0) == s.scenario.horizon


def test_the_date_lookup_is_the_timelines_answer(iss):
    """At span starts, inside spans and outside the data, the picker says what aboard_snapshot says."""
    s, tl = iss
    data = json.loads(json.dumps(timeline_data(s, tl)))  # as a page receives it
    spans = list(tl.spans())
    instants = [spans[0].start - timedelta(days=1), spans[-1].end + timedelta(days=1)]
    instants += [sp.start for sp in spans[::7]] + [sp.start + (sp.end - sp.start) / 2 for sp in spans[3::11]]
    names = {p.id: p.name for p in s.people}
    labels = {f.id: f.label for f in s.flights}
    for at in instants:
        ours, theirs = snapshot_at(data, at), aboard_snapshot(s, at, timeline=tl)
        assert sorted((p["name"], p["agency"], p["up"]) for p in ours["people"]) == sorted(
            (names[p["person"]], p["agency"], labels[p["up_flight"]]) for p in theirs["aboard"]), at
        assert ours["operators"] == theirs["segments"] and ours["lifeboat_seats"] == theirs["lifeboat_seats"]
        docked = sorted(labels[d["flight"]] for d in theirs["docked"])
        assert sorted(d["flight"] for d in ours["docked"]) == docked
        assert sum(ours["agencies"].values()) == len(ours["people"])


def test_who_is_aboard_when_soyuz_ms22_lost_its_coolant():
    """2023-01-01: seven aboard, four lifeboat seats (MS-22 counted as none), Crew-5 at Harmony forward."""
    s = load_scenario(ISS)
    snap = snapshot_at(timeline_data(s, Timeline(s)), to_instant("2023-01-01"))
    assert len(snap["people"]) == 7 and snap["lifeboat_seats"] == 4
    assert snap["agencies"] == {"JAXA": 1, "NASA": 3, "ROSCOSMOS": 3}
    crew5 = next(d for d in snap["docked"] if d["flight"] == "Crew-5")
    assert crew5["capsule"] == "Endurance" and crew5["port"] == "Harmony forward (IDA-2)"


def test_report_carries_the_picker_its_data_and_its_script_inline(iss):
    s, tl = iss
    report = check(s, tl)
    page = render_report(s, tl, report, summarise(s, tl, report))
    assert "<script src=" not in page and "MixedcrewTimeline.attach" in page
    assert 'id="aboard-form"' in page and 'id="chart-filter"' in page
    data = page.split('<script type="application/json" id="timeline-data">')[1].split("</script>")[0]
    assert json.loads(data)["spans"] == json.loads(json.dumps(timeline_data(s, tl)))["spans"]
    for div in ("chart-stays", "chart-ports", "chart-aboard"):
        assert f'id="{div}"' in page
