"""The `mixedcrew` command: exit statuses, one line per problem, JSON shapes, no tracebacks."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from mixedcrew import __version__
from mixedcrew.cli import app
from mixedcrew.errors import ScenarioError
from mixedcrew.io.scenario_file import load_scenario, loads_scenario
from mixedcrew.rules import RULES

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
SMALL_PATH = EXAMPLES / "small.toml"
ISS_PATH = EXAMPLES / "iss.toml"
SMALL = SMALL_PATH.read_text(encoding="utf-8")

runner = CliRunner()


def mixedcrew(*args: str | Path) -> Result:
    result = runner.invoke(app, [str(a) for a in args])
    # anything but a clean exit is a crash: the CLI must never let one through
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    return result


def changed(old: str, new: str, text: str = SMALL) -> str:
    assert old in text, old
    return text.replace(old, new, 1)


def line_of(text: str, needle: str, occurrence: int = 1) -> int:
    pos = -1
    for _ in range(occurrence):
        pos = text.find(needle, pos + 1)
        assert pos >= 0, needle
    return text.count("\n", 0, pos) + 1


def console_script() -> str:
    beside = Path(sys.executable).parent / "mixedcrew"
    found = str(beside) if beside.exists() else shutil.which("mixedcrew")
    if not found:
        pytest.skip("the mixedcrew console script is not installed")
    return found


def run_script(*args: str | Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "80", "NO_COLOR": "1"}
    return subprocess.run([console_script(), *map(str, args)], capture_output=True, text=True,
                          timeout=120, env=env, check=False)


# --- bad files: each kind, through the command ------------------------------------------------

BAD: dict[str, str | bytes] = {
    "syntax": changed("min_rest_days = 30", "min_rest_days = = 30"),
    "unknown-field": changed("seats = 3\n", 'seats = 3\ncolour = "red"\n'),
    "wrong-type": changed("seats = 3\n", 'seats = "three"\n'),
    "dangling-person": changed('person = "rubio"', 'person = "rubbio"'),
    "dangling-flight": changed('down = "MS23"', 'down = "MS99"'),
    "dangling-vehicle-type": changed('vehicle_type = "soyuz-ms"\nstation',
                                     'vehicle_type = "soyus-ms"\nstation'),
    "dangling-agency": changed('agency = "JAXA"\nsegments', 'agency = "JAXXA"\nsegments'),
    "naive-datetime": changed("launch = 2022-09-21T13:54:49Z", "launch = 2022-09-21T13:54:49"),
    "dock-before-launch": changed("dock = 2022-09-21T17:06:00Z", "dock = 2022-09-20T17:06:00Z"),
    "duplicate-id": changed("[[vehicle_types]]", '[[agencies]]\nid = "NASA"\n\n[[vehicle_types]]'),
    "event-kind": changed('kind = "damage"', 'kind = "meteor"'),
    "out-of-range": changed("continuous_presence_from = 2000-11-02T09:21:00Z",
                            "continuous_presence_from = 0001-01-01T00:00:00+01:00"),
    "non-utf8": SMALL.encode().replace(b"Petelin", b"P\xe9telin"),
    "deep-nesting": "x = " + "[" * 3000 + "]" * 3000 + "\n",
}


def write_bad(tmp_path: Path, name: str) -> Path:
    path = tmp_path / f"{name}.toml"
    content = BAD[name]
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def expected_problems(path: Path) -> list[str]:
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    return [str(p) for p in info.value.problems]


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_file_exits_2_with_one_located_line_per_problem(tmp_path: Path, name: str) -> None:
    path = write_bad(tmp_path, name)
    result = mixedcrew("check", path)
    assert result.exit_code == 2
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert lines == expected_problems(path)
    line_re = re.compile(rf"^{re.escape(str(path))}:(\d+): (\S+: )?\S.*$")
    file_lines = path.read_bytes().count(b"\n") + 1
    for line in lines:  # every problem has its line, deep nesting included (refused by its cap)
        m = line_re.match(line)
        assert m, line
        assert 1 <= int(m.group(1)) <= file_lines


@pytest.mark.parametrize(
    ("name", "needle", "field"),
    [
        ("unknown-field", 'colour = "red"', "vehicle_types[0].colour"),
        ("wrong-type", 'seats = "three"', "vehicle_types[0].seats"),
        ("dangling-person", 'person = "rubbio"', "assignments[2].person"),
        ("dangling-flight", 'down = "MS99"', "assignments[0].down"),
        ("dangling-vehicle-type", 'vehicle_type = "soyus-ms"', "flights[0].vehicle_type"),
        ("dangling-agency", 'agency = "JAXXA"', "people[5].agency"),
        ("naive-datetime", "launch = 2022-09-21T13:54:49\n", "flights[0].launch"),
        ("dock-before-launch", "dock = 2022-09-20T17:06:00Z", "flights[0].dock"),
        ("event-kind", 'kind = "meteor"', "events[0].kind"),
    ],
)
def test_bad_file_line_is_where_the_toml_has_it(tmp_path: Path, name: str, needle: str, field: str) -> None:
    path = write_bad(tmp_path, name)
    result = mixedcrew("check", path)
    text = BAD[name]
    assert isinstance(text, str)
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"{path}:{line_of(text, needle)}: {field}: ")


def test_syntax_error_line(tmp_path: Path) -> None:
    path = write_bad(tmp_path, "syntax")
    (line,) = mixedcrew("check", path).stderr.splitlines()
    assert line.startswith(f"{path}:{line_of(SMALL, 'min_rest_days')}: TOML syntax: ")


def test_duplicate_id_line(tmp_path: Path) -> None:
    path = write_bad(tmp_path, "duplicate-id")
    text = BAD["duplicate-id"]
    assert isinstance(text, str)
    (line,) = mixedcrew("check", path).stderr.splitlines()
    n = line_of(text, 'id = "NASA"', 2)
    assert line.startswith(f"{path}:{n}: agencies[3].id: duplicate agency id")


def test_non_utf8_line(tmp_path: Path) -> None:
    path = write_bad(tmp_path, "non-utf8")
    (line,) = mixedcrew("check", path).stderr.splitlines()
    assert line.startswith(f"{path}:{line_of(SMALL, 'Petelin')}: ")
    assert "0xe9" in line and "UTF-8" in line


def test_naive_datetime_message_shows_the_fix(tmp_path: Path) -> None:
    path = write_bad(tmp_path, "naive-datetime")
    (line,) = mixedcrew("check", path).stderr.splitlines()
    assert "no time zone" in line
    assert "2022-09-21T13:54:49Z" in line


def test_several_problems_all_reported(tmp_path: Path) -> None:
    text = SMALL
    text = changed("seats = 3\n", 'seats = "three"\n', text)
    text = changed("launch = 2022-09-21T13:54:49Z", "launch = 2022-09-21T13:54:49", text)
    text = changed("dock = 2022-10-06T21:01:00Z", "dock = 2022-10-04T21:01:00Z", text)
    text = changed('person = "rubio"', 'person = "rubbio"', text)
    text = changed("[[vehicle_types]]", '[[agencies]]\nid = "NASA"\n\n[[vehicle_types]]', text)
    path = tmp_path / "several.toml"
    path.write_text(text, encoding="utf-8")
    result = mixedcrew("check", path)
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    expected = [
        f"{path}:{line_of(text, needle, nth)}: {field}: "
        for needle, nth, field in [
            ('id = "NASA"', 2, "agencies[3].id"),
            ('seats = "three"', 1, "vehicle_types[0].seats"),
            ("launch = 2022-09-21T13:54:49\n", 1, "flights[0].launch"),
            ("dock = 2022-10-04T21:01:00Z", 1, "flights[1].dock"),
            ('person = "rubbio"', 1, "assignments[2].person"),
        ]
    ]
    assert len(lines) == len(expected), result.stderr
    for line, start in zip(lines, expected, strict=True):
        assert line.startswith(start), (line, start)


def test_missing_file(tmp_path: Path) -> None:
    missing = tmp_path / "nope.toml"
    result = mixedcrew("check", missing)
    assert result.exit_code == 2
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"{missing}: cannot read")


def test_ids_that_look_like_emoji_codes_are_printed_as_written(tmp_path: Path) -> None:
    path = tmp_path / "emoji.toml"
    path.write_text('[[agencies]]\nid = ":rocket:"\n', encoding="utf-8")
    result = mixedcrew("check", path)
    assert result.exit_code == 2
    assert "':rocket:'" in result.stderr


def test_markup_in_a_message_is_printed_as_written(tmp_path: Path) -> None:
    path = tmp_path / "markup.toml"
    path.write_text('[[agencies]]\nid = "A"\n[bold]\nx = 1\n', encoding="utf-8")
    result = mixedcrew("check", path)
    assert result.exit_code == 2
    assert "bold: unknown field" in result.stderr


# --- the real console script -------------------------------------------------------------------


def test_script_version() -> None:
    done = run_script("--version")
    assert done.returncode == 0
    assert done.stdout.strip() == f"mixedcrew {__version__}"


@pytest.mark.parametrize("name", ["wrong-type", "non-utf8", "deep-nesting", "out-of-range"])
def test_script_bad_file_exits_2_without_traceback(tmp_path: Path, name: str) -> None:
    path = write_bad(tmp_path, name)
    done = run_script("check", path)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr + done.stdout
    lines = done.stderr.splitlines()
    assert lines and all(line.startswith(f"{path}:") for line in lines)
    assert lines == expected_problems(path)


def test_script_missing_file_exits_2_without_traceback(tmp_path: Path) -> None:
    done = run_script("check", tmp_path / "nope.toml")
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert "cannot read" in done.stderr


def test_script_check_small_example() -> None:
    done = run_script("check", SMALL_PATH)
    assert done.returncode == 1
    assert "LIFEBOAT" in done.stdout


# --- version, schema ---------------------------------------------------------------------------


def test_version() -> None:
    result = mixedcrew("--version")
    assert result.exit_code == 0
    assert result.stdout.strip() == f"mixedcrew {__version__}"


def test_schema_is_json_schema_of_scenario_files() -> None:
    result = mixedcrew("schema")
    assert result.exit_code == 0
    schema = json.loads(result.stdout)
    assert schema["type"] == "object"
    props = schema["properties"]
    for name in ("scenario", "stations", "agencies", "vehicle_types", "people", "flights",
                 "assignments", "agreements", "events"):
        assert name in props
    # field names are the file's: aliases such as `from`
    flight = schema["$defs"]["Flight"]
    assert {"launch", "dock", "undock", "land"} <= set(flight["properties"])
    assert "from" in schema["$defs"]["Certification"]["properties"]
    assert schema["$defs"]["Flight"].get("additionalProperties") is False


# --- check --------------------------------------------------------------------------------------


def test_check_small_example_finds_the_lifeboat_violation() -> None:
    result = mixedcrew("check", SMALL_PATH)
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0].startswith("LIFEBOAT")
    assert "2022-12-15T00:00:00Z" in lines[0]
    assert lines[-1] == "1 violation(s): LIFEBOAT 1"


def test_check_json_shape() -> None:
    result = mixedcrew("check", SMALL_PATH, "--json")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert set(data) == {"violations", "summary"}
    (v,) = data["violations"]
    assert set(v) == {"rule", "start", "end", "flights", "people", "message"}
    assert v["rule"] == "LIFEBOAT"
    assert v["start"] == "2022-12-15T00:00:00Z"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", v["end"])
    assert v["start"] < v["end"]
    assert "MS22" in v["flights"]
    assert set(v["people"]) == {"prokopyev", "petelin", "rubio", "mann", "cassada", "wakata", "kikina"}
    assert isinstance(v["message"], str) and v["message"]
    summary = data["summary"]
    assert summary["violations"] == 1
    assert summary["by_rule"]["LIFEBOAT"] == 1
    assert set(summary["by_rule"]) == set(RULES)
    assert summary["rules_run"] == list(RULES)


@pytest.mark.parametrize("rule", ["LIFEBOAT", "lifeboat"])
def test_ignoring_the_rule_makes_it_clean(rule: str) -> None:
    result = mixedcrew("check", SMALL_PATH, "--ignore", rule)
    assert result.exit_code == 0
    assert result.stdout.splitlines()[-1] == "0 violation(s): none"


def test_ignore_json_leaves_the_rule_out() -> None:
    result = mixedcrew("check", SMALL_PATH, "--ignore", "LIFEBOAT", "--ignore", "PORTS", "--json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["violations"] == []
    assert "LIFEBOAT" not in data["summary"]["rules_run"]
    assert "PORTS" not in data["summary"]["rules_run"]


def test_ignore_unknown_rule_names_the_valid_ones() -> None:
    result = mixedcrew("check", SMALL_PATH, "--ignore", "NOPE")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "NOPE" in result.stderr
    for rule in RULES:
        assert rule in result.stderr


@pytest.mark.parametrize(
    ("options", "code"),
    [
        (["--from", "2023-03-01T00:00:00Z"], 0),                 # after it ends
        (["--until", "2022-12-01T00:00:00Z"], 0),                # before it starts
        (["--until", "2022-12-15T00:00:00Z"], 0),                # [from, until) stops just short
        (["--from", "2023-01-01T00:00:00Z", "--until", "2023-01-02T00:00:00Z"], 1),  # inside
        (["--from", "2022-01-01T00:00:00Z", "--until", "2022-12-16T00:00:00Z"], 1),  # overlaps the start
        (["--from", "2023-02-26T00:00:00Z"], 1),                 # overlaps the end
        (["--from", "2023-02-26T00:58:00Z"], 0),                 # [start, end) ends just short
        (["--from", "2023-01-01"], 1),                           # a plain date is midnight UTC
    ],
)
def test_from_until_filter(options: list[str], code: int) -> None:
    result = mixedcrew("check", SMALL_PATH, *options, "--json")
    assert result.exit_code == code
    data = json.loads(result.stdout)
    assert len(data["violations"]) == code


@pytest.mark.parametrize("option", ["--from", "--until"])
def test_naive_from_or_until_is_bad_input(option: str) -> None:
    result = mixedcrew("check", SMALL_PATH, option, "2023-01-01T00:00:00")
    assert result.exit_code == 2
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"{option}: ")
    assert "no time zone" in line and "2023-01-01T00:00:00Z" in line


def test_garbage_from_is_bad_input() -> None:
    result = mixedcrew("check", SMALL_PATH, "--from", "yesterday")
    assert result.exit_code == 2
    assert result.stderr.startswith("--from: ")


def test_check_clean_scenario_exits_0(tmp_path: Path) -> None:
    # without the damage event the small example breaks no rule
    text = SMALL[: SMALL.index("[[events]]")]
    path = tmp_path / "clean.toml"
    path.write_text(text, encoding="utf-8")
    result = mixedcrew("check", path)
    assert result.exit_code == 0, result.stdout
    assert result.stdout.strip() == "0 violation(s): none"


# --- aboard -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def iss_after_crew11() -> dict:  # type: ignore[type-arg]
    result = mixedcrew("aboard", ISS_PATH, "--at", "2026-01-20T00:00:00Z", "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def test_aboard_json_shape(iss_after_crew11: dict) -> None:  # type: ignore[type-arg]
    snap = iss_after_crew11
    assert {"at", "aboard", "segments", "docked", "lifeboat_seats"} <= set(snap)
    assert snap["at"] == "2026-01-20T00:00:00Z"
    for p in snap["aboard"]:
        assert set(p) == {"person", "name", "agency", "up_flight", "down_flight"}
    for d in snap["docked"]:
        assert set(d) == {"flight", "vehicle_type", "port"}
    assert all(isinstance(k, str) and isinstance(n, int) for k, n in snap["segments"].items())
    assert isinstance(snap["lifeboat_seats"], int)


def test_after_the_crew11_medical_return_three_are_aboard(iss_after_crew11: dict) -> None:  # type: ignore[type-arg]
    snap = iss_after_crew11
    assert len(snap["aboard"]) == 3
    assert {p["up_flight"] for p in snap["aboard"]} == {"MS28"}
    assert snap["segments"]["USOS"] == 1
    assert snap["segments"]["ROS"] == 2
    # the one crew vehicle docked is MS-28; cargo holds the other ports and seats nobody
    crew_vehicles = [d["flight"] for d in snap["docked"]
                     if d["vehicle_type"] in ("soyuz-ms", "crew-dragon", "starliner")]
    assert crew_vehicles == ["MS28"]
    assert {d["port"] for d in snap["docked"] if d["flight"] == "MS28"} == {"rassvet"}
    assert len(snap["docked"]) == 6
    assert snap["lifeboat_seats"] == 3


def test_the_one_usos_operator_is_williams_who_rode_ms28(iss_after_crew11: dict) -> None:  # type: ignore[type-arg]
    iss = load_scenario(ISS_PATH)
    operators = [p for p in iss_after_crew11["aboard"] if "USOS" in iss.person_by_id[p["person"]].segments]
    (williams,) = operators
    assert williams["name"].startswith("Williams, C")
    assert williams["agency"] == "NASA"
    assert williams["up_flight"] == "MS28"
    assert iss.flight_by_id["MS28"].name == "Soyuz MS-28"


def test_aboard_text_output() -> None:
    result = mixedcrew("aboard", ISS_PATH, "--at", "2026-01-20T00:00:00Z")
    assert result.exit_code == 0
    out = result.stdout
    assert out.startswith("At 2026-01-20T00:00:00Z: 3 aboard")
    assert "Williams" in out
    assert "USOS 1" in out
    assert "Lifeboat seats: 3" in out


def test_aboard_small_example_before_the_leak() -> None:
    result = mixedcrew("aboard", SMALL_PATH, "--at", "2022-11-01T00:00:00Z", "--json")
    assert result.exit_code == 0
    snap = json.loads(result.stdout)
    assert len(snap["aboard"]) == 7
    assert snap["lifeboat_seats"] == 7
    assert {d["flight"] for d in snap["docked"]} == {"MS22", "SPXC5"}


def test_aboard_naive_at_is_bad_input() -> None:
    result = mixedcrew("aboard", SMALL_PATH, "--at", "2022-11-01T00:00:00")
    assert result.exit_code == 2
    assert result.stderr.startswith("--at: ")
    assert "2022-11-01T00:00:00Z" in result.stderr


def test_aboard_unknown_station_is_bad_input() -> None:
    result = mixedcrew("aboard", SMALL_PATH, "--at", "2022-11-01T00:00:00Z", "--station", "MIR")
    assert result.exit_code == 2
    assert "MIR" in result.stderr and "ISS" in result.stderr


def test_aboard_bad_file_exits_2(tmp_path: Path) -> None:
    path = write_bad(tmp_path, "wrong-type")
    result = mixedcrew("aboard", path, "--at", "2022-11-01T00:00:00Z")
    assert result.exit_code == 2
    assert result.stderr.splitlines() == expected_problems(path)


def test_bad_files_do_not_load_either() -> None:
    # the command and the library agree on what is bad
    for name, content in BAD.items():
        with pytest.raises(ScenarioError):
            loads_scenario(content, name)
