"""CAPACITY across the instant planning starts: a handover under way then (a visit docked just
before it, above the nominal crew) ends within its allowed days of the arrival, as the checker
counts them; the planner used to check only the arrivals after that instant."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from mixedcrew.check import check
from mixedcrew.io.scenario_file import loads_scenario
from mixedcrew.plan import SolveOptions, plan_scenario

HERE = Path(__file__).resolve().parent
VISIT = '''
[[flights]]
id = "V"
vehicle_type = "cap"
station = "ST"
port = "p2"
launch_site = "pad"
kind = "visit"
launch = 2023-01-24T21:00:00Z
dock = 2023-01-25T00:00:00Z
target_days = 30

[[assignments]]
person = "b4"
up = "V"
role = "commander"
[[assignments]]
person = "b5"
up = "V"
[[assignments]]
person = "b6"
up = "V"
'''


def _planned(extra: str, third_port: bool = False):
    """overrun.toml with its open rotation's window moved to March 2023 and `extra` appended
    (a third port p3 when asked), planned: the result, which must be a plan."""
    text = (HERE / "overrun.toml").read_text(encoding="utf-8")
    text = text.replace('window = { from = 2023-04-12T21:00:00Z, until = 2023-06-11T21:00:00Z }',
                        'window = { from = 2023-03-01T00:00:00Z, until = 2023-03-20T00:00:00Z }')
    if third_port:
        text = text.replace('{ id = "p2", interface = "X" }]',
                            '{ id = "p2", interface = "X" }, { id = "p3", interface = "X" }]')
    r = plan_scenario(loads_scenario(text + extra, "visit.toml"), None,
                      SolveOptions(time_limit=20, workers=1))
    assert r.status == "planned" and r.plan is not None, r.facts
    return r


def test_a_visit_docked_before_planning_starts_leaves_within_the_handover_days():
    """Six aboard (nominal 3, handovers of 10 days) from 2023-01-25, planning from 2023-02-01: the
    visit wants 30 days (its target) but undocks by 2023-02-04, and the checker agrees."""
    r = _planned(VISIT)
    assert r.plan.flight_by_id["V"].undock <= datetime(2023, 1, 25, tzinfo=UTC) + timedelta(days=10)
    assert [v.rule for v in check(r.plan).violations] == []


CARGO = '''
[[vehicle_types]]
id = "freighter"
name = "Freighter"
seats = 0
max_docked_days = 200
docking = ["X"]
launch_sites = ["pad"]
rendezvous_hours = 3
undock_to_landing_hours = 3

[[flights]]
id = "C"
vehicle_type = "freighter"
station = "ST"
port = "p3"
launch_site = "pad"
kind = "cargo"
launch = 2023-01-29T21:00:00Z
dock = 2023-01-30T00:00:00Z
undock = 2023-02-20T00:00:00Z
land = 2023-02-20T03:00:00Z
'''


def test_a_cargo_docking_inside_the_handover_does_not_restart_its_clock():
    """The same visit, and a freighter docked five days after it (before planning starts): the
    handover still began with the visit's arrival (the checker's count), so the visit undocks
    by 2023-02-04, not ten days after the freighter."""
    r = _planned(VISIT + CARGO, third_port=True)
    assert r.plan.flight_by_id["V"].undock <= datetime(2023, 1, 25, tzinfo=UTC) + timedelta(days=10)
    assert [v.rule for v in check(r.plan).violations] == []
