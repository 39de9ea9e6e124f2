"""One generated instance planned by whichever mixedcrew is first on PYTHONPATH: plan_scale.py's
same-run baseline (`--baseline REV` runs this with PYTHONPATH on REV's src/, unpacked by git
archive), and the same measurement of today's planner.

It uses only what every planner since the first landing has (generate_scenario,
plan_scenario, SolveOptions, the result's levels and new violations), and prints one JSON
line: wall seconds of plan_scenario, status, per level (name, value, optimal, seconds) and the solver's bound,
new violations, peak memory, and a fingerprint of the generator's data (the dict it hands
to the scenario validator), so that plan_scale.py can show that both planned the same
instance.

    PYTHONPATH=DIR/src python benchmarks/plan_baseline.py STATIONS YEARS CANDIDATES LIMIT WORKERS
    PYTHONPATH=DIR/src python benchmarks/plan_baseline.py --file SCENARIO.toml LIMIT WORKERS

The second form plans a scenario file instead: plan_scale.py writes the instances REV's
generator cannot make (three stations) with today's writer, for REV's loader to read (on the
2-station 10-year instance that gives exactly REV's own generated scenario).
"""

from __future__ import annotations

import hashlib
import json
import resource
import sys
import time
from pathlib import Path
from typing import Any


def fingerprint(data: Any) -> str:
    text = json.dumps(data, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def generated(stations: int, years: int, candidates: int) -> tuple[Any, str]:
    """The scenario generate_scenario makes (seed 0), and its data's fingerprint."""
    import mixedcrew.plan.generate as generate

    seen: list[str] = []
    validate = generate.validate_scenario

    def capture(data: Any, *args: Any, **kwargs: Any) -> Any:
        seen.append(fingerprint(data))
        return validate(data, *args, **kwargs)

    generate.validate_scenario = capture  # type: ignore[assignment]
    try:
        s = generate.generate_scenario(stations, years, candidates, seed=0)
    finally:
        generate.validate_scenario = validate
    return s, seen[-1] if seen else "?"


def main() -> None:
    limit, workers = float(sys.argv[-2]), int(sys.argv[-1])
    from mixedcrew.plan import SolveOptions, plan_scenario

    if sys.argv[1] == "--file":  # a scenario file (today's generator's, written by today's writer)
        from mixedcrew.io.scenario_file import load_scenario

        s = load_scenario(sys.argv[2])
        data = "file " + hashlib.sha256(Path(sys.argv[2]).read_bytes()).hexdigest()[:12]
    else:
        s, data = generated(*(int(x) for x in sys.argv[1:4]))
    opts = SolveOptions(time_limit=limit, workers=workers, deterministic=workers == 1)
    t0 = time.monotonic()
    result = plan_scenario(s, options=opts)
    wall = time.monotonic() - t0
    print(json.dumps({
        "data": data, "wall": wall, "status": str(result.status),
        "levels": [(lv.name, lv.value, lv.optimal, lv.seconds) for lv in result.levels],
        "bounds": [lv.bound for lv in result.levels],
        "violations": len(result.new_violations),
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }))


if __name__ == "__main__":
    main()
