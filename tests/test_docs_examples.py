"""Executed docs: every ```console run block of README.md and docs/*.md is run and
its output compared, as SimPy's docs tests do with their saved outputs. (`run` after
the language marks a block the suite runs; Markdown shows it as a console block, and
plain ```console blocks stay illustrations.)

A block holds `$ mixedcrew ...` lines (or `$ .venv/bin/mixedcrew ...`), each followed
by what the command prints (stdout and stderr, at 80 columns). A line `...` stands
for any number of lines. Commands run in a scratch folder where `examples/` and
`data/` are the repository's, so files they write land there.

When the data changes on purpose, rewrite the outputs with
    .venv/bin/python tests/test_docs_examples.py --update
and read the diff before committing it.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
BLOCK = re.compile(r"^```console run\n(.*?)^```$", re.S | re.M)
PROGRAMS = ("mixedcrew", ".venv/bin/mixedcrew")


@dataclass(frozen=True)
class Example:
    doc: Path
    line: int  # of the `$` line, for the test id and failures
    command: str
    expected: tuple[str, ...]

    @property
    def id(self) -> str:
        return f"{self.doc.relative_to(ROOT)}:{self.line}"


def examples(doc: Path) -> list[Example]:
    text = doc.read_text(encoding="utf-8")
    found: list[Example] = []
    for block in BLOCK.finditer(text):
        first_line = text.count("\n", 0, block.start(1)) + 1
        command, expected, at = None, [], first_line
        for i, line in enumerate(block.group(1).splitlines()):
            if line.startswith("$ "):
                if command is not None:
                    found.append(Example(doc, at, command, tuple(expected)))
                command, expected, at = line[2:], [], first_line + i
            else:
                expected.append(line)
        if command is not None:
            found.append(Example(doc, at, command, tuple(expected)))
    return found


ALL = [e for doc in DOCS for e in examples(doc)]


def run(command: str, cwd: Path) -> list[str]:
    program, *args = shlex.split(command)
    assert program in PROGRAMS, f"only mixedcrew commands run here, not {program!r}"
    env = {**os.environ, "COLUMNS": "80", "NO_COLOR": "1", "TERM": "dumb"}
    proc = subprocess.run([sys.executable, "-c", "from mixedcrew.cli import main; main()", *args],
                          cwd=cwd, env=env, capture_output=True, text=True, timeout=300)
    return (proc.stdout + proc.stderr).splitlines()


def matches(expected: tuple[str, ...], got: list[str]) -> bool:
    """Line by line, trailing blanks ignored; a `...` line matches any run of lines."""
    pattern = "".join(r"(?:[^\n]*\n)*?" if e == "..." else re.escape(e.rstrip()) + r"\n" for e in expected)
    return re.fullmatch(pattern, "".join(g.rstrip() + "\n" for g in got)) is not None


def scratch() -> Path:
    where = Path(tempfile.mkdtemp(prefix="mixedcrew-docs-"))
    for name in ("examples", "data"):
        (where / name).symlink_to(ROOT / name)
    return where


def test_the_docs_show_the_demo_summary_aboard_and_check() -> None:
    """The console examples include the demo's summary, `aboard` and `check`."""
    commands = [e.command.split()[1] for e in ALL]
    assert {"report", "aboard", "check"} <= set(commands), commands


@pytest.mark.parametrize("example", ALL, ids=[e.id for e in ALL])
def test_console_example_prints_what_the_docs_say(example: Example, tmp_path: Path) -> None:
    for name in ("examples", "data"):
        (tmp_path / name).symlink_to(ROOT / name)
    got = run(example.command, tmp_path)
    assert matches(example.expected, got), (
        f"{example.id}: `{example.command}` printed\n" + "\n".join(got)
        + "\n\n(if the change is meant: .venv/bin/python tests/test_docs_examples.py --update)")


def update() -> None:
    """Rewrite each block's outputs with what the commands print now (blocks with `...` keep
    their elision: the lines before and after it are refreshed)."""
    cwd = scratch()
    for doc in DOCS:
        text = doc.read_text(encoding="utf-8")

        def refresh(block: re.Match[str]) -> str:
            body: list[str] = []
            for command, expected in examples_in(block.group(1).splitlines()):
                got = run(command, cwd)
                if "..." in expected:
                    k = expected.index("...")
                    tail = len(expected) - k - 1
                    got = got[:k] + ["..."] + (got[len(got) - tail:] if tail else [])
                body += [f"$ {command}", *got]
            return "```console run\n" + "\n".join(body) + "\n```"

        new = BLOCK.sub(refresh, text)
        if new != text:
            doc.write_text(new, encoding="utf-8")
            print(f"updated {doc.relative_to(ROOT)}")


def examples_in(lines: list[str]) -> list[tuple[str, list[str]]]:
    pairs: list[tuple[str, list[str]]] = []
    for line in lines:
        if line.startswith("$ "):
            pairs.append((line[2:], []))
        elif pairs:
            pairs[-1][1].append(line)
    return pairs


if __name__ == "__main__":
    if sys.argv[1:] != ["--update"]:
        raise SystemExit("usage: tests/test_docs_examples.py --update")
    update()


def test_the_comparison_is_exact_but_for_elisions() -> None:
    """`...` stands for any lines; anything else must match line for line."""
    assert matches(("a", "...", "z"), ["a", "b", "c", "z"]) and matches(("a", "...", "z"), ["a", "z"])
    assert not matches(("a",), ["a", "b"]) and not matches(("a", "b"), ["a", "c"])
    assert matches(("a  ",), ["a"])  # trailing blanks do not count
