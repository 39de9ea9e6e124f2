"""Bounded input: every file and upload is capped before or while it is parsed.

`tomllib` is quadratic in the length of a dotted key (a 103 KB file of
`k.k.k…` took 28 s and 5.7 GB) and recursive in nesting, and a plain
`read_bytes()` of `/dev/zero` never ends. So each input passes two gates
first, both linear in its size:

- `read_bounded` refuses anything but a regular file by its type (a FIFO,
  a device, a directory) before reading, and reads at most `MAX_BYTES`;
- `check_shape` scans the TOML text once and refuses a dotted key of more
  than `MAX_KEY_PARTS` parts, nesting deeper than `MAX_NESTING`, and an
  array (inline, or `[[name]]` tables) of more than `MAX_ARRAY_ITEMS`.

The limits are far above any real scenario (the whole ISS history is 145 KB,
3 key parts, 4 levels, 492 items) and documented in docs/scenario.md.
"""

from __future__ import annotations

import os
import re
import stat

from mixedcrew.errors import InputTooLarge, Problem

MAX_BYTES = 16 * 1024 * 1024
MAX_KEY_PARTS = 16
MAX_NESTING = 16
MAX_ARRAY_ITEMS = 50_000

_KINDS = ((stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a FIFO (named pipe)"),
          (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
          (stat.S_ISSOCK, "a socket"))


def kind_of(mode: int) -> str | None:
    """What a file is when it is not a regular file ("a FIFO (named pipe)"), else None."""
    if stat.S_ISREG(mode):
        return None
    return next((name for test, name in _KINDS if test(mode)), "not a regular file")


def read_bounded(path: str | os.PathLike[str], limit: int = MAX_BYTES) -> bytes:
    """The bytes of a regular file of at most `limit` bytes.

    Raises OSError as `open` would, and InputTooLarge for anything else
    (a special file is refused by its type before a byte is read).
    """
    name = str(path)
    kind = kind_of(os.stat(path).st_mode)
    if kind:
        raise InputTooLarge(Problem(name, None, "", f"is {kind}, not a regular file: give a file"))
    # O_NONBLOCK: if the path became a FIFO since the stat, opening it must not wait for a writer.
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    with os.fdopen(fd, "rb") as fh:
        info = os.fstat(fh.fileno())
        kind = kind_of(info.st_mode)
        if kind:
            raise InputTooLarge(Problem(name, None, "", f"is {kind}, not a regular file: give a file"))
        if info.st_size > limit:
            raise InputTooLarge(_too_big(name, info.st_size, limit))
        data = fh.read(limit + 1)  # a file may grow after the fstat
    if len(data) > limit:
        raise InputTooLarge(_too_big(name, len(data), limit))
    return data


def read_text_bounded(path: str | os.PathLike[str], limit: int = MAX_BYTES) -> str:
    """`read_bounded` decoded as UTF-8 (a BOM dropped); UnicodeDecodeError is the caller's."""
    return read_bounded(path, limit).removeprefix(b"\xef\xbb\xbf").decode("utf-8")


def _too_big(name: str, size: int, limit: int) -> Problem:
    return Problem(name, None, "", f"is over the size limit: {size:,} bytes or more, the limit is "
                                   f"{limit:,} (MAX_BYTES in mixedcrew.io.bounded)")


# One token at a time: runs of bare-key characters and blanks are one token,
# so the scan is a few regex matches per key, not a Python step per byte.
_TOKEN = re.compile(r"[A-Za-z0-9_\-+:]+|[ \t\r]+|\"\"\"|'''|[\"'#\[\]{},=.\n]|.", re.S)
_BASIC = re.compile(r'(?:[^"\\\n]|\\.)*"')
_LITERAL = re.compile(r"[^'\n]*'")
_HEADER = re.compile(r"[ \t]*\[\[([^\]\n]*)\]\]")
# Whole lines the counts can take in one match (most lines of a scenario: the ISS history's
# scan 29 ms -> 11 ms); anything else is read token by token. Outside arrays: blank or a
# comment, or `key = value` with a bare (dotted) key and a one-line string or bare value
# (number, boolean, date), each of at most MAX_KEY_PARTS parts, then a comment or nothing,
# which changes no count; or a `[[name]]` header, counted at once.
_BARE = r"[A-Za-z0-9_\-+:]+"
_END = r"[ \t\r]*(?:#[^\n]*)?\n"
_KEY = rf"{_BARE}(?:[ \t]*\.[ \t]*{_BARE}){{0,{MAX_KEY_PARTS - 1}}}"
_HEADER_LINE = re.compile(rf"[ \t]*\[\[([ \t]*{_KEY}[ \t]*)\]\]" + _END)
_PAIR = (rf"{_KEY}[ \t]*=[ \t]*"
         rf"(?:\"(?:[^\"\\\n]|\\.)*\"(?!\")|'[^'\n]*'(?!')|{_BARE}(?:\.{_BARE}){{0,{MAX_KEY_PARTS - 1}}})")
_SIMPLE_LINE = re.compile(rf"(?:[ \t]*{_PAIR})?" + _END)
# An item of a multi-line array on a line of its own: an inline table of such pairs, or a
# one-line string or bare value, and its comma (one more item) or none.
_ITEM_LINE = re.compile(
    rf"[ \t]*(?:\{{[ \t]*(?:{_PAIR}(?:[ \t]*,[ \t]*{_PAIR})*)?[ \t]*\}}"
    rf"|\"(?:[^\"\\\n]|\\.)*\"(?!\")|'[^'\n]*'(?!')|{_BARE}(?:\.{_BARE}){{0,{MAX_KEY_PARTS - 1}}})"
    rf"[ \t]*(,?)" + _END)


def check_shape(text: str, filename: str, *, fast: bool = True) -> None:
    """Raise InputTooLarge at the first cap a TOML text goes beyond (linear time).

    `fast=False` reads every line token by token (the same verdict: tests compare them)."""
    _Scan(text, filename, fast).run()


class _Scan:
    """One pass over TOML text outside strings and comments, counting what tomllib would nest."""

    def __init__(self, text: str, filename: str, fast: bool = True):
        self.text, self.filename, self.fast = text, filename, fast
        self.line = 1
        self.parts = 1  # parts of the dotted key (or dotted run) being read
        self.arrays: list[int] = []  # items so far in each open array; -1 marks an inline table
        self.tables: dict[str, int] = {}  # [[name]] headers seen, per name

    def fail(self, message: str) -> None:
        raise InputTooLarge(Problem(self.filename, self.line, "", message))

    def run(self) -> None:
        text, pos, n = self.text, 0, len(self.text)
        at_line_start = True
        while pos < n:
            if at_line_start:
                skipped = self._whole_line(pos) if self.fast else None
                if skipped is not None:
                    pos = skipped
                    continue
                self._header(pos)
            at_line_start = False
            m = _TOKEN.match(text, pos)
            assert m is not None  # "." matches any character
            tok, pos = m.group(), m.end()
            if tok in ('"""', "'''"):
                pos = self._multiline(tok, pos)
            elif tok == '"' or tok == "'":
                end = (_BASIC if tok == '"' else _LITERAL).match(text, pos)
                pos = end.end() if end else pos  # unterminated: tomllib reports it
            elif tok[0] in " \t\r" or tok[0].isalnum() or tok[0] in "_-+:":
                continue
            elif tok == ".":
                self.parts += 1
                if self.parts > MAX_KEY_PARTS:
                    self.fail(f"a dotted key of more than {MAX_KEY_PARTS} parts (the limit, "
                              "MAX_KEY_PARTS in mixedcrew.io.bounded): write it as tables")
            elif tok == "#":
                nl = text.find("\n", pos)
                pos = n if nl < 0 else nl
            else:
                self.parts = 1
                self._punct(tok)
                if tok == "\n":
                    self.line += 1
                    at_line_start = True

    def _whole_line(self, pos: int) -> int | None:
        """Where the line at `pos` ends, if it is one the counts can take at once, else None."""
        if not self.arrays:
            m = _SIMPLE_LINE.match(self.text, pos) or _HEADER_LINE.match(self.text, pos)
            if m and m.re is _HEADER_LINE:
                self._table(m.group(1).strip())
        elif self.arrays[-1] >= 0 and len(self.arrays) < MAX_NESTING:  # an inline table fits
            m = _ITEM_LINE.match(self.text, pos)
            if m and m.group(1):
                self._punct(",")
        else:
            return None
        if m is None:
            return None
        self.line += 1
        return m.end()

    def _punct(self, tok: str) -> None:
        if tok in "[{":
            self.arrays.append(0 if tok == "[" else -1)
            if len(self.arrays) > MAX_NESTING:
                self.fail(f"arrays or inline tables nested more than {MAX_NESTING} deep (the limit, "
                          "MAX_NESTING in mixedcrew.io.bounded)")
        elif tok in "]}":
            if self.arrays:
                self.arrays.pop()
        elif tok == "," and self.arrays and self.arrays[-1] >= 0:
            self.arrays[-1] += 1
            if self.arrays[-1] >= MAX_ARRAY_ITEMS:
                self.fail(f"an array of more than {MAX_ARRAY_ITEMS:,} items (the limit, "
                          "MAX_ARRAY_ITEMS in mixedcrew.io.bounded)")

    def _header(self, pos: int) -> None:
        m = _HEADER.match(self.text, pos)
        if m:
            self._table(m.group(1).strip())

    def _table(self, name: str) -> None:
        """One more [[name]] table."""
        self.tables[name] = self.tables.get(name, 0) + 1
        if self.tables[name] > MAX_ARRAY_ITEMS:
            self.fail(f"more than {MAX_ARRAY_ITEMS:,} [[{name}]] tables (the limit, "
                      "MAX_ARRAY_ITEMS in mixedcrew.io.bounded)")

    def _multiline(self, quote: str, pos: int) -> int:
        text = self.text
        while True:
            end = text.find(quote, pos)
            if end < 0:
                self.line += text.count("\n", pos)
                return len(text)
            # a backslash before the quotes escapes the first of them in a basic string
            back = end
            while quote == '"""' and back > pos and text[back - 1] == "\\":
                back -= 1
            if (end - back) % 2:
                self.line += text.count("\n", pos, end + 1)
                pos = end + 1
                continue
            self.line += text.count("\n", pos, end)
            end += 3
            # up to two more quotes belong to the string: """a""""" is 'a""'
            for _ in range(2):
                if end < len(text) and text[end] == quote[0]:
                    end += 1
            return end


__all__ = ["MAX_ARRAY_ITEMS", "MAX_BYTES", "MAX_KEY_PARTS", "MAX_NESTING", "InputTooLarge",
           "check_shape", "kind_of", "read_bounded", "read_text_bounded"]
