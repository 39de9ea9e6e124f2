"""Speed of the risk engine on the ISS example, 2022-2026 (the integrated-crew era).

Prints, from one run:
  1. trials per second of the SimPy reference and of the fast NumPy engine (goal: >= 100x);
  2. the time for 1,000,000 trials on a local Dask cluster of 2 worker processes (goal: < 30 s);
  3. the speed-up of the Dask backend with 2 workers over 1 worker (goal: >= 1.8x).

    python benchmarks/risk_speed.py [--trials 1000000] [--reference-trials 300]

Cluster start-up is timed apart from the trials (a cluster is started once
and reused); the 1,000,000-trial figure is given with and without it.
Rates are the best of three runs, since other load only ever slows a run.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

from mixedcrew.instants import to_instant
from mixedcrew.io.scenario_file import load_scenario
from mixedcrew.risk.backends import run_dask, run_local, worker_allocator
from mixedcrew.risk.plan import compile_plan
from mixedcrew.risk.reference import run_reference

ISS = Path(__file__).resolve().parents[1] / "examples" / "iss.toml"


def timed(fn):  # type: ignore[no-untyped-def]
    t0 = time.perf_counter()
    value = fn()
    return value, time.perf_counter() - t0


def best(fn, repeats: int = 3) -> float:  # type: ignore[no-untyped-def]
    """The shortest of a few runs: other load on the machine only ever adds time."""
    return min(timed(fn)[1] for _ in range(repeats))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--trials", type=int, default=1_000_000)
    ap.add_argument("--reference-trials", type=int, default=300)
    ap.add_argument("--fast-trials", type=int, default=100_000)
    # A run of a million trials: with fewer, the fixed cost of a run (submitting and
    # gathering tasks on a 2-CPU machine) hides the workers' speed-up.
    ap.add_argument("--scaling-trials", type=int, default=1_000_000)
    args = ap.parse_args()

    from distributed import Client, LocalCluster

    plan = compile_plan(load_scenario(ISS), start=to_instant("2022-01-01"), end=to_instant("2027-01-01"))
    print(f"ISS example, {plan.window.label()}: {len(plan.flights)} flights, {len(plan.l_flight)} lines, "
          f"{len(plan.people)} stays; {os.cpu_count()} CPUs")

    t_ref = best(lambda: run_reference(plan, args.reference_trials, seed=1))
    run_local(plan, 4096, seed=0)  # warm-up
    t_fast = best(lambda: run_local(plan, args.fast_trials, seed=1))
    ref_rate, fast_rate = args.reference_trials / t_ref, args.fast_trials / t_fast
    print(f"SimPy reference:        {ref_rate:10,.0f} trials/s ({args.reference_trials:,} trials)")
    print(f"fast engine, 1 process: {fast_rate:10,.0f} trials/s ({args.fast_trials:,} trials)")
    print(f"  fast / reference:     {fast_rate / ref_rate:10,.0f}x   (goal >= 100x)")

    rates = {}
    for workers in (1, 2):
        (cluster, client), t_start = timed(lambda w=workers: _cluster(LocalCluster, Client, w))
        try:
            addr = cluster.scheduler_address
            run_dask(plan, 8192, seed=0, address=addr)  # warm-up: ship the plan, import numpy
            t = best(lambda a=addr: run_dask(plan, args.scaling_trials, seed=1, address=a))
            rates[workers] = args.scaling_trials / t
            print(f"dask, {workers} worker(s):      {rates[workers]:10,.0f} trials/s "
                  f"({args.scaling_trials:,} trials; cluster start {t_start:.1f} s)")
            if workers == 2:
                _, t_million = timed(lambda a=addr: run_dask(plan, args.trials, seed=1, address=a))
                print(f"{args.trials:,} trials on 2 workers: {t_million:.1f} s "
                      f"({t_million + t_start:.1f} s with cluster start)   (goal < 30 s)")
        finally:
            client.close()
            cluster.close()
    print(f"  speed-up 2 workers / 1: {rates[2] / rates[1]:8.2f}x   (goal >= 1.8x)")


def _cluster(LocalCluster, Client, workers: int):  # type: ignore[no-untyped-def]
    with worker_allocator():  # the same cluster `--backend dask` starts
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, host="127.0.0.1",
                               dashboard_address=None, silence_logs=50)
    return cluster, Client(cluster)


if __name__ == "__main__":
    main()
