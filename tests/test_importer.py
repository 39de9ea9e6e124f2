"""The GCAT importer: real flights, real rides, the shipped example regenerated."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from mixedcrew.errors import DataError
from mixedcrew.io.gcat import parse_duration, parse_when, read_missions, read_rides
from mixedcrew.io.importer import import_gcat
from mixedcrew.io.scenario_file import dump_scenario, load_scenario

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"


@pytest.fixture(scope="module")
def imported():
    return import_gcat(DATA / "gcat", station="ISS", since=datetime(2000, 10, 31, tzinfo=UTC),
                       supplement=DATA / "iss-rides-supplement.csv", dockings=DATA / "iss-dockings",
                       corps=DATA / "corps-2026.csv")


def ride(s, person_name: str, up: str):
    pid = next(p.id for p in s.people if p.name.startswith(person_name))
    return next(a for a in s.assignments if a.person == pid and a.up == up)


def test_shipped_example_is_regenerated_exactly(imported):
    """examples/iss.toml is what the importer makes from the shipped data, byte for byte."""
    shipped = (ROOT / "examples" / "iss.toml").read_text(encoding="utf-8")
    assert dump_scenario(imported.scenario, imported.header) == shipped


def _available_until(s, name: str) -> datetime | None:
    return next(p for p in s.people if p.name.startswith(name)).available.end


def day(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def test_people_who_left_flight_status_are_available_until_they_left(imported):
    """The corps list's status and date bound availability: retired with a date (Shkaplerov,
    2023-03-14), gone without one (Kononenko, management: the horizon), listed under two
    agencies (Wakata: Axiom, active, no end), active (Kud'-Sverchkov, no end); someone not in
    the list 10 years after their last landing (Shepherd, down 2001-03-21) or at the horizon
    (Misurkin, down 2021-12-20). Nobody's end falls before their last landing, so the history
    still holds (the check's three real violations, no AVAILABLE)."""
    s = imported.scenario
    horizon = s.scenario.horizon
    assert _available_until(s, "Shkaplerov") == day("2023-03-14")
    assert _available_until(s, "Kononenko") == horizon
    assert _available_until(s, "Wakata") is None
    assert _available_until(s, "Kud'-Sverchkov") is None
    assert _available_until(s, "Shepherd").date().isoformat() == "2011-03-21"
    assert _available_until(s, "Misurkin") == horizon
    from mixedcrew.check import check

    assert [v.rule for v in check(s).violations if v.rule == "AVAILABLE"] == []


def test_the_corps_list_serves_a_history_that_lacks_some_of_its_agencies():
    """The lists alone (no supplement) from 2024-06 on: the ISS history has no ESA, JAXA or CSA
    flyer (their agencies are left out of the scenario), yet the corps list names them: its rows
    are checked against every agency the facts know, and a row that matches nobody bounds
    nobody (it used to refuse 37 rows as unknown agencies)."""
    r = import_gcat(DATA / "gcat", station="ISS", since=datetime(2024, 6, 1, tzinfo=UTC),
                    corps=DATA / "corps-2026.csv")
    agencies = {a.id for a in r.scenario.agencies}
    assert not agencies & {"ESA", "JAXA", "CSA"}
    assert any(p.available.end is not None for p in r.scenario.people)
    assert "Availability ends" in r.header


def test_came_home_on_another_vehicle(imported):
    """MS-22's crew on the uncrewed MS-23; MS-18/MS-19 swap; Starliner's crew on Crew-9;
    Expedition 1 on STS-102."""
    s = imported.scenario
    for name in ("Prokop'ev", "Petelin", "Rubio"):
        assert ride(s, name, "MS22").down == "MS23"
    assert ride(s, "Dubrov", "MS18").down == "MS19"
    assert ride(s, "Vande Hei", "MS18").down == "MS19"
    assert ride(s, "Shipenko", "MS19").down == "MS18"
    assert ride(s, "Novitskiy", "MS18").down == "MS18"
    assert ride(s, "Wilmore", "BCFT").down == "SPXC9"
    assert ride(s, "Williams, Sunita", "BCFT").down == "SPXC9"
    assert ride(s, "Shepherd", "TM31").down == "STS102"
    assert ride(s, "Kononenko", "MS24").down == "MS25"


def test_flights_instants_and_kinds(imported):
    """Launch and landing come from missions.txt; MS-23 from the facts; kinds are sensible."""
    f = imported.scenario.flight_by_id
    assert f["MS22"].launch == datetime(2022, 9, 21, 13, 54, 49, tzinfo=UTC)
    assert f["MS22"].land == datetime(2023, 3, 28, 11, 45, 58, tzinfo=UTC)
    assert f["MS23"].kind == "uncrewed" and f["MS23"].launch == datetime(2023, 2, 24, 0, 24, tzinfo=UTC)
    assert f["BCFT"].kind == "test" and f["DM2"].kind == "test"
    assert f["AX1"].kind == "visit" and f["MS20"].kind == "visit"
    assert f["SPXC5"].kind == "rotation" and f["MS22"].kind == "rotation"
    assert f["SPXC9"].vehicle_type == "crew-dragon" and f["TMA9"].vehicle_type == "soyuz-tma"
    assert f["TMA15M"].vehicle_type == "soyuz-tma-m" and f["STS102"].vehicle_type == "space-shuttle"
    assert "MS10" not in f  # the launch abort never reached the station
    # still in flight at the lists' update: no undock, no landing
    assert f["MS28"].undock is None and f["MS28"].land is None
    assert imported.scenario.scenario.horizon == datetime(2026, 7, 3, 7, 3, 57, tzinfo=UTC)
    for flight in imported.scenario.flights:
        assert flight.port is not None, flight.id


def test_agencies_from_sponsors(imported):
    """Sponsor codes map to agencies; a later ride for another agency is marked on the ride."""
    s = imported.scenario
    people = {p.name.split(",")[0]: p for p in s.people}
    assert people["Kikina"].agency == "ROSCOSMOS"
    assert people["Rubio"].agency == "NASA" and people["Rubio"].segments == ("USOS",)
    assert people["Whitson"].agency == "AXIOM" and "USOS" in people["Whitson"].segments
    assert ride(s, "Whitson", "MS03").agency == "NASA"
    assert people["Maezawa Yusaku"].segments == ()  # a spaceflight participant
    assert people["Prokop'ev"].name == "Prokop'ev, Sergey Valer'evich"  # apostrophes kept
    assert people["Shipenko"].name == "Shipenko, Aleksey Pavlovich"  # nickname dropped


def test_duration_cross_check_reports_only_the_known_disagreements(imported):
    """Every person's stays add up to astro.txt's time in space, except the one whose
    Missions field the source truncates, and Soyuz TMA-16's crew: the docking record and
    the landing reports put its landing a day after missions.txt (docs/history.md)."""
    assert [m.split(" ")[0] for m in imported.mismatches] == ["AS-00391", "AS-00400", "AS-00512"]
    assert all("(+1:00:00:00)" in m for m in imported.mismatches[1:])


def test_people_keep_the_names_they_go_by(imported):
    """The list's nickname or starred given name, else the rides file's first given name."""
    known = {p.name.split(",")[0]: p.known_as for p in imported.scenario.people}
    assert known["McArthur"] in ("Megan McArthur", "Bill McArthur")
    names = {p.known_as for p in imported.scenario.people}
    assert {"Megan McArthur", "Nick Hague", "Shane Kimbrough", "Dmitriy Petelin",
            "Koichi Wakata"} <= names
    # where the lists give only the legal name, the facts' [[known_as]] (sourced) says it
    assert {"Mike Fincke", "Bob Hines"} <= names and "Michael Fincke" not in names
    assert "STS125" not in imported.scenario.flight_by_id  # Hubble, not the ISS


def test_duration_cross_check_catches_a_wrong_way_home(tmp_path):
    """If a rider is sent home on the wrong flight, the cross-check says so."""
    shutil.copytree(DATA / "gcat", tmp_path / "gcat")
    sup = tmp_path / "sup.csv"
    text = (DATA / "iss-rides-supplement.csv").read_text()
    wrong = text.replace('AS-00514,"Wilmore, Barry E.",BCFT,SPXC9', 'AS-00514,"Wilmore, Barry E.",BCFT,BCFT')
    assert wrong != text
    sup.write_text(wrong)
    result = import_gcat(tmp_path / "gcat", since=datetime(2024, 1, 1, tzinfo=UTC), supplement=sup)
    assert any(m.startswith("AS-00514 Wilmore") for m in result.mismatches)


def test_unknown_sponsor_is_a_clear_data_error(tmp_path):
    """A sponsor code with no agency in the facts names the code and the fix."""
    shutil.copytree(DATA / "gcat", tmp_path / "gcat")
    sup = tmp_path / "sup.csv"
    sup.write_text("person_id,name,up,down,sponsor,note\nAS-00514,\"Wilmore, Barry E.\",BCFT,SPXC9,MARS,\n")
    with pytest.raises(DataError, match="sponsor code 'MARS' has no agency"):
        import_gcat(tmp_path / "gcat", since=datetime(2024, 1, 1, tzinfo=UTC), supplement=sup)


def test_missing_folder_is_a_clear_data_error(tmp_path):
    with pytest.raises(DataError, match="no file matching missions.txt"):
        import_gcat(tmp_path)


def test_since_keeps_flights_still_docked(tmp_path):
    """--since keeps flights launched before it that were still docked then."""
    result = import_gcat(DATA / "gcat", since=datetime(2023, 1, 1, tzinfo=UTC),
                         supplement=DATA / "iss-rides-supplement.csv")
    ids = set(result.scenario.flight_by_id)
    assert {"MS22", "SPXC5", "MS23"} <= ids
    assert "SPXC4" not in ids


def test_gcat_field_parsers():
    """GCAT instants (uncertain, minute precision, single-digit days) and durations."""
    w = parse_when("2019 Oct  3 1059:20?")
    assert w is not None and w.uncertain and w.at == datetime(2019, 10, 3, 10, 59, 20, tzinfo=UTC)
    assert parse_when("2022 Apr 25 1706").at == datetime(2022, 4, 25, 17, 6, tzinfo=UTC)  # type: ignore[union-attr]
    assert parse_when("-") is None
    with pytest.raises(ValueError):
        parse_when("2022 Foo 25")
    d = parse_duration("247:01:10:37*")
    assert d is not None and d[1] and d[0].days == 247
    missions = read_missions(DATA / "gcat" / "missions.txt")
    assert missions["TM31"].land.at == datetime(2001, 5, 6, 5, 41, 28, tzinfo=UTC)  # type: ignore[union-attr]
    rides = read_rides(DATA / "gcat" / "rides-2024-05.tsv", set(missions) | {"MS23"})
    rubio = next(r for r in rides if r.person == "AS-00636")
    assert rubio.down == "MS23" and rubio.down_role == "BI2"


def test_import_cli_writes_a_loadable_file(tmp_path):
    """`mixedcrew import-gcat` writes a scenario the loader accepts."""
    from typer.testing import CliRunner

    from mixedcrew.cli import app

    out = tmp_path / "iss.toml"
    res = CliRunner().invoke(app, ["import-gcat", str(DATA / "gcat"), "--since", "2024-01-01",
                                   "--supplement", str(DATA / "iss-rides-supplement.csv"), "-o", str(out)])
    assert res.exit_code == 0, res.output
    s = load_scenario(out)
    assert "BCFT" in s.flight_by_id
