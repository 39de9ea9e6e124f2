"""Map a field path (``people[3].trained[0].ready``) to the line of a TOML file.

`tomllib` gives values without positions, so this scans the text once and
records the line where each table, array-of-tables element, key and array
element starts. A path that was never written (a missing key) resolves to
the line of its nearest written parent.
"""

from __future__ import annotations

import re
import tomllib

PathKey = tuple[str | int, ...]

_BARE = re.compile(r"[A-Za-z0-9_\-]+")


def _split_key(text: str) -> list[str]:
    """Split a dotted TOML key (bare or quoted parts) into its parts."""
    parts: list[str] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c in " \t.":
            i += 1
        elif c == "'":
            j = text.find(c, i + 1)
            j = n if j < 0 else j
            parts.append(text[i + 1 : j])
            i = j + 1
        elif c == '"':
            j = i + 1
            while j < n and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            parts.append(_unescape(text[i + 1 : min(j, n)]))
            i = j + 1
        else:
            m = _BARE.match(text, i)
            if not m:
                break
            parts.append(m.group())
            i = m.end()
    return parts


def _unescape(body: str) -> str:
    """The value of a basic-string key's body (escapes such as \\" or \\u00e9 resolved)."""
    if "\\" not in body:
        return body
    try:
        return str(tomllib.loads(f'k = "{body}"')["k"])
    except tomllib.TOMLDecodeError:
        return body


class LineIndex:
    """Lines of every path written in one TOML text."""

    def __init__(self, text: str):
        self.lines: dict[PathKey, int] = {}
        self._aot_count: dict[PathKey, int] = {}
        self._scan(text)

    def line_of(self, path: PathKey) -> int | None:
        for cut in range(len(path), 0, -1):
            line = self.lines.get(tuple(path[:cut]))
            if line is not None:
                return line
        return None

    # -- scanning ---------------------------------------------------------------

    def _resolve(self, parts: list[str]) -> PathKey:
        """Concrete path of a header: array-of-tables parts take their last index."""
        out: list[str | int] = []
        for part in parts:
            out.append(part)
            count = self._aot_count.get(tuple(out))
            if count is not None:
                out.append(count - 1)
        return tuple(out)

    def _scan(self, text: str) -> None:
        table: PathKey = ()
        # Lines as TOML counts them: only "\n" ends a line (str.splitlines would also
        # split at U+2028, U+0085, form feed…, which TOML allows inside strings and
        # comments, and shift every later line number).
        lines = [ln.removesuffix("\r") for ln in text.split("\n")]
        i = 0
        while i < len(lines):
            raw = lines[i]
            stripped = raw.strip()
            lineno = i + 1
            if not stripped or stripped.startswith("#"):
                i += 1
                continue
            if stripped.startswith("[["):
                parts = _split_key(stripped[2 : stripped.find("]]")])
                if not parts:  # not TOML ("[[]]"): nothing to record
                    i += 1
                    continue
                parent = self._resolve(parts[:-1])
                key = (*parent, parts[-1])
                self._aot_count[key] = self._aot_count.get(key, 0) + 1
                table = (*key, self._aot_count[key] - 1)
                self._implicit(key, lineno)
                self.lines.setdefault(key, lineno)
                self.lines[table] = lineno
                i += 1
                continue
            if stripped.startswith("["):
                table = self._resolve(_split_key(stripped[1 : stripped.find("]")]))
                self._implicit(table, lineno)
                self.lines.setdefault(table, lineno)
                i += 1
                continue
            eq = _find_equals(raw)
            if eq < 0:
                i += 1
                continue
            key = (*table, *_split_key(raw[:eq]))
            self._implicit(key, lineno)
            self.lines[key] = lineno
            i = self._scan_value(lines, i, eq + 1, key)

    def _implicit(self, key: PathKey, lineno: int) -> None:
        """Tables a header or dotted key makes without naming them alone (`[[a.b]]` makes `a`):
        they start where they are first written, so a problem with one has a line."""
        for cut in range(1, len(key)):
            self.lines.setdefault(key[:cut], lineno)

    def _scan_value(self, lines: list[str], i: int, col: int, key: PathKey) -> int:
        """Walk a value that may span lines; record array elements and inline keys.

        Returns the index of the line after the value.
        """
        frames: list[_Frame] = []

        def here() -> PathKey:
            return frames[-1].child() if frames else key

        while i < len(lines):
            line = lines[i]
            j = col
            while j < len(line):
                c = line[j]
                if c in " \t":
                    j += 1
                    continue
                if c == "#":
                    break
                top = frames[-1] if frames else None
                if top and top.kind == "table" and top.state == "key" and c not in ",}":
                    m = _BARE.match(line, j)
                    if c in "\"'":
                        _, end = _skip_string(lines, i, j, c, False)
                        name, j = line[j + 1 : end - 1], end
                        name = _unescape(name) if c == '"' else name
                    elif m:
                        name, j = m.group(), m.end()
                    else:
                        j += 1
                        continue
                    top.key = name
                    self.lines.setdefault((*top.path, name), i + 1)
                    eq = line.find("=", j)
                    j = eq + 1 if eq >= 0 else len(line)
                    top.state = "value"
                    continue
                if top and top.kind == "array" and top.expect and c not in ",]":
                    top.expect = False
                    self.lines.setdefault(top.child(), i + 1)
                if c in "\"'":
                    i, j = _skip_string(lines, i, j, c, line.startswith(c * 3, j))
                    line = lines[i] if i < len(lines) else ""
                    continue
                if c == "[":
                    frames.append(_Frame(here(), "array"))
                elif c == "{":
                    frames.append(_Frame(here(), "table"))
                elif c in "]}":
                    if frames:
                        frames.pop()
                    if not frames:
                        return i + 1
                elif c == "," and top:
                    if top.kind == "array":
                        top.index += 1
                        top.expect = True
                    else:
                        top.state = "key"
                j += 1
            i += 1
            col = 0
            if not frames:
                return i
        return i


class _Frame:
    """An open array or inline table while scanning a value."""

    def __init__(self, path: PathKey, kind: str):
        self.path = path
        self.kind = kind
        self.index = 0
        self.expect = True
        self.state = "key"
        self.key = ""

    def child(self) -> PathKey:
        if self.kind == "array":
            return (*self.path, self.index)
        return (*self.path, self.key)


def _find_equals(line: str) -> int:
    quote = None
    escaped = False
    for j, c in enumerate(line):
        if quote:
            if escaped:
                escaped = False
            elif c == "\\" and quote == '"':
                escaped = True
            elif c == quote:
                quote = None
        elif c in "\"'":
            quote = c
        elif c == "=":
            return j
        elif c == "#":
            return -1
    return -1


def _skip_string(lines: list[str], i: int, j: int, q: str, triple: bool) -> tuple[int, int]:
    """Position just after the string starting at lines[i][j]."""
    if not triple:
        k = j + 1
        line = lines[i]
        while k < len(line):
            if line[k] == "\\" and q == '"':
                k += 2
                continue
            if line[k] == q:
                return i, k + 1
            k += 1
        return i, len(line)
    end = q * 3
    k = j + 3
    while i < len(lines):
        line = lines[i]
        while k < len(line):
            if line[k] == "\\" and q == '"':
                k += 2  # an escape: \" does not end the string
                continue
            if line.startswith(end, k):
                k += 3
                # up to two more quotes belong to the string: """a""""" is 'a""'
                extra = 0
                while extra < 2 and k < len(line) and line[k] == q:
                    k += 1
                    extra += 1
                return i, k
            k += 1
        i += 1
        k = 0
    return i, 0


def format_path(path: PathKey) -> str:
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out
