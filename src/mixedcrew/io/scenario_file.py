"""Scenario files (TOML): load with every problem located, dump deterministically."""

from __future__ import annotations

import os
import re
import tomllib
from typing import Any

from pydantic import ValidationError

from mixedcrew.domain import Scenario
from mixedcrew.errors import Problem, ScenarioError
from mixedcrew.io import toml_write
from mixedcrew.io.bounded import MAX_BYTES, InputTooLarge, check_shape, read_bounded
from mixedcrew.io.locate import LineIndex, PathKey, format_path
from mixedcrew.io.output import write_atomic
from mixedcrew.references import check_references

_EVENT_KINDS = ("grounding", "damage", "contingency_seat", "early_return", "site_outage")
_TOML_AT = re.compile(r"\(at line (\d+), column (\d+)\)")
_COLLECTIONS = ("stations", "launch_sites", "agencies", "vehicle_types", "capsules",
                "certifications", "people", "flights", "assignments", "agreements", "events")


def load_scenario(path: str | os.PathLike[str]) -> Scenario:
    return loads_scenario(read_input(path), str(path))


def read_input(path: str | os.PathLike[str]) -> bytes:
    """A file's bytes, bounded (see mixedcrew.io.bounded); ScenarioError if it cannot be read."""
    try:
        return read_bounded(path)
    except InputTooLarge as err:
        raise ScenarioError([err.problem]) from None
    except OSError as err:
        raise ScenarioError([Problem(str(path), None, "", f"cannot read: {err.strerror}")]) from None


def loads_scenario(raw: bytes | str, filename: str = "<scenario>") -> Scenario:
    """Parse and validate a scenario; raise ScenarioError listing every problem."""
    data, text = parse_toml(raw, filename)
    return validate_scenario(data, text, filename)


def parse_toml(raw: bytes | str, filename: str) -> tuple[dict[str, Any], str]:
    """TOML data and its text, inside the limits of mixedcrew.io.bounded; ScenarioError if not."""
    if len(raw) > MAX_BYTES:
        raise ScenarioError([Problem(filename, None, "", (
            f"is over the size limit: {len(raw):,} bytes, the limit is {MAX_BYTES:,}"))])
    if isinstance(raw, bytes):
        raw = raw.removeprefix(b"\xef\xbb\xbf")  # a UTF-8 byte order mark, as some editors write
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as err:
            line = raw[: err.start].count(b"\n") + 1
            raise ScenarioError([Problem(filename, line, "", (
                f"byte 0x{raw[err.start]:02x} is not UTF-8: save the file as UTF-8"))]) from None
    else:
        text = raw.removeprefix("\ufeff")
    try:
        check_shape(text, filename)
    except InputTooLarge as err:
        raise ScenarioError([err.problem]) from None
    try:
        data = tomllib.loads(text)
    except RecursionError:
        raise ScenarioError([Problem(filename, None, "", (
            "TOML syntax: arrays or inline tables nested too deeply"))]) from None
    except tomllib.TOMLDecodeError as err:
        m = _TOML_AT.search(str(err))
        msg = _TOML_AT.sub("", str(err)).strip()
        at = int(m.group(1)) if m else None
        if at is None and "end of document" in msg:  # a file cut short: its last line
            at = text.count("\n") + 1
        col = f" (column {m.group(2)})" if m else ""
        raise ScenarioError([Problem(filename, at, "", f"TOML syntax: {msg}{col}")]) from None
    return data, text


def validate_scenario(data: dict[str, Any], text: str = "", filename: str = "<scenario>") -> Scenario:
    found: list[tuple[PathKey, str]] = []
    try:
        scenario = Scenario.model_validate(data)
        found += check_references(scenario)
    except ValidationError as err:
        found += validation_found(err, data)
        partial, known, positions = _partial(data)
        found += check_references(partial, known, positions)
    if not found:
        return scenario
    index = LineIndex(text)  # only now: scanning the ISS history for lines takes 40 ms
    problems = [Problem(filename, index.line_of(path), format_path(path), msg) for path, msg in found]
    problems.sort(key=lambda p: (p.line or 0, p.path))
    raise ScenarioError(_unique(problems))


def _unique(problems: list[Problem]) -> list[Problem]:
    seen: set[Problem] = set()
    return [p for p in problems if not (p in seen or seen.add(p))]  # type: ignore[func-returns-value]


def validation_found(err: ValidationError, data: Any) -> list[tuple[PathKey, str]]:
    out = []
    for e in err.errors(include_url=False):
        loc = _clean_loc(e["loc"], data)
        msg = e["msg"].removeprefix("Value error, ")
        if e["type"] == "extra_forbidden":
            msg = "unknown field (check its spelling; `mixedcrew schema` lists the fields)"
        elif e["type"] in ("union_tag_not_found", "union_tag_invalid"):
            # The tag (an event's kind) is a field of its own: point at its line.
            ctx = e.get("ctx", {})
            tag_field = str(ctx.get("discriminator", "kind")).strip("'\"")
            loc = (*loc, tag_field)
            expected = ctx.get("expected_tags") or ", ".join(repr(k) for k in _EVENT_KINDS)
            if e["type"] == "union_tag_not_found":
                msg = f"required field is missing (one of {expected})"
            else:
                msg = f"unknown {tag_field} {ctx.get('tag')!r} (expected one of {expected})"
        elif e["type"] == "missing":
            msg = "required field is missing"
        elif "input" in e and e["type"] not in ("value_error", "assertion_error") and not isinstance(
            e["input"], dict | list
        ):
            msg = f"{msg} (got {e['input']!r})"
        out.append((loc, msg))
    return out


def _clean_loc(loc: tuple[Any, ...], data: Any) -> PathKey:
    """Drop pydantic's union tags (e.g. the event kind) so the path is the file's path."""
    out: list[str | int] = []
    node = data
    for part in loc:
        if isinstance(node, dict) and part not in node and isinstance(part, str) and (
            part in _EVENT_KINDS or "[" in part or part.startswith("function-")
        ):
            continue
        out.append(part)
        if isinstance(node, dict):
            node = node.get(part)
        elif isinstance(node, list) and isinstance(part, int) and part < len(node):
            node = node[part]
        else:
            node = None
    return tuple(out)


def _partial(data: dict[str, Any]) -> tuple[Scenario, dict[str, set[str]], dict[str, list[int]]]:
    """The valid items of each collection, the ids of all items written, and
    where each valid item stands in the file (its index in its collection).

    Reference checks then run on what did validate, without reporting items
    that failed on their own as dangling, and name the file's own indices.
    """
    from mixedcrew.domain import Scenario as S

    kept: dict[str, Any] = {}
    known: dict[str, set[str]] = {}
    positions: dict[str, list[int]] = {}
    try:
        S.model_validate({"scenario": data.get("scenario", {})})
        kept["scenario"] = data.get("scenario", {})
    except ValidationError:
        pass
    for name in _COLLECTIONS:
        items = data.get(name)
        if not isinstance(items, list):
            continue
        known[name] = {str(it.get("id")) for it in items if isinstance(it, dict) and "id" in it}
        if name == "stations":
            known["segments"] = {str(seg.get("id")) for it in items if isinstance(it, dict)
                                 and isinstance(it.get("segments"), list)
                                 for seg in it["segments"] if isinstance(seg, dict) and "id" in seg}
        good = []
        positions[name] = []
        for i, item in enumerate(items):
            try:
                S.model_validate({name: [item]})
                good.append(item)
                positions[name].append(i)
            except ValidationError:
                pass
        kept[name] = good
    try:
        return S.model_validate(kept), known, positions
    except ValidationError:
        return S(), known, {}


# --- dump -----------------------------------------------------------------------


def dump_scenario(scenario: Scenario, header: str = "") -> str:
    """TOML text for a scenario, the same for the same scenario (diff-friendly)."""
    data = scenario.model_dump(mode="python", by_alias=True, exclude_defaults=True)
    body = toml_write.dumps(data)
    lines = "".join(f"# {ln}\n" if ln else "#\n" for ln in header.splitlines())
    return lines + ("\n" if lines else "") + body


def save_scenario(scenario: Scenario, path: str | os.PathLike[str], header: str = "") -> None:
    write_atomic(path, dump_scenario(scenario, header))
