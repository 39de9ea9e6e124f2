"""`mixedcrew risk` on the command line, and the `[risk]` section of scenario files."""

from __future__ import annotations

import json

import pytest
import typer
from risk_cases import EXAMPLES
from typer.testing import CliRunner

from mixedcrew.cli.risk import register
from mixedcrew.domain.risk import BUILTIN_VEHICLE, Distribution, RiskModel
from mixedcrew.errors import ScenarioError
from mixedcrew.io.scenario_file import loads_scenario

SMALL = str(EXAMPLES / "small.toml")
ISS = str(EXAMPLES / "iss.toml")


@pytest.fixture(scope="module")
def run():  # type: ignore[no-untyped-def]
    app = typer.Typer()
    register(app)

    @app.callback()
    def root() -> None:
        """A root, so `risk` stays a named command."""

    runner = CliRunner()

    def invoke(*args: str):  # type: ignore[no-untyped-def]
        return runner.invoke(app, ["risk", *args])

    return invoke


def test_json_has_the_numbers_seed_and_trials_and_repeats(run):
    """--json gives the seed and trial count, and running it again gives the same numbers."""
    first = run(SMALL, "--trials", "1500", "--seed", "9", "--json")
    assert first.exit_code == 0, first.output
    data = json.loads(first.output)
    assert data["seed"] == 9 and data["trials"] == 1500 and data["engine"] == "fast"
    assert data["window"] == {"from": "2022-09-21T17:06:00Z", "until": "2023-09-27T07:54:00Z"}
    usos = data["metrics"]["manifest"]["segments"]["USOS"]
    p = usos["p_ever_without_operator"]["window"]
    assert 0 < p["low"] <= p["value"] <= p["high"] < 1
    assert set(usos["p_ever_without_operator"]["by_year"]) == {"2022", "2023"}
    assert "expected_days_without_operator" in usos
    assert run(SMALL, "--trials", "1500", "--seed", "9", "--json").output == first.output
    assert run(SMALL, "--trials", "1500", "--seed", "10", "--json").output != first.output


def test_compare_segregated_on_the_iss_reports_the_difference(run):
    """The headline: on 2023-2025 the exchange lowers the risk of a segment without operator."""
    res = run(ISS, "--from", "2023", "--until", "2025", "--compare", "segregated", "-n", "4000", "--json")
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    assert data["window"] == {"from": "2023-01-01T00:00:00Z", "until": "2026-01-01T00:00:00Z"}
    assert data["variants"] == ["manifest", "segregated"] and data["rides_given_to_stand_ins"] == 14
    diff = data["difference"]["manifest - segregated"]["any segment"]["p_ever_without_operator"]["window"]
    assert diff["high"] < 0  # integrated crews: significantly less often without an operator
    mixed = data["metrics"]["manifest"]["segments"]["any segment"]["p_ever_without_operator"]["window"]
    seg = data["metrics"]["segregated"]["segments"]["any segment"]["p_ever_without_operator"]["window"]
    assert diff["value"] == pytest.approx(mixed["value"] - seg["value"])


def test_table_output_names_the_figures(run):
    res = run(SMALL, "-n", "1024")
    assert res.exit_code == 0, res.output
    for text in ("P(USOS without operator)", "P(station emptied)", "contingency flights",
                 "repeat with: --seed 0 --trials 1024", "went without a trained operator"):
        assert text in res.output
    assert "trials" in res.output and "\x1b[" not in res.output  # no progress bar when piped


@pytest.mark.parametrize(("args", "message"), [
    (("--from", "2030"), "the window 2030-01-01 .. 2023-09-27 is empty"),
    (("--compare", "together"), "--compare: unknown value 'together': choose segregated"),
    (("--backend", "ray"), "--backend: unknown value 'ray'"),
    (("--address", "tcp://127.0.0.1:1"), "--address needs --backend dask"),
    (("--trials", "0"), "--trials: must be from 1 to 100,000,000, got 0"),
    (("--from", "2022-13-01"), "--from: '2022-13-01' is not a date"),
    (("--engine", "reference", "--backend", "dask"), "the reference engine runs only locally"),
    (("--station", "MIR"), "--station: unknown value 'MIR'"),
])
def test_bad_options_exit_2_with_one_line(run, args, message):
    res = run(SMALL, *args)
    assert res.exit_code == 2
    assert message in res.output
    assert "Traceback" not in res.output


def test_compare_needs_an_agreement(run, tmp_path):
    text = (EXAMPLES / "small.toml").read_text().split("[[agreements]]")[0]
    text += '\n[[events]]\nid = "x"\nkind = "damage"\nat = 2022-12-15\nflight = "MS22"\nseats_lost = 3\n'
    f = tmp_path / "no-agreement.toml"
    f.write_text(text)
    res = run(str(f), "--compare", "segregated", "-n", "10")
    assert res.exit_code == 2 and "no ride is counted by an agreement" in res.output


def test_reference_engine_from_the_command_line(run):
    res = run(SMALL, "--engine", "reference", "-n", "50", "--json")
    assert res.exit_code == 0, res.output
    assert json.loads(res.output)["engine"] == "reference"


# --- the [risk] section -------------------------------------------------------------


def small_with(section: str) -> str:
    return (EXAMPLES / "small.toml").read_text() + "\n" + section


def test_risk_section_overrides_inherit_from_the_default_then_the_builtins():
    s = loads_scenario(small_with("""
[risk]
medical_returns_per_person_day = 1e-4
[risk.vehicle_default]
groundings_per_year = 0.3
[[risk.vehicles]]
vehicle_type = "soyuz-ms"
grounding_days = { kind = "uniform", min_days = 10, max_days = 20 }
[[risk.sites]]
site = "baikonur-31"
outages_per_year = 0.1
"""))
    soyuz, dragon = s.risk.vehicle("soyuz-ms"), s.risk.vehicle("crew-dragon")
    assert soyuz.groundings_per_year == dragon.groundings_per_year == 0.3
    assert soyuz.grounding_days.mean == 15 and dragon.grounding_days == BUILTIN_VEHICLE.grounding_days
    assert soyuz.damage_per_docked_day == BUILTIN_VEHICLE.damage_per_docked_day
    assert s.risk.site("baikonur-31").outages_per_year == 0.1
    assert s.risk.medical_returns_per_person_day == 1e-4


@pytest.mark.parametrize(("section", "message"), [
    ('[risk.vehicle_default]\ngrounding_days = { kind = "lognormal", median_days = 3 }',
     "risk.vehicle_default.grounding_days: a lognormal distribution takes median_days and sigma "
     "(missing sigma)"),
    ("[risk]\nmedical_returns_per_person_day = -1", "greater than or equal to 0"),
    ('[[risk.vehicles]]\nvehicle_type = "x"\n[[risk.vehicles]]\nvehicle_type = "x"', "listed twice"),
    ('[risk.vehicle_default]\nlaunch_slip_days = { kind = "fixed", days = 1, sigma = 2 }', "(not sigma)"),
])
def test_bad_risk_sections_are_located(section, message):
    with pytest.raises(ScenarioError, match=None) as info:
        loads_scenario(small_with(section), "s.toml")
    assert message in str(info.value)
    assert str(info.value).startswith("s.toml:2")


def test_unknown_vehicle_type_in_risk_is_reported_with_its_line(run, tmp_path):
    f = tmp_path / "s.toml"
    f.write_text(small_with('[[risk.vehicles]]\nvehicle_type = "soyuz-tm"\ngroundings_per_year = 1\n'))
    res = run(str(f), "-n", "10")
    assert res.exit_code == 2
    line = f.read_text().splitlines().index('vehicle_type = "soyuz-tm"') + 1
    assert f"s.toml:{line}: risk.vehicles[0].vehicle_type: unknown vehicle type 'soyuz-tm'" in res.output


def test_distribution_means():
    assert Distribution(kind="exponential", mean_days=4).mean == 4
    assert Distribution(kind="lognormal", median_days=10, sigma=0).mean == 10
    assert RiskModel().vehicle("anything") == BUILTIN_VEHICLE


def test_docs_risk_example_is_a_valid_section_of_the_iss_example():
    """docs/risk.md's [risk] example loads as part of examples/iss.toml and names every field."""
    import re

    from mixedcrew.domain.risk import SiteRisk, VehicleRisk

    doc = (EXAMPLES.parent / "docs" / "risk.md").read_text(encoding="utf-8")
    (block,) = re.findall(r"```toml\n(.*?)```", doc, flags=re.S)
    s = loads_scenario((EXAMPLES / "iss.toml").read_text(encoding="utf-8") + "\n" + block, "docs/risk.md")
    assert s.risk.vehicle("crew-dragon").grounding_days.median_days == 20
    assert s.risk.site("baikonur").outages_per_year == 0.04
    for model in (RiskModel, VehicleRisk, SiteRisk):
        for name in model.model_fields:
            assert f"`{name}`" in doc or name in ("vehicle_type", "site", "source", "vehicles", "sites",
                                                  "vehicle_default", "site_default"), name
