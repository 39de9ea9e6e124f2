"""Speed of `mixedcrew whatif`: the re-plan and the risk parts, apart (goal: whole < 30 s at 100,000 trials).

    python benchmarks/whatif_speed.py [--plan FILE] [--event EVENT] [--trials 100000] [--time-limit 60]
                                      [--until DATE|whole ...]

Default: examples/iss-2030.toml planned first (not timed: a what-if starts
from a plan) twice, to 2028-01-01 as docs/whatif.md does and whole (to the
end of its last launch window, 2030: the issue's "whole examples/iss-2030.toml"),
Soyuz grounded for six months from 2027-03-01 in each. --until names the
cuts (`whole` for the whole file). Without that file: examples/iss.toml,
Soyuz grounded 2025-09-01..2026-03-01.

Prints the seconds of each part of one `what_if` run (re-plan, comparison,
risk) and, as the baseline measured in the same run, a plain risk run of the
old plan with the same trials and window (one play of each trial): the risk
part plays each trial three times (the old plan without and with the event,
and the new plan), so its ratio to the baseline should stay near 3.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

from mixedcrew.domain import Scenario
from mixedcrew.io.events import load_events
from mixedcrew.io.scenario_file import load_scenario
from mixedcrew.plan import SolveOptions, plan_scenario
from mixedcrew.risk import assess_risk
from mixedcrew.whatif.run import what_if

ROOT = Path(__file__).resolve().parents[1]
FORWARD = ROOT / "examples" / "iss-2030.toml"
SOYUZ_2027 = ('{ id = "soyuz-down", kind = "grounding", vehicle_type = "soyuz-ms", '
              'at = 2027-03-01T00:00:00Z, until = 2027-09-01T00:00:00Z }')
SOYUZ_2025 = ('{ id = "soyuz-down", kind = "grounding", vehicle_type = "soyuz-ms", '
              'at = 2025-09-01T00:00:00Z, until = 2026-03-01T00:00:00Z }')
GOAL_SECONDS = 30.0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--plan", type=Path, default=None, help="a plan (default: iss-2030 planned, or iss.toml)")
    ap.add_argument("--event", default=None)
    ap.add_argument("--trials", type=int, default=100_000)
    ap.add_argument("--time-limit", type=float, default=60.0, help="re-plan (and first planning) limit, s")
    ap.add_argument("--until", nargs="+", default=["2028-01-01", "whole"],
                    help="plan the forward scenario to each of these first ('whole': the whole file)")
    args = ap.parse_args()
    opts = SolveOptions(time_limit=args.time_limit, workers=1)
    if args.plan is not None:
        measure(load_scenario(args.plan), args.event or SOYUZ_2027, args.trials, opts)
    elif FORWARD.exists():
        from mixedcrew.instants import to_instant

        for cut in args.until:
            t0 = time.perf_counter()
            until = None if cut == "whole" else to_instant(cut)
            first = plan_scenario(load_scenario(FORWARD), until, opts)
            if first.plan is None:
                raise SystemExit(f"{FORWARD.name}: no plan ({first.status}); give --plan")
            print(f"planned {FORWARD.name} to {cut} first in {time.perf_counter() - t0:.1f} s "
                  "(not timed below)")
            measure(first.plan, args.event or SOYUZ_2027, args.trials, opts)
    else:
        measure(load_scenario(ROOT / "examples" / "iss.toml"), args.event or SOYUZ_2025, args.trials, opts)


def measure(plan: Scenario, event: str, trials: int, opts: SolveOptions) -> None:
    """One what-if on `plan`, its parts timed, and the plain risk baseline of the same trials."""
    events = list(load_events([event], plan))
    print(f"{plan.scenario.name}: {len(plan.flights)} flights; event {events[0].id}; "
          f"{trials:,} trials; {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}")

    assess_risk(plan, trials=2048, seed=0)  # warm-up: compiles the kernel once
    t0 = time.perf_counter()
    w = what_if(plan, events, trials=trials, seed=1, options=opts)
    total = time.perf_counter() - t0
    assert w.window is not None
    t1 = time.perf_counter()
    assess_risk(plan, trials=trials, seed=1, start=w.window[0], end=w.window[1])
    baseline = time.perf_counter() - t1

    status = "best effort" if w.best_effort else (w.replanned.result.status)
    print(f"re-plan:   {w.seconds['replan']:7.2f} s ({status})")
    print(f"compare:   {w.seconds['compare']:7.2f} s")
    print(f"risk:      {w.seconds['risk']:7.2f} s (3 plays of {trials:,} trials)")
    met = "met" if total < GOAL_SECONDS else "NOT met"
    print(f"whatif:    {total:7.2f} s   (goal < {GOAL_SECONDS:.0f} s: {met})")
    print(f"baseline:  {baseline:7.2f} s   plain risk of the old plan, same trials and window")
    print(f"  risk part / baseline: {w.seconds['risk'] / baseline:.2f}x (3 plays: about 3x expected)")

if __name__ == "__main__":
    main()
