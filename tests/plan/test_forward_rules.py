"""The planner keeps the forward scenario's rules: utilisation shares (SHARES), private missions
(CLIENT) and a quota's ceiling (EXCHANGE at_most), and names SHARES when it cannot hold."""

from __future__ import annotations

from mixedcrew.check import check
from mixedcrew.plan import SolveOptions, plan_scenario

FAST = SolveOptions(time_limit=20, workers=1)


def _shares(blue: float, tolerance: float) -> tuple[str, str]:
    return ("[[agreements]]", f"""[[shares]]
id = "seg"
name = "segment shares"
segment = "A"
from = 2022-01-01
vehicle_types = ["dragon"]
shares = [{{ agency = "BLUE", percent = {blue} }}, {{ agency = "RED", percent = {100 - blue} }}]
tolerance = {tolerance}

[[agreements]]""")


def _riders(plan, fid):
    return sorted(plan.agency_of(a) for a in plan.riders_up(fid))


def test_the_planner_flies_partners_in_proportion_to_their_shares(tiny_with):
    """50/50 with no tolerance: Dragon-1 flew one of each, so Dragon-2 carries two of each."""
    result = plan_scenario(tiny_with(_shares(50, 0)), options=FAST)
    assert result.status == "planned"
    assert _riders(result.plan, "D2") == ["BLUE", "BLUE", "RED", "RED"]
    assert not check(result.plan).violations


def test_shares_that_cannot_hold_are_explained_in_their_own_words(tiny_with):
    """90/10 with no tolerance over 6 seats asks 5.4 BLUE seats: impossible, and SHARES says so."""
    result = plan_scenario(tiny_with(_shares(90, 0)), options=FAST)
    assert result.status == "infeasible"
    said = [(f.rule, f.sentence) for f in result.facts]
    assert any(rule == "SHARES" and "BLUE flies 90% of the partner seats on Crew Dragon (± 0)" in s
               for rule, s in said), said


VETERAN_RUDIN = (
    'trained = [{ vehicle_type = "dragon", ready = 2022-01-01 }, { vehicle_type = "soyuz", '
    'ready = 2022-01-01 }]',
    'trained = [{ vehicle_type = "dragon", ready = 2022-01-01, commander = true }, '
    '{ vehicle_type = "soyuz", ready = 2022-01-01 }]')
PRIVATE_D2 = ('name = "Dragon-2"', 'name = "Dragon-2"\nclient = "RED"\nseats = 1\nkind = "visit"')


def test_a_private_mission_whose_only_veteran_is_away_is_explained(tiny_with):
    """Dragon-2 bought by RED while Rudin, its only veteran, is still on Dragon-1: CLIENT and
    AVAILABLE clash."""
    result = plan_scenario(tiny_with(PRIVATE_D2, VETERAN_RUDIN), options=FAST)
    assert result.status == "infeasible"
    rules = {f.rule for f in result.facts}
    assert {"CLIENT", "AVAILABLE"} <= rules


def test_a_private_mission_carries_its_clients_people_led_by_a_veteran(tiny_with):
    """Dragon-2 bought by RED after Rudin (who flew Dragon-1) rested: only RED people, he leads."""
    s = tiny_with(
        PRIVATE_D2, ("window = { from = 2023-05-25, until = 2023-06-08 }\ntarget_days = 150",
                     "window = { from = 2023-07-15, until = 2023-07-25 }\ntarget_days = 10"),
        VETERAN_RUDIN)
    result = plan_scenario(s, options=FAST)
    assert result.status == "planned"
    riders = result.plan.riders_up("D2")
    assert {result.plan.agency_of(a) for a in riders} == {"RED"}
    assert "r2" in {a.person for a in riders}
    assert not check(result.plan).violations


def test_a_quota_ceiling_holds_in_the_plan(tiny_with):
    """at_most = 1: Dragon-2 carries exactly one RED person even when more would balance."""
    s = tiny_with(('{ vehicle_type = "dragon", party = "RED", per_flight = 1 }',
                   '{ vehicle_type = "dragon", party = "RED", per_flight = 1, at_most = 1 }'))
    result = plan_scenario(s, options=FAST)
    assert result.status == "planned"
    assert _riders(result.plan, "D2").count("RED") == 1


def test_no_seat_exchange_after_a_closed_agreement(tiny_with):
    """The swap ends before Dragon-2 with closed_after: Dragon-2 carries no RED person, and
    Soyuz-2 (launched before the end) still carries BLUE."""
    s = tiny_with(("until = 2030-01-01", "until = 2023-05-21\nclosed_after = true"))
    result = plan_scenario(s, options=FAST)
    assert result.status == "planned"
    assert "RED" not in _riders(result.plan, "D2")
    assert "BLUE" in _riders(result.plan, "S2")
    assert not check(result.plan).violations
