"""The TOML path -> line locator: each written path maps to the line where the file has it."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from mixedcrew.io.locate import LineIndex, format_path

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def lines_of(text: str) -> dict[tuple[str | int, ...], int]:
    return LineIndex(text).lines


def test_top_level_keys_and_tables() -> None:
    text = 'title = "x"\n\n[scenario]\nname = "n"\nmin_rest_days = 3\n'
    ix = LineIndex(text)
    assert ix.line_of(("title",)) == 1
    assert ix.line_of(("scenario",)) == 3
    assert ix.line_of(("scenario", "name")) == 4
    assert ix.line_of(("scenario", "min_rest_days")) == 5


def test_nested_arrays_of_tables() -> None:
    text = """\
[[stations]]
id = "A"

[[stations.segments]]
id = "A1"

[[stations.segments]]
id = "A2"

[[stations.ports]]
id = "pA"

[[stations]]
id = "B"

[[stations.segments]]
id = "B1"
[stations.segments.extra]
x = 1
"""
    tomllib.loads(text)  # valid TOML
    ix = LineIndex(text)
    assert ix.line_of(("stations", 0)) == 1
    assert ix.line_of(("stations", 0, "id")) == 2
    assert ix.line_of(("stations", 0, "segments", 0)) == 4
    assert ix.line_of(("stations", 0, "segments", 0, "id")) == 5
    assert ix.line_of(("stations", 0, "segments", 1, "id")) == 8
    assert ix.line_of(("stations", 0, "ports", 0, "id")) == 11
    assert ix.line_of(("stations", 1)) == 13
    assert ix.line_of(("stations", 1, "id")) == 14
    # the second station's first segment is [0] again, not [2]
    assert ix.line_of(("stations", 1, "segments", 0, "id")) == 17
    assert ix.line_of(("stations", 1, "segments", 0, "extra", "x")) == 19


def test_sub_table_of_an_array_of_tables_element() -> None:
    text = '[[people]]\nid = "a"\n[[people]]\nid = "b"\n[people.available]\nfrom = 2020-01-01\n'
    tomllib.loads(text)
    ix = LineIndex(text)
    assert ix.line_of(("people", 1, "available")) == 5
    assert ix.line_of(("people", 1, "available", "from")) == 6
    assert ix.line_of(("people", 0, "available")) == 1  # not written: its element's line


def test_multi_line_array_of_inline_tables() -> None:
    text = """\
[[people]]
id = "a"
trained = [
  { vehicle_type = "soyuz", ready = 2022-01-01 },
  # a comment between elements, with [[fake]] and x = 1
  { vehicle_type = "dragon",
    ready = 2022-01-01, commander = true },
]
name = "after"
"""
    ix = LineIndex(text)
    assert ix.line_of(("people", 0, "trained")) == 3
    assert ix.line_of(("people", 0, "trained", 0)) == 4
    assert ix.line_of(("people", 0, "trained", 0, "ready")) == 4
    assert ix.line_of(("people", 0, "trained", 1)) == 6
    assert ix.line_of(("people", 0, "trained", 1, "vehicle_type")) == 6
    # an inline table spanning lines: each key on its own line
    assert ix.line_of(("people", 0, "trained", 1, "ready")) == 7
    assert ix.line_of(("people", 0, "trained", 1, "commander")) == 7
    assert ix.line_of(("people", 0, "name")) == 9
    assert ("fake",) not in ix.lines


def test_nested_inline_tables_and_arrays() -> None:
    text = 'x = { a = 1, b = { c = [10,\n  20, [30,\n 40]] }, d = "}" }\ny = 2\n'
    tomllib.loads(text.replace("\n  20", " 20").replace("\n 40", " 40"))  # one-line form is valid
    ix = LineIndex(text)
    assert ix.line_of(("x", "a")) == 1
    assert ix.line_of(("x", "b", "c", 0)) == 1
    assert ix.line_of(("x", "b", "c", 1)) == 2
    assert ix.line_of(("x", "b", "c", 2, 0)) == 2
    assert ix.line_of(("x", "b", "c", 2, 1)) == 3
    assert ix.line_of(("x", "d")) == 3
    assert ix.line_of(("y",)) == 4


def test_array_of_scalars_one_element_a_line() -> None:
    text = 'parties = [\n  "NASA",\n  "ROSCOSMOS",  # comment, with a comma\n]\nz = 1\n'
    tomllib.loads(text)
    ix = LineIndex(text)
    assert ix.line_of(("parties", 0)) == 2
    assert ix.line_of(("parties", 1)) == 3
    assert ix.line_of(("z",)) == 5


@pytest.mark.parametrize("quote", ['"""', "'''"])
def test_multi_line_string_holding_fake_headers_and_keys(quote: str) -> None:
    text = f"""\
[scenario]
description = {quote}
[[fake]]
id = "not a key"
[also.fake]
{quote}
name = "real"

[[flights]]
id = "F"
"""
    assert tomllib.loads(text)["scenario"]["name"] == "real"
    ix = LineIndex(text)
    assert ix.line_of(("scenario", "description")) == 2
    assert ix.line_of(("scenario", "name")) == 7
    assert ix.line_of(("flights", 0, "id")) == 10
    assert ("fake",) not in ix.lines and ("also",) not in ix.lines
    assert ("scenario", "id") not in ix.lines


def test_escaped_quotes_do_not_end_a_multi_line_string() -> None:
    text = '[scenario]\nname = """he said \\"""\n[[fake]]\n"""\nbogus = 1\n'
    assert tomllib.loads(text) == {"scenario": {"name": 'he said """\n[[fake]]\n', "bogus": 1}}
    ix = LineIndex(text)
    assert ("fake",) not in ix.lines
    assert ix.line_of(("scenario", "bogus")) == 5


def test_quotes_just_before_the_end_of_a_multi_line_string() -> None:
    text = 'a = """x""""\nb = \'\'\'y\'\'\'\'\'\nc = """\nq ""\n"""""\nd = 4\n'
    assert tomllib.loads(text) == {"a": 'x"', "b": "y''", "c": 'q ""\n""', "d": 4}
    ix = LineIndex(text)
    assert [ix.line_of((k,)) for k in "abcd"] == [1, 2, 3, 6]


def test_strings_with_brackets_hashes_and_escapes() -> None:
    text = 'a = "x ] } [ { # \\" , "\nb = \'lit \\ # [\'\nc = [ "]", \'[\', "\\\\" ]\nd = 1\n'
    assert tomllib.loads(text)["d"] == 1
    ix = LineIndex(text)
    assert [ix.line_of((k,)) for k in "abcd"] == [1, 2, 3, 4]
    assert ix.line_of(("c", 2)) == 3


def test_quoted_keys() -> None:
    text = '"quoted key" = 1\n\'literal.key\' = 2\n"with \\" quote" = 3\n["odd table"]\n"x y" = 4\n'
    assert tomllib.loads(text)["with \" quote"] == 3
    ix = LineIndex(text)
    assert ix.line_of(("quoted key",)) == 1
    assert ix.line_of(("literal.key",)) == 2  # the dot is part of the key
    assert ix.line_of(("with \" quote",)) == 3  # the key's value, escapes resolved
    assert ix.line_of(("odd table", "x y")) == 5


def test_quoted_keys_in_inline_tables() -> None:
    text = 'x = { "a b" = 1, "c\\u00e9" = 2, \'d"e\' = 3 }\n'
    assert tomllib.loads(text) == {"x": {"a b": 1, "c\u00e9": 2, 'd"e': 3}}
    ix = LineIndex(text)
    assert {k for k in ix.lines if len(k) == 2} == {("x", "a b"), ("x", "c\u00e9"), ("x", 'd"e')}


def test_quoted_key_with_an_equals_sign() -> None:
    text = '[t]\n"a=b" = 1\nc = 2\n'
    assert tomllib.loads(text) == {"t": {"a=b": 1, "c": 2}}
    ix = LineIndex(text)
    assert ix.line_of(("t", "a=b")) == 2
    assert ix.line_of(("t", "c")) == 3


def test_dotted_keys() -> None:
    text = '[people]\navailable.from = 2020-01-01\navailable . "until" = 2021-01-01\n[a."b.c".d]\ne = 1\n'
    assert tomllib.loads(text)["a"]["b.c"]["d"]["e"] == 1
    ix = LineIndex(text)
    assert ix.line_of(("people", "available", "from")) == 2
    assert ix.line_of(("people", "available", "until")) == 3
    assert ix.line_of(("a", "b.c", "d", "e")) == 5


def test_dotted_header_of_an_array_of_tables_with_spaces() -> None:
    text = '[[ stations ]]\nid = "S"\n[[ stations . "segments" ]]  # a comment\nid = "A"\n'
    tomllib.loads(text)
    ix = LineIndex(text)
    assert ix.line_of(("stations", 0, "segments", 0, "id")) == 4


def test_comments_are_not_keys_or_headers() -> None:
    text = """\
# [[flights]]
# id = "commented out"
[scenario]  # [[not.this]]
name = "n"  # = not a key
  # indented comment [x]
min_rest_days = 3
"""
    assert tomllib.loads(text) == {"scenario": {"name": "n", "min_rest_days": 3}}
    ix = LineIndex(text)
    assert set(ix.lines) == {("scenario",), ("scenario", "name"), ("scenario", "min_rest_days")}
    assert ix.line_of(("scenario", "min_rest_days")) == 6


def test_unwritten_path_falls_back_to_its_nearest_written_parent() -> None:
    text = '[[flights]]\nid = "F"\n\n[[flights]]\nid = "G"\n'
    ix = LineIndex(text)
    assert ix.line_of(("flights", 1, "station")) == 4
    assert ix.line_of(("flights", 1, "window", "from")) == 4
    assert ix.line_of(("flights",)) == 1
    assert ix.line_of(("nothing", "here")) is None
    assert ix.line_of(()) is None


def test_windows_line_endings() -> None:
    text = '[[people]]\r\nid = "a"\r\ntrained = [\r\n  { vehicle_type = "v" },\r\n]\r\nname = "n"\r\n'
    tomllib.loads(text)
    ix = LineIndex(text)
    assert ix.line_of(("people", 0, "trained", 0)) == 4
    assert ix.line_of(("people", 0, "name")) == 6


def test_only_newline_ends_a_line() -> None:
    # U+2028, U+0085 and form feed are line breaks for str.splitlines, not for TOML
    text = '# a\u0085b\u2028c\nname = "x\u2028y"\nz = 1\n'
    assert tomllib.loads(text) == {"name": "x\u2028y", "z": 1}
    ix = LineIndex(text)
    assert ix.line_of(("name",)) == 2
    assert ix.line_of(("z",)) == 3


def test_unterminated_constructs_do_not_crash() -> None:
    for text in ['a = [1, 2\n', 'a = { b = 1\n', 'a = """never closed\n\n', 'a = "open\nb = 1\n',
                 '[[t\nx = 1\n', '[t\n', '= 1\n', 'a = ]]]\n', 'a = }{\n', "[[]]\n", "[]\n", "\n\n"]:
        LineIndex(text)  # no exception


def test_every_key_of_the_small_example_is_on_its_own_line() -> None:
    text = (EXAMPLES / "small.toml").read_text(encoding="utf-8")
    ix = LineIndex(text)
    lines = text.split("\n")
    data = tomllib.loads(text)
    checked = 0
    for i, person in enumerate(data["people"]):
        for key in person:
            n = ix.line_of(("people", i, key))
            assert n is not None and lines[n - 1].lstrip().startswith(f"{key} ="), (i, key)
            checked += 1
    for i, flight in enumerate(data["flights"]):
        for key, value in flight.items():
            n = ix.line_of(("flights", i, key))
            assert n is not None and lines[n - 1].startswith(f"{key} = ")
            if key == "id":
                assert lines[n - 1] == f'id = "{value}"'
            checked += 1
    quotas = data["agreements"][0]["quotas"]
    for k, q in enumerate(quotas):
        n = ix.line_of(("agreements", 0, "quotas", k, "party"))
        assert n is not None and f'party = "{q["party"]}"' in lines[n - 1]
    assert checked > 50


def test_every_flight_of_the_iss_example_is_found() -> None:
    text = (EXAMPLES / "iss.toml").read_text(encoding="utf-8")
    ix = LineIndex(text)
    lines = text.split("\n")
    data = tomllib.loads(text)
    for i, flight in enumerate(data["flights"]):
        n = ix.line_of(("flights", i, "id"))
        assert n is not None and lines[n - 1] == f'id = "{flight["id"]}"'
    last = len(data["assignments"]) - 1
    n = ix.line_of(("assignments", last, "person"))
    assert n is not None and data["assignments"][last]["person"] in lines[n - 1]
    ports = data["stations"][0]["ports"]
    for k, port in enumerate(ports):
        n = ix.line_of(("stations", 0, "ports", k, "id"))
        assert n is not None and f'id = "{port["id"]}"' in lines[n - 1]


@pytest.mark.parametrize(
    ("path", "text"),
    [
        ((), ""),
        (("scenario",), "scenario"),
        (("people", 3, "trained", 0, "ready"), "people[3].trained[0].ready"),
        (("stations", 0, "segments", 1), "stations[0].segments[1]"),
        (("x", "y"), "x.y"),
    ],
)
def test_format_path(path: tuple[str | int, ...], text: str) -> None:
    assert format_path(path) == text
