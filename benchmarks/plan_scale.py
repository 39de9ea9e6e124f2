"""How the CP-SAT planner scales, against a greedy baseline on the same instances.

For generated scenarios (1-2 stations, 1-10 years, up to 300 candidates)
it prints, per instance: open flights; the greedy plan's time, rule
violations and objective levels; the CP-SAT plan's time, status per level
(optimal, or the gap to the solver's bound), objective per level, rule
violations and peak memory. Each instance runs in its own process, so
peak memory is that instance's.

    .venv/bin/python benchmarks/plan_scale.py [--time-limit 60] [--workers 1] [--quick]
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import resource
import time
from typing import Any

INSTANCES = [(1, 2, 40), (1, 5, 100), (2, 5, 150), (1, 10, 150), (2, 10, 300)]
QUICK = [(1, 2, 40), (2, 3, 80)]


def _levels_of(scenario: Any, plan: Any) -> list[float] | None:
    """The objective levels of a given plan, or None if it breaks the planner's rules."""
    from mixedcrew.plan.objective import levels
    from mixedcrew.plan.scope import make_scope
    from mixedcrew.plan.solve import build
    from mixedcrew.plan.warm import complete_hint, evaluate, hint_from_plan

    ctx = build(make_scope(scenario))
    lv = levels(ctx)
    full = complete_hint(ctx, hint_from_plan(ctx, plan), 10.0, 0)
    if full is None:
        return None
    return [evaluate(x.expr, full) / (86400 if x.unit == "second" else 1) for x in lv]


def run(args: tuple[int, int, int, float, int], out: Any) -> None:
    stations, years, candidates, limit, workers = args
    from mixedcrew.check import check
    from mixedcrew.plan import SolveOptions, plan_scenario
    from mixedcrew.plan.generate import generate_scenario
    from mixedcrew.plan.greedy import greedy_plan

    s = generate_scenario(stations, years, candidates, seed=0)
    t0 = time.monotonic()
    g = greedy_plan(s)
    greedy_s = time.monotonic() - t0
    greedy_bad = len(check(g).violations)
    greedy_levels = _levels_of(s, g) if not greedy_bad else None
    opts = SolveOptions(time_limit=limit, workers=workers, deterministic=workers == 1)
    result = plan_scenario(s, options=opts)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    out.put({
        "instance": f"{stations}st {years}y {candidates}c", "open": len(result.scope.planned),
        "greedy_s": greedy_s, "greedy_violations": greedy_bad, "greedy_levels": greedy_levels,
        "status": result.status, "seconds": result.seconds,
        "levels": [(lv.name, *lv.shown[:2], lv.optimal) for lv in result.levels],
        "violations": len(result.report.violations) if result.report else None, "peak_mb": peak_mb,
    })


def _gap(value: float, bound: float, optimal: bool) -> str:
    if optimal:
        return "optimal"
    if value == 0:
        return "gap 0%"
    return f"gap {100 * (value - bound) / abs(value):.1f}%"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--quick", action="store_true", help="two small instances, for a smoke run")
    a = parser.parse_args()
    ctx = mp.get_context("spawn")
    for stations, years, candidates in QUICK if a.quick else INSTANCES:
        q = ctx.Queue()
        p = ctx.Process(target=run, args=((stations, years, candidates, a.time_limit, a.workers), q))
        p.start()
        r = q.get()
        p.join()
        print(f"\n{r['instance']}: {r['open']} open flights")
        gl = r["greedy_levels"]
        greedy = (f"{r['greedy_violations']} rule violation(s)" if r["greedy_violations"] else
                  "valid, levels " + ", ".join(f"{v:g}" for v in gl) if gl else "valid")
        print(f"  greedy : {r['greedy_s']:7.2f} s  {greedy}")
        levels = "; ".join(f"{n} {v:g} ({_gap(v, b, o)})" for n, v, b, o in r["levels"])
        print(f"  CP-SAT : {r['seconds']:7.2f} s  {r['status']}, {r['violations']} violation(s), "
              f"peak {r['peak_mb']:.0f} MB")
        print(f"           {levels}")
        if gl and r["levels"]:
            ours = [v for _, v, _, _ in r["levels"]]
            print(f"  CP-SAT {'not worse than' if ours <= gl else 'WORSE than'} greedy "
                  "(levels compared in order)")


if __name__ == "__main__":
    main()
