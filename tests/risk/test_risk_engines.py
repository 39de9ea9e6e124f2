"""The fast engine and the SimPy reference agree: trial by trial, in distribution, and with closed forms."""

from __future__ import annotations

from math import exp, sqrt

import numpy as np
import pytest
from risk_cases import (
    F2_DOCK_DAYS,
    F2_LAUNCH_DAYS,
    HOT,
    NOTHING,
    QUIET,
    relay_scenario,
    with_model,
)

from mixedcrew.domain.risk import Distribution, RiskModel, VehicleRisk
from mixedcrew.instants import to_instant
from mixedcrew.risk.arrays import DAYS_PER_YEAR, compile_plan
from mixedcrew.risk.backends import run_local
from mixedcrew.risk.fast import KERNELS, no_disruptions, play, sample_block
from mixedcrew.risk.metrics import Totals
from mixedcrew.risk.outcomes import Outcomes
from mixedcrew.risk.reference import play_trial, run_reference
from mixedcrew.risk.segregate import segregated

FIELDS = tuple(Outcomes.__dataclass_fields__)


def iss_plan(scenario, model=None, compare=True):  # type: ignore[no-untyped-def]
    s = with_model(scenario, model) if model else scenario
    variants = {"segregated": segregated(s)[0]} if compare else {}
    return compile_plan(s, start=to_instant("2022-01-01"), variants=variants)


def assert_same_outcomes(a: Outcomes, b: Outcomes) -> None:
    for name in FIELDS:
        x, y = getattr(a, name), getattr(b, name)
        # Minutes are rounded from sums taken in a different order: allow one minute.
        bad = np.flatnonzero((np.abs(x - y) > 1).reshape(a.trials, -1).any(axis=1))
        assert bad.size == 0, f"{name} differs in trials {bad[:5].tolist()}"


def assert_same_trials(plan, trials: int, seed: int, kernel: str) -> Outcomes:  # type: ignore[no-untyped-def]
    draws = sample_block(plan, np.random.default_rng(seed), trials)
    fast = play(plan, draws, kernel=kernel)
    assert_same_outcomes(fast, Outcomes.concat([play_trial(plan, draws.trial(i)) for i in range(trials)]))
    return fast


@pytest.mark.parametrize("kernel", KERNELS)
def test_engines_agree_trial_by_trial_on_the_iss_with_every_branch_exercised(iss, kernel):
    """The same draws give the same outcomes in both engines (either kernel of the fast one),
    with every policy branch taken."""
    fast = assert_same_trials(iss_plan(iss, HOT), trials=150, seed=11, kernel=kernel)
    for name in ("contingency", "medical", "forced"):
        assert getattr(fast, name)[:, -1].sum() > 0, name
    assert (fast.empty[:, -1] > 0).any() and (fast.short[:, 0, -1, -1] > 0).any()
    assert (fast.short[:, 0, -1, -1] == 0).any()


@pytest.mark.parametrize("kernel", KERNELS)
def test_engines_agree_trial_by_trial_with_default_rates(iss, small_example, kernel):
    """Default rates on the ISS, and hot rates on the small example, trial by trial."""
    assert_same_trials(iss_plan(iss), trials=200, seed=3, kernel=kernel)
    assert_same_trials(compile_plan(with_model(small_example, HOT)), trials=200, seed=4, kernel=kernel)


@pytest.mark.parametrize("case", ["iss-default", "iss-hot", "small-hot", "relay-groundings", "iss-2023"])
def test_the_two_kernels_agree_on_many_trials(case, iss, small_example):
    """The compiled loops and the array formulas give the same outcomes on thousands of
    trials (the reference is too slow to check that many): events exactly, minutes to one."""
    plan = {
        "iss-default": lambda: iss_plan(iss),
        "iss-hot": lambda: iss_plan(iss, HOT),
        "small-hot": lambda: compile_plan(with_model(small_example, HOT)),
        "relay-groundings": lambda: compile_plan(relay_scenario(_groundings(0.5, 60.0))),
        "iss-2023": lambda: compile_plan(with_model(iss, HOT), start=to_instant("2023-01-01"),
                                         end=to_instant("2025-01-01")),
    }[case]()
    draws = sample_block(plan, np.random.default_rng(21), 4096)
    loops, arrays = play(plan, draws, kernel="numba"), play(plan, draws, kernel="numpy")
    assert_same_outcomes(loops, arrays)
    for name in ("contingency", "medical", "forced"):
        assert np.array_equal(getattr(loops, name), getattr(arrays, name)), name
    assert (loops.short[:, 0, -1, -1] > 0).any()


def test_kernel_without_a_jit_still_agrees_with_the_reference(tmp_path):
    """With Numba's compiler turned off the kernel runs as plain Python, with the same outcomes
    (a subprocess: the switch is read when Numba is imported)."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    here = Path(__file__).resolve().parent
    script = (
        "import numpy as np\n"
        "from risk_cases import EXAMPLES, HOT, with_model\n"
        "from mixedcrew.io.scenario_file import load_scenario\n"
        "from mixedcrew.risk import kernel\n"
        "from mixedcrew.risk.fast import play, sample_block\n"
        "from mixedcrew.risk.outcomes import Outcomes\n"
        "from mixedcrew.risk.arrays import compile_plan\n"
        "from mixedcrew.risk.reference import play_trial\n"
        "from test_risk_engines import assert_same_outcomes\n"
        "assert not kernel.JIT\n"
        "plan = compile_plan(with_model(load_scenario(EXAMPLES / 'small.toml'), HOT))\n"
        "d = sample_block(plan, np.random.default_rng(4), 60)\n"
        "o = play(plan, d, kernel='numba')\n"
        "assert_same_outcomes(o, Outcomes.concat([play_trial(plan, d.trial(i)) for i in range(60)]))\n"
        "assert o.short[:, 0, -1, -1].any() and o.contingency.any()\n"
        "print('agree')\n")
    path = os.pathsep.join(p for p in (str(here), os.environ.get("PYTHONPATH", "")) if p)
    env = {**os.environ, "NUMBA_DISABLE_JIT": "1", "PYTHONPATH": path}
    done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0 and "agree" in done.stdout, done.stderr[-2000:]


def test_kernel_is_chosen_by_what_is_installed_or_by_the_environment(monkeypatch, iss):
    """Numba installed: the compiled loops; MIXEDCREW_RISK_KERNEL=numpy: the array formulas;
    anything else there is refused with the choices."""
    from mixedcrew.risk import kernel
    from mixedcrew.risk.arrays import RiskInputError
    from mixedcrew.risk.fast import kernel_name

    monkeypatch.delenv("MIXEDCREW_RISK_KERNEL", raising=False)
    assert kernel_name() == ("numba" if kernel.JIT else "numpy")
    monkeypatch.setenv("MIXEDCREW_RISK_KERNEL", "numpy")
    assert kernel_name() == "numpy"
    monkeypatch.setenv("MIXEDCREW_RISK_KERNEL", "fortran")
    with pytest.raises(RiskInputError, match="'fortran' is not a kernel: choose numba or numpy"):
        kernel_name()
    plan = iss_plan(iss)
    with pytest.raises(RiskInputError, match="unknown kernel 'cuda'"):
        play(plan, no_disruptions(plan), kernel="cuda")


def test_as_planned_reproduces_the_manifest(iss):
    """With nothing going wrong, the trial is the manifest: the Crew-11 return leaves the
    segregated USOS without an operator for 30.9 days, the integrated crews never."""
    plan = iss_plan(iss)
    o = play(plan, no_disruptions(plan))
    assert o.short[0, 0, :, -1].tolist() == [0, 0, 0]
    usos = plan.segments.index("USOS")
    assert o.short[0, 1, usos, -1] / 1440 == pytest.approx(30.9, abs=0.05)
    assert o.short[0, 1, usos, plan.years.index(2026)] == o.short[0, 1, usos, -1]
    assert o.empty[0, -1] == 0 and o.contingency.sum() == 0 and o.forced.sum() == 0
    assert o.longest[0, -1] / 1440 == pytest.approx(373.6, abs=0.1)  # Kononenko and Chub, MS-24 to MS-25
    assert play_trial(plan, no_disruptions(plan).trial(0)).short.tolist() == o.short.tolist()


# --- in distribution, each engine with its own sampler ------------------------------


def summary(o: Outcomes) -> dict[str, tuple[float, float]]:
    """(mean, standard error) of each headline figure over the window."""
    n = o.trials
    figures = {"empty>0": o.empty[:, -1] > 0, "longest": o.longest[:, -1] / 1440}
    for name in ("contingency", "medical", "forced"):
        figures[name] = getattr(o, name)[:, -1]
    for v in range(o.short.shape[1]):
        for g in range(o.short.shape[2]):
            figures[f"short>0[{v},{g}]"] = o.short[:, v, g, -1] > 0
            figures[f"short days[{v},{g}]"] = o.short[:, v, g, -1] / 1440
    return {k: (float(np.mean(x)), float(np.std(x, ddof=1)) / sqrt(n)) for k, x in figures.items()}


def disagreements(a: Outcomes, b: Outcomes, z: float = 4.0) -> list[str]:
    sa, sb = summary(a), summary(b)
    out = []
    for k in sa:
        (ma, ea), (mb, eb) = sa[k], sb[k]
        if abs(ma - mb) > z * sqrt(ea**2 + eb**2) + 1e-9:
            out.append(f"{k}: fast {ma:.4f} +- {ea:.4f}, reference {mb:.4f} +- {eb:.4f}")
    return out


def fast_outcomes(plan, trials: int, seed: int) -> Outcomes:  # type: ignore[no-untyped-def]
    return play(plan, sample_block(plan, np.random.default_rng(seed), trials))


@pytest.mark.parametrize("case", ["iss-default", "iss-hot", "small-hot", "relay-groundings"])
def test_engines_agree_in_distribution(case, iss, small_example):
    """Each engine with its own sampler: every headline figure within 4 standard errors."""
    plans = {
        "iss-default": lambda: iss_plan(iss),
        "iss-hot": lambda: iss_plan(iss, HOT),
        "small-hot": lambda: compile_plan(with_model(small_example, HOT)),
        "relay-groundings": lambda: compile_plan(relay_scenario(_groundings(0.5, 60.0))),
    }
    plan = plans[case]()
    fast = fast_outcomes(plan, 20_000, seed=1)
    ref = run_reference(plan, 800, seed=2)
    assert disagreements(fast, ref) == []
    assert any(summary(fast)[k][0] > 0 for k in summary(fast) if k.startswith("short>0"))


def test_agreement_test_detects_a_different_model(iss):
    """The comparison has power: a reference with a 1.5x medical rate is told apart."""
    plan = iss_plan(iss, HOT, compare=False)
    other = iss_plan(iss, HOT.model_copy(update={"medical_returns_per_person_day": 7.5e-4}), compare=False)
    found = disagreements(fast_outcomes(plan, 20_000, seed=1), run_reference(other, 800, seed=2))
    assert any(k.startswith("medical") for k in found)


# --- closed forms ---------------------------------------------------------------------


def _groundings(per_year: float, days: float) -> RiskModel:
    return QUIET.model_copy(update={"vehicle_default": QUIET.vehicle_default.model_copy(update={
        "groundings_per_year": per_year, "grounding_days": Distribution(kind="fixed", days=days)})})


def test_poisson_groundings_known_answer():
    """Groundings longer than the window: F2's launch is held iff one began before it, so
    P(segment never without operator) = P(no grounding in [0, L]) = exp(-lambda L)."""
    rate = 0.5
    # 3,650 days (the [risk] cap on a duration) still outlasts the 517-day window.
    plan = compile_plan(relay_scenario(_groundings(rate, 3_650.0)))
    expected = exp(-rate * F2_LAUNCH_DAYS / DAYS_PER_YEAR)  # 0.607
    fast = run_local(plan, 40_000, seed=5)
    p_fast = 1 - fast.hits["short"][0, 0, -1] / fast.trials
    assert abs(p_fast - expected) < 4 * sqrt(expected * (1 - expected) / fast.trials)
    ref = Totals.of(run_reference(plan, 3_000, seed=6))
    p_ref = 1 - ref.hits["short"][0, 0, -1] / ref.trials
    assert abs(p_ref - expected) < 4 * sqrt(expected * (1 - expected) / ref.trials)


def test_damage_known_answer():
    """One line docked at a time over the whole window; each damage calls one replacement
    (launched at once), so E[contingency flights] = sum over lines of 1 - exp(-delta t)."""
    delta = 2e-3
    model = QUIET.model_copy(update={"vehicle_default": QUIET.vehicle_default.model_copy(
        update={"damage_per_docked_day": delta})})
    plan = compile_plan(relay_scenario(model))
    expected = (1 - exp(-delta * F2_DOCK_DAYS)) + (1 - exp(-delta * (plan.days - F2_DOCK_DAYS)))
    t = run_local(plan, 40_000, seed=8)
    m = t.sums["contingency"][-1] / t.trials
    sd = sqrt(float(t.squares["contingency"][-1]) / t.trials - m * m)
    assert abs(m - expected) < 4 * sd / sqrt(t.trials)
    assert t.hits["short"][0, 0, -1] == 0  # a replacement always comes in time: nobody leaves early


def test_medical_known_answer():
    """A medical return ends a line's stay: P(F1's crew completes its stay) = exp(-mu t)."""
    mu = 1e-3
    plan = compile_plan(relay_scenario(QUIET.model_copy(update={"medical_returns_per_person_day": mu})))
    t = run_local(plan, 40_000, seed=9)
    # F1's rider is aboard [0, F2 docking); a return before then leaves the segment short.
    expected = 1 - exp(-mu * F2_DOCK_DAYS)
    p = t.hits["short"][0, 0, plan.years.index(2020)] / t.trials
    assert abs(p - expected) < 4 * sqrt(expected * (1 - expected) / t.trials)


def test_a_held_launch_waits_for_the_grounding_to_end():
    """A fixed 30-day grounding that starts 10 days before F2's launch delays its docking
    by 20 days: 20 days without operator, in both engines."""
    plan = compile_plan(relay_scenario(QUIET))
    draws = no_disruptions(plan)
    start = F2_LAUNCH_DAYS - 10
    held = type(draws)(np.array([[[start]]]), np.array([[[start + 30]]]), draws.o_start, draws.o_end,
                       draws.slips, draws.damage, draws.medical)
    for o in (play(plan, held), play_trial(plan, held.trial(0))):
        assert o.short[0, 0, 0, -1] == 20 * 1440


def test_reference_draws_follow_the_model():
    """The reference sampler's groundings are a Poisson process: mean count lambda T."""
    import random

    from mixedcrew.risk.reference import sample_trial

    plan = compile_plan(relay_scenario(_groundings(2.0, 1.0)))
    rnd = random.Random(1)
    counts = [len(sample_trial(plan, rnd).groundings[0]) for _ in range(4000)]
    expected = 2.0 * plan.days / DAYS_PER_YEAR
    assert abs(np.mean(counts) - expected) < 4 * sqrt(expected / 4000)
    assert NOTHING.mean == 0 and VehicleRisk().groundings_per_year is None


def test_numba_loads_only_when_trials_are_played():
    """Importing mixedcrew, its CLI or the risk package leaves Numba unloaded (it costs half a
    second); playing a block loads it."""
    import subprocess
    import sys

    script = ("import sys, mixedcrew, mixedcrew.cli, mixedcrew.risk\n"
              "assert 'numba' not in sys.modules, 'numba imported'\n"
              "from mixedcrew.risk.fast import kernel_name\n"
              "kernel_name()\n"
              "print('numba' in sys.modules)\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "True"


def test_without_numba_the_engine_plays_the_numpy_formulas():
    """Numba not installed (its import fails): `play` picks the array formulas, and a run works."""
    import subprocess
    import sys

    script = ("import sys\n"
              "sys.modules['numba'] = None  # import numba now raises ImportError\n"
              "from risk_cases import EXAMPLES\n"
              "from mixedcrew.io.scenario_file import load_scenario\n"
              "from mixedcrew.risk import assess_risk, kernel\n"
              "from mixedcrew.risk.fast import kernel_name\n"
              "assert not kernel.JIT and kernel_name() == 'numpy'\n"
              "r = assess_risk(load_scenario(EXAMPLES / 'small.toml'), trials=2000, seed=1)\n"
              "print(r.totals.trials)\n")
    import os
    from pathlib import Path

    here = str(Path(__file__).resolve().parent)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in (here, os.environ.get("PYTHONPATH")) if p)}
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300,
                          env=env)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "2000"
