"""Every station the crew lists know, each with its own facts: Mir, the Salyuts, Skylab and
Tiangong; the shipped Mir and Tiangong examples and the real events their checks report."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mixedcrew import Timeline, check
from mixedcrew.errors import DataError
from mixedcrew.io.importer import import_gcat, load_facts, station_names
from mixedcrew.io.scenario_file import dump_scenario

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
TIANGONG_RIDES = DATA / "tiangong-rides-supplement.csv"


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.fixture(scope="module")
def mir():
    return import_gcat(DATA / "gcat", station="Mir")


@pytest.fixture(scope="module")
def tiangong():
    return import_gcat(DATA / "gcat", station="Tiangong", supplement=TIANGONG_RIDES)


def test_shipped_mir_example_is_regenerated_exactly(mir):
    """examples/mir.toml is what the importer makes from the shipped lists, byte for byte."""
    assert dump_scenario(mir.scenario, mir.header) == (ROOT / "examples" / "mir.toml").read_text(
        encoding="utf-8")


def test_shipped_tiangong_example_is_regenerated_exactly(tiangong):
    shipped = (ROOT / "examples" / "tiangong.toml").read_text(encoding="utf-8")
    assert dump_scenario(tiangong.scenario, tiangong.header) == shipped


@pytest.mark.parametrize("name", ["ISS", "Mir", "Salyut 1", "Salyut-3", "Salyut 4", "Salyut 5",
                                  "Salyut 6", "Salyut 7", "Skylab", "Tiangong", "TG", "Tianhe",
                                  "Tiangong-1", "Tiangong-2"])
def test_every_station_imports_with_its_own_facts(name):
    """Each station loads with its own segments and ports; nothing ISS-only comes along: no
    integrated-crew agreement, no stated Crew Dragon certification, no ISS event."""
    sup = TIANGONG_RIDES if name.startswith(("Tiangong", "TG", "Tianhe")) else None
    s = import_gcat(DATA / "gcat", station=name, supplement=sup).scenario
    st = s.stations[0]
    assert s.flights and s.people and st.segments and st.ports
    assert all(f.station == st.id for f in s.flights)
    if st.id == "ISS":
        return
    assert s.agreements == ()
    assert all(c.source.startswith("derived") for c in s.certifications)
    assert not {"ms22-coolant-leak", "starliner-not-cleared", "baikonur-31-pad-damage",
                "crew11-medical-return"} & {e.id for e in s.events}
    assert {seg.id for seg in st.segments} != {"USOS", "ROS"}


def test_the_facts_know_every_station_in_the_lists():
    """Every Station value of missions.txt is some station's tag."""
    from mixedcrew.io.gcat import read_missions

    facts, _ = load_facts(None)
    tags = {t for st in facts["stations"] for t in st["tags"]}
    listed = {m.station for m in read_missions(DATA / "gcat" / "missions.txt").values()}
    assert listed - {"-"} <= tags
    assert len(station_names(facts)) == 12


def test_unknown_station_names_the_known_ones(tmp_path):
    """The library names the parameter and the known stations; the CLI says it in one line
    naming the option, exit 2."""
    with pytest.raises(DataError, match="unknown station 'Salyut 9': known stations are ISS, Mir"):
        import_gcat(DATA / "gcat", station="Salyut 9")
    from mixedcrew.cli import app

    res = CliRunner().invoke(app, ["import-gcat", str(DATA / "gcat"), "--station", "Salyut 9",
                                   "-o", str(tmp_path / "x.toml")])
    assert res.exit_code == 2
    lines = [ln for ln in res.output.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("--station: unknown station 'Salyut 9'")
    assert "Tiangong" in lines[0] and not (tmp_path / "x.toml").exists()


def test_mir_reports_only_what_happened(mir):
    """STS-71 landed with eight (seven seats); two month-long handovers with guests above the
    nominal three; continuous presence 1989-1999 holds; nothing else."""
    s = mir.scenario
    report = check(s)
    assert sorted((k, n) for k, n in report.by_rule().items() if n) == [("CAPACITY", 2), ("SEATS", 1)]
    seats = next(v for v in report.violations if v.rule == "SEATS")
    assert seats.flights == ("STS71",) and "8 people ride down on STS-71 but it has 7 seats" in seats.message
    cap = sorted(v.start.date().isoformat() for v in report.violations if v.rule == "CAPACITY")
    assert cap == ["1988-11-28", "1994-10-06"]
    assert "STS63" not in s.flight_by_id  # a rendezvous, no docking
    tl = Timeline(s)
    assert min(sp.crew for sp in tl.spans("Mir", utc(1989, 9, 8), utc(1999, 8, 27))) >= 2


def test_mir_without_continuous_presence_end_would_report_it_empty(mir):
    """COVERAGE: had Mir been meant to stay crewed after August 1999, its emptiness is reported."""
    s = mir.scenario
    st = s.stations[0].model_copy(update={"continuous_presence_until": None})
    kept = s.model_copy(update={"stations": (st,)})
    empty = [v for v in check(kept).violations if v.rule == "COVERAGE"]
    assert empty and empty[0].start.date().isoformat() == "1999-08-27"


def test_since_keeps_a_persons_whole_trip():
    """--since after Soyuz TM-19 landed still keeps it: Merbold rode TM-20 up and came home on
    TM-19, so his trip crosses the boundary."""
    s = import_gcat(DATA / "gcat", station="Mir", since=utc(1994, 11, 5)).scenario
    merbold = next(p.id for p in s.people if p.name.startswith("Merbold"))
    (ride,) = [a for a in s.assignments if a.person == merbold]
    assert (ride.up, ride.down) == ("TM20", "TM19")
    # Polyakov's 437 days: up on TM-18 (landed before the boundary), home on TM-20
    polyakov = next(p.id for p in s.people if p.name.startswith("Polyakov"))
    assert [(a.up, a.down) for a in s.assignments if a.person == polyakov] == [("TM18", "TM20")]
    assert {"TM18", "TM19", "TM20"} <= set(s.flight_by_id)
    assert "TM17" not in s.flight_by_id


def test_tiangong_shenzhou20_damage_and_the_uncrewed_shenzhou22(tiangong):
    """LIFEBOAT: the cracked Shenzhou-20 left six aboard with three seats until Shenzhou-21 took
    its crew home, then three with none until the uncrewed Shenzhou-22 docked."""
    s = tiangong.scenario
    report = check(s)
    lb = [v for v in report.violations if v.rule == "LIFEBOAT"]
    sz22 = s.flight_by_id["SZ22"]
    assert sz22.kind == "uncrewed" and not s.riders_up("SZ22") and len(s.riders_down("SZ22")) == 3
    assert [(v.start, v.end) for v in lb] == [
        (utc(2025, 11, 4), s.flight_by_id["SZ21"].undock),
        (s.flight_by_id["SZ21"].undock, sz22.dock),
    ]
    assert lb[0].message.startswith("6 people aboard Tiangong but only 3 lifeboat seats")
    assert lb[1].message.startswith("3 people aboard Tiangong but only 0 lifeboat seats")
    assert "Shenzhou 20 lost 3 after damage on 2025-11-04" in lb[1].message
    found = sorted((k, n) for k, n in report.by_rule().items() if n)
    assert found == [("CAPACITY", 1), ("DOCKED_LIMIT", 1), ("LIFEBOAT", 2)]
    limit = next(v for v in report.violations if v.rule == "DOCKED_LIMIT")
    assert limit.flights == ("SZ20",)


def test_tiangong_without_the_damage_breaks_no_lifeboat_rule(tiangong):
    s = tiangong.scenario
    calm = s.model_copy(update={"events": tuple(e for e in s.events if e.id != "sz20-window-crack")})
    assert not [v for v in check(calm).violations if v.rule == "LIFEBOAT"]


def test_salyut6_soyuz32_outstayed_its_rating():
    """DOCKED_LIMIT: Soyuz 32 stayed 107 days, past the 7K-T's 90, which is why the uncrewed
    Soyuz 34 came up to bring its crew home."""
    s = import_gcat(DATA / "gcat", station="Salyut 6").scenario
    (v,) = check(s).violations
    assert v.rule == "DOCKED_LIMIT" and v.flights == ("S32",)
    lyakhov = next(p.id for p in s.people if p.name.startswith("Lyakhov"))
    assert next(a for a in s.assignments if a.person == lyakhov).down == "S34"
