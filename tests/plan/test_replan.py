"""Re-planning the real ISS after the events of 2022-2026, from the shipped example.

Each test rebuilds the plan as it stood before the event (the ISS example
truncated at a horizon, with the event removed and the pre-event intent
restored where history changed it), then re-plans with the event and
checks the answer the issue asks for with the checker and the timeline.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from mixedcrew.check import check
from mixedcrew.domain import Assignment, Damage, EarlyReturn, Grounding, Scenario
from mixedcrew.io.scenario_file import load_scenario, save_scenario
from mixedcrew.plan import SolveOptions
from mixedcrew.plan.replan import replan, truncate
from mixedcrew.timeline import Timeline

FAST = SolveOptions(time_limit=60, workers=1)
MS22_CREW = ("AS-00563", "AS-00635", "AS-00636")  # Prokop'ev, Petelin, Rubio (NASA)
CFT_CREW = ("AS-00460", "AS-00514")  # S. Williams, Wilmore
CREW11 = ("AS-00751", "AS-00439", "AS-00548", "AS-00752")
C_WILLIAMS = "AS-00766"  # NASA, rode Soyuz MS-28


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.fixture(scope="module")
def iss(request) -> Scenario:
    return load_scenario(request.config.rootpath / "examples" / "iss.toml")


def _without_events(s: Scenario, *ids: str) -> Scenario:
    return s.model_copy(update={"events": tuple(e for e in s.events if e.id not in ids)})


def _trained_from(s: Scenario, people: tuple[str, ...], vehicle_type: str, ready: str) -> Scenario:
    """People trained on a vehicle type earlier than their first ride shows (pre-event crews)."""
    out = []
    for p in s.people:
        if p.id in people:
            tr = [t for t in p.trained if t.vehicle_type != vehicle_type]
            old = p.training_for(vehicle_type)
            tr.append((old or p.trained[0]).model_copy(update={"vehicle_type": vehicle_type,
                                                                "ready": at(ready)}))
            p = p.model_copy(update={"trained": tuple(tr)})
        out.append(p)
    return s.model_copy(update={"people": tuple(out)})


def _set(s: Scenario, flight_id: str, **update) -> Scenario:
    return s.model_copy(update={"flights": tuple(f.model_copy(update=update) if f.id == flight_id else f
                                                 for f in s.flights)})


def _rides(s: Scenario, keep, add=()) -> Scenario:
    return s.model_copy(update={"assignments": tuple(a for a in s.assignments if keep(a)) + tuple(add)})


@pytest.fixture(scope="module")
def before_ms22_leak(iss) -> Scenario:
    """Summer 2023 as planned before the leak: MS-22's crew home on MS-22, MS-23 crewed in March."""
    s = truncate(_without_events(iss, "ms22-coolant-leak", "rubio-seat-liner-to-dragon"), at("2023-09-01"))
    s = _set(s, "MS23", kind="rotation", launch=at("2023-03-16T07:36:00"),
             dock=at("2023-03-16T10:48:00"), undock=None, land=None)
    s = _trained_from(s, ("AS-00666", "AS-00667"), "soyuz-ms", "2022-09-01")
    mine = [Assignment(person=p, up="MS23", down="MS23", role="commander" if p == "AS-00482" else "crew")
            for p in ("AS-00482", "AS-00666", "AS-00667")]
    s = _rides(s, lambda a: True, mine)
    return s.model_copy(update={"assignments": tuple(
        a.model_copy(update={"down": "MS22"}) if a.up == "MS22" else a for a in s.assignments)})


def test_ms22_leak_an_uncrewed_replacement_brings_its_crew_home(before_ms22_leak):
    """MS-22 loses its seats: an uncrewed Soyuz is added, its crew rides it home within its docked
    limit, nothing else changes crew, and LIFEBOAT holds from the replacement's docking on."""
    assert check(before_ms22_leak, start=at("2022-12-01")).ok
    leak = Damage(id="leak", kind="damage", at=at("2022-12-15"), flight="MS22", seats_lost=3)
    done = replan(before_ms22_leak, [leak], FAST)
    plan = done.result.plan
    assert done.result.status == "planned"
    assert done.added == ["MS22-R"]
    r = plan.flight_by_id["MS22-R"]
    assert r.kind == "uncrewed" and r.vehicle_type == "soyuz-ms" and not plan.riders_up("MS22-R")
    assert sorted(a.person for a in plan.riders_down("MS22-R")) == sorted(MS22_CREW)
    assert not plan.riders_down("MS22")
    docked_until = r.undock or plan.scenario.horizon
    limit = plan.vehicle_type_by_id["soyuz-ms"].docked_limit_at(r.dock)
    assert (docked_until - r.dock) <= timedelta(days=limit)
    # disruption: only the three rides home changed; MS-23 keeps its crew
    assert done.result.levels[0].name == "disruption" and done.result.levels[0].value == 3
    assert {a.person for a in plan.riders_up("MS23")} == {"AS-00482", "AS-00666", "AS-00667"}
    after = check(plan, start=r.dock)
    assert after.ok, [v.message for v in after.violations]
    before = check(plan, start=at("2022-12-01"), end=r.dock)
    assert {v.rule for v in before.violations} == {"LIFEBOAT"}
    assert any("rides home on MS22-R instead of MS22" in str(c) and "lost 3 seat" in str(c)
               for c in done.changes)


@pytest.fixture(scope="module")
def before_starliner_decision(iss) -> Scenario:
    """Autumn 2024 as planned before NASA's decision: the CFT crew home on Starliner, Crew-9 with four."""
    # before the decision: no grounding, and no makeshift seats for the CFT crew on Crew-8
    s = truncate(_without_events(iss, "starliner-not-cleared",
                                 "crew8-contingency-seats-for-starliner-crew"), at("2025-01-01"))
    s = _trained_from(s, ("AS-00751", "AS-00452"), "crew-dragon", "2024-01-01")
    crew9 = [Assignment(person="AS-00751", up="SPXC9", down="SPXC9"),
             Assignment(person="AS-00452", up="SPXC9", down="SPXC9")]
    s = _rides(s, lambda a: True, crew9)
    return s.model_copy(update={"assignments": tuple(
        a.model_copy(update={"down": "BCFT"}) if a.up == "BCFT" else a for a in s.assignments)})


def test_starliner_returns_empty_and_crew9_flies_two_seats_empty(before_starliner_decision):
    """Starliner is not cleared to carry crew: it comes home empty, Wilmore and Williams ride the
    next Crew Dragon home, and that Dragon launches with two people and two seats left for them."""
    s = before_starliner_decision
    grounded = Grounding(id="starliner-grounded", kind="grounding", at=at("2024-08-24"),
                         vehicle_type="starliner", crew_return=False)
    done = replan(s, [grounded], FAST)
    plan = done.result.plan
    assert done.result.status == "planned", [str(f) for f in done.result.facts]
    assert not plan.riders_down("BCFT")
    home = {a.person: a.down for a in plan.assignments if a.up == "BCFT"}
    assert set(home) == set(CFT_CREW)
    (crew9,) = set(home.values())
    f = plan.flight_by_id[crew9]
    assert f.vehicle_type == "crew-dragon" and f.launch > at("2024-08-24")
    assert len(plan.riders_up(crew9)) == 2 and len(plan.riders_down(crew9)) == 4
    first_dragon = min((g for g in plan.flights if g.vehicle_type == "crew-dragon" and g.launch
                        and g.launch > at("2024-08-24")), key=lambda g: g.launch)
    assert first_dragon.id == crew9, "the next Crew Dragon"
    after = check(plan, start=at("2024-08-24"))
    assert {v.rule for v in after.violations} <= {"CAPACITY"}, [v.message for v in after.violations]
    assert all(v.start < at("2024-08-24") for v in after.violations), "only the run begun in June"


@pytest.fixture(scope="module")
def before_crew11_return(iss) -> Scenario:
    """Early 2026 as planned before the medical return: Crew-11 home in late February."""
    s = truncate(_without_events(iss, "crew11-medical-return"), at("2026-04-01"))
    return _set(s, "SPXC11", undock=at("2026-02-20T12:00:00"), land=at("2026-02-21T05:00:00"))


def test_crew11_medical_return_keeps_the_us_segment_covered_by_the_nasa_soyuz_rider(before_crew11_return):
    """Crew-11 must be home at once: nobody of it stays aboard, three remain, and the US segment's
    operator until Crew-12 arrives is the NASA astronaut who rode Soyuz MS-28."""
    event = EarlyReturn(id="medical", kind="early_return", at=at("2026-01-15T08:41:36"), people=CREW11,
                        reason="medical")
    done = replan(before_crew11_return, [event], FAST)
    plan = done.result.plan
    assert done.result.status == "planned", [str(f) for f in done.result.facts]
    assert check(plan, start=event.at).ok, [v.message for v in check(plan, start=event.at).violations]
    tl = Timeline(plan)
    crew12 = plan.flight_by_id["SPXC12"]
    t = event.at + timedelta(hours=1)
    aboard = tl.aboard_at(t)
    assert not aboard & set(CREW11)
    assert len(aboard) == 3 and C_WILLIAMS in aboard
    usos = [p for p in aboard if "USOS" in plan.person_by_id[p].segments]
    assert usos == [C_WILLIAMS]
    assert plan.flight_by_id["MS28"].vehicle_type == "soyuz-ms"
    assert crew12.dock > t and tl.operators_at(crew12.dock - timedelta(seconds=1))["USOS"] == 1


def test_replan_command_prints_changes_and_writes_the_plan(cli, tmp_path, before_ms22_leak):
    """`replan PLAN --event '{...}' -o NEW`: exit 0, says what changed and why, writes a plan."""
    old = tmp_path / "old.toml"
    save_scenario(before_ms22_leak, old)
    new = tmp_path / "new.toml"
    event = ('{ id = "leak", kind = "damage", at = 2022-12-15T00:00:00Z, flight = "MS22", '
             'seats_lost = 3 }')
    result = cli("replan", old, "--event", event, "-o", new, "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["added"] == ["MS22-R"] and data["now"] == "2022-12-15T00:00:00Z"
    assert any("MS22-R" in c["what"] for c in data["changes"])
    assert load_scenario(new).flight_by_id["MS22-R"].kind == "uncrewed"


def test_replan_command_refuses_a_malformed_event(cli, tmp_path, before_ms22_leak):
    """A bad --event is exit 2 with the field named."""
    old = tmp_path / "old.toml"
    save_scenario(before_ms22_leak, old)
    result = cli("replan", old, "--event", '{ id = "x", kind = "damage", at = 2022-12-15 }',
                 "-o", tmp_path / "n.toml")
    assert result.exit_code == 2
    assert "flight" in result.output and "seats_lost" in result.output
