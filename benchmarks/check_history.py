"""Load and check the whole ISS history (2000-11 to the end of the data).

Goal (issue 2): under 1 s on a 2-core machine. Prints the median of several
runs, and, as the baseline measured in the same run, the time to parse the
same TOML with tomllib alone, so the figure can be read on any machine.

    .venv/bin/python benchmarks/check_history.py [--runs N] [FILE]
"""

from __future__ import annotations

import argparse
import statistics
import time
import tomllib
from pathlib import Path

from mixedcrew import Timeline, check, load_scenario

ROOT = Path(__file__).resolve().parent.parent


def timed(fn, runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("file", nargs="?", default=str(ROOT / "examples" / "iss.toml"))
    ap.add_argument("--runs", type=int, default=7)
    args = ap.parse_args()
    path = Path(args.file)
    raw = path.read_bytes()

    def parse_only() -> None:
        tomllib.loads(raw.decode())

    state: dict = {}

    def load_and_check() -> None:
        s = load_scenario(path)
        tl = Timeline(s)
        state["report"] = check(s, tl)
        state["scenario"] = s

    base = timed(parse_only, args.runs)
    full = timed(load_and_check, args.runs)
    s, report = state["scenario"], state["report"]
    med_base, med_full = statistics.median(base), statistics.median(full)
    print(f"file: {path.name}: {len(s.flights)} flights, {len(s.people)} people, "
          f"{len(s.assignments)} rides, {len(report.violations)} violations")
    print(f"TOML parse only (baseline):  median {med_base * 1000:8.1f} ms over {args.runs} runs")
    print(f"load + timeline + check:      median {med_full * 1000:8.1f} ms over {args.runs} runs "
          f"({med_full / med_base:.1f}x the parse)")
    print(f"goal < 1 s: {'met' if med_full < 1.0 else 'NOT met'}")


if __name__ == "__main__":
    main()
