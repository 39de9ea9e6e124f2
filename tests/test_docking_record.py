"""The ISS example against the docking record (data/iss-dockings), row by row, and the
record's reader, relocations and cargo flights."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from mixedcrew import Timeline, check, load_scenario
from mixedcrew.errors import DataError
from mixedcrew.io.dockings import read_docking_record
from mixedcrew.io.importer import import_gcat, load_facts

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
RECORD = DATA / "iss-dockings"
ONE_MINUTE = timedelta(minutes=1)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.fixture(scope="module")
def iss():
    s = load_scenario(ROOT / "examples" / "iss.toml")
    return s, Timeline(s)


@pytest.fixture(scope="module")
def record():
    return read_docking_record(RECORD)


def _port_of(facts_station: dict, name: str, interfaces: set[str]) -> str:
    ports = {p["id"]: p for p in facts_station["ports"]}
    return next(pid for pid in facts_station["port_names"][name]
                if ports[pid]["interface"] in interfaces)


def test_example_matches_the_record_row_by_row(iss, record):
    """Every record row with an instant is the example's instant within a minute, at the
    record's port; relocations are the record's, in order. Rows of flights the example
    leaves out (before it starts, cargo before 2019) are counted, not skipped silently."""
    s, _ = iss
    facts, _ = load_facts(None)
    st = facts["stations"][0]
    ids = facts["import"]["record"]["ids"]
    vtypes = {v.id: v for v in s.vehicle_types}
    compared, absent = 0, []
    for v in record.visits.values():
        f = s.flight_by_id.get(ids.get(v.key, v.key)) or s.flight_by_id.get(v.key.replace(" ", "-"))
        if f is None:
            absent.append(v.key)
            continue
        fits = set(vtypes[f.vehicle_type].docking)
        stays = f.port_stays
        if v.dock is not None and v.dock.at is not None:
            assert abs(f.dock - v.dock.at) <= ONE_MINUTE, (f.id, "dock")
            compared += 1
        if v.dock is not None and v.dock.port:
            assert stays[0].port == _port_of(st, v.dock.port, fits), (f.id, "port")
        assert len(f.relocations) == len(v.relocations), (f.id, "relocations")
        for move, (off, on) in zip(f.relocations, v.relocations, strict=True):
            if off.at is not None:
                assert abs(move.undock - off.at) <= ONE_MINUTE, (f.id, "relocation undock")
                assert abs(move.dock - on.at) <= ONE_MINUTE, (f.id, "relocation dock")
                compared += 2
            assert move.port == _port_of(st, on.port, fits), (f.id, "relocation port")
        if v.undock is not None and v.undock.at is not None:
            assert f.undock is not None and abs(f.undock - v.undock.at) <= ONE_MINUTE, (f.id, "undock")
            compared += 1
        if v.undock is not None and v.undock.port:
            assert stays[-1].port == _port_of(st, v.undock.port, fits), (f.id, "undock port")
    # before the example starts (2000-10-31), and the launch abort that never docked
    assert absent == ["MS10", "STS88", "STS96", "STS101", "STS106", "STS92"]
    assert compared >= 410


def test_every_flight_but_none_takes_its_dockings_from_the_record(iss):
    """No flight of the example falls back to the rendezvous defaults: the record has them all."""
    s, _ = iss
    assert [f.id for f in s.flights if "docking record" not in f.source] == []


def test_relocations_hold_each_port_in_turn(iss):
    """Soyuz MS-23 docked at Poisk, moved to Prichal on 2023-04-06; it holds no port while it
    moves, yet stays docked (its crew rides in it) and a lifeboat."""
    s, tl = iss
    f = s.flight_by_id["MS23"]
    assert [p.port for p in f.port_stays] == ["poisk", "prichal"]
    assert tl.ports_at(utc(2023, 4, 6, 8), "ISS")["poisk"] == "MS23"
    moving = utc(2023, 4, 6, 9)
    assert "MS23" not in tl.ports_at(moving, "ISS").values()
    assert "MS23" in tl.docked_at(moving, "ISS")
    assert tl.ports_at(utc(2023, 4, 7), "ISS")["prichal"] == "MS23"


def test_cargo_flights_hold_ports_but_are_no_lifeboat(iss):
    """Cargo vehicles from 2019 are flights: they take ports and carry no lifeboat seats."""
    s, tl = iss
    cargo = [f for f in s.flights if f.kind == "cargo"]
    assert len(cargo) > 60
    assert min(f.undock or s.scenario.horizon for f in cargo) >= utc(2019, 1, 1)  # type: ignore[type-var]
    span = tl.span_at(utc(2025, 12, 2), "ISS")
    assert span is not None
    held = tl.ports_at(utc(2025, 12, 2), "ISS")
    assert len(held) == 8  # all eight ports occupied (record note on NG-23's return)
    assert all(span.seats[f.id] == 0 for f in cargo if f.id in span.docked)


def test_ports_hold_with_the_real_traffic(iss):
    """PORTS: the real traffic of 2000-2026, cargo from 2019, fits the ports: no exception."""
    s, tl = iss
    assert [v for v in check(s, tl).violations if v.rule == "PORTS"] == []


def test_a_port_clash_in_the_record_would_be_reported(iss):
    """Put Crew-8's relocation on the port Crew-7 then held: PORTS says so."""
    s, _ = iss
    c8 = s.flight_by_id["SPXC8"]
    moved = c8.model_copy(update={"relocations": (c8.relocations[0].model_copy(
        update={"undock": utc(2024, 3, 6), "dock": utc(2024, 3, 6, 1)}),)})
    bad = s.model_copy(update={"flights": tuple(moved if f.id == "SPXC8" else f for f in s.flights)})
    ports = [v for v in check(bad).violations if v.rule == "PORTS"]
    assert ports and {"SPXC7", "SPXC8"} <= set(ports[0].flights)


def test_missing_instant_without_a_choice_is_a_clear_error(tmp_path):
    """A record row without an instant needs a choice in the facts: the error says where."""
    shutil.copytree(RECORD, tmp_path / "rec")
    path = tmp_path / "rec" / "uncrewed.csv"
    text = path.read_text(encoding="utf-8")
    row = next(line for line in text.splitlines() if line.startswith("CRS-31,depart,"))
    path.write_text(text.replace(row, row.replace("2024-12-16T16:05:00Z", "")), encoding="utf-8")
    with pytest.raises(DataError, match="CRS-31: the record has no undocking instant"):
        import_gcat(DATA / "gcat", since=utc(2024, 1, 1), supplement=DATA / "iss-rides-supplement.csv",
                    dockings=tmp_path / "rec")


def test_bad_rows_are_named_by_file_line_and_field(tmp_path):
    shutil.copytree(RECORD, tmp_path / "rec")
    path = tmp_path / "rec" / "soyuz.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[1] = lines[1].replace("2000-11-02T09:21:03Z", "2000-11-02 9h21")
    lines[2] = lines[2].replace("relocate-undock", "wander")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(DataError) as e:
        read_docking_record(tmp_path / "rec")
    said = [(p.file, p.line, p.path) for p in e.value.problems]
    assert ("soyuz.csv", 2, "utc") in said and ("soyuz.csv", 3, "event") in said


SMALL = ROOT / "examples" / "small.toml"
MS22_PORT = 'port = "rassvet"\nlaunch_site = "baikonur-31"'


def _small_with(relocations: str) -> str:
    text = SMALL.read_text(encoding="utf-8")
    assert MS22_PORT in text
    return text.replace(MS22_PORT, f'port = "rassvet"\nrelocations = [{relocations}]\n'
                                   'launch_site = "baikonur-31"', 1)


def test_a_relocation_loads_and_a_single_port_still_does():
    """Backward compatible: small.toml's flights have one `port`; a relocation adds stays."""
    from mixedcrew.io.scenario_file import loads_scenario

    plain = loads_scenario(SMALL.read_text(encoding="utf-8"), "small.toml")
    assert [p.port for p in plain.flight_by_id["MS22"].port_stays] == ["rassvet"]
    moved = loads_scenario(_small_with(
        '{ undock = 2022-11-01T10:00:00Z, dock = 2022-11-01T10:30:00Z, port = "poisk" }'), "x.toml")
    stays = moved.flight_by_id["MS22"].port_stays
    assert [(p.port, p.start, p.end) for p in stays] == [
        ("rassvet", utc(2022, 9, 21, 17, 6), utc(2022, 11, 1, 10)),
        ("poisk", utc(2022, 11, 1, 10, 30), utc(2023, 3, 28, 8, 57))]


@pytest.mark.parametrize("relocation, said", [
    ('{ undock = 2022-11-01T10:30:00Z, dock = 2022-11-01T10:00:00Z, port = "poisk" }',
     "flights[0].relocations[0]: relocation docks at 2022-11-01T10:00:00+00:00 before it undocks"),
    ('{ undock = 2022-11-01T10:00:00Z, dock = 2022-11-01T10:30:00Z, port = "zenith" }',
     "flights[0].relocations[0].port: unknown port of ISS 'zenith'"),
    ('{ undock = 2022-11-01T10:00:00Z, dock = 2022-11-01T10:30:00Z, port = "ida-2" }',
     "flights[0].relocations[0].port: port ida-2 has a IDSS interface; Soyuz MS docks with SSVP"),
    ('{ undock = 2023-04-01T10:00:00Z, dock = 2023-04-01T10:30:00Z, port = "poisk" }',
     "relocations: a relocation docking at 2023-04-01T10:30:00Z is after undock"),
])
def test_bad_relocations_are_named_by_line_and_field(relocation, said):
    from mixedcrew.errors import ScenarioError
    from mixedcrew.io.scenario_file import loads_scenario

    with pytest.raises(ScenarioError) as e:
        loads_scenario(_small_with(relocation), "x.toml")
    assert any(said in str(p) for p in e.value.problems), [str(p) for p in e.value.problems]
    assert all(p.line for p in e.value.problems)


def test_report_port_chart_draws_each_port_a_flight_held(iss):
    """The report's port chart: one bar per port held, so MS-23 shows on Poisk and on Prichal."""
    from mixedcrew.report.html import ports_figure

    s, tl = iss
    fig = ports_figure(s, tl)
    assert sum(len(t.x) for t in fig.data) == len(tl.port_holds) > len(tl.dockings)
    ms23 = {port for t in fig.data for port, data in zip(t.y, t.customdata, strict=True)
            if data[0] == "Soyuz MS-23"}
    assert ms23 == {"poisk", "prichal"}
