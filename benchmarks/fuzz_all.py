"""Fuzz every command with mutated inputs and print what went wrong, per command.

Goal (issues 15 §7 and 17 §8): zero in every column — tracebacks, exits
other than 0/1/2, hangs, refusals without a location. The mutants are
those of tests/fuzzing.py (scenario text and data, `--event`, corrupted GCAT
lists, options out of range), run in-process; seed s runs command
s mod 7, so any failure printed can be replayed with its seed:

    .venv/bin/python benchmarks/fuzz_all.py [--mutants 10000] [--start 0] [--limit 60]

Also printed, as the baseline measured in the same run: the median time of
a clean `check` of the unmutated small example, and each command's median
time per mutant in units of it.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from fuzzing import COMMANDS, Outcome, run_many  # noqa: E402


def baseline(runs: int = 7) -> float:
    from typer.testing import CliRunner

    from mixedcrew.cli import app

    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        CliRunner().invoke(app, ["check", str(ROOT / "examples" / "small.toml")])
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mutants", type=int, default=10_000)
    ap.add_argument("--start", type=int, default=0, help="first seed")
    ap.add_argument("--limit", type=float, default=60.0, help="seconds before a mutant counts as a hang")
    ap.add_argument("--commands", default=",".join(COMMANDS))
    args = ap.parse_args()
    commands = tuple(args.commands.split(","))
    base = baseline()
    failures: list[tuple[int, Outcome]] = []
    t0 = time.perf_counter()

    def progress(k: int, o: Outcome) -> None:
        if not o.ok:
            failures.append((args.start + k, o))
            print(f"  failing: seed {args.start + k} {o.command}: {o.detail[:300]}", file=sys.stderr,
                  flush=True)
        if (k + 1) % 500 == 0:
            print(f"  {k + 1} mutants, {time.perf_counter() - t0:.0f} s, {len(failures)} failing",
                  file=sys.stderr, flush=True)

    with tempfile.TemporaryDirectory(prefix="mixedcrew-fuzz-") as tmp:
        outcomes = run_many(commands, args.mutants, Path(tmp), start=args.start, limit=args.limit,
                            progress=progress)
    elapsed = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{len(outcomes)} mutants in {elapsed:.0f} s; baseline (clean check of small.toml) "
          f"{base * 1000:.0f} ms; peak RSS {peak:.0f} MB")
    print(f"{'command':<12} {'mutants':>7} {'exit 0':>6} {'exit 1':>6} {'exit 2':>6} {'tracebacks':>10} "
          f"{'wrong exits':>11} {'hangs':>5} {'unlocated':>9} {'median x base':>13}")
    by: dict[str, list[Outcome]] = defaultdict(list)
    for o in outcomes:
        by[o.command].append(o)
    total: Counter[str] = Counter()
    for command in commands:
        rows = by[command]
        exits = Counter(o.exit_code for o in rows)
        c = Counter(tracebacks=sum(o.traceback for o in rows), wrong=sum(o.wrong_exit for o in rows),
                    hangs=sum(o.hang for o in rows), unlocated=sum(bool(o.unlocated) for o in rows))
        total.update(c)
        med = statistics.median(o.seconds for o in rows) / base if rows else 0.0
        print(f"{command:<12} {len(rows):>7} {exits[0]:>6} {exits[1]:>6} {exits[2]:>6} {c['tracebacks']:>10} "
              f"{c['wrong']:>11} {c['hangs']:>5} {c['unlocated']:>9} {med:>13.1f}")
    print(f"{'all':<12} {len(outcomes):>7} {'':>6} {'':>6} {'':>6} {total['tracebacks']:>10} "
          f"{total['wrong']:>11} {total['hangs']:>5} {total['unlocated']:>9}")
    for seed, o in failures[:30]:
        kind = ("traceback" if o.traceback else "hang" if o.hang else
                "wrong exit" if o.wrong_exit else "unlocated")
        print(f"seed {seed} {o.command} {kind}: {o.detail[:400]}")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
