"""The command fuzzer shared by tests/test_fuzz_commands.py and benchmarks/fuzz_all.py.

A mutant is a valid input changed at random: a scenario's text (lines
dropped, duplicated, swapped or cut, values of other types, ids renamed so
references dangle, bytes garbled, the file truncated, the review's attack
shapes: deep dotted keys, deep nesting, huge arrays, `[risk]` rates of
1e300), an `--event` (fields of other types, unknown flights and people,
year 9999, files of `[[events]]`), the GCAT lists (bytes garbled, lines cut
or dropped, columns renamed, files removed), and now and then an option out
of range. Each mutant runs one command in-process (typer's CliRunner, with a
wall-clock alarm for hangs) and is judged on what a user would see:

- traceback: an exception other than a clean exit, or "Traceback" printed;
- wrong exit: a status other than 0 (clean), 1 (a finding), 2 (bad input);
- hang: the command still running after `limit` seconds;
- unlocated: exit 2 with a line that names a file's content problem but no
  line, or names neither a file nor an option.

Everything is drawn from `random.Random(seed)`: the same seed gives the
same mutants, so a failure can be replayed with its seed.
"""

from __future__ import annotations

import contextlib
import random
import re
import shutil
import signal
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from typer.testing import CliRunner

ROOT = Path(__file__).resolve().parents[1]
SMALL = (ROOT / "examples" / "small.toml").read_text(encoding="utf-8")
TINY = (ROOT / "tests" / "plan" / "tiny.toml").read_text(encoding="utf-8")
DATA = ROOT / "data"
COMMANDS = ("check", "aboard", "report", "risk", "plan", "replan", "import-gcat")
EXITS = (0, 1, 2)

TOML_VALUES = [
    '"text"', '""', "'literal'", "0", "-1", "3", "99999999999999999999", "2.5", "-0.0", "1e400", "1e300",
    "inf", "nan", "true", "false", "[]", "{}", '["a", 1]', "[[1], [2]]", '{ id = "x" }',
    "2022-06-01", "2022-06-01T10:00:00Z", "2022-06-01T10:00:00", "9999-12-31T23:59:59Z",
    "0001-01-01T00:00:00+01:00", "10:00:00", '"a\\nb"', '"\\u0000"', '"""multi\nline"""', '":rocket:"',
]
RISK_LINES = [
    "groundings_per_year = {v}", "outages_per_year = {v}", "damage_per_docked_day = {v}",
    "medical_returns_per_person_day = {v}", "replacement_lead_days = {v}",
    'grounding_days = {{ kind = "lognormal", median_days = {v}, sigma = {v} }}',
    'launch_slip_days = {{ kind = "uniform", min_days = 0, max_days = {v} }}',
    'outage_days = {{ kind = "fixed", days = {v} }}',
]
RISK_VALUES = ["0", "0.5", "3", "12", "13", "3e4", "1e9", "1e300", "-1", "nan", "inf", '"x"']
GARBAGE = list('"\'[]{}=#,.\\\n\t 0aZ-:') + ["\x00", "\x7f", "é", "\u2028", "\ufeff", "[[", "]]", '"""']
EVENT = ('{ id = "leak2", kind = "damage", at = 2022-12-15T00:00:00Z, flight = "MS22", '
         "seats_lost = 1 }")
BAD_OPTIONS = {
    "check": [["--from", "2024-01-01", "--until", "2023-01-01"], ["--from", "9999-01-01"], ["--json"],
              ["--ignore", "NOPE"]],
    "aboard": [["--station", "MIR"], ["--json"]],
    "risk": [["--seed", "-1"], ["--trials", "0"], ["--from", "2030"], ["--from", "2024", "--until", "2023"],
             ["--batch", "0"], ["--station", "MIR"], ["--compare", "segregated"]],
    "plan": [["--seed", "99999999999"], ["--time-limit", "nan"], ["--workers", "0"], ["--until", "1900"]],
    "replan": [["--seed", "-5"], ["--time-limit", "inf"], ["--until", "2022-01-01"]],
    "report": [],
    "import-gcat": [["--since", "9999-01-01"], ["--station", "MIR"]],
}
# Problems about a whole file, which have no line to give.
FILE_LEVEL = ("no [[stations]]", "not a regular file", "size limit", "cannot read", "no such file",
              "no file matching", "not a folder", "cannot be written", "does not exist",
              "is neither an inline table nor a file", "give at least one event",
              # facts of the whole manifest, not of one line: nobody ever aboard to play trials on
              "has no stays: the risk engine needs a crewed manifest", "nobody is aboard")
_LOCATED = re.compile(r"^(?P<file>[^\s:][^:]*?):(?P<line>\d+): \S")
_FILE = re.compile(r"^(?P<file>[^\s:][^:]*?): \S")
_OPTION = re.compile(r"^-{1,2}[a-z][\w-]*[ :]")


@dataclass
class Outcome:
    command: str
    exit_code: int | None
    traceback: bool = False
    wrong_exit: bool = False
    hang: bool = False
    unlocated: list[str] = field(default_factory=list)
    seconds: float = 0.0
    detail: str = ""

    @property
    def ok(self) -> bool:
        return not (self.traceback or self.wrong_exit or self.hang or self.unlocated)


class _Hang(BaseException):
    """Raised by the alarm: a BaseException, so `except Exception` in the code cannot swallow it."""


@contextlib.contextmanager
def _alarm(seconds: float) -> Iterator[None]:
    def ring(signum: int, frame: object) -> None:
        raise _Hang

    old = signal.signal(signal.SIGALRM, ring)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


# --- mutations --------------------------------------------------------------------------------


def mutate_text(rng: random.Random, text: str) -> bytes:
    """A scenario's text changed in one to four ways (bytes: some ways break the encoding)."""
    lines = text.split("\n")
    ids = re.findall(r'^id = "([^"]+)"', text, flags=re.M) or ["x"]
    for _ in range(rng.choice([1, 1, 1, 2, 3])):
        op = rng.choice(["drop", "duplicate", "swap", "value", "value", "rename", "add_key", "garble",
                         "cut", "risk", "event", "attack", "empty", "bytes", "truncate"])
        i = rng.randrange(len(lines)) if lines else 0
        if not lines:
            lines = [""]
        if op == "drop":
            del lines[i]
        elif op == "duplicate":
            lines.insert(i, lines[i])
        elif op == "swap":
            j = rng.randrange(len(lines))
            lines[i], lines[j] = lines[j], lines[i]
        elif op == "value":
            keyed = [k for k, ln in enumerate(lines) if re.match(r"^[a-z_]+ = ", ln)] or [i]
            k = rng.choice(keyed)
            lines[k] = lines[k].split(" = ", 1)[0] + " = " + rng.choice(TOML_VALUES)
        elif op == "rename":
            old = rng.choice(ids)
            lines = "\n".join(lines).replace(f'"{old}"', f'"{old}X"', rng.randint(1, 3)).split("\n")
        elif op == "add_key":
            lines.insert(i, f"{rng.choice(['colour', 'id', 'kind', 'seats', 'at'])} = "
                            f"{rng.choice(TOML_VALUES)}")
        elif op == "garble":
            line = lines[i]
            k = rng.randrange(len(line) + 1)
            lines[i] = line[:k] + rng.choice(GARBAGE) + line[k + rng.randint(0, 2):]
        elif op == "cut":
            lines[i] = lines[i][: rng.randrange(len(lines[i]) + 1)]
        elif op == "risk":
            section = rng.choice(["[risk.vehicle_default]", "[risk.site_default]", "[risk]"])
            lines += ["", section, rng.choice(RISK_LINES).format(v=rng.choice(RISK_VALUES))]
        elif op == "event":
            lines += ["", "[[events]]", f"{rng.choice(['id', 'kind', 'at', 'flight'])} = "
                                        f"{rng.choice(TOML_VALUES)}"]
        elif op == "attack":
            lines.insert(i, rng.choice([
                ".".join(["k"] * rng.choice([17, 5000, 50_000])) + " = 1",
                "x = " + "[" * rng.choice([17, 3000]) + "]" * 3000,
                "x = [" + "1," * rng.choice([100, 60_000]) + "]",
                "y = { " + "a = { " * 40 + "}" * 41,
            ]))
        elif op == "empty":
            lines = rng.choice([[""], ["# nothing"], ["[scenario]", 'name = "x"']])
        elif op == "bytes":
            raw = "\n".join(lines).encode("utf-8", errors="surrogateescape")
            k = rng.randrange(len(raw) + 1)
            raw = raw[:k] + bytes([rng.randrange(256)]) + raw[k:]
            lines = raw.decode("utf-8", errors="surrogateescape").split("\n")
        elif op == "truncate":
            joined = "\n".join(lines)
            lines = joined[: rng.randrange(len(joined) + 1)].split("\n")
    return "\n".join(lines).encode("utf-8", errors="surrogateescape")


def mutate_data(rng: random.Random, text: str) -> bytes:
    """A scenario changed in its parsed data (values of the right type, oddly chosen), written back.

    Most such mutants still load, so they reach the timeline, the rules, the
    report, the planner and the risk engine: the paths text mutants rarely do.
    """
    import tomllib

    from mixedcrew.io import toml_write

    data = tomllib.loads(text)
    ids = re.findall(r'^id = "([^"]+)"', text, flags=re.M) or ["x"]
    for _ in range(rng.randint(1, 3)):
        leaves = list(_leaves(data, ()))
        if not leaves:
            break
        # numbers, instants and lists mostly: a changed string is mostly a dangling reference
        weights = [1 if isinstance(v, str) else 6 for _, v in leaves]
        path, value = rng.choices(leaves, weights)[0]
        _set(data, path, _odd(rng, value, ids))
    return toml_write.dumps(data).encode()


def _leaves(node: object, path: tuple[object, ...]) -> Iterator[tuple[tuple[object, ...], object]]:
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _leaves(v, (*path, k))
    elif isinstance(node, list) and node and all(isinstance(x, dict) for x in node):
        for i, v in enumerate(node):
            yield from _leaves(v, (*path, i))
        yield path, node
    else:
        yield path, node


def _set(data: object, path: tuple[object, ...], value: object) -> None:
    node = data
    for part in path[:-1]:
        node = node[part]  # type: ignore[index]
    node[path[-1]] = value  # type: ignore[index]


def _odd(rng: random.Random, value: object, ids: list[str]) -> object:
    from datetime import UTC, date, datetime, timedelta

    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return rng.choice([0, 1, 2, 5, 50, 1000, 10**6, -1, value + 1, value * 100])
    if isinstance(value, float):
        return rng.choice([0.0, 0.5, 1.0, 12.0, 1e6, 1e300, -1.0, value * 1000])
    if isinstance(value, datetime):
        return rng.choice([value + timedelta(days=rng.uniform(-7000, 7000)),
                           value + timedelta(seconds=rng.choice([-1, 1])),
                           datetime(1950, 1, 1, tzinfo=UTC), datetime(2199, 12, 31, tzinfo=UTC)])
    if isinstance(value, date):
        return value + timedelta(days=rng.randint(-3000, 3000))
    if isinstance(value, str):
        return rng.choice([*ids, "", "x", value + "2", value.upper()])
    if isinstance(value, list):
        items = list(value)
        choice = rng.randrange(4)
        if choice == 0 or not items:
            return []
        if choice == 1:
            return items * rng.choice([2, 20])
        if choice == 2:
            del items[rng.randrange(len(items))]
            return items
        return items[::-1]
    return value


def mutate_event(rng: random.Random, workdir: Path) -> list[str]:
    """`--event` values: the base event changed, or a file of [[events]] made from it."""
    fields = dict(re.findall(r"(\w+) = ([^,}]+)", EVENT))
    for _ in range(rng.randint(0, 3)):
        key = rng.choice([*fields, "people", "capsule", "site", "note", "until"])
        fields[key] = rng.choice([*TOML_VALUES, '"NOPE"', '["ghost"]', '"rubio"', '"MS22"',
                                  "9999-12-15T00:00:00Z", '"leak2"', '"early_return"', '"grounding"'])
    if rng.random() < 0.2:
        del fields[rng.choice(list(fields))]
    inline = "{ " + ", ".join(f"{k} = {v}" for k, v in fields.items()) + " }"
    if rng.random() < 0.3:
        path = workdir / "events.toml"
        body = "[[events]]\n" + "\n".join(f"{k} = {v}" for k, v in fields.items()) + "\n"
        if rng.random() < 0.3:
            body = rng.choice(["events = 5\n", "flights = []\n", body * 2, body[: len(body) // 2],
                               "events = " + "[" * 50 + "]" * 50 + "\n"])
        path.write_bytes(body.encode())
        return [str(path)]
    if rng.random() < 0.15:
        return [inline, inline]  # the same id twice
    return [inline]


LISTS = ("gcat/missions.txt", "gcat/astro.txt", "gcat/rides-2024-05.tsv", "iss-rides-supplement.csv")


def mutate_lists(rng: random.Random, workdir: Path) -> Path:
    """A copy of the GCAT lists with one file corrupted (or removed); returns the copy's root."""
    root = workdir / "lists"
    shutil.rmtree(root, ignore_errors=True)
    shutil.copytree(DATA / "gcat", root / "gcat")
    shutil.copy(DATA / "iss-rides-supplement.csv", root / "iss-rides-supplement.csv")
    target = root / rng.choice(LISTS)
    if rng.random() < 0.08:
        target.unlink()
        return root
    raw = target.read_bytes()
    lines = raw.split(b"\n")
    op = rng.randrange(7)
    if op == 0:
        raw = raw[: rng.randrange(len(raw) + 1)]
    elif op == 1:
        b = bytearray(raw)
        for _ in range(rng.randint(1, 5)):
            b[rng.randrange(len(b))] = rng.randrange(256)
        raw = bytes(b)
    elif op == 2:
        words = lines[0].split() or [b"x"]
        lines[0] = lines[0].replace(rng.choice(words), b"Zzz", 1)
        raw = b"\n".join(lines)
    else:
        for _ in range(rng.randint(1, 10)):
            i = rng.randrange(len(lines))
            if op == 3:
                lines[i] = lines[i][: rng.randrange(len(lines[i]) + 1)]
            elif op == 4:
                del lines[i]
            elif op == 5:
                lines.insert(i, lines[rng.randrange(len(lines))])
            else:
                lines[i] = lines[i].replace(b"\t", b"", rng.randint(1, 3)).replace(b",", b"", 1)
        raw = b"\n".join(lines)
    target.write_bytes(raw)
    return root


# --- one mutant, one command -----------------------------------------------------------------


def args_for(command: str, rng: random.Random, workdir: Path) -> tuple[list[str], list[str]]:
    """The command line of one mutant, and the input files it names (for locating messages)."""
    scenario = workdir / "scenario.toml"
    base = TINY if command == "plan" else SMALL
    mode = rng.random()
    if command == "replan" and mode < 0.4:
        scenario.write_bytes(base.encode())  # the events are the mutants
    elif mode < 0.55:
        scenario.write_bytes(mutate_data(rng, base))
    else:
        scenario.write_bytes(mutate_text(rng, base))
    out = str(workdir / ("out.html" if command == "report" else "out.toml"))
    files = [str(scenario)]
    if command == "check":
        args = ["check", str(scenario)]
    elif command == "aboard":
        args = ["aboard", str(scenario), "--at", rng.choice(["2022-12-01", "2023-01-15T12:00:00Z",
                                                             "2000-01-01", "2199-12-31"])]
    elif command == "report":
        args = ["report", str(scenario), "-o", out]
    elif command == "risk":
        args = ["risk", str(scenario), "-n", "64", "--seed", str(rng.randrange(1000))]
    elif command == "plan":
        args = ["plan", str(scenario), "-o", out, "--time-limit", "3", "--workers", "1"]
    elif command == "replan":
        events = mutate_event(rng, workdir)
        files += [e for e in events if not e.startswith("{")]
        args = ["replan", str(scenario), "-o", out, "--time-limit", "3", "--workers", "1"]
        for e in events:
            args += ["--event", e]
    else:
        root = mutate_lists(rng, workdir)
        files = [str(root / name) for name in LISTS] + [str(root / "gcat")]
        args = ["import-gcat", str(root / "gcat"), "-o", out, "--since", "2000-10-31",
                "--supplement", str(root / "iss-rides-supplement.csv")]
    if rng.random() < 0.1 and BAD_OPTIONS[command]:
        args += rng.choice(BAD_OPTIONS[command])
    return args, files


def unlocated_lines(stderr: str, files: list[str]) -> list[str]:
    """Lines of a refusal (exit 2) that do not say where the problem is."""
    out = []
    for line in stderr.splitlines():
        if not line.strip():
            continue
        if _LOCATED.match(line) or _OPTION.match(line):
            continue
        m = _FILE.match(line)
        if m and any(m.group("file") == f or m.group("file").startswith(f) for f in files):
            if any(words in line for words in FILE_LEVEL):
                continue
        out.append(line)
    return out


def run_one(command: str, seed: int, workdir: Path, limit: float = 30.0) -> Outcome:
    """Run mutant `seed` of `command` in-process; judge it."""
    from mixedcrew.cli import app

    rng = random.Random(f"{command}:{seed}")
    workdir.mkdir(parents=True, exist_ok=True)
    args, files = args_for(command, rng, workdir)
    runner = CliRunner()
    t0 = time.perf_counter()
    try:
        with _alarm(limit):
            result = runner.invoke(app, args, catch_exceptions=True)
    except _Hang:
        return Outcome(command, None, hang=True, seconds=time.perf_counter() - t0, detail=" ".join(args))
    seconds = time.perf_counter() - t0
    exc = result.exception
    outcome = Outcome(command, result.exit_code, seconds=seconds)
    if isinstance(exc, _Hang):
        outcome.hang = True
    elif exc is not None and not isinstance(exc, SystemExit):
        outcome.traceback = True
        outcome.detail = f"{type(exc).__name__}: {exc!s:.300}"
    if "Traceback" in result.output:
        outcome.traceback = True
    if result.exit_code not in EXITS and not outcome.hang:
        outcome.wrong_exit = True
    if result.exit_code == 2 and "Usage:" not in result.output:
        outcome.unlocated = unlocated_lines(result.stderr, files)
    if not outcome.ok and not outcome.detail:
        outcome.detail = (" ".join(a[:80] for a in args) + " | "
                          + " / ".join(outcome.unlocated or [result.output[-300:]]))
    return outcome


def run_many(commands: tuple[str, ...], count: int, workdir: Path, start: int = 0, limit: float = 30.0,
             progress: Callable[[int, Outcome], None] | None = None) -> list[Outcome]:
    """`count` mutants spread over `commands` in turn: seed s runs commands[s % len(commands)]."""
    outcomes = []
    for k in range(count):
        command = commands[(start + k) % len(commands)]
        o = run_one(command, start + k, workdir / command, limit)
        outcomes.append(o)
        if progress:
            progress(k, o)
    return outcomes
