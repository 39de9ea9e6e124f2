"""The forward ISS scenario: built from the history, the real corps and the announced flights.

The shipped examples/iss-2030.toml is what `build_forward` makes from the
shipped files, byte for byte; the tests below pin what the corps list and
the announced list turn into (matches, availability, training, commanders,
rest, named crews, open flights) and how bad input is refused.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from mixedcrew.check import check
from mixedcrew.domain import Grounding, SiteOutage
from mixedcrew.errors import DataError
from mixedcrew.io.corps import name_key, read_corps
from mixedcrew.io.forward import build_forward
from mixedcrew.io.forward_settings import ForwardSettings
from mixedcrew.io.scenario_file import dump_scenario, load_scenario

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
CORPS, ANNOUNCED = DATA / "corps-2026.csv", DATA / "announced-2026.csv"
HORIZON = datetime(2026, 7, 3, 7, 3, 57, tzinfo=UTC)


@pytest.fixture(scope="module")
def history():
    return load_scenario(ROOT / "examples" / "iss.toml")


@pytest.fixture(scope="module")
def built(history):
    return build_forward(history, CORPS, ANNOUNCED)


@pytest.fixture(scope="module")
def fw(built):
    return built.scenario


def person(s, name: str):
    hits = [p for p in s.people if name_key(p.name).startswith(name_key(name))]
    assert len(hits) == 1, [p.name for p in hits]
    return hits[0]


def test_shipped_forward_example_is_regenerated_exactly(built):
    """examples/iss-2030.toml is what the builder makes from the shipped files, byte for byte."""
    shipped = (ROOT / "examples" / "iss-2030.toml").read_text(encoding="utf-8")
    assert dump_scenario(built.scenario, built.header) == shipped


def test_the_history_keeps_its_record(fw, history):
    """The forward scenario breaks no rule the history does not already break."""
    before = {(v.rule, v.start, v.end) for v in check(history).violations}
    after = {(v.rule, v.start, v.end) for v in check(fw).violations}
    assert after == before


def test_short_forms_match_the_gcat_people(built):
    """Nicknames, transliterations and spellings one letter apart match; surnames alone do not."""
    by_row = {m.row.name: m for m in built.matches}
    assert by_row["Fincke, Mike"].person_id == "AS-00439"  # Fincke, Edward Michael
    assert by_row["Hague, Nick"].person_id == "AS-00565"  # Hague, Tyler Nicklaus
    assert by_row["Kim, Jonny"].person_id == "AS-00727"
    assert by_row["Ayers, Nichole"].person_id == "AS-00720"  # GCAT: Nicole
    assert by_row["Prokopyev, Sergei Valeryevich"].person_id is not None  # GCAT: Prokop'ev, Sergey
    assert by_row["Grebenkin, Aleksandr Sergeyevich"].person_id is not None  # GCAT: Grebyonkin
    assert by_row["Williams, Sunita"].person_id == "AS-00460"
    assert by_row["Williams, Christopher Leigh"].person_id == "AS-00766"
    assert by_row["Jones, Cameron"].person_id is None  # not Jones, Thomas David
    assert "surname only" in by_row["Jones, Cameron"].how
    assert by_row["Menon, Anil"].person_id is None


def test_every_unmatched_row_is_someone_who_never_flew_to_the_station(built, history):
    """The report of what did not match: rookies and people who never flew to the ISS."""
    flown = {a.person for a in history.assignments}
    for m in built.unmatched:
        assert not m.row.flown_before or m.row.name in ("Menon, Anna", "Hansen, Jeremy"), m.row.name
    assert all(m.person_id in flown for m in built.matches if m.person_id)


def test_a_person_listed_under_two_agencies_is_one_person(fw):
    """Wakata: JAXA to 2024-03-31, then Axiom; his past rides stay JAXA's."""
    wakata = person(fw, "Wakata")
    assert wakata.agency == "AXIOM"
    rides = [a for a in fw.assignments if a.person == wakata.id]
    assert rides and all(a.agency == "JAXA" for a in rides)


def test_status_with_dates_becomes_availability(fw):
    """Retired, management, unknown: not available after the horizon; candidates from graduation."""
    for name in ("Wilmore", "Tingle", "Lindgren", "Walker, Shannon", "Artem"):
        p = person(fw, name)
        assert p.available.end is not None and p.available.end <= HORIZON, name
    assert person(fw, "Bailey").available.start == datetime(2027, 9, 22, tzinfo=UTC)
    assert person(fw, "Burchuladze").available.start == datetime(2026, 5, 27, tzinfo=UTC)
    assert person(fw, "Meir").available.end is None
    hurley = person(fw, "Hurley")  # in the history, not in the corps list
    assert hurley.available.end is not None and hurley.available.end <= HORIZON


def test_rest_between_stays_has_its_sourced_default(fw):
    """730 days, or a person's own shortest gap in the record when shorter."""
    assert person(fw, "Meir").min_rest_days == 730
    lopez = person(fw, "Lopez-Alegria")
    assert lopez.min_rest_days is not None and 600 < lopez.min_rest_days < 730


def test_commanders_have_flown_before(fw):
    """Rookies are never rated to command; Soyuz is commanded by cosmonauts, Dragon by the others."""
    delaney = person(fw, "Delaney")
    assert not any(t.commander for t in delaney.trained)
    assert any(t.commander for t in person(fw, "Watkins").trained if t.vehicle_type == "crew-dragon")
    assert any(t.commander for t in person(fw, "Whitson").trained if t.vehicle_type == "crew-dragon")
    for p in fw.people:
        if p.agency != "ROSCOSMOS":
            future = [t for t in p.trained if t.vehicle_type == "soyuz-ms" and t.ready >= HORIZON]
            assert not any(t.commander for t in future), p.name


def test_named_crews_are_pinned_and_open_flights_follow_the_cadence(fw):
    """MS-29 and Crew-13 carry their announced crews; rotations follow at 240 and 182 days."""
    crew = {a.person: a.role for a in fw.riders_up("MS29")}
    assert crew[person(fw, "Dubrov").id] == "commander" and len(crew) == 3
    assert {fw.person_by_id[p].agency for p in (a.person for a in fw.riders_up("SPXC13"))} == {
        "NASA", "CSA", "ROSCOSMOS"}
    starts = {f.id: f.window.start for f in fw.flights if f.open and f.window and f.window.start}
    assert (starts["MS30"] - starts["MS29"]).days == 240
    assert (starts["SPXC14"] - starts["SPXC13"]).days == 182
    assert max(starts.values()) < ForwardSettings().until
    ax5 = fw.flight_by_id["AX5"]
    assert ax5.client == "AXIOM" and ax5.kind == "visit" and len(fw.riders_up("AX5")) == 3
    usdv = fw.flight_by_id["USDV"]
    assert usdv.kind == "uncrewed" and usdv.target_days and usdv.target_days > 500


def test_the_assumptions_are_settings(history):
    """Agreement end and US crew size are settings: flipping one changes the scenario."""
    s = build_forward(history, CORPS, ANNOUNCED, ForwardSettings(
        agreement_until=datetime(2028, 1, 1, tzinfo=UTC), us_crew=3)).scenario
    assert s.agreements[0].end == datetime(2028, 1, 1, tzinfo=UTC)
    assert s.flight_by_id["SPXC14"].seats == 3 and s.flight_by_id["SPXC13"].seats is None
    assert s.stations[0].crew[-1].nominal == 6
    # min_aboard follows the nominal crew: 6 - 1
    assert s.planning.min_aboard == 5


def test_handovers_and_a_least_crew_are_asked_by_default(fw, history):
    """Issue 16 §5: the forward plan asks direct handovers of at least 6 days (the record's
    shortest usual one) until the deorbit vehicle docks, and the nominal crew minus one aboard;
    each a setting a user can flip (off: the planner's defaults)."""
    assert fw.planning.handover_days == 6.0
    assert fw.planning.handover_until == ForwardSettings().deorbit_vehicle_dock
    assert fw.planning.min_aboard == fw.stations[0].crew[-1].nominal - 1 == 6
    off = build_forward(history, CORPS, ANNOUNCED, ForwardSettings(
        handover_days=None, min_aboard=0)).scenario
    assert off.planning.handover_days is None and off.planning.handover_until is None
    assert off.planning.min_aboard is None
    header = build_forward(history, CORPS, ANNOUNCED, ForwardSettings(handover_days=None)).header
    assert "--no-handover -o examples/iss-2030.toml" in header
    later = build_forward(history, CORPS, ANNOUNCED, ForwardSettings(
        deorbit_vehicle_dock=datetime(2030, 1, 1, tzinfo=UTC), handover_days=3, min_aboard=4)).scenario
    assert later.planning.handover_until == datetime(2030, 1, 1, tzinfo=UTC)
    assert (later.planning.handover_days, later.planning.min_aboard) == (3.0, 4)


def test_the_handover_default_is_the_records_shortest_usual_handover(history):
    """The 6-day default, from the dates: every direct handover between rotations of one
    vehicle type since Crew-1 and Soyuz MS-15 lasted at least 6.3 days, but Crew-9 to Crew-10."""
    since = datetime(2019, 9, 1, tzinfo=UTC)  # from Soyuz MS-15's docking
    short = []
    for vt in ("crew-dragon", "soyuz-ms"):
        rot = sorted((f for f in history.flights if f.vehicle_type == vt and f.kind == "rotation"
                      and f.dock and f.dock >= since and f.undock), key=lambda f: f.dock)
        for a, b in zip(rot, rot[1:], strict=False):
            days = (a.undock - b.dock).total_seconds() / 86400
            if 0 < days < ForwardSettings().handover_days:
                short.append((a.id, b.id, round(days, 1)))
    assert short == [("SPXC9", "SPXC10", 2.0)]


def test_outages_end_where_the_sources_say(fw):
    """Baikonur repaired 2026-03-03; Starliner flies again as uncrewed cargo from 2025-11-24."""
    pad = next(e for e in fw.events if isinstance(e, SiteOutage))
    assert pad.until == datetime(2026, 3, 3, tzinfo=UTC)
    starliner = next(e for e in fw.events if isinstance(e, Grounding))
    assert starliner.until == datetime(2025, 11, 24, tzinfo=UTC)


def test_shares_are_the_us_segment_utilisation_shares(fw):
    sh = fw.shares[0]
    assert {s.agency: s.percent for s in sh.shares} == {"NASA": 76.6, "JAXA": 12.8, "ESA": 8.3,
                                                        "CSA": 2.3}
    assert sh.segment == "USOS" and "OIG" in sh.source


# --- bad input ----------------------------------------------------------------------------


def _corps_with(tmp_path: Path, *rows: str) -> Path:
    lines = CORPS.read_text(encoding="utf-8").splitlines()[:3] + list(rows)
    path = tmp_path / "corps.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_bad_corps_rows_are_each_one_problem_with_line_and_column(tmp_path, history):
    """Unknown agency, impossible date, a person twice, an unknown status: one problem each."""
    path = _corps_with(
        tmp_path,
        '"Doe, Jane",NAZA,active,2024-01-01,no,unknown,src,',
        '"Roe, Rick",NASA,active,2024-02-30,no,unknown,src,',
        '"Acaba, Joseph (Joe)",NASA,active,2020-01,yes,Soyuz,src,',
        '"Poe, Pat",ESA,on leave,2024-01,no,unknown,src,')
    with pytest.raises(DataError) as e:
        read_corps(path, {a.id for a in history.agencies})
    lines = [str(p) for p in e.value.problems]
    assert len(lines) == 4, lines
    assert lines[0].startswith(f"{path}:4: column 2 (agency): unknown agency 'NAZA'")
    assert lines[1].startswith(f"{path}:5: column 4 (status_since): '2024-02-30' is not a date")
    assert lines[2] == (f"{path}:6: column 1 (name): Acaba, Joseph (Joe) (NASA) appears twice: "
                        "also on line 2")
    assert lines[3].startswith(f"{path}:7: column 3 (status): unknown status 'on leave'")


def test_bad_announced_rows_are_each_one_problem_with_line_and_column(tmp_path, history):
    """An unknown agency in a crew, an impossible date, a flight twice, an unknown status."""
    from mixedcrew.io.corps import read_announced

    lines = ANNOUNCED.read_text(encoding="utf-8").splitlines()[:3] + [
        'Soyuz MS-40,Soyuz MS,2027-02-30,unknown,"Doe, Jane (NAZA, commander)",src,',
        'Crew-12,Crew Dragon,2026-02-13,launched,unknown,src,',
        'Crew-40,Crew Dragon,2027-01,maybe,unknown,src,']
    path = tmp_path / "announced.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(DataError) as e:
        read_announced(path, {a.id for a in history.agencies})
    said = [str(p) for p in e.value.problems]
    assert said == [
        f"{path}:4: column 3 (target_launch): '2027-02-30' is not a date on the calendar "
        "(day is out of range for month)",
        f"{path}:4: column 5 (crew): Doe, Jane: unknown agency 'NAZA' (known: "
        + ", ".join(sorted(a.id for a in history.agencies)) + ")",
        f"{path}:5: column 1 (flight): Crew-12 appears twice: also on line 3",
        f"{path}:6: column 4 (status): unknown status 'maybe' (known: launched, unknown, planned, "
        "in force, under negotiation, completed, proposed, precedent)"]


def test_the_command_refuses_bad_input_with_exit_2_and_writes_nothing(tmp_path):
    """`mixedcrew forward` with a bad corps file and a bad option: one line each, exit 2."""
    from typer.testing import CliRunner

    from mixedcrew.cli import app

    bad = _corps_with(tmp_path, '"Doe, Jane",NAZA,active,2024-01-01,no,unknown,src,')
    out = tmp_path / "never.toml"
    runner = CliRunner()
    r = runner.invoke(app, ["forward", str(ROOT / "examples" / "iss.toml"), "--corps", str(bad),
                            "--announced", str(ANNOUNCED), "-o", str(out)])
    assert r.exit_code == 2 and not out.exists()
    assert r.output.count("\n") == 1 and ":4: column 2 (agency)" in r.output
    r = runner.invoke(app, ["forward", str(ROOT / "examples" / "iss.toml"), "--corps", str(CORPS),
                            "--announced", str(ANNOUNCED), "--us-crew", "5", "-o", str(out)])
    assert r.exit_code == 2 and not out.exists()
    assert r.output.startswith("--us-crew: ")
    r = runner.invoke(app, ["forward", str(ROOT / "examples" / "iss.toml"), "--corps", str(CORPS),
                            "--announced", str(ANNOUNCED), "--until", "2026-01-01", "-o", str(out)])
    assert r.exit_code == 2 and not out.exists() and r.output.startswith("--until: ")
    r = runner.invoke(app, ["forward", str(ROOT / "examples" / "iss.toml"), "--corps", str(CORPS),
                            "--announced", str(ANNOUNCED), "--min-aboard", "-1", "-o", str(out)])
    assert r.exit_code == 2 and not out.exists() and r.output.startswith("--min-aboard: ")
    r = runner.invoke(app, ["forward", str(ROOT / "examples" / "iss.toml"), "--corps", str(CORPS),
                            "--announced", str(ANNOUNCED), "--no-handover", "--handover-days", "3",
                            "-o", str(out)])
    assert r.exit_code == 2 and not out.exists() and r.output.startswith("--no-handover: ")
