"""Property: every command, fed mutated inputs, answers with 0, 1 or 2 — never a traceback,
never a hang, and on bad input only lines that say where (file and line, or the option).

One test per command (check, aboard, report, risk, plan, replan with events,
import-gcat) over the mutants of tests/fuzzing.py: scenario text and data
mutations, `--event` mutations, corrupted GCAT lists, options out of range.
Few examples each, so the suite stays quick on two cores; benchmarks/fuzz_all.py
runs 10,000 of them and prints the counts. Time and memory are bounded by
counting: process CPU seconds per mutant and the process's peak RSS.
"""

from __future__ import annotations

import resource
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fuzzing import COMMANDS, run_one

# Bounds per mutant: the slowest honest command here (a 3 s plan, a 64-trial risk run) stays
# well inside them; the review's attacks took 28 s of CPU and 5.7 GB.
CPU_SECONDS = 20.0
PEAK_RSS_MB = 2048

EXAMPLES = {"check": 25, "aboard": 20, "report": 8, "risk": 8, "plan": 6, "replan": 8, "import-gcat": 8}


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux


@pytest.mark.parametrize("command", COMMANDS)
def test_mutants_give_0_1_or_2_with_located_lines(command: str, tmp_path_factory: pytest.TempPathFactory
                                                  ) -> None:
    workdir = tmp_path_factory.mktemp(command)

    @settings(max_examples=EXAMPLES[command], deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    @given(st.integers(0, 10**9))
    def one(seed: int) -> None:
        cpu = time.process_time()
        outcome = run_one(command, seed, workdir, limit=60.0)
        used = time.process_time() - cpu
        assert not outcome.traceback, f"seed {seed}: {outcome.detail}"
        assert not outcome.hang, f"seed {seed}: still running after 60 s: {outcome.detail}"
        assert outcome.exit_code in (0, 1, 2), f"seed {seed}: exit {outcome.exit_code}: {outcome.detail}"
        assert not outcome.unlocated, f"seed {seed}: {outcome.unlocated}"
        assert used < CPU_SECONDS, f"seed {seed}: {used:.1f} s of CPU"
        assert _peak_rss_mb() < PEAK_RSS_MB

    one()


def test_the_fuzzer_reaches_past_the_parser(tmp_path: Path) -> None:
    """Enough mutants load for the commands to do their work (exit 0 or 1), not only refuse."""
    outcomes = [run_one("check", seed, tmp_path) for seed in range(80)]
    assert sum(o.exit_code in (0, 1) for o in outcomes) >= 5
    assert sum(o.exit_code == 2 for o in outcomes) >= 5
