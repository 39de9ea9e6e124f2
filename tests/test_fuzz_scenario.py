"""Property: whatever a scenario file holds, loading it either gives a Scenario or raises
the project's own ScenarioError with usable problems, never another exception.

Inputs are the shipped small example, mutated: as text (lines dropped, duplicated,
swapped, values replaced by other types, ids renamed so references dangle, keys
added), as bytes (bytes inserted or garbled, the file cut short), and as parsed
data (keys dropped, values of other types, ids renamed) written back as TOML.

Whenever a mutant loads, it must also survive a round trip through the writer.
"""

from __future__ import annotations

import copy
import re
import tomllib
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mixedcrew.domain import Scenario
from mixedcrew.errors import Problem, ScenarioError
from mixedcrew.io import toml_write
from mixedcrew.io.scenario_file import dump_scenario, loads_scenario, validate_scenario

SMALL_TEXT = (Path(__file__).resolve().parents[1] / "examples" / "small.toml").read_text(encoding="utf-8")
SMALL_LINES = SMALL_TEXT.split("\n")
SMALL_DATA = tomllib.loads(SMALL_TEXT)
IDS = sorted(set(re.findall(r'^id = "([^"]+)"', SMALL_TEXT, flags=re.M)))
KEY_LINES = [i for i, line in enumerate(SMALL_LINES) if re.match(r"^[a-z_]+ = ", line)]

FUZZ = settings(
    derandomize=True,  # the same examples on every run: CI stays deterministic
    database=None,
    deadline=None,
    max_examples=100,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# TOML values of every type, some of them awkward for the model.
TOML_VALUES = [
    '"text"', '""', "'literal'", "0", "-1", "3", "99999999999999999999", "2.5", "-0.0", "1e400",
    "inf", "nan", "true", "false", "[]", "{}", '["a", 1]', "[[1], [2]]", '{ id = "x" }',
    '[{ vehicle_type = "soyuz-ms", ready = 2022-06-01 }]', "2022-06-01", "2022-06-01T10:00:00Z",
    "2022-06-01T10:00:00", "2022-06-01T10:00:00.123456+05:30", "10:00:00",
    "0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00", '"2022-06-01T10:00:00"',
    '"2022-13-45"', '":rocket:"', '"a\\u2028b"', '"""multi\nline"""',
]

# Python values, for mutating the parsed data (no naive datetimes: the writer writes UTC).
PY_VALUES: list[Any] = [
    "text", "", "MS22", "rubio", ":x:", "a\nb", 0, -1, 3, 10**20, 2.5, float("inf"), True, False,
    [], {}, ["a", 1], [[1]], {"id": "x"}, {"from": date(2020, 1, 1)}, [{"id": "x"}, {"id": "x"}],
    date(2022, 6, 1), datetime(2022, 6, 1, 10, tzinfo=UTC),
    datetime(1, 1, 1, 0, 30, tzinfo=timezone(timedelta(hours=1))),
    datetime(2022, 6, 1, 10, 0, 0, 500, tzinfo=UTC),
]

GARBAGE = list('"\'[]{}=#,.\\\n\t 0aZ-:') + ["\x00", "\x7f", "é", "\u2028", "\ufeff", "[[", "]]", '"""']


# --- the property -----------------------------------------------------------------------------


def assert_loads_or_reports(load: Any, n_lines: int | None, filename: str) -> Scenario | None:
    """Run `load`; only a Scenario or a well-formed ScenarioError may come out."""
    try:
        scenario = load()
    except ScenarioError as err:
        assert err.problems, "a ScenarioError must list at least one problem"
        for p in err.problems:
            assert isinstance(p, Problem)
            assert p.file == filename
            assert isinstance(p.message, str) and p.message.strip(), p
            assert "\n" not in str(p) and "\r" not in str(p), f"not one line: {str(p)!r}"
            assert isinstance(p.path, str)
            if p.line is not None:
                assert n_lines is not None, f"no text, yet a line: {p}"
                assert 1 <= p.line <= n_lines, f"line {p.line} outside 1..{n_lines}: {p}"
        return None
    assert isinstance(scenario, Scenario)
    return scenario


def assert_round_trip(scenario: Scenario) -> None:
    text = dump_scenario(scenario)
    again = loads_scenario(text, "dumped.toml")
    assert again == scenario
    assert dump_scenario(again) == text


def check_bytes(raw: bytes) -> None:
    n_lines = raw.count(b"\n") + 1
    scenario = assert_loads_or_reports(lambda: loads_scenario(raw, "fuzz.toml"), n_lines, "fuzz.toml")
    if scenario is not None:
        assert_round_trip(scenario)


# --- text mutations ---------------------------------------------------------------------------


@st.composite
def mutated_text(draw: st.DrawFn) -> str:
    lines = list(SMALL_LINES)
    for _ in range(draw(st.integers(1, 4))):
        op = draw(st.sampled_from(["drop", "duplicate", "swap", "value", "rename", "rename_all",
                                   "add_key", "garble", "truncate"]))
        if not lines:
            break
        i = draw(st.integers(0, len(lines) - 1))
        if op == "drop":
            del lines[i]
        elif op == "duplicate":
            lines.insert(i, lines[i])
        elif op == "swap":
            j = draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
        elif op == "value":
            k = draw(st.sampled_from(KEY_LINES))
            if k < len(lines) and " = " in lines[k]:
                key = lines[k].split(" = ", 1)[0]
                lines[k] = f"{key} = {draw(st.sampled_from(TOML_VALUES))}"
        elif op in ("rename", "rename_all"):
            old = draw(st.sampled_from(IDS))
            new = draw(st.sampled_from([old + "2", old.upper(), old[:-1], "x y", ""]))
            text = "\n".join(lines)
            if op == "rename_all":  # every reference dangles or every one moves with it
                text = text.replace(f'"{old}"', f'"{new}"')
            else:  # one occurrence: the definition or a single reference
                spots = [m.start() for m in re.finditer(re.escape(f'"{old}"'), text)]
                if spots:
                    at = draw(st.sampled_from(spots))
                    text = text[:at] + f'"{new}"' + text[at + len(old) + 2:]
            lines = text.split("\n")
        elif op == "add_key":
            lines.insert(i, draw(st.sampled_from(["bogus = 1", "id = \"dup\"", "kind = \"damage\"",
                                                  "[[flights]]", "[scenario]", "[[stations.ports]]",
                                                  "from = 2020-01-01T00:00:00"])))
        elif op == "garble":
            line = lines[i]
            j = draw(st.integers(0, len(line)))
            lines[i] = line[:j] + draw(st.sampled_from(GARBAGE)) + line[j + 1:]
        elif op == "truncate":
            text = "\n".join(lines)
            lines = text[: draw(st.integers(0, len(text)))].split("\n")
    return "\n".join(lines)


@FUZZ
@given(mutated_text())
def test_mutated_text_loads_or_reports(text: str) -> None:
    n_lines = text.count("\n") + 1
    scenario = assert_loads_or_reports(lambda: loads_scenario(text, "fuzz.toml"), n_lines, "fuzz.toml")
    if scenario is not None:
        assert_round_trip(scenario)
    # and the same through bytes, as a file would come
    check_bytes(text.encode("utf-8"))


# --- byte mutations ---------------------------------------------------------------------------


@st.composite
def mutated_bytes(draw: st.DrawFn) -> bytes:
    raw = bytearray(SMALL_TEXT.encode("utf-8"))
    for _ in range(draw(st.integers(1, 3))):
        op = draw(st.sampled_from(["insert", "overwrite", "delete", "truncate"]))
        at = draw(st.integers(0, len(raw)))
        if op == "insert":
            raw[at:at] = draw(st.binary(min_size=1, max_size=6))
        elif op == "overwrite":
            chunk = draw(st.binary(min_size=1, max_size=4))
            raw[at:at + len(chunk)] = chunk
        elif op == "delete":
            del raw[at:at + draw(st.integers(1, 40))]
        else:
            del raw[at:]
    return bytes(raw)


@FUZZ
@given(mutated_bytes())
def test_mutated_bytes_load_or_report(raw: bytes) -> None:
    check_bytes(raw)


# --- mutations of the parsed data ---------------------------------------------------------------


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix] if prefix else []
    if isinstance(node, dict):
        for k, v in node.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out += _paths(v, (*prefix, i))
    return out


DATA_PATHS = _paths(SMALL_DATA)


def _parent(data: Any, path: tuple[Any, ...]) -> Any:
    node = data
    for part in path[:-1]:
        node = node[part]
    return node


@st.composite
def mutated_data(draw: st.DrawFn) -> dict[str, Any]:
    data = copy.deepcopy(SMALL_DATA)
    for _ in range(draw(st.integers(1, 4))):
        paths = _paths(data)
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent = _parent(data, path)
        op = draw(st.sampled_from(["drop", "replace", "rename_id", "add"]))
        if op == "drop":
            del parent[path[-1]]
        elif op == "replace":
            parent[path[-1]] = copy.deepcopy(draw(st.sampled_from(PY_VALUES)))
        elif op == "rename_id":  # the item keeps its fields; every reference to it dangles
            items = [v for coll in data.values() if isinstance(coll, list)
                     for v in coll if isinstance(v, dict) and isinstance(v.get("id"), str)]
            if items:
                item = draw(st.sampled_from(items))
                item["id"] = item["id"] + draw(st.sampled_from(["2", "-x", ""]))
        elif op == "add" and isinstance(parent, dict):
            parent[draw(st.sampled_from(["bogus", "id", "kind", "from", "seats"]))] = copy.deepcopy(
                draw(st.sampled_from(PY_VALUES)))
    return data


@FUZZ
@given(mutated_data())
def test_mutated_data_loads_or_reports(data: dict[str, Any]) -> None:
    # straight from data: no text, so no lines
    assert_loads_or_reports(lambda: validate_scenario(copy.deepcopy(data), "", "data"), None, "data")
    # written as TOML by the project's writer, which must give TOML that reads back
    text = toml_write.dumps(data)
    tomllib.loads(text)
    n_lines = text.count("\n") + 1
    scenario = assert_loads_or_reports(lambda: loads_scenario(text, "fuzz.toml"), n_lines, "fuzz.toml")
    if scenario is not None:
        assert_round_trip(scenario)


def test_the_unmutated_example_passes_the_property() -> None:
    scenario = assert_loads_or_reports(lambda: loads_scenario(SMALL_TEXT, "small.toml"),
                                       len(SMALL_LINES), "small.toml")
    assert scenario is not None
    assert_round_trip(scenario)
    assert len(DATA_PATHS) > 100 and len(IDS) > 10 and len(KEY_LINES) > 100
