"""A small, deterministic TOML writer for scenario files.

Collections become `[[name]]` blocks with one key a line, nested lists are
multi-line arrays of one-line inline tables. The same data always
gives the same text, so generated files diff cleanly.
"""

from __future__ import annotations

import json
import math
from datetime import date, datetime
from typing import Any

from mixedcrew.instants import format_instant

_BARE_KEY = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")


def key(k: str) -> str:
    return k if k and set(k) <= _BARE_KEY else string(k)


def string(s: str) -> str:
    # JSON's escapes are a subset of TOML's; DEL is the one control JSON leaves raw.
    return json.dumps(s, ensure_ascii=False).replace("\x7f", "\\u007f")


def value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if math.isnan(v):
            return "nan"
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
        return repr(v)
    if isinstance(v, str):
        return string(v)
    if isinstance(v, datetime):
        # UTC with Z, to the second, as a scenario holds them; otherwise what was given,
        # so a reload gives the same value (sub-seconds, a local time, a year-1 offset).
        if v.tzinfo is None or v.utcoffset() is None:
            return v.isoformat()
        try:
            text = format_instant(v)
        except OverflowError:
            return v.isoformat()
        return text.removesuffix("Z") + f".{v.microsecond:06d}Z" if v.microsecond else text
    if isinstance(v, date):
        return v.isoformat()
    if isinstance(v, dict):
        inner = ", ".join(f"{key(k)} = {value(x)}" for k, x in v.items() if x is not None)
        return "{ " + inner + " }" if inner else "{}"
    if isinstance(v, list | tuple):
        return "[" + ", ".join(value(x) for x in v) + "]"
    raise TypeError(f"cannot write {type(v).__name__} to TOML")


def _is_table_list(v: Any) -> bool:
    return isinstance(v, list | tuple) and bool(v) and all(isinstance(x, dict) for x in v)


def _body(table: dict[str, Any]) -> list[str]:
    lines = []
    for k, v in table.items():
        if v is None:
            continue
        if _is_table_list(v):
            lines.append(f"{key(k)} = [")
            lines += [f"  {value(x)}," for x in v]
            lines.append("]")
        else:
            lines.append(f"{key(k)} = {value(v)}")
    return lines


def dumps(data: dict[str, Any]) -> str:
    # TOML wants plain top-level keys before the first table header.
    head: list[str] = []
    out: list[str] = []
    for name, v in data.items():
        if v is None or v == [] or v == {}:
            continue
        if isinstance(v, dict):
            out += ["", f"[{key(name)}]", *_body(v)]
        elif _is_table_list(v):
            for item in v:
                out += ["", f"[[{key(name)}]]", *_body(item)]
        else:
            head.append(f"{key(name)} = {value(v)}")
    return "\n".join(head + out).lstrip("\n") + "\n"
