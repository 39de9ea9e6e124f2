"""How the CP-SAT planner scales, against a greedy baseline on the same instances.

For generated scenarios (1-2 stations, 1-10 years, up to 300 candidates)
it prints, per instance: open flights; the greedy plan's time, rule
violations from the data's horizon on (the checker's) and objective per
level; the CP-SAT plan's time, new rule violations (none the data did not
already have: the oracle), objective per level with its status (optimal, or
the gap to the solver's bound) and peak memory; and whether CP-SAT is
never worse than greedy (the levels compared in order, lexicographically).
Greedy's levels are counted by the planner's own objective expressions
(`plan_levels`), so the two columns are the same quantities. Each
instance runs in its own process, so peak memory is that instance's; the
memory and seconds at the end of each objective level are printed too, so
the level that does not close (and where the time goes) shows. `--large`
adds 120, 160 and 200 open flights (2 stations, 15/20/25 years), the
3-station, 15-year, 600-candidate instance (about 160 open flights), and
the forward ISS scenario (examples/iss-2030.toml) when it exists. At the
end, a Markdown table for docs/plan.md.

`--baseline REV` measures, in the same run, the planner of commit REV on each
generated instance: `git archive REV src` unpacked in a temporary folder, and
plan_baseline.py run there in a subprocess (PYTHONPATH on that src/) just before
today's planner plans the same instance. Both sides time plan_scenario alone
(wall seconds). It prints whether both planned the same instance (the
fingerprint of the generator's data), whether they reached the same level
values, and `speed-up = baseline s / now s`. Instances REV's generator may not
make (three stations) are written as a scenario file by today's writer for REV's
loader (on the 2-station 10-year instance that file gives exactly REV's own
generated scenario), as is the forward ISS file; where REV's loader refuses a
file, the line says so.
The issue's "today" is 7e6a2be, the first landing.

    .venv/bin/python benchmarks/plan_scale.py [--time-limit 60] [--workers 1] [--quick]
                                              [--large] [--only N] [--baseline REV]
"""

from __future__ import annotations

import argparse
import atexit
import io
import json
import multiprocessing as mp
import os
import resource
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
FORWARD = ROOT / "examples" / "iss-2030.toml"
INSTANCES: list[tuple[int, int, int]] = [(1, 2, 40), (1, 5, 100), (2, 5, 150), (1, 10, 150), (2, 10, 300)]
LARGE: list[tuple[int, int, int]] = [(2, 15, 450), (2, 20, 600), (2, 25, 750), (3, 15, 600),
                                     (0, 0, 0)]  # (0, 0, 0): the forward ISS scenario
QUICK = [(1, 2, 40), (2, 3, 80)]
SHORT = {"disruption": "disr", "balance": "bal", "timing": "time", "fairness": "fair",
         "overlap": "ovl"}


def _shown(unit: str, value: float) -> str:
    return f"{value / 86400:.4g} d" if unit == "second" else f"{value:g}"


def run(args: tuple[int, int, int, float, int], out: Any) -> None:
    stations, years, candidates, limit, workers = args
    from plan_baseline import generated  # beside this script (the spawned child has its path)

    from mixedcrew.check import check
    from mixedcrew.io.scenario_file import load_scenario
    from mixedcrew.plan import SolveOptions, plan_scenario
    from mixedcrew.plan.greedy import greedy_plan
    from mixedcrew.plan.solve import plan_levels

    data = None
    if stations == 0:
        s = load_scenario(FORWARD)
        name = "forward ISS (examples/iss-2030.toml)"
    else:
        s, data = generated(stations, years, candidates)
        name = f"{stations} station{'s' if stations > 1 else ''}, {years} years, {candidates} people"
    t0 = time.monotonic()
    g = greedy_plan(s)
    greedy_s = time.monotonic() - t0
    horizon = s.scenario.horizon
    greedy_bad = [v.rule for v in check(g, start=horizon).violations]
    greedy_levels = plan_levels(s, g)
    memory: dict[str, float] = {}

    def progress(level: str, elapsed: float, best: float | None, bound: float | None) -> None:
        memory[level] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    opts = SolveOptions(time_limit=limit, workers=workers, deterministic=workers == 1,
                        progress=progress)
    t0 = time.monotonic()
    result = plan_scenario(s, options=opts)
    wall = time.monotonic() - t0
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    out.put({
        "instance": name, "open": len(result.scope.planned), "data": data, "wall": wall,
        "greedy_s": greedy_s, "greedy_violations": greedy_bad, "greedy_levels": greedy_levels,
        "status": str(result.status), "seconds": result.seconds,
        "levels": [(lv.name, lv.unit, lv.value, lv.bound, lv.optimal, lv.seconds)
                   for lv in result.levels],
        "memory": memory, "tried": list(result.tried),
        "violations": len(result.new_violations) if result.report else None, "peak_mb": peak_mb,
    })


def unpack(rev: str) -> Path:
    """REV's src/ in a new temporary folder (git archive: the commit's files, no checkout)."""
    where = Path(tempfile.mkdtemp(prefix="plan-baseline-"))
    atexit.register(shutil.rmtree, where, ignore_errors=True)
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", "--format=tar", rev, "src"],
                             check=True, capture_output=True).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        if hasattr(tarfile, "data_filter"):  # Python 3.11.4 on: plain files only
            tar.extractall(where, filter="data")
        else:  # our own repository's archive
            tar.extractall(where)  # noqa: S202
    return where / "src"


def baseline(src: Path, stations: int, years: int, candidates: int, limit: float,
             workers: int) -> dict[str, Any] | str:
    """plan_baseline.py's answer with REV's planner, or why there is none (one line)."""
    what = [str(stations), str(years), str(candidates)]
    if stations == 0:
        what = ["--file", str(FORWARD)]
    elif stations > 2:  # REV's generator may not know a third station: today's, as a file
        from mixedcrew.io.scenario_file import dump_scenario, load_scenario, save_scenario
        from mixedcrew.plan.generate import generate_scenario

        path = src.parent / f"generated-{stations}-{years}-{candidates}.toml"
        generated = generate_scenario(stations, years, candidates, seed=0)
        save_scenario(generated, path)
        if dump_scenario(load_scenario(path)) != dump_scenario(generated):
            return "not measured: the written file does not read back as the instance planned now"
        what = ["--file", str(path)]
    env = {**os.environ, "PYTHONPATH": str(src)}
    cmd = [sys.executable, str(Path(__file__).with_name("plan_baseline.py")), *what, str(limit),
           str(workers)]
    try:
        done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=3 * limit + 120)
    except subprocess.TimeoutExpired:  # one instance's baseline, not the whole benchmark
        return f"not measured: no answer within {3 * limit + 120:g} s"
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        return f"not measured: {last}"
    answer: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return answer


def _speed_line(b: dict[str, Any] | str | None, r: dict[str, Any], rev: str) -> list[str]:
    if b is None:
        return []
    if isinstance(b, str):
        return [f"  baseline {rev}: {b}"]
    same = ("yes" if b["data"] == r["data"] else f"NO ({b['data']} vs {r['data']})") if not str(
        b["data"]).startswith("file") else "one scenario file (today's, read by REV's loader)"
    ours = [(n, v) for n, _, v, _, _, _ in r["levels"]]
    theirs = [(n, v) for n, v, _, _ in b["levels"]]
    shared = [n for n, _ in theirs if n in dict(ours)]
    equal = all(dict(ours)[n] == dict(theirs)[n] for n in shared)
    proven = all(o for _, _, o, _ in b["levels"])
    unit = {n: u for n, u, _, _, _, _ in r["levels"]}
    bounds = b.get("bounds") or [float("-inf")] * len(b["levels"])
    levels = "; ".join(f"{n} {_shown(unit.get(n, ''), v)} ({_gap(v, lo, o)}, {t:.1f} s)"
                       for (n, v, o, t), lo in zip(b["levels"], bounds, strict=True))
    return [f"  baseline {rev}: {b['wall']:7.2f} s  {b['status']}, {b['violations']} violation(s), "
            f"peak {b['peak_mb']:.0f} MB",
            f"           {levels}",
            f"  same instance: {same}; same level values: {'yes' if equal else 'NO'}"
            f"{'' if proven else ' (baseline not proven optimal on every level)'}",
            f"  speed-up = {b['wall']:.2f} s / {r['wall']:.2f} s = {b['wall'] / r['wall']:.2f}x"]


def _gap(value: float, bound: float, optimal: bool) -> str:
    if optimal:
        return "optimal"
    if value == 0:
        return "gap 0%"
    return f"gap {100 * (value - max(bound, 0)) / abs(value):.1f}%"


def _verdict(r: dict[str, Any]) -> str:
    gl = r["greedy_levels"]
    if gl is None:
        return "yes (greedy plan breaks rules)" if r["levels"] else "no plan"
    ours = {n: v for n, _, v, _, _, _ in r["levels"]}
    pairs = [(ours[n], v) for n, _, v in gl if n in ours]
    if len(pairs) != len(gl):
        return "?"
    mine, theirs = [a for a, _ in pairs], [b for _, b in pairs]
    if mine == theirs:
        return "yes (equal)"
    return "yes" if mine < theirs else "NO"


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--quick", action="store_true", help="two small instances, for a smoke run")
    parser.add_argument("--large", action="store_true",
                        help="the large instances (120-200 open flights, 3 stations) and the forward ISS")
    parser.add_argument("--only", type=int, action="append",
                        help="run only the N-th instance (1-based; repeatable)")
    parser.add_argument("--baseline", metavar="REV",
                        help="also plan each instance with commit REV's planner, in the same run")
    a = parser.parse_args()
    old_src = unpack(a.baseline) if a.baseline else None
    ctx = mp.get_context("spawn")
    instances = QUICK if a.quick else LARGE if a.large else INSTANCES
    if not FORWARD.exists():
        instances = [x for x in instances if x[0] != 0]
    if a.only:
        instances = [instances[i - 1] for i in a.only]
    print(f"load average before: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores; "
          f"time limit {a.time_limit:g} s, {a.workers} worker(s)")
    rows, bases = [], []
    for stations, years, candidates in instances:
        b = None if old_src is None else baseline(old_src, stations, years, candidates,
                                                   a.time_limit, a.workers)
        bases.append(b)
        q = ctx.Queue()
        p = ctx.Process(target=run, args=((stations, years, candidates, a.time_limit, a.workers), q))
        p.start()
        r = q.get()
        p.join()
        rows.append(r)
        print(f"\n{r['instance']}: {r['open']} open flights (load {os.getloadavg()[0]:.2f})")
        bad = r["greedy_violations"]
        gl = r["greedy_levels"]
        said = (f"{len(bad)} rule violation(s) ({', '.join(sorted(set(bad)))})" if bad else
                "0 violations")
        levels = ("; ".join(f"{n} {_shown(u, v)}" for n, u, v in gl) if gl else
                  "levels not counted: the plan breaks a rule of the model")
        print(f"  greedy : {r['greedy_s']:7.2f} s  {said}")
        print(f"           {levels}")
        print(f"  CP-SAT : {r['seconds']:7.2f} s  {r['status']}, {r['violations']} violation(s), "
              f"peak {r['peak_mb']:.0f} MB")
        print("           " + "; ".join(
            f"{n} {_shown(u, v)} ({_gap(v, b, o)}, {s:.1f} s, {r['memory'].get(n, 0):.0f} MB)"
            for n, u, v, b, o, s in r["levels"]))
        for note in r.get("tried", []):
            print(f"           {note}")
        print(f"  CP-SAT never worse than greedy: {_verdict(r)}")
        for line in _speed_line(b, r, a.baseline or ""):
            print(line)
    print("\n| instance | open flights | greedy: time, violations | greedy levels | CP-SAT: time, "
          "violations | CP-SAT levels (value, status) | never worse | peak memory |")
    print("|---|---|---|---|---|---|---|---|")
    for r in rows:
        gl = r["greedy_levels"]
        glv = ", ".join(f"{SHORT.get(n, n)} {_shown(u, v)}" for n, u, v in gl) if gl else "-"
        ours = ", ".join(f"{SHORT.get(n, n)} {_shown(u, v)} ({_gap(v, b, o)})"
                         for n, u, v, b, o, _ in r["levels"])
        print(f"| {r['instance']} | {r['open']} | {r['greedy_s']:.2f} s, "
              f"{len(r['greedy_violations'])} | {glv} | {r['seconds']:.1f} s, {r['violations']} | "
              f"{ours} | {_verdict(r)} | {r['peak_mb']:.0f} MB |")
    if old_src is not None:
        _speed_table(rows, bases, a.baseline)


def _speed_table(rows: list[dict[str, Any]], bases: list[dict[str, Any] | str | None], rev: str) -> None:
    print(f"\n| instance | open flights | {rev}: time, memory | now: time, memory | speed-up | "
          "now: seconds per level |")
    print("|---|---|---|---|---|---|")
    for r, b in zip(rows, bases, strict=True):
        per = ", ".join(f"{SHORT.get(n, n)} {t:.1f}" for n, _, _, _, _, t in r["levels"])
        now = f"{r['wall']:.1f} s, {r['peak_mb']:.0f} MB"
        if isinstance(b, dict):
            old = f"{b['wall']:.1f} s, {b['peak_mb']:.0f} MB"
            ratio = f"{b['wall'] / r['wall']:.2f}x"
        else:
            old, ratio = "-", "-"
        print(f"| {r['instance']} | {r['open']} | {old} | {now} | {ratio} | {per} |")


if __name__ == "__main__":
    main()
