"""Corrupted GCAT lists are located errors (`FILE:LINE: column: message`), never a traceback.

The review fed 300 corrupted copies of the lists to `import-gcat` and got 72
tracebacks (UnicodeDecodeError, IndexError, KeyError, FileNotFoundError).
Here each kind of corruption is one case, then a property test mutates the
lists at random (few examples: the import takes a fraction of a second).
"""

from __future__ import annotations

import random
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mixedcrew.errors import DataError, ScenarioError
from mixedcrew.io.importer import import_gcat

DATA = Path(__file__).resolve().parents[1] / "data"
LISTS = ("gcat/missions.txt", "gcat/astro.txt", "gcat/rides-2024-05.tsv", "iss-rides-supplement.csv")
SINCE = datetime(2022, 1, 1, tzinfo=UTC)


@pytest.fixture
def lists(tmp_path: Path) -> Path:
    shutil.copytree(DATA / "gcat", tmp_path / "gcat")
    shutil.copy(DATA / "iss-rides-supplement.csv", tmp_path / "iss-rides-supplement.csv")
    return tmp_path


def problems_of(root: Path) -> list[str]:
    with pytest.raises(DataError) as info:
        import_gcat(root / "gcat", since=SINCE, supplement=root / "iss-rides-supplement.csv")
    return [str(p) for p in info.value.problems]


def change(root: Path, name: str, fn) -> Path:  # type: ignore[no-untyped-def]
    path = root / name
    path.write_bytes(fn(path.read_bytes()))
    return path


def test_bad_encoding_names_file_and_line(lists: Path) -> None:
    raw = (lists / "gcat/astro.txt").read_bytes()
    at = raw.index(b"\nAS-00100")
    path = change(lists, "gcat/astro.txt", lambda b: b[: at + 3] + b"\xff" + b[at + 4:])
    line = raw[:at].count(b"\n") + 2
    assert problems_of(lists) == [f"{path}:{line}: byte 0xff is not UTF-8: "
                                  "the lists are UTF-8 (fetch a fresh copy)"]


@pytest.mark.parametrize("name", ["gcat/missions.txt", "gcat/astro.txt"])
def test_an_empty_list_is_one_line(lists: Path, name: str) -> None:
    path = change(lists, name, lambda b: b"")
    assert problems_of(lists) == [f"{path}:1: no header line naming the columns: is the file empty or "
                                  "cut short?"]


@pytest.mark.parametrize("name, column", [("gcat/missions.txt", "Ship"), ("gcat/astro.txt", "Missions"),
                                          ("iss-rides-supplement.csv", "sponsor")])
def test_a_missing_column_is_named(lists: Path, name: str, column: str) -> None:
    path = change(lists, name, lambda b: b.replace(column.encode(), b"Zzz", 1))
    assert problems_of(lists) == [f"{path}:1: {column}: column missing from the header line"]


def test_a_short_rides_line_is_located(lists: Path) -> None:
    raw = (lists / "gcat/rides-2024-05.tsv").read_bytes().split(b"\n")
    k = next(i for i, line in enumerate(raw) if line.count(b"\t") >= 14 and not line.startswith(b"#"))
    raw[k] = b"\t".join(raw[k].split(b"\t")[:6])
    path = lists / "gcat/rides-2024-05.tsv"
    path.write_bytes(b"\n".join(raw))
    expected = f"{path}:{k + 1}: 6 tab-separated fields, expected 15 (is the line cut short?)"
    assert expected in problems_of(lists)


def test_a_short_supplement_line_is_located(lists: Path) -> None:
    path = change(lists, "iss-rides-supplement.csv", lambda b: b.rstrip(b"\n") + b"\nAS-00001,Someone\n")
    lines = path.read_text().count("\n")
    assert f"{path}:{lines}: up: no value: the line is cut short" in problems_of(lists)


@pytest.mark.parametrize("name", LISTS)
def test_a_missing_file_is_one_line(lists: Path, name: str) -> None:
    (lists / name).unlink()
    (line,) = problems_of(lists)
    assert str(lists) in line and ("no file matching" in line or "no such file" in line), line


def _mutate(rng: random.Random, raw: bytes) -> bytes:
    lines = raw.split(b"\n")
    op = rng.randrange(6)
    if op == 0:
        return raw[: rng.randrange(len(raw) + 1)]
    if op == 1:
        garbled = bytearray(raw)
        for _ in range(rng.randint(1, 4)):
            garbled[rng.randrange(len(garbled))] = rng.randrange(256)
        return bytes(garbled)
    for _ in range(rng.randint(1, 8)):
        i = rng.randrange(len(lines))
        if op == 2:
            lines[i] = lines[i][: rng.randrange(len(lines[i]) + 1)]
        elif op == 3:
            del lines[i]
        elif op == 4:
            lines.insert(i, lines[rng.randrange(len(lines))])
        else:
            lines[i] = lines[i].replace(b"\t", b"", 1).replace(b",", b"", 1)
    return b"\n".join(lines)


@settings(max_examples=12, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(st.sampled_from(LISTS), st.integers(0, 2**32 - 1))
def test_mutated_lists_import_or_give_located_problems(lists: Path, name: str, seed: int) -> None:
    root = lists / f"m{seed}"
    shutil.rmtree(root, ignore_errors=True)
    shutil.copytree(lists / "gcat", root / "gcat")
    shutil.copy(lists / "iss-rides-supplement.csv", root / "iss-rides-supplement.csv")
    change(root, name, lambda b: _mutate(random.Random(seed), b))
    try:
        import_gcat(root / "gcat", since=SINCE, supplement=root / "iss-rides-supplement.csv")
    except (DataError, ScenarioError) as e:
        assert e.problems
        for p in e.problems:
            assert "\n" not in str(p) and p.message.strip()
            assert p.file.startswith(str(root)) or p.file.startswith("facts"), p
