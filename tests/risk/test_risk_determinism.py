"""Same seed, same numbers: whatever the batch size, the worker count or the backend."""

from __future__ import annotations

import json
import sys

import numpy as np
import pytest
import typer
from risk_cases import HOT, with_model

from mixedcrew.instants import to_instant
from mixedcrew.risk import BackendError, assess_risk
from mixedcrew.risk.arrays import compile_plan
from mixedcrew.risk.backends import BLOCK, Task, block_random, play_blocks, run_dask, run_local
from mixedcrew.risk.fast import play, sample_block
from mixedcrew.risk.segregate import segregated

TRIALS = 3 * BLOCK + 100  # a short last block on purpose


@pytest.fixture(scope="module")
def plan(iss):  # type: ignore[no-untyped-def]
    s = with_model(iss, HOT)
    return compile_plan(s, start=to_instant("2023-01-01"), variants={"segregated": segregated(s)[0]})


def test_batch_size_does_not_change_the_numbers(plan):
    """One block per batch, three, or all at once: the same totals, to the last integer."""
    one = run_local(plan, TRIALS, seed=42, batch_blocks=1)
    assert one.same_as(run_local(plan, TRIALS, seed=42, batch_blocks=3))
    assert one.same_as(run_local(plan, TRIALS, seed=42, batch_blocks=64))
    assert one.trials == TRIALS


def test_another_seed_changes_the_numbers(plan):
    """The equality above is not vacuous: a different seed gives different totals."""
    assert not run_local(plan, TRIALS, seed=42).same_as(run_local(plan, TRIALS, seed=43))


def test_trial_i_is_the_same_trial_in_a_longer_run(plan):
    """Blocks are drawn whole, so the first trials of a long run are those of a short one."""
    short = play_blocks(plan, 7, Task(0, 1, 500))
    long = play_blocks(plan, 7, Task(0, 1, BLOCK))
    assert short.trials == 500
    head = play(plan, sample_block(plan, block_random(7, 0), BLOCK)).head(500)
    from mixedcrew.risk.metrics import Totals

    assert short.same_as(Totals.of(head)) and not short.same_as(long)


def test_dask_with_two_worker_processes_gives_the_local_numbers(plan):
    """A local Dask cluster of two worker processes, or of one, adds up to exactly the local run."""
    local = run_local(plan, TRIALS, seed=42, batch_blocks=1)
    distributed = run_dask(plan, TRIALS, seed=42, workers=2, batch_blocks=1)
    assert distributed.same_as(local)
    assert run_dask(plan, TRIALS, seed=42, workers=1, batch_blocks=2).same_as(local)


def test_dask_tasks_grow_with_the_run_so_their_fixed_cost_stays_small():
    """A long run goes out in about 8 full tasks per worker (up to 256 blocks each); a short one
    keeps the batch asked, and a larger batch asked is kept."""
    from mixedcrew.risk.backends import dask_batch_blocks

    assert dask_batch_blocks(10_000_000, 8, 2) == 256  # 9,766 blocks: 611 a task, capped
    assert dask_batch_blocks(1_000_000, 8, 2) == 62  # 977 blocks / 16
    assert dask_batch_blocks(10_000_000, 8, 64) == 20  # more workers, smaller tasks
    assert dask_batch_blocks(TRIALS, 1, 2) == 1 and dask_batch_blocks(TRIALS, 3, 2) == 3
    assert dask_batch_blocks(10_000_000, 300, 2) == 300


@pytest.mark.parametrize(("trials", "workers"), [(3_000_000, 2), (10_000_000, 2), (1_000_000, 16),
                                                 (3_000_000, 1), (TRIALS, 2)])
def test_dask_tasks_cover_every_block_once_and_shrink_at_the_end(trials, workers):
    """Every block in exactly one task, in order; full tasks first, then smaller ones, so that
    no worker is left playing a whole task alone at the end."""
    from mixedcrew.risk.backends import DASK_TAIL_SHARE, dask_batch_blocks, dask_tasks

    ts = dask_tasks(trials, 8, workers)
    blocks = -(-trials // BLOCK)
    assert [t.first_block for t in ts] == [0] + [t.last_block for t in ts[:-1]]
    assert ts[-1].last_block == blocks and all(t.trials == trials for t in ts)
    sizes = [t.last_block - t.first_block for t in ts]
    assert sizes == sorted(sizes, reverse=True)
    full = dask_batch_blocks(trials, 8, workers)
    floor = min(full, max(2, full // DASK_TAIL_SHARE))
    if blocks >= 2 * workers * full:
        assert sizes[0] == full
    for t, n in zip(ts, sizes, strict=True):  # once little is left, each task a share of it
        assert n <= max(floor, -(-(blocks - t.first_block) // (2 * workers)))
    assert sizes[-1] <= floor
    assert len(ts) <= 2 * -(-blocks // full) + 4 * workers  # the tail adds a few tasks, not many
    # Played in order by `workers` equally fast slots, each taking the next task when free (as
    # Dask's queue hands them out), the slots finish within a short task of each other.
    free = [0] * workers
    for n in sizes:
        free[free.index(min(free))] += n
    if blocks >= 2 * workers * full:
        assert max(free) - min(free) <= floor


def test_a_cluster_mixedcrew_starts_is_quiet_and_keeps_glibcs_malloc():
    """The local cluster's workers run without the profiler and with slow periodic checks
    (QUIET_CLUSTER), and without the nanny's MALLOC_TRIM_THRESHOLD_."""
    import os

    import dask

    from mixedcrew.risk.backends import QUIET_CLUSTER, _client, import_distributed

    def seen() -> tuple[object, ...]:
        return (*(dask.config.get(k) for k in QUIET_CLUSTER), os.environ.get("MALLOC_TRIM_THRESHOLD_"))

    with _client(import_distributed(), 1, None) as client:
        assert list(client.run(seen).values()) == [(*QUIET_CLUSTER.values(), None)]
    assert dask.config.get("distributed.worker.profile.enabled") is True  # only for that cluster


def test_dask_missing_names_the_extra(plan, monkeypatch):
    """Without the distributed extra, the message says what to install."""
    monkeypatch.setitem(sys.modules, "distributed", None)
    with pytest.raises(BackendError, match=r"pip install mixedcrew\[distributed\]"):
        run_dask(plan, 10, seed=1)


def test_assess_risk_is_a_pure_function_of_its_inputs(iss):
    """Two runs with the same arguments give the same JSON; no state leaks between them."""
    a = assess_risk(iss, trials=1500, seed=5, start=to_instant("2024-01-01"), compare="segregated")
    assess_risk(iss, trials=700, seed=6)
    b = assess_risk(iss, trials=1500, seed=5, start=to_instant("2024-01-01"), compare="segregated")
    assert a.as_json() == b.as_json()


def test_blocks_have_independent_streams():
    """Block streams are spawned from the seed, not consecutive seeds: no overlap."""
    a = block_random(1, 0).random(1000)
    b = block_random(1, 1).random(1000)
    c = block_random(2, 0).random(1000)
    assert not np.allclose(a, b) and not np.allclose(a, c)
    assert np.array_equal(a, block_random(1, 0).random(1000))


def _figures(output: str) -> dict:  # type: ignore[type-arg]
    data = json.loads(output)
    data.pop("backend")
    return data


def test_cli_dask_backend_matches_local_and_reaches_a_cluster_by_address(tmp_path):
    """`--backend dask --workers 2` and `--address` of a running cluster print the local figures."""
    from distributed import Client, LocalCluster
    from risk_cases import EXAMPLES
    from typer.testing import CliRunner

    from mixedcrew.cli.risk import register
    from mixedcrew.risk.backends import cluster_config

    app = typer.Typer()
    register(app)
    app.callback()(lambda: None)
    args = ["risk", str(EXAMPLES / "small.toml"), "-n", "3000", "--seed", "4", "--json", "--batch", "1024"]
    run = CliRunner().invoke
    local = run(app, args)
    assert local.exit_code == 0, local.output
    workers = run(app, [*args, "--backend", "dask", "--workers", "2"])
    assert workers.exit_code == 0, workers.output
    assert _figures(workers.output) == _figures(local.output)
    with cluster_config():
        cluster = LocalCluster(n_workers=2, threads_per_worker=1, host="127.0.0.1", dashboard_address=None)
    with cluster, Client(cluster):
        remote = run(app, [*args, "--backend", "dask", "--address", cluster.scheduler_address])
    assert remote.exit_code == 0, remote.output
    assert _figures(remote.output) == _figures(local.output)


def test_unreachable_scheduler_is_one_line_exit_2():
    from risk_cases import EXAMPLES
    from typer.testing import CliRunner

    from mixedcrew.cli.risk import register

    app = typer.Typer()
    register(app)
    app.callback()(lambda: None)
    res = CliRunner().invoke(app, ["risk", str(EXAMPLES / "small.toml"), "--backend", "dask",
                                   "--address", "tcp://127.0.0.1:9"])
    assert res.exit_code == 2 and "cannot reach the scheduler at tcp://127.0.0.1:9" in res.output


def test_progress_bar_shows_trials_and_the_headline_on_a_terminal(plan):
    """On a terminal the bar shows trials done and the running estimate; it is gone afterwards."""
    import io

    from rich.console import Console

    from mixedcrew.cli.risk import _progress

    buf = io.StringIO()
    console = Console(file=buf, force_terminal=True, width=140)
    with _progress(console, 2048, show=True) as update:
        run_local(plan, 2048, seed=1, batch_blocks=1, progress=update)
        console.file.flush()
        shown = buf.getvalue()
    assert "P(a segment without operator)" in shown and "2048/2048" in shown
    with _progress(console, 10, show=False) as update:
        assert update is None


def test_totals_are_the_plain_sums_of_each_field(plan):
    """Totals of a block, taken over all fields at once, are each field's own sums, squares
    (exact Python integers) and counts of trials above zero."""
    from mixedcrew.risk.metrics import FIELDS, Totals

    o = play(plan, sample_block(plan, block_random(3, 0), BLOCK))
    t = Totals.of(o)
    for name in FIELDS:
        x = getattr(o, name)
        assert np.array_equal(t.sums[name], x.sum(axis=0)), name
        squares = np.array([sum(int(v) ** 2 for v in col) for col in x.reshape(len(x), -1).T], dtype=object)
        assert (t.squares[name].reshape(-1) == squares).all(), name
        assert np.array_equal(t.hits[name], (x > 0).sum(axis=0)), name
    assert t.sums["short"].shape == o.short.shape[1:] and t.sums["short"][0, -1, -1] > 0
