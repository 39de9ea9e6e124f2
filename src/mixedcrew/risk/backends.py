"""Where trials run: in this process (`local`) or on a Dask cluster (`dask`).

Trials come in fixed blocks of BLOCK; block b always draws from the
stream `SeedSequence(seed, spawn_key=(b,))`, whatever the batch, worker
or backend, and every block is drawn whole (a short last block is cut
after playing), so trial i of a seed is the same trial in every run.
A task plays a few consecutive blocks and returns integer totals, which
add up to the same numbers in any order. The kernel (fast.py: "numba" or
"numpy") is chosen once, where the run starts, and travels with each
task, so every worker plays the same formulas whatever it has installed.

Dask rather than Ray (docs/risk.md, "Running on a cluster"): it installs
from PyPI as pure Python on every platform mixedcrew supports, starts a
local cluster of worker processes with no daemon, and connects to an
existing scheduler by address (dask-jobqueue, Kubernetes, Coiled).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import numpy as np

from mixedcrew.errors import BackendError, InputError
from mixedcrew.risk.arrays import TrialArrays
from mixedcrew.risk.fast import kernel_name, play, sample_block
from mixedcrew.risk.metrics import Totals

BLOCK = 1024
DEFAULT_BATCH_BLOCKS = 8
# On Dask a task costs the client and scheduler about 2.5 ms of CPU and its worker 1.5 ms
# (measured on a local cluster), on the same CPUs as the trials when the cluster is local;
# a block takes about 3.5 ms with the compiled kernel. So a long run goes out in about
# this many tasks per worker (each at most DASK_MAX_TASK_BLOCKS blocks, about a second),
# whatever smaller batch was asked for.
DASK_TASKS_PER_WORKER = 8
DASK_MAX_TASK_BLOCKS = 256
# The last tasks of a Dask run shrink (each about the remaining blocks / (2 x workers)),
# down to 1/DASK_TAIL_SHARE of a full task (at least 2 blocks, or the full task if it is
# smaller), so that the workers finish
# together: with equal tasks one worker played half a task alone at the end on average.
DASK_TAIL_SHARE = 16
Progress = Callable[[Totals], None]


def block_random(seed: int, block: int) -> np.random.Generator:
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=(block,))))


@dataclass(frozen=True)
class Task:
    first_block: int
    last_block: int  # exclusive
    trials: int  # trials of the whole run (the last block may be cut)


def play_blocks(plan: TrialArrays, seed: int, task: Task, kernel: str | None = None) -> Totals:
    """Totals of the run's trials in blocks [first, last), played one block at a time
    (a block's arrays fit in cache; a task of several blocks keeps scheduling cheap)."""
    total = Totals()
    for b in range(task.first_block, task.last_block):
        keep = min(task.trials - b * BLOCK, BLOCK)
        outcomes = play(plan, sample_block(plan, block_random(seed, b), BLOCK), kernel=kernel)
        total = total + Totals.of(outcomes.head(keep))
    return total


def blocks_of(trials: int, batch_blocks: int) -> int:
    """The blocks a run of `trials` plays, once both arguments are checked."""
    if trials < 1:
        raise InputError(f"trials must be at least 1, got {trials}", parameter="trials")
    if batch_blocks < 1:
        raise InputError(f"batch_blocks must be at least 1, got {batch_blocks}", parameter="batch_blocks")
    return -(-trials // BLOCK)


def tasks(trials: int, batch_blocks: int) -> list[Task]:
    blocks = blocks_of(trials, batch_blocks)
    return [Task(b, min(b + batch_blocks, blocks), trials) for b in range(0, blocks, batch_blocks)]


def run_local(plan: TrialArrays, trials: int, seed: int, *, batch_blocks: int = DEFAULT_BATCH_BLOCKS,
              progress: Progress | None = None, kernel: str | None = None) -> Totals:
    total = Totals()
    kernel = kernel or kernel_name()
    for task in tasks(trials, batch_blocks):
        total = total + play_blocks(plan, seed, task, kernel)
        if progress:
            progress(total)
    return total


def run_dask(plan: TrialArrays, trials: int, seed: int, *, workers: int | None = None,
             address: str | None = None,
             batch_blocks: int = DEFAULT_BATCH_BLOCKS, progress: Progress | None = None,
             kernel: str | None = None) -> Totals:
    """Run on the scheduler at `address`, or on a local cluster of `workers` processes (loopback only).

    Tasks are `batch_blocks` blocks, or more for a long run, and the last ones fewer
    (dask_tasks); the totals do not depend on it. A local cluster runs with cluster_config()."""
    distributed = import_distributed()
    kernel = kernel or kernel_name()
    with _client(distributed, workers, address) as client:
        shared = client.scatter(plan, broadcast=True)
        futures = [client.submit(play_blocks, shared, seed, task, kernel, pure=False)
                   for task in dask_tasks(trials, batch_blocks, threads(client))]
        total = Totals()
        for future in distributed.as_completed(futures):
            total = total + future.result()
            if progress:
                progress(total)
        return total


def dask_batch_blocks(trials: int, batch_blocks: int, slots: int) -> int:
    """Blocks per full Dask task: at least `batch_blocks`, and enough that a long run needs
    about DASK_TASKS_PER_WORKER tasks per slot (a worker thread; up to DASK_MAX_TASK_BLOCKS
    blocks each)."""
    blocks = blocks_of(trials, batch_blocks)
    share = -(-blocks // (DASK_TASKS_PER_WORKER * max(1, slots)))
    return max(batch_blocks, min(DASK_MAX_TASK_BLOCKS, share))


def dask_tasks(trials: int, batch_blocks: int, slots: int) -> list[Task]:
    """The tasks of a Dask run, in the order they are submitted (Dask starts them in that order).

    Each is dask_batch_blocks() blocks until the remaining blocks would leave a slot (a
    worker thread) alone at the end; from there each takes about the remaining / (2 x slots),
    down to a sixteenth of a full task, so the slots run out of trials within a short task
    of each other."""
    blocks = blocks_of(trials, batch_blocks)
    size = dask_batch_blocks(trials, batch_blocks, slots)
    floor = min(size, max(2, size // DASK_TAIL_SHARE))
    out, b = [], 0
    while b < blocks:
        n = max(floor, min(size, -(-(blocks - b) // (2 * max(1, slots)))))
        out.append(Task(b, min(b + n, blocks), trials))
        b += n
    return out


def threads(client: Any) -> int:
    """Threads across the cluster's workers when the run starts: how many tasks run at once
    (at least 1; on an adaptive cluster that is still scaling up, the tasks are then larger
    than they need be, which costs speed, never a different total)."""
    return max(1, int(sum(client.nthreads().values())))


def import_distributed() -> ModuleType:
    try:
        import distributed
    except ImportError:
        raise BackendError("the dask backend needs Dask's distributed scheduler: "
                           "pip install mixedcrew[distributed]") from None
    return distributed


# Periodic work of the clusters mixedcrew starts (they have no dashboard to show it): the
# workers' statistical profiler (every 10 ms), every server's event-loop check (20 ms) and
# system monitor (0.5 s). On a local cluster with a worker per CPU it runs on the trials'
# CPUs. In four alternating runs of each, the median speed-up of 2 workers over 1 went from
# 1.84x (64 equal tasks) and 1.88x (the tasks of dask_tasks) to 1.93x and 1.95x with these.
QUIET_CLUSTER = {
    "distributed.worker.profile.enabled": False,
    "distributed.admin.tick.interval": "1s",
    "distributed.admin.system-monitor.interval": "5s",
}


def cluster_config() -> Any:
    """Dask config for clusters we start: glibc's default malloc tuning, and QUIET_CLUSTER.

    Dask's nanny sets MALLOC_TRIM_THRESHOLD_, which turns off glibc's adaptive
    mmap threshold: every temporary array of a batch is then mapped and unmapped
    afresh, and a worker spends a third of its time in page faults.
    """
    import dask

    environ = dict(dask.config.get("distributed.nanny.pre-spawn-environ", {}))
    environ.pop("MALLOC_TRIM_THRESHOLD_", None)
    return dask.config.set({"distributed.nanny.pre-spawn-environ": environ, **QUIET_CLUSTER})


class _client:
    """A Client on `address`, or on a fresh LocalCluster closed afterwards."""

    def __init__(self, distributed: ModuleType, workers: int | None, address: str | None) -> None:
        self.distributed, self.workers, self.address = distributed, workers, address
        self.cluster: Any = None

    def __enter__(self) -> Any:
        d = self.distributed
        try:
            if self.address:
                self.client = d.Client(self.address, timeout="10s")
            else:
                import os

                n = self.workers or os.cpu_count() or 1
                with cluster_config():
                    self.cluster = d.LocalCluster(n_workers=n, threads_per_worker=1, processes=True,
                                                  host="127.0.0.1", dashboard_address=None, silence_logs=50)
                self.client = d.Client(self.cluster)
        except OSError as e:
            where = f"the scheduler at {self.address}" if self.address else "a local cluster"
            raise BackendError(f"cannot reach {where}: {e}") from None
        return self.client

    def __exit__(self, *exc: object) -> None:
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()
