"""Stress events: a fixed event in every trial, paired with the same trials without it."""

from __future__ import annotations

import json
from datetime import timedelta

import numpy as np
import pytest
import typer
from risk_cases import (
    EXAMPLES,
    F2_LAUNCH_DAYS,
    HOT,
    QUIET,
    WINDOW_START,
    relay_scenario,
    with_model,
)
from typer.testing import CliRunner

from mixedcrew.cli.risk import register
from mixedcrew.domain import Damage, EarlyReturn, Grounding, SiteOutage
from mixedcrew.instants import to_instant
from mixedcrew.risk import StressError, assess, assess_risk, compile_plan
from mixedcrew.risk.fast import play, sample_block
from mixedcrew.risk.outcomes import Outcomes
from mixedcrew.risk.paired import StressResult
from mixedcrew.risk.reference import play_trial
from mixedcrew.risk.stress import compile_stress, with_stress, with_stress_trial

FIELDS = tuple(Outcomes.__dataclass_fields__)
ISS = str(EXAMPLES / "iss.toml")


def soyuz_grounded(at: str = "2025-09-01", until: str = "2026-03-01") -> Grounding:
    return Grounding(id="soyuz-down", kind="grounding", vehicle_type="soyuz-ms", at=to_instant(at),
                     until=to_instant(until))


def iss_stresses() -> list[object]:
    return [
        soyuz_grounded(),
        SiteOutage(id="pad", kind="site_outage", site="baikonur", at=to_instant("2024-01-01"),
                   until=to_instant("2024-06-01")),
        Damage(id="hit", kind="damage", flight="SPXC9", seats_lost=4, at=to_instant("2024-12-01")),
        EarlyReturn(id="sick", kind="early_return", people=("AS-00751",), at=to_instant("2025-10-01")),
    ]


def test_engines_agree_trial_by_trial_with_every_kind_of_stress(iss):
    """Grounding, outage, damage and early return as fixed draws: both engines give the same outcomes."""
    plan = compile_plan(with_model(iss, HOT), start=to_instant("2023-01-01"))
    stress = compile_stress(plan, iss_stresses())
    draws = with_stress(stress, sample_block(plan, np.random.default_rng(5), 120))
    ref = Outcomes.concat([play_trial(plan, draws.trial(i)) for i in range(120)])
    for kernel in ("numba", "numpy"):  # the compiled loops and the array formulas
        fast = play(plan, draws, kernel=kernel)
        for name in FIELDS:
            diff = np.abs(getattr(fast, name) - getattr(ref, name)) > 1
            bad = np.flatnonzero(diff.reshape(120, -1).any(1))
            assert bad.size == 0, f"{kernel}: {name} differs in trials {bad[:5].tolist()}"
    assert (ref.short[:, 0, -1, -1] > 0).sum() > 60  # the stresses bite: most trials lose an operator
    # The per-trial form the reference sampler uses gives the very same draws.
    plain = sample_block(plan, np.random.default_rng(5), 3)
    assert with_stress_trial(stress, plain.trial(1)) == with_stress(stress, plain).trial(1)


def test_a_grounding_over_the_relief_holds_it_in_every_trial_by_its_exact_length():
    """Relay station, nothing random: F2 held from day 360 to 400 leaves A uncovered from 366 to 401."""
    s = relay_scenario(QUIET)
    g = Grounding(id="g", kind="grounding", vehicle_type="ship", at=WINDOW_START + timedelta(days=360),
                  until=WINDOW_START + timedelta(days=400))
    r = assess(s, [g], trials=300, start=WINDOW_START)
    assert isinstance(r, StressResult)
    by_key = {f.key: f for f in r.figures()}
    p = by_key["p_without_operator:manifest:A"]
    assert p.without.value == 0 and p.with_stress.value == 1
    days = by_key["days_without_operator:manifest:A"]
    assert days.with_stress.value == pytest.approx(400 + 1 - (F2_LAUNCH_DAYS + 1), abs=1e-3)
    assert days.difference.value == pytest.approx(35, abs=1e-3)
    assert days.difference.low == pytest.approx(35, abs=1e-3)  # every trial the same: no spread
    assert r.as_planned()["days_without_operator"]["A"] == pytest.approx(35, abs=1e-3)


def test_without_column_is_the_plain_run_on_the_same_trials(iss):
    """The figures without the stress are exactly those of a run without it: the trials are paired."""
    start = to_instant("2023-01-01")
    plain = assess_risk(iss, trials=3000, seed=4, start=start)
    stressed = assess(iss, [soyuz_grounded()], trials=3000, seed=4, start=start)
    assert isinstance(stressed, StressResult)
    assert stressed.without.totals.same_as(plain.totals)
    head = stressed.figures()[4]
    assert head.label == "P(a segment without operator)"
    assert head.with_stress.value > head.without.value + 0.5
    assert head.difference.low > 0.5


def test_paired_totals_do_not_depend_on_the_batch(iss):
    a = assess(iss, iss_stresses(), trials=2500, seed=2, start=to_instant("2023-01-01"), batch_blocks=1)
    b = assess(iss, iss_stresses(), trials=2500, seed=2, start=to_instant("2023-01-01"), batch_blocks=3)
    assert isinstance(a, StressResult) and isinstance(b, StressResult)
    assert a.paired.stressed.same_as(b.paired.stressed) and a.paired.base.same_as(b.paired.base)
    assert all(np.array_equal(a.paired.diff_squares[k], b.paired.diff_squares[k]) for k in FIELDS)


def test_reference_engine_plays_the_stress_too(iss):
    r = assess(iss, [soyuz_grounded()], trials=40, seed=1, start=to_instant("2023-01-01"), engine="reference")
    assert isinstance(r, StressResult)
    head = r.figures()[4]
    assert head.with_stress.value > head.without.value


def test_an_event_the_manifest_does_not_reflect_is_played_and_said(iss):
    """A grounding in [[events]] over a planned launch is applied as a stress, with a note saying why."""
    s = iss.model_copy(update={"events": (*iss.events, soyuz_grounded())})
    r = assess(s, [], trials=500, start=to_instant("2023-01-01"))
    assert isinstance(r, StressResult) and r.stress.events == ("soyuz-down",)
    notes = " | ".join(r.plan.notes)
    assert "soyuz-down is not reflected in the manifest (MS28 launch(es) during it)" in notes
    assert "reflected in the manifest (history, not replayed): starliner-not-cleared" in notes
    assert "events outside the window, not played: ms22-coolant-leak" in notes
    # Without it, every shipped event is reflected or outside: a plain run, with the notes.
    plain = assess(iss, [], trials=200, start=to_instant("2023-01-01"))
    assert not isinstance(plain, StressResult)
    assert any("crew11-medical-return" in n for n in plain.plan.notes)


def test_stress_outside_the_window_or_on_nobody_is_refused(iss):
    with pytest.raises(StressError, match="outside the window"):
        assess(iss, [soyuz_grounded("2027-01-01", "2027-06-01")], trials=10)
    late = EarlyReturn(id="x", kind="early_return", people=("AS-00751",), at=to_instant("2024-01-01"))
    with pytest.raises(StressError, match="AS-00751 is not aboard ISS at 2024-01-01"):
        assess(iss, [late], trials=10, start=to_instant("2023-01-01"))


# -- the command line -------------------------------------------------------------------


@pytest.fixture(scope="module")
def run():  # type: ignore[no-untyped-def]
    app = typer.Typer()
    register(app)

    @app.callback()
    def root() -> None:
        """A root, so `risk` stays a named command."""

    runner = CliRunner()
    return lambda *args: runner.invoke(app, ["risk", *args])


GROUNDING = ('{ id = "sg", kind = "grounding", vehicle_type = "soyuz-ms", at = 2025-09-01T00:00:00Z, '
             'until = 2026-03-01T00:00:00Z }')


def test_cli_stress_prints_with_and_without_and_json_has_both(run):
    text = run(ISS, "--from", "2023", "-n", "1000", "--stress", GROUNDING)
    assert text.exit_code == 0, text.output
    assert "without and with sg (same trials)" in text.output
    assert "paired over the same trials" in text.output
    data = json.loads(run(ISS, "--from", "2023", "-n", "1000", "--stress", GROUNDING, "--json").output)
    fig = next(f for f in data["stress"]["figures"] if f["figure"] == "P(a segment without operator)")
    assert fig["with"]["value"] > fig["without"]["value"]
    assert fig["difference"]["low"] <= fig["difference"]["value"] <= fig["difference"]["high"]
    assert data["without_stress"]["trials"] == 1000
    assert data["stress"]["events"][0]["id"] == "sg"


@pytest.mark.parametrize(("stress", "expected"), [
    ('{ id = "a", kind = "grounding", vehicle_type = "soyuz", at = 2025-09-01T00:00:00Z }',
     "vehicle_type: unknown vehicle type 'soyuz'"),
    ('{ id = "a", kind = "site_outage", site = "baikonurr", at = 2025-09-01T00:00:00Z }',
     "site: unknown launch site 'baikonurr' (did you mean 'baikonur'?)"),
    ('{ id = "a", kind = "damage", flight = "MS99", seats_lost = 1, at = 2025-09-01T00:00:00Z }',
     "flight: unknown flight 'MS99'"),
    ('{ id = "a", kind = "early_return", people = ["nobody"], at = 2025-09-01T00:00:00Z }',
     "people[0]: unknown person 'nobody'"),
    ('{ id = "a", kind = "grounding", vehicle_type = "soyuz-ms", at = 2025-09-01T00:00:00Z, '
     'until = 2025-01-01T00:00:00Z }', "until: 'until' is before 'at'"),
    ('{ id = "a", kind = "grounding", vehicle_type = "soyuz-ms", at = 2029-09-01T00:00:00Z }',
     "at: 2029-09-01T00:00:00Z is outside the window 2023-01-01 .. 2026-07-03"),
    ('{ id = "a", kind = "grounding", at = 2025-09-01T00:00:00Z }',
     "a grounding names exactly one of vehicle_type or capsule"),
])
def test_cli_bad_stress_is_one_line_exit_2(run, stress, expected):
    r = run(ISS, "--from", "2023", "-n", "10", "--stress", stress)
    assert r.exit_code == 2, r.output
    lines = r.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("--stress: ") and expected in lines[0], r.output
    assert "Traceback" not in r.output


def test_risk_stress_section_is_played_and_its_errors_name_the_line(run, tmp_path):
    text = (EXAMPLES / "iss.toml").read_text(encoding="utf-8")
    good = tmp_path / "stressed.toml"
    good.write_text(text + '\n[[risk.stress]]\nid = "sg"\nkind = "grounding"\nvehicle_type = "soyuz-ms"\n'
                    'at = 2025-09-01T00:00:00Z\nuntil = 2026-03-01T00:00:00Z\n', encoding="utf-8")
    r = run(str(good), "--from", "2023", "-n", "500")
    assert r.exit_code == 0, r.output
    assert "without and with sg" in r.output
    bad = tmp_path / "bad.toml"
    bad.write_text(text + '\n[[risk.stress]]\nid = "sg"\nkind = "grounding"\nvehicle_type = "soyuzz"\n'
                   'at = 2025-09-01T00:00:00Z\n', encoding="utf-8")
    r = run(str(bad), "--from", "2023", "-n", "10")
    assert r.exit_code == 2
    line = text.count("\n") + 5
    assert r.output.strip() == (f"{bad}:{line}: risk.stress[0].vehicle_type: unknown vehicle type "
                                "'soyuzz' (did you mean 'soyuz-tm'?)"), r.output


def test_a_capsule_grounding_holds_only_that_capsules_flights(iss):
    """Endeavour grounded 2025-07-15..2026-01-01 holds Crew-11 (Endeavour) as a grounding of every
    Crew Dragon would, when nothing else happens: Crew-10 goes home at its docked limit before its
    relief docks. The engines agree on it trial by trial."""
    start = to_instant("2025-07-01")
    capsule = Grounding(id="endeavour-down", kind="grounding", capsule="endeavour",
                        at=to_instant("2025-07-15"), until=to_instant("2026-01-01"))
    fleet = Grounding(id="dragons-down", kind="grounding", vehicle_type="crew-dragon",
                      at=to_instant("2025-07-15"), until=to_instant("2026-01-01"))
    quiet = with_model(iss, QUIET)
    by_capsule = assess(quiet, [capsule], trials=50, start=start)
    by_type = assess(quiet, [fleet], trials=50, start=start)
    assert isinstance(by_capsule, StressResult) and isinstance(by_type, StressResult)
    assert by_capsule.as_planned() == by_type.as_planned()
    forced = [r.with_stress.as_planned.forced[0, -1] for r in (by_capsule, by_type)]
    assert forced[0] == forced[1] > by_capsule.without.as_planned.forced[0, -1]
    played = compile_stress(compile_plan(quiet, start=start), [capsule], quiet).played
    assert played is not None
    k = played.flights.ids.index("SPXC11")
    assert played.sites[played.flights.site[k]] == "endeavour@-"  # Crew-11 alone on its own "site"
    assert [played.flights.ids[f] for f in range(len(played.flights.ids))
            if played.flights.site[f] == played.flights.site[k]] == ["SPXC11"]
    # on hot rates, the same draws: both kernels and the reference agree
    plan = compile_plan(with_model(iss, HOT), start=start)
    stress = compile_stress(plan, [capsule], iss)
    assert stress.played is not None and "endeavour@-" in stress.played.sites
    draws = with_stress(stress, sample_block(plan, np.random.default_rng(3), 60))
    ref = Outcomes.concat([play_trial(stress.played, draws.trial(i)) for i in range(60)])
    for kernel in ("numba", "numpy"):
        fast = play(stress.played, draws, kernel=kernel)
        for name in FIELDS:
            assert (np.abs(getattr(fast, name) - getattr(ref, name)) <= 1).all(), (kernel, name)
    plain = sample_block(plan, np.random.default_rng(3), 2)
    assert with_stress_trial(stress, plain.trial(1)) == with_stress(stress, plain).trial(1)


def test_paired_totals_on_dask_are_the_local_ones(iss):
    """The paired run on a local Dask cluster (two worker processes) adds up to the same totals."""
    pytest.importorskip("distributed", reason="the dask backend is the optional 'distributed' extra")
    start = to_instant("2023-01-01")
    local = assess(iss, [soyuz_grounded()], trials=3000, seed=5, start=start, batch_blocks=1)
    dask = assess(iss, [soyuz_grounded()], trials=3000, seed=5, start=start, batch_blocks=1,
                  backend="dask", workers=2)
    assert isinstance(local, StressResult) and isinstance(dask, StressResult)
    assert dask.paired.base.same_as(local.paired.base) and dask.paired.stressed.same_as(local.paired.stressed)
    assert all(np.array_equal(dask.paired.diff_squares[k], local.paired.diff_squares[k]) for k in FIELDS)
