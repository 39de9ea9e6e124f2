"""The planner fills open flights so that the checker (the oracle) finds nothing."""

from __future__ import annotations

import json

from mixedcrew.check import check
from mixedcrew.io.scenario_file import load_scenario
from mixedcrew.plan import SolveOptions, plan_scenario

FAST = SolveOptions(time_limit=20, workers=1)


def test_plan_fills_every_open_flight_and_passes_the_checker(tiny):
    """Both open flights get launch instants inside their windows, a port and a full crew."""
    result = plan_scenario(tiny, options=FAST)
    assert result.status == "planned"
    plan = result.plan
    assert check(plan).violations == ()
    for fid in ("S2", "D2"):
        f = plan.flight_by_id[fid]
        assert f.window.contains(f.launch)
        assert f.port is not None
        assert len(plan.riders_up(fid)) == plan.seats_of(f)
    assert plan.scenario.horizon is not None


def test_flown_flights_and_written_assignments_never_change(tiny):
    """Flights with instants and every assignment already written come back unchanged."""
    plan = plan_scenario(tiny, options=FAST).plan
    for f in tiny.flights:
        if not f.open:
            assert plan.flight_by_id[f.id] == f
    assert plan.assignments[: len(tiny.assignments)] == tiny.assignments


def test_certification_conflict_is_explained_in_domain_words(tiny_with):
    """RED cannot fly Dragon in Dragon-2's window, yet the swap needs a RED person on it."""
    s = tiny_with(('agency = "RED"\nvehicle_type = "dragon"\nfrom = 2020-01-01',
                   'agency = "RED"\nvehicle_type = "dragon"\nfrom = 2024-07-15'))
    result = plan_scenario(s, options=FAST)
    assert result.status == "infeasible"
    said = [(f.rule, f.sentence) for f in result.facts]
    assert said == [
        ("CERT", "RED has certified Crew Dragon only from 2024-07-15"),
        ("EXCHANGE", "Dragon-2 (window 2023-05-25..2023-06-08) must carry 1 RED person under Crew swap"),
    ]


def test_plan_command_writes_a_plan_the_checker_accepts(cli, tmp_path):
    """`plan` writes a scenario file; loading it and checking it finds no violation."""
    out = tmp_path / "plan.toml"
    result = cli("plan", "tests/plan/tiny.toml", "-o", out, "--workers", 1)
    assert result.exit_code == 0, result.output
    assert "wrote" in result.output
    assert check(load_scenario(out)).ok


def test_plan_command_json_reports_levels_and_exit_1_when_impossible(cli, tmp_path):
    """--json lists each objective level with value and bound; an impossible plan exits 1."""
    ok = cli("plan", "tests/plan/tiny.toml", "-o", tmp_path / "p.toml", "--json", "--workers", 1)
    data = json.loads(ok.output)
    assert data["status"] == "planned"
    assert [lv["level"] for lv in data["levels"]] == ["balance", "timing", "fairness", "overlap"]
    assert all(lv["value"] >= lv["bound"] - 1e-6 for lv in data["levels"])
    bad = tmp_path / "bad.toml"
    bad.write_text(open("tests/plan/tiny.toml").read().replace(
        'agency = "RED"\nvehicle_type = "dragon"\nfrom = 2020-01-01',
        'agency = "RED"\nvehicle_type = "dragon"\nfrom = 2024-07-15'))
    no = cli("plan", bad, "-o", tmp_path / "q.toml")
    assert no.exit_code == 1
    assert "no plan exists" in no.output
    assert not (tmp_path / "q.toml").exists()


def test_bad_until_is_bad_input(cli, tmp_path):
    """An --until that is not an instant is exit 2 with the option named."""
    result = cli("plan", "tests/plan/tiny.toml", "-o", tmp_path / "p.toml", "--until", "soon")
    assert result.exit_code == 2
    assert "--until" in result.output


def test_no_progress_line_when_output_is_not_a_terminal(cli, tmp_path):
    """The live progress line is for terminals only: captured output has none of it."""
    result = cli("plan", "tests/plan/tiny.toml", "-o", tmp_path / "p.toml")
    assert result.exit_code == 0
    assert "planning" not in result.output and "bound" not in result.output


def test_the_iss_cannot_stay_crewed_into_2027_without_new_flights(cli, tmp_path):
    """Planning the shipped ISS example to 2027 with no open flight: the crews aboard at the data's
    horizon cannot stay, so continuous presence fails, and the explanation says why."""
    result = cli("plan", "examples/iss.toml", "-o", tmp_path / "p.toml", "--until", "2027-01-01")
    assert result.exit_code == 1
    assert "COVERAGE     ISS must never be empty from 2000-11-02" in result.output
    assert "DOCKED_LIMIT Crew-12 may stay docked at most 240 days (Crew Dragon)" in result.output


def test_nothing_open_means_nothing_to_plan(cli, tmp_path):
    """Without --until, a scenario with no open flight is written back unchanged (exit 0)."""
    out = tmp_path / "p.toml"
    result = cli("plan", "examples/small.toml", "-o", out)
    assert result.exit_code == 0, result.output
    assert load_scenario(out) == load_scenario("examples/small.toml")


def test_until_before_the_data_is_bad_input(cli, tmp_path):
    """An --until before the scenario's horizon cannot be planned: exit 2, saying why."""
    result = cli("plan", "examples/iss.toml", "-o", tmp_path / "p.toml", "--until", "2020-01-01")
    assert result.exit_code == 2
    assert "not after the data's horizon 2026-07-03" in result.output
