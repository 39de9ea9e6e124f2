"""Scenario files: every problem located (file, line, field), round trips, atomic saves.

Bad files are made from the shipped small example by changing one thing, so
each test says which line it broke; the expected line is looked up in the
broken text, not counted by hand.
"""

from __future__ import annotations

import os
import re
import tomllib
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from mixedcrew.domain import Scenario
from mixedcrew.errors import OutputError, Problem, ScenarioError
from mixedcrew.io.scenario_file import (
    dump_scenario,
    load_scenario,
    loads_scenario,
    save_scenario,
    validate_scenario,
    write_atomic,
)
from mixedcrew.io.toml_write import string, value

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
SMALL_PATH = EXAMPLES / "small.toml"
ISS_PATH = EXAMPLES / "iss.toml"
SMALL = SMALL_PATH.read_text(encoding="utf-8")


# --- helpers -----------------------------------------------------------------------


def line_of(text: str, needle: str, occurrence: int = 1) -> int:
    """1-based number of the line holding the `occurrence`-th match of `needle`."""
    pos = -1
    for _ in range(occurrence):
        pos = text.find(needle, pos + 1)
        assert pos >= 0, f"{needle!r} (occurrence {occurrence}) not in the text"
    return text.count("\n", 0, pos) + 1


def changed(old: str, new: str, text: str = SMALL, occurrence: int = 1) -> str:
    """`text` with the `occurrence`-th `old` replaced by `new` (which must exist)."""
    pos = -1
    for _ in range(occurrence):
        pos = text.find(old, pos + 1)
        assert pos >= 0, f"{old!r} (occurrence {occurrence}) not in the text"
    return text[:pos] + new + text[pos + len(old):]


def problems(text: str | bytes, filename: str = "bad.toml") -> list[Problem]:
    with pytest.raises(ScenarioError) as info:
        loads_scenario(text, filename)
    found = info.value.problems
    assert found, "a ScenarioError must carry at least one problem"
    return found


def only(text: str | bytes, filename: str = "bad.toml") -> Problem:
    found = problems(text, filename)
    assert len(found) == 1, "\n".join(map(str, found))
    return found[0]


@pytest.fixture(scope="module")
def small() -> Scenario:
    return load_scenario(SMALL_PATH)


@pytest.fixture(scope="module")
def iss() -> Scenario:
    return load_scenario(ISS_PATH)


# --- the examples load ---------------------------------------------------------------


def test_small_example_loads(small: Scenario) -> None:
    assert [f.id for f in small.flights] == ["MS22", "SPXC5", "MS23"]
    assert len(small.people) == 7
    assert small.flight_by_id["MS22"].launch == datetime(2022, 9, 21, 13, 54, 49, tzinfo=UTC)


def test_iss_example_loads(iss: Scenario) -> None:
    assert len(iss.flights) > 100
    assert "MS28" in iss.flight_by_id and "SPXC11" in iss.flight_by_id


def test_every_instant_is_utc(small: Scenario) -> None:
    for f in small.flights:
        for t in f.instants:
            assert t is None or t.utcoffset() == timedelta(0)


# --- one kind of bad input at a time -------------------------------------------------------


def test_toml_syntax_error_is_located() -> None:
    text = changed("min_rest_days = 30", "min_rest_days = = 30")
    p = only(text)
    assert p.file == "bad.toml"
    assert p.line == line_of(text, "min_rest_days = = 30")
    assert p.path == ""
    assert p.message.startswith("TOML syntax:")
    assert "(column " in p.message


def test_unterminated_string_is_a_syntax_error_on_its_line() -> None:
    text = changed('name = "Rubio, Francisco"', 'name = "Rubio, Francisco')
    p = only(text)
    assert p.line == line_of(text, 'name = "Rubio, Francisco')
    assert p.message.startswith("TOML syntax:")


def test_key_written_twice_is_a_syntax_error_on_the_second() -> None:
    text = changed("min_rest_days = 30", "min_rest_days = 30\nmin_rest_days = 31")
    p = only(text)
    assert p.line == line_of(text, "min_rest_days = 31")
    assert p.message.startswith("TOML syntax:")


def test_unknown_field_is_named_with_its_line() -> None:
    text = changed("seats = 3\n", "seats = 3\ncolour = \"red\"\n")
    p = only(text)
    assert p.line == line_of(text, 'colour = "red"')
    assert p.path == "vehicle_types[0].colour"
    assert "unknown field" in p.message
    assert "mixedcrew schema" in p.message


def test_unknown_field_in_an_inline_table_of_an_array() -> None:
    text = changed("{ vehicle_type = \"soyuz-ms\", ready = 2022-06-01 }",
                   "{ vehicle_type = \"soyuz-ms\", ready = 2022-06-01, rdy = 1 }")
    p = only(text)
    assert p.path == "people[1].trained[0].rdy"
    assert p.line == line_of(text, "rdy = 1")


def test_misspelt_field_reports_both_the_unknown_and_the_missing_one() -> None:
    text = changed("seats = 3\n", "seatz = 3\n")
    found = problems(text)
    by_path = {p.path: p for p in found}
    assert set(by_path) == {"vehicle_types[0].seats", "vehicle_types[0].seatz"}
    assert by_path["vehicle_types[0].seatz"].line == line_of(text, "seatz = 3")
    # never written: the line of its table
    assert by_path["vehicle_types[0].seats"].line == line_of(text, "[[vehicle_types]]")
    assert by_path["vehicle_types[0].seats"].message == "required field is missing"


def test_wrong_type_names_the_value() -> None:
    text = changed("seats = 3\n", 'seats = "three"\n')
    p = only(text)
    assert p.path == "vehicle_types[0].seats"
    assert p.line == line_of(text, 'seats = "three"')
    assert "integer" in p.message and "'three'" in p.message


def test_wrong_type_inside_an_inline_table() -> None:
    text = changed("commander = true", 'commander = "maybe"')
    p = only(text)
    assert p.path == "people[0].trained[0].commander"
    assert p.line == line_of(text, 'commander = "maybe"')


def test_value_out_of_range() -> None:
    text = changed("latitude = 46.0", "latitude = 146.0")
    p = only(text)
    assert p.path == "launch_sites[0].latitude"
    assert p.line == line_of(text, "latitude = 146.0")


def test_a_collection_that_is_not_an_array() -> None:
    text = 'flights = 3\n'
    p = only(text)
    assert (p.line, p.path) == (1, "flights")


@pytest.mark.parametrize(
    ("old", "new", "occurrence", "path", "kind", "hint"),
    [
        ('person = "rubio"', 'person = "rubbio"', 1, "assignments[2].person", "person", "rubio"),
        ('down = "MS23"', 'down = "MS99"', 1, "assignments[0].down", "flight", None),
        ('up = "SPXC5"', 'up = "SPXC6"', 1, "assignments[3].up", "flight", "SPXC5"),
        ('vehicle_type = "soyuz-ms"\nstation', 'vehicle_type = "soyus-ms"\nstation', 1,
         "flights[0].vehicle_type", "vehicle type", "soyuz-ms"),
        ('agency = "JAXA"\nsegments', 'agency = "JAXXA"\nsegments', 1, "people[5].agency", "agency", "JAXA"),
        ('capsule = "endurance"', 'capsule = "enduranse"', 1, "flights[1].capsule", "capsule", "endurance"),
        ('station = "ISS"', 'station = "MIR"', 2, "flights[1].station", "station", None),
        ('port = "poisk"', 'port = "zvezda"', 1, "flights[2].port", "port of ISS", None),
        ('flight = "MS22"', 'flight = "MS-22"', 1, "events[0].flight", "flight", "MS22"),
        ('home_segment = "ROS"', 'home_segment = "RUS"', 1, "agencies[1].home_segment", "segment", "ROS"),
        ('segments = ["USOS"]', 'segments = ["US"]', 1, "people[2].segments[0]", "segment", "USOS"),
    ],
)
def test_dangling_reference(old: str, new: str, occurrence: int, path: str, kind: str,
                            hint: str | None) -> None:
    text = changed(old, new, occurrence=occurrence)
    p = only(text)
    assert p.path == path
    assert p.line == line_of(text, new.split("\n")[0])
    bad = re.search(r'"([^"]+)"', new.split("\n")[0]).group(1)  # type: ignore[union-attr]
    assert p.message.startswith(f"unknown {kind} {bad!r}")
    if hint:
        assert f"did you mean {hint!r}" in p.message


def test_dangling_agency_reported_at_every_reference() -> None:
    # JAXA appears twice as a reference: a certification and a person.
    text = SMALL.replace('agency = "JAXA"', 'agency = "JAXXA"')
    found = problems(text)
    assert [(p.path, p.line) for p in found] == [
        ("certifications[4].agency", line_of(text, 'agency = "JAXXA"', 1)),
        ("people[5].agency", line_of(text, 'agency = "JAXXA"', 2)),
    ]


def test_naive_datetime_is_refused_with_the_fix() -> None:
    text = changed("launch = 2022-09-21T13:54:49Z", "launch = 2022-09-21T13:54:49")
    p = only(text)
    assert p.path == "flights[0].launch"
    assert p.line == line_of(text, "launch = 2022-09-21T13:54:49\n")
    assert "no time zone" in p.message
    # the fix, written out: the same instant with Z
    assert "2022-09-21T13:54:49Z" in p.message


def test_naive_datetime_inside_an_inline_table() -> None:
    text = changed("ready = 2022-08-01", "ready = 2022-08-01T10:00:00")
    p = only(text)
    assert p.path == "people[6].trained[0].ready"
    assert p.line == line_of(text, "ready = 2022-08-01T10:00:00")
    assert "2022-08-01T10:00:00Z" in p.message


def test_naive_datetime_written_as_a_string() -> None:
    text = changed("launch = 2022-09-21T13:54:49Z", 'launch = "2022-09-21T13:54:49"')
    p = only(text)
    assert p.path == "flights[0].launch"
    assert "2022-09-21T13:54:49Z" in p.message


def test_garbage_instant_string_says_how_to_write_one() -> None:
    text = changed("launch = 2022-09-21T13:54:49Z", 'launch = "next tuesday"')
    p = only(text)
    assert p.path == "flights[0].launch"
    assert "2022-09-21T13:54:49Z" in p.message  # the example format


def test_instant_out_of_range_in_utc_is_a_problem_not_a_crash() -> None:
    text = changed("continuous_presence_from = 2000-11-02T09:21:00Z",
                   "continuous_presence_from = 0001-01-01T00:00:00+01:00")
    p = only(text)
    assert p.path == "stations[0].continuous_presence_from"
    assert p.line == line_of(text, "continuous_presence_from")
    assert "out of range" in p.message


def test_plain_date_is_midnight_utc() -> None:
    text = changed("launch = 2022-09-21T13:54:49Z", "launch = 2022-09-21")
    s = loads_scenario(text)
    assert s.flight_by_id["MS22"].launch == datetime(2022, 9, 21, tzinfo=UTC)
    assert s.flight_by_id["MS22"].launch.utcoffset() == timedelta(0)  # type: ignore[union-attr]
    cert = s.certifications[0]
    assert cert.start == datetime(2020, 11, 10, 0, 0, tzinfo=UTC)


def test_offset_datetime_is_normalised_to_utc() -> None:
    text = changed("launch = 2022-09-21T13:54:49Z", "launch = 2022-09-21T16:54:49+03:00")
    launch = loads_scenario(text).flight_by_id["MS22"].launch
    assert launch == datetime(2022, 9, 21, 13, 54, 49, tzinfo=UTC)
    assert launch.tzinfo == UTC  # type: ignore[union-attr]
    # and it is written back in UTC
    assert "launch = 2022-09-21T13:54:49Z" in dump_scenario(loads_scenario(text))


def test_negative_offset_crossing_midnight() -> None:
    text = changed("launch = 2022-09-21T13:54:49Z", "launch = 2022-09-20T23:54:49-14:00")
    assert loads_scenario(text).flight_by_id["MS22"].launch == datetime(
        2022, 9, 21, 13, 54, 49, tzinfo=UTC)


def test_dock_before_launch() -> None:
    text = changed("dock = 2022-09-21T17:06:00Z", "dock = 2022-09-20T17:06:00Z")
    p = only(text)
    assert p.path == "flights[0].dock"
    assert p.line == line_of(text, "dock = 2022-09-20T17:06:00Z")
    assert "before launch" in p.message


def test_land_before_undock() -> None:
    text = changed("land = 2023-03-12T02:02:00Z", "land = 2023-03-10T02:02:00Z")
    p = only(text)
    assert p.path == "flights[1].land"
    assert p.line == line_of(text, "land = 2023-03-10T02:02:00Z")
    assert "before undock" in p.message


def test_instants_filled_out_of_order() -> None:
    # an undock with no dock: the instants of a flight are filled in order
    text = changed("dock = 2022-09-21T17:06:00Z\n", "")
    p = only(text)
    assert p.path == "flights[0].undock"
    assert p.line == line_of(text, "undock = 2023-03-28T08:57:00Z")


def test_duplicate_person_id() -> None:
    text = changed('id = "kikina"', 'id = "wakata"')
    found = problems(text)
    dup = [p for p in found if "duplicate" in p.message]
    assert len(dup) == 1
    assert dup[0].path == "people[6].id"
    assert dup[0].line == line_of(text, 'id = "wakata"', 2)
    assert dup[0].message.startswith("duplicate person id 'wakata'")
    # and the assignment that still names kikina is dangling
    assert any(p.path == "assignments[6].person" and "unknown person 'kikina'" in p.message
               for p in found)


def test_duplicate_agency_id_is_named_in_the_singular() -> None:
    text = changed("[[vehicle_types]]", '[[agencies]]\nid = "NASA"\n\n[[vehicle_types]]')
    p = only(text)
    assert p.path == "agencies[3].id"
    assert p.line == line_of(text, 'id = "NASA"', 2)
    assert p.message.startswith("duplicate agency id 'NASA'")


def test_duplicate_port_id_in_a_station() -> None:
    text = changed('id = "poisk"', 'id = "rassvet"')
    found = problems(text)
    assert any(p.path == "stations[0].ports[1].id" and p.line == line_of(text, 'id = "rassvet"', 2)
               and "duplicate port id" in p.message for p in found)


def test_missing_required_field_points_at_its_table() -> None:
    text = changed('vehicle_type = "crew-dragon"\ncapsule', "capsule")
    p = only(text)
    assert p.path == "flights[1].vehicle_type"
    assert p.line == line_of(text, "[[flights]]", 2)
    assert p.message == "required field is missing"


def test_event_without_a_kind() -> None:
    text = changed('kind = "damage"\n', "")
    p = only(text)
    assert p.path == "events[0].kind"
    assert p.line == line_of(text, "[[events]]")
    assert "required field is missing" in p.message
    assert "'damage'" in p.message  # lists the kinds


def test_event_of_unknown_kind_points_at_the_kind() -> None:
    text = changed('kind = "damage"', 'kind = "meteor"')
    p = only(text)
    assert p.path == "events[0].kind"
    assert p.line == line_of(text, 'kind = "meteor"')
    assert "'meteor'" in p.message and "'damage'" in p.message


def test_field_error_inside_an_event_has_the_files_path() -> None:
    # pydantic's union tag (the kind) must not appear in the path
    text = changed("seats_lost = 3", "seats_lost = 0")
    p = only(text)
    assert p.path == "events[0].seats_lost"
    assert p.line == line_of(text, "seats_lost = 0")


def test_agreement_quota_party_not_a_party() -> None:
    text = changed('party = "ROSCOSMOS"', 'party = "JAXA"')
    p = only(text)
    assert p.path == "agreements[0].quotas[1].party"
    assert p.line == line_of(text, 'party = "JAXA"')


def test_window_until_before_from() -> None:
    text = changed("until = 2028-01-01", "until = 2020-01-01")
    found = problems(text)
    assert {p.line for p in found} <= {line_of(text, "until = 2020-01-01"), line_of(text, "[[agreements]]")}
    assert any("'until'" in p.message for p in found)


# --- many problems at once ---------------------------------------------------------------


def test_every_problem_is_reported_at_once_in_line_order() -> None:
    text = SMALL
    text = changed("min_rest_days = 30", "min_rest_days = -1", text)                 # range
    text = changed("seats = 3\n", 'seats = "three"\n', text)                          # type
    text = changed('name = "Crew Dragon"\n', 'name = "Crew Dragon"\nwings = 2\n', text)  # unknown
    text = changed("launch = 2022-09-21T13:54:49Z", "launch = 2022-09-21T13:54:49", text)  # naive
    text = changed("dock = 2022-10-06T21:01:00Z", "dock = 2022-10-04T21:01:00Z", text)  # order
    text = changed('person = "rubio"', 'person = "rubbio"', text)                     # person
    text = changed('up = "SPXC5"', 'up = "SPXC9"', text)                              # flight
    text = changed('id = "petelin"', 'id = "prokopyev"', text)                        # duplicate
    found = problems(text)
    got = {(p.line, p.path) for p in found}
    expected = {
        (line_of(text, "min_rest_days = -1"), "scenario.min_rest_days"),
        (line_of(text, 'seats = "three"'), "vehicle_types[0].seats"),
        (line_of(text, "wings = 2"), "vehicle_types[1].wings"),
        (line_of(text, "launch = 2022-09-21T13:54:49\n"), "flights[0].launch"),
        (line_of(text, "dock = 2022-10-04T21:01:00Z"), "flights[1].dock"),
        (line_of(text, 'person = "rubbio"'), "assignments[2].person"),
        (line_of(text, 'up = "SPXC9"'), "assignments[3].up"),
        (line_of(text, 'id = "prokopyev"', 2), "people[1].id"),
    }
    assert expected <= got, "\n".join(map(str, found))
    # in file order, each once
    lines = [p.line or 0 for p in found]
    assert lines == sorted(lines)
    assert len(found) == len(set(found))
    # the error's text is one line per problem
    error_text = str(ScenarioError(found))
    assert error_text.splitlines() == [str(p) for p in found]


def test_a_bad_item_is_not_reported_again_at_every_reference() -> None:
    # rubio fails on his own (unknown field); the assignment naming him is not dangling
    text = changed('name = "Rubio, Francisco"', 'name = "Rubio, Francisco"\nnickname = "Frank"')
    p = only(text)
    assert p.path == "people[2].nickname"


def test_problem_text_is_file_line_path_message() -> None:
    text = changed("seats = 3\n", 'seats = "three"\n')
    p = only(text, "plans/winter.toml")
    assert re.fullmatch(r"plans/winter\.toml:\d+: vehicle_types\[0\]\.seats: .+", str(p))
    assert str(p).startswith(f"plans/winter.toml:{line_of(text, 'seats = ')}: ")


# --- bytes, files --------------------------------------------------------------------------


def test_non_utf8_bytes_name_the_line() -> None:
    raw = SMALL.encode().replace(b"Petelin, Dmitriy", b"P\xe9telin, Dmitriy")
    p = only(raw)
    assert p.line == line_of(SMALL, "Petelin, Dmitriy")
    assert p.path == ""
    assert "0xe9" in p.message and "UTF-8" in p.message


def test_utf8_byte_order_mark_is_accepted(small: Scenario) -> None:
    assert loads_scenario(b"\xef\xbb\xbf" + SMALL.encode()) == small
    assert loads_scenario("\ufeff" + SMALL) == small


def test_windows_line_endings_keep_line_numbers() -> None:
    text = changed("seats = 3\n", 'seats = "three"\n').replace("\n", "\r\n")
    p = only(text.encode())
    assert p.line == line_of(text, 'seats = "three"')


def test_line_separator_characters_in_strings_do_not_shift_lines() -> None:
    # U+2028 and U+0085 are allowed in TOML strings and comments; only \n ends a line.
    text = changed('description = "First integrated crews; the MS-22 coolant leak"',
                   'description = "First\u2028integrated\u0085crews"  # a\u2028comment')
    text = changed("seats = 3\n", 'seats = "three"\n', text)
    p = only(text)
    assert p.line == line_of(text, 'seats = "three"')


def test_deeply_nested_value_is_a_problem_not_a_crash() -> None:
    text = "x = " + "[" * 3000 + "]" * 3000 + "\n"
    p = only(text)
    assert p.line == 1
    assert p.message.startswith("arrays or inline tables nested more than 16 deep")


def test_missing_file(tmp_path: Path) -> None:
    missing = tmp_path / "nope.toml"
    with pytest.raises(ScenarioError) as info:
        load_scenario(missing)
    (p,) = info.value.problems
    assert p.file == str(missing)
    assert p.line is None
    assert "cannot read" in p.message
    assert str(p).startswith(f"{missing}: ")


def test_a_directory_is_not_a_file(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError) as info:
        load_scenario(tmp_path)
    assert "is a directory, not a regular file" in info.value.problems[0].message


def test_load_names_the_file_in_problems(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(changed("seats = 3\n", 'seats = "three"\n'), encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load_scenario(bad)
    assert info.value.problems[0].file == str(bad)


def test_empty_file_is_an_empty_scenario() -> None:
    assert loads_scenario("") == Scenario()


def test_validate_without_text_gives_no_lines() -> None:
    with pytest.raises(ScenarioError) as info:
        validate_scenario({"flights": 3})
    (p,) = info.value.problems
    assert p.line is None and p.path == "flights"
    assert str(p) == "<scenario>: flights: " + p.message


# --- round trip ------------------------------------------------------------------------------


@pytest.mark.parametrize("path", [SMALL_PATH, ISS_PATH], ids=["small", "iss"])
def test_dump_loads_back_equal_and_is_stable(path: Path) -> None:
    scenario = load_scenario(path)
    text = dump_scenario(scenario)
    again = loads_scenario(text, "dumped.toml")
    assert again == scenario
    assert dump_scenario(again) == text


def test_dump_keeps_what_the_small_example_says(small: Scenario) -> None:
    text = dump_scenario(small)
    assert "[[flights]]" in text and 'id = "MS22"' in text
    assert "launch = 2022-09-21T13:54:49Z" in text
    assert 'kind = "damage"' in text


def test_dump_with_header_writes_comments_and_still_loads(small: Scenario) -> None:
    text = dump_scenario(small, header="Generated for a test\n\nsecond paragraph")
    assert text.startswith("# Generated for a test\n#\n# second paragraph\n\n")
    assert loads_scenario(text) == small


def test_sub_second_instants_survive_a_round_trip() -> None:
    text = changed("launch = 2022-09-21T13:54:49Z", "launch = 2022-09-21T13:54:49.250Z")
    s = loads_scenario(text)
    assert s.flight_by_id["MS22"].launch.microsecond == 250000  # type: ignore[union-attr]
    assert loads_scenario(dump_scenario(s)) == s


def test_awkward_strings_survive_a_round_trip() -> None:
    odd = 'quote " backslash \\ tab \t newline \n del \x7f nbsp \u00a0 ls \u2028 [[fake]] # not a comment'
    text = changed('note = "coolant leak after a micrometeoroid or debris strike"',
                   f"note = {string(odd)}")
    s = loads_scenario(text)
    assert s.events[0].note == odd
    assert loads_scenario(dump_scenario(s)) == s


# --- saving -----------------------------------------------------------------------------------


def test_save_writes_a_file_that_loads_back(small: Scenario, tmp_path: Path) -> None:
    target = tmp_path / "sub" / "plan.toml"
    save_scenario(small, target, header="saved by a test")
    assert load_scenario(target) == small
    assert target.read_text(encoding="utf-8") == dump_scenario(small, header="saved by a test")
    assert sorted(p.name for p in target.parent.iterdir()) == ["plan.toml"]


def test_save_replaces_the_old_file(small: Scenario, tmp_path: Path) -> None:
    target = tmp_path / "plan.toml"
    target.write_text("old = 1\n", encoding="utf-8")
    save_scenario(small, target)
    assert load_scenario(target) == small
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan.toml"]


def test_save_goes_through_a_temp_file_then_a_rename(small: Scenario, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "plan.toml"
    target.write_text("old = 1\n", encoding="utf-8")
    seen: list[tuple[str, str, str]] = []
    real_replace = os.replace

    def spy(src: str, dst: str) -> None:
        # at the moment of the rename, the target still holds the old text
        seen.append((str(src), str(dst), Path(dst).read_text(encoding="utf-8")))
        assert Path(src).read_text(encoding="utf-8") == dump_scenario(small)
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", spy)
    save_scenario(small, target)
    (src, dst, before) = seen[0]
    assert Path(src).parent == tmp_path and Path(src).name != "plan.toml"
    assert dst == str(target)
    assert before == "old = 1\n"


def _fail(*_args: object, **_kwargs: object) -> None:
    raise OSError(28, "No space left on device")


@pytest.mark.parametrize("step", ["replace", "fsync"])
def test_failed_save_leaves_the_old_file_and_no_temp_files(small: Scenario, tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch,
                                                           step: str) -> None:
    target = tmp_path / "plan.toml"
    target.write_text(SMALL, encoding="utf-8")
    monkeypatch.setattr(os, step, _fail)
    with pytest.raises(OutputError, match="plan.toml: cannot be written"):
        save_scenario(small.model_copy(update={"flights": ()}), target)
    monkeypatch.undo()
    assert target.read_text(encoding="utf-8") == SMALL
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan.toml"]


def test_failed_write_leaves_the_old_file_and_no_temp_files(tmp_path: Path) -> None:
    target = tmp_path / "plan.toml"
    target.write_text(SMALL, encoding="utf-8")
    # a lone surrogate cannot be encoded: the write itself fails, half-way through
    with pytest.raises(UnicodeEncodeError):
        write_atomic(target, "a = 1\n" * 1000 + "b = '\ud800'\n")
    assert target.read_text(encoding="utf-8") == SMALL
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan.toml"]


def test_interrupted_save_cleans_up(small: Scenario, tmp_path: Path,
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "plan.toml"
    target.write_text(SMALL, encoding="utf-8")

    def interrupt(*_args: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", interrupt)
    with pytest.raises(KeyboardInterrupt):
        save_scenario(small, target)
    monkeypatch.undo()
    assert target.read_text(encoding="utf-8") == SMALL
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan.toml"]


# --- problems in valid items after an invalid one keep the file's indices -------------------


def test_reference_after_an_invalid_item_names_the_files_index() -> None:
    # assignments[0] fails on its own; assignments[2] is dangling: it must be called [2], not [1]
    text = changed('role = "commander"', 'role = "captain"')
    text = changed('person = "rubio"', 'person = "rubbio"', text)
    found = problems(text)
    assert [(p.path, p.line) for p in found] == [
        ("assignments[0].role", line_of(text, 'role = "captain"')),
        ("assignments[2].person", line_of(text, 'person = "rubbio"')),
    ]


def test_order_problem_after_an_invalid_flight_names_the_files_flight() -> None:
    text = changed("launch = 2022-09-21T13:54:49Z", "launch = 2022-09-21T13:54:49")
    text = changed("land = 2023-03-12T02:02:00Z", "land = 2023-03-10T02:02:00Z", text)
    found = problems(text)
    assert [(p.path, p.line) for p in found] == [
        ("flights[0].launch", line_of(text, "launch = 2022-09-21T13:54:49\n")),
        ("flights[1].land", line_of(text, "land = 2023-03-10T02:02:00Z")),
    ]


def test_duplicate_after_an_invalid_item_names_the_files_indices() -> None:
    text = changed('name = "Prokop\'ev, Sergey"', "name = 7")          # people[0] invalid
    text = changed('id = "cassada"', 'id = "mann"', text)             # people[4] duplicates people[3]
    found = problems(text)
    dup = [p for p in found if "duplicate" in p.message]
    assert len(dup) == 1
    assert dup[0].path == "people[4].id"
    assert dup[0].line == line_of(text, 'id = "mann"', 2)
    assert "(first at 3)" in dup[0].message


def test_same_ride_twice_names_the_first_assignment_by_its_files_index() -> None:
    text = changed('role = "commander"', 'role = "captain"')          # assignments[0] invalid
    text = changed('person = "kikina"', 'person = "wakata"', text)    # assignments[6] repeats [5]
    found = problems(text)
    again = [p for p in found if "already rides up" in p.message]
    assert len(again) == 1
    assert again[0].path == "assignments[6].person"
    assert "(assignments[5])" in again[0].message


# --- odd shapes that once crashed the loader or the writer --------------------------------------


@pytest.mark.parametrize("segments", ["3", "true", "2020-01-01", '"ab"', "{ a = 1 }"])
def test_station_segments_of_the_wrong_shape(segments: str) -> None:
    text = f'[[stations]]\nid = "X"\nsegments = {segments}\nbogus = 1\n'
    found = problems(text)
    assert [(p.line, p.path) for p in found] == [(3, "stations[0].segments"), (4, "stations[0].bogus")]


def test_writer_keeps_datetimes_it_cannot_put_in_utc() -> None:
    assert value(datetime(2022, 1, 2, 3, 4, 5, tzinfo=UTC)) == "2022-01-02T03:04:05Z"
    assert value(datetime(2022, 1, 2, 3, 4, 5, 60, tzinfo=UTC)) == "2022-01-02T03:04:05.000060Z"
    # no zone: written as given (the loader then refuses it with the fix), not as local time
    assert value(datetime(2022, 1, 2, 3, 4, 5)) == "2022-01-02T03:04:05"
    # before year 1 in UTC: written with its offset
    early = datetime(1, 1, 1, 0, 30, tzinfo=timezone(timedelta(hours=1)))
    assert value(early) == "0001-01-01T00:30:00+01:00"
    assert tomllib.loads(f"t = {value(early)}")["t"] == early


def test_unknown_ids_in_the_risk_section_are_located():
    """[risk] entries naming a vehicle type the scenario lacks are load errors with their line."""
    text = 'scenario = {}\n[[vehicle_types]]\nid = "x"\nseats = 3\nmax_docked_days = 10\n\n' \
           '[risk]\nvehicles = [{ vehicle_type = "y" }]\n'
    with pytest.raises(ScenarioError) as info:
        loads_scenario(text.replace("scenario = {}\n", ""), "r.toml")
    (problem,) = info.value.problems
    assert (problem.line, problem.path) == (7, "risk.vehicles[0].vehicle_type")
    assert "unknown vehicle type 'y'" in problem.message
