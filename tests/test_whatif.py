"""`mixedcrew whatif` and `compare`: the real cases replayed on the shipped ISS example."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from mixedcrew.domain import EarlyReturn, Scenario, SiteOutage
from mixedcrew.io.scenario_file import load_scenario
from mixedcrew.plan import SolveOptions
from mixedcrew.plan.replan import truncate
from mixedcrew.timeline import Timeline
from mixedcrew.whatif.diff import compare_manifests
from mixedcrew.whatif.run import what_if

ROOT = Path(__file__).resolve().parents[1]
ISS = ROOT / "examples" / "iss.toml"
FAST = SolveOptions(time_limit=60, workers=1)
CREW11 = ("AS-00751", "AS-00439", "AS-00548", "AS-00752")
C_WILLIAMS = "AS-00766"  # NASA, rode Soyuz MS-28


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


SITE31 = ('{ id = "site31", kind = "site_outage", site = "baikonur", at = 2025-11-27T09:28:00Z, '
          'until = 2026-03-03T00:00:00Z }')


@pytest.fixture(scope="module")
def iss() -> Scenario:
    return load_scenario(ISS)


@pytest.fixture(scope="module")
def run():  # type: ignore[no-untyped-def]
    from mixedcrew.cli.whatif import register

    app = typer.Typer()
    register(app)

    @app.callback()
    def root() -> None:
        """whatif and compare"""

    runner = CliRunner()
    return lambda *args: runner.invoke(app, [str(a) for a in args])


def test_baikonur_site31_outage_keeps_ms28s_crew_and_both_segments_staffed(iss):
    """Site 31 out 2025-11-27..2026-03-03: MS-28 (launched just before) keeps its crew aboard,
    no rule breaks, and the outage changes no crewed launch: the risk with it equals without."""
    event = SiteOutage(id="site31", kind="site_outage", site="baikonur", at=at("2025-11-27T09:28:00"),
                       until=at("2026-03-03"))
    w = what_if(iss, [event], trials=4000, options=FAST)
    assert w.new is not None and not w.best_effort
    assert not w.diff.violations_added()
    tl = Timeline(w.new)
    for t in (at("2025-12-15"), at("2026-02-01"), at("2026-03-02")):
        ops = tl.operators_at(t)
        assert ops["USOS"] >= 1 and ops["ROS"] >= 1, t
        assert C_WILLIAMS in tl.aboard_at(t)
    plain, stressed, _ = w.columns
    assert plain.values == stressed.values  # no crewed launch waits for the pad


def test_crew11_medical_return_us_segment_stays_staffed_by_the_nasa_soyuz_rider(iss):
    """Crew-11 home 2026-01-15: the re-plan keeps USOS staffed by C. Williams (NASA, Soyuz MS-28);
    with the old plan kept, the risk engine plays the return as a stress."""
    before = truncate(iss.model_copy(update={"events": tuple(e for e in iss.events
                                                             if e.id != "crew11-medical-return")}),
                      at("2026-04-01"))
    before = before.model_copy(update={"flights": tuple(
        f.model_copy(update={"undock": at("2026-02-20T12:00:00"), "land": at("2026-02-21T05:00:00")})
        if f.id == "SPXC11" else f for f in before.flights)})
    event = EarlyReturn(id="medical", kind="early_return", at=at("2026-01-15T08:41:36"), people=CREW11)
    w = what_if(before, [event], trials=3000, options=FAST)
    assert w.new is not None and not w.best_effort
    tl = Timeline(w.new)
    t = event.at + timedelta(hours=1)
    usos = [p for p in tl.aboard_at(t) if "USOS" in w.new.person_by_id[p].segments]
    assert usos == [C_WILLIAMS]
    assert any(s.days < -30 and s.person in CREW11 for s in w.diff.stays)  # Crew-11's stays shortened
    old_kept = w.columns[1].values["P(USOS without operator)"]
    assert old_kept.value < 0.2  # Williams keeps USOS covered even with the old plan


def test_compare_lists_changes_both_ways(iss):
    shorter = iss.model_copy(update={"flights": tuple(
        f.model_copy(update={"undock": f.undock - timedelta(days=10), "land": f.land - timedelta(days=10)})
        if f.id == "SPXC11" else f for f in iss.flights)})
    d = compare_manifests(iss, shorter)
    assert [c.flight for c in d.flights] == ["SPXC11"] and "undock -10.0 days" in d.flights[0].text
    assert len([s for s in d.stays if s.days == pytest.approx(-10)]) == 4
    assert compare_manifests(iss, iss).same


def test_cli_whatif_writes_the_plan_and_the_page_and_prints_the_figures(run, tmp_path):
    new, page = tmp_path / "new.toml", tmp_path / "whatif.html"
    r = run("whatif", ISS, "--event", SITE31, "-n", "2000", "-o", new, "--html", page)
    assert r.exit_code == 0, r.output
    assert "re-planned: every rule holds in the new plan" in r.output
    assert "event, old plan kept" in r.output and "P(a segment without operator)" in r.output
    assert load_scenario(new).events[-1].id == "site31"
    text = page.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>") and "Both manifests on one time axis" in text
    assert "cdn." not in text.split("<script>")[0]  # plotly.js inline: works offline
    data = json.loads(run("whatif", ISS, "--event", SITE31, "-n", "1000", "--json").output)
    assert data["status"] == "planned" and data["best_effort"] is False
    assert set(data["figures"]) == {"as planned, no event", "event, old plan kept", "event, re-planned"}
    quick = run("whatif", ISS, "--event", SITE31, "-n", "0")
    assert quick.exit_code == 0 and "risk over" not in quick.output and "figure" not in quick.output
    r = run("compare", ISS, new, "-n", "1000")
    assert r.exit_code == 0 and "flights that change" in r.output and "risk, 1,000 trials" in r.output


@pytest.mark.parametrize(("event", "expected"), [
    ('{ id = "x", kind = "grounding", vehicle_type = "soyuzz", at = 2026-01-01T00:00:00Z }',
     "vehicle_type: unknown vehicle type 'soyuzz'"),
    ('{ id = "x", kind = "site_outage", site = "baikonur", at = 2026-01-01T00:00:00Z, '
     'until = 2025-01-01T00:00:00Z }', "until"),
    ('{ id = "x", kind = "early_return", people = ["nobody"], at = 2026-01-01T00:00:00Z }',
     "unknown person 'nobody'"),
    ('{ id = "x", kind = "damage", flight = "MS99", seats_lost = 1, at = 2026-01-01T00:00:00Z }',
     "unknown flight 'MS99'"),
])
def test_cli_whatif_bad_event_is_one_line_exit_2(run, event, expected):
    r = run("whatif", ISS, "--event", event, "-n", "10")
    assert r.exit_code == 2, r.output
    lines = r.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("--event") and expected in lines[0], r.output


def test_cli_bad_options_are_one_line_exit_2(run, tmp_path):
    r = run("whatif", ISS, "--event", SITE31, "-n", "-5")
    assert r.exit_code == 2 and r.output.strip().startswith("--trials:")
    r = run("whatif", ISS, "--event", SITE31, "--html", tmp_path)
    assert r.exit_code == 2 and r.output.strip().startswith(f"--html {tmp_path}:")
    r = run("compare", ISS, tmp_path / "missing.toml")
    assert r.exit_code == 2 and "missing.toml" in r.output and "Traceback" not in r.output


SOYUZ_DOWN = ('{ id = "soyuz-down", kind = "grounding", vehicle_type = "soyuz-ms", '
              'at = 2025-09-01T00:00:00Z, until = 2026-03-01T00:00:00Z }')


def test_risk_stress_with_segregated_crews_gives_the_exchange_value_as_one_figure():
    """Soyuz grounded 2025-09..2026-03 on the shipped manifest: the same trials scored for the
    integrated crews and for the segregated variant, both with the grounding."""
    from mixedcrew.io.events import load_events
    from mixedcrew.risk import assess
    from mixedcrew.risk.paired import StressResult

    s = load_scenario(ISS)
    r = assess(s, list(load_events([SOYUZ_DOWN], s)), trials=3000, seed=1, start=at("2025-01-01"),
               compare="segregated")
    assert isinstance(r, StressResult)
    figs = {f.label: f for f in r.all_figures()}
    integrated = figs["P(a segment without operator)"].with_stress
    segregated = figs["P(a segment without operator) (segregated)"].with_stress
    assert segregated.low > integrated.high  # the exchange is worth something, beyond the noise
