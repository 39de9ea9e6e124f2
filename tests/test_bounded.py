"""Bounded parsing: every cap answers with one located line, in bounded time and memory.

The attack files are those of the security review: a 103 KB scenario of one
50,000-part dotted key (28 s and 5.7 GB before), nesting thousands deep,
huge arrays, special files. CPU time and memory are measured by counting
(process CPU seconds, tracemalloc's peak), never by the wall clock.
"""

from __future__ import annotations

import os
import time
import tracemalloc
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mixedcrew.errors import ScenarioError
from mixedcrew.io.bounded import MAX_KEY_PARTS, InputTooLarge, check_shape, read_bounded
from mixedcrew.io.scenario_file import load_scenario, loads_scenario

SMALL = (Path(__file__).resolve().parents[1] / "examples" / "small.toml").read_text(encoding="utf-8")
ISS = (Path(__file__).resolve().parents[1] / "examples" / "iss.toml").read_text(encoding="utf-8")


def refused(text: str | bytes) -> str:
    with pytest.raises(ScenarioError) as info:
        loads_scenario(text, "attack.toml")
    assert len(info.value.problems) == 1
    p = info.value.problems[0]
    assert p.file == "attack.toml"
    assert "\n" not in str(p)
    return str(p)


def test_the_dotted_key_attack_answers_in_under_a_second_of_cpu_and_200_mb() -> None:
    """103 KB of `k.k.k…` (50,000 parts): refused at line 1, < 1 s CPU, < 200 MB allocated."""
    text = ".".join(["k"] * 50_000) + " = 1\n"
    assert len(text) > 100_000
    tracemalloc.start()
    cpu = time.process_time()
    try:
        message = refused(text)
    finally:
        used = time.process_time() - cpu
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    assert message.startswith("attack.toml:1: a dotted key of more than 16 parts")
    assert used < 1.0, f"{used:.2f} s of CPU"
    assert peak < 200 * 1024 * 1024, f"{peak / 2**20:.0f} MB"


@pytest.mark.parametrize("text, line, words", [
    ("[scenario]\nname = 'x'\n" + "a." * 20 + "b = 1\n", 3, "dotted key of more than 16 parts"),
    ("[" + ".".join(["t"] * 40) + "]\n", 1, "dotted key of more than 16 parts"),
    ("x = {" + "a = {" * 30 + "}" * 31 + "\n", 1, "nested more than 16 deep"),
    ("\n\nx = " + "[" * 3000 + "]" * 3000 + "\n", 3, "nested more than 16 deep"),
    ("x = [" + "1," * 60_000 + "]\n", 1, "array of more than 50,000 items"),
    ("[[people]]\n" * 50_001, 50_001, "more than 50,000 [[people]] tables"),
])
def test_each_cap_is_one_located_line(text: str, line: int, words: str) -> None:
    message = refused(text)
    assert message.startswith(f"attack.toml:{line}: "), message
    assert words in message
    assert "mixedcrew.io.bounded" in message  # the documented limit is named


@pytest.mark.parametrize("text", [
    'note = "a.b.c.d.e.f.g.h.i.j.k.l.m.n.o.p.q.r.s"\n',  # dots inside strings are not keys
    "note = 'a.b.c.d.e.f.g.h.i.j.k.l.m.n.o.p.q.r.s'\n",
    'note = """\n[[[[[[[[[[[[[[[[[[[[[[[[\n"""\n',
    "x = 1.5 # a.b.c.d.e.f.g.h.i.j.k.l.m.n.o.p.q.r.s [[[[[[[[[[[[[[[[[[[\n",
    'note = """a \\""" [[[[[[[[[[[[[[[[[[[[[[[[ """\n',
    "x = [" + "1," * 1000 + "]\n",
])
def test_what_only_looks_deep_passes(text: str) -> None:
    check_shape(text, "fine.toml")


def test_real_scenarios_are_far_inside_the_limits() -> None:
    check_shape(ISS, "iss.toml")
    check_shape(SMALL, "small.toml")


def test_size_is_capped_before_decoding(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("mixedcrew.io.scenario_file.MAX_BYTES", 1000)
    assert "over the size limit" in refused(SMALL.encode())


def test_a_file_over_the_size_is_refused_before_reading(tmp_path: Path) -> None:
    big = tmp_path / "big.toml"
    big.write_text(SMALL)
    with pytest.raises(InputTooLarge, match="over the size limit"):
        read_bounded(big, limit=100)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")
def test_special_files_are_refused_by_type(tmp_path: Path) -> None:
    """A FIFO with no writer, /dev/zero, a directory: one line each, nothing read, no wait."""
    fifo = tmp_path / "pipe.toml"
    os.mkfifo(fifo)
    for path, kind in ((fifo, "a FIFO"), (Path("/dev/zero"), "a character device"),
                       (tmp_path, "a directory")):
        if not path.exists():
            continue
        with pytest.raises(ScenarioError) as info:
            load_scenario(path)
        assert str(info.value) == f"{path}: is {kind}" + str(info.value).split(kind, 1)[1]
        assert "not a regular file" in str(info.value)


def test_a_truncated_file_names_its_last_line() -> None:
    cut = SMALL[:3001]
    message = refused(cut)
    assert message.startswith(f"attack.toml:{cut.count(chr(10)) + 1}: TOML syntax")


def _verdict(text: str, fast: bool) -> str | None:
    try:
        check_shape(text, "x.toml", fast=fast)
    except InputTooLarge as err:
        return str(err.problem)
    return None


# Lines of the kinds the whole-line fast path takes or must refuse to take: simple pairs,
# headers, array items and inline tables, and their near misses (long dotted keys and
# values, quotes, multi-line strings, brackets, comments, CRLF, deep nesting).
_DOTTED = st.sampled_from([1, 2, 3, 15, 16, 17, 18]).map(lambda n: ".".join(["k"] * n))
_VALUE = st.sampled_from(['"s"', "''", "'lit'", '"a\\"b"', "1.5", "2022-01-01T00:00:00Z", "true", "-3",
                          '"""', "'''", '""""""', "[", "]", "{", "}", "[1, 2]", '"[["', "1.2.3.4.5.6.7.8.9",
                          ".".join(["1"] * 16), ".".join(["1"] * 17), "{ a = 1, b = \"x\" }", "{ a = [ }"])
_LINE = st.one_of(
    st.builds(lambda k, v, c: f"{k} = {v}{c}", _DOTTED, _VALUE, st.sampled_from(["", " # c [[", "\r"])),
    st.builds(lambda k: f"[[{k}]]", _DOTTED),
    st.builds(lambda k: f"[{k}]", _DOTTED),
    st.builds(lambda v, c: f"  {v}{c}", _VALUE, st.sampled_from([",", "", ", ]", "]", " # x"])),
    st.builds(lambda k, v: f"  {{ {k} = {v}, b = 2 }},", _DOTTED, _VALUE),
    st.builds(lambda k: f"{k} = [", _DOTTED),
    st.sampled_from(["", "   ", "# comment", "]", "}", "x = {", '"""', "'''", "[" * 8, "]" * 8]),
)


@settings(max_examples=400, deadline=None, derandomize=True)
@given(st.lists(_LINE, max_size=40), st.booleans())
def test_the_whole_line_fast_path_gives_the_token_scans_verdict(lines: list[str], newline: bool) -> None:
    """Whatever the lines, skipping whole lines refuses exactly what reading every token
    refuses, with the same located message (or passes where it passes)."""
    text = "\n".join(lines) + ("\n" if newline else "")
    assert _verdict(text, fast=True) == _verdict(text, fast=False)


@pytest.mark.parametrize("parts", [16, 17])
@pytest.mark.parametrize("form", ["{k} = 1", "x = {v}", "[[{k}]]", "x = [\n  {{ {k} = 1 }},", "x = [\n  {v},",
                                  "x = [\n  {{ a = {v} }},"])
def test_the_fast_path_refuses_a_key_or_value_of_too_many_parts(parts: int, form: str) -> None:
    """At the limit of dotted parts, in every kind of line the fast path takes, both scans agree."""
    text = form.format(k=".".join(["k"] * parts), v=".".join(["1"] * parts)) + "\n"
    verdict = _verdict(text, fast=True)
    assert verdict == _verdict(text, fast=False)
    assert (verdict is None) == (parts <= MAX_KEY_PARTS)


def test_most_lines_of_the_iss_history_are_taken_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    """The fast path is used (it is the speed-up, not only a second route to the same verdict)."""
    from mixedcrew.io import bounded

    taken = []
    real = bounded._Scan._whole_line

    def counting(self: bounded._Scan, pos: int) -> int | None:
        end = real(self, pos)
        taken.append(end is not None)
        return end

    monkeypatch.setattr(bounded._Scan, "_whole_line", counting)
    check_shape(ISS, "iss.toml")
    assert sum(taken) > 0.8 * ISS.count("\n")  # 7,800 of 8,915


def test_the_fast_path_counts_what_it_skips() -> None:
    """Items, headers and nesting taken a line at a time still count toward each cap."""
    items = "x = [\n" + "  { a = 1 },\n" * 50_001 + "]\n"
    heads = "[[p]]\n" * 50_001
    deep = "x = [\n" * 16 + "  { a = 1 },\n"
    for text in (items, heads, deep):
        assert _verdict(text, fast=True) == _verdict(text, fast=False) is not None
    assert _verdict("x = [\n" * 15 + "  { a = 1 },\n", fast=True) is None
