"""Every rule, where it holds and where it breaks: id, exact span, flights, people, message.

Most tests start from the `world` fixture (tests/conftest.py): a clean tiny
station with Soyuz-1 (S1: Orlov r1, Baker b1) and Dragon-1 (D1: Brown b2,
Rudin r2), change one thing, and look at that one rule's violations.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from mixedcrew.check import UnknownRuleError, check
from mixedcrew.instants import to_instant as T
from mixedcrew.rules import RULES, Violation
from mixedcrew.timeline import Timeline

ALL_RULES = ("ORDER", "SEATS", "CERT", "TRAINED", "AVAILABLE", "CAPACITY", "COVERAGE", "LIFEBOAT",
             "DOCKED_LIMIT", "PORTS", "EXCHANGE", "COMMANDER", "CLIENT", "SHARES", "GROUNDED")

S1_LAUNCH, S1_DOCK = T("2023-01-01T00:00:00Z"), T("2023-01-01T06:00:00Z")
S1_UNDOCK, S1_LAND = T("2023-06-01T00:00:00Z"), T("2023-06-01T04:00:00Z")
D1_LAUNCH, D1_DOCK = T("2023-01-10T00:00:00Z"), T("2023-01-11T00:00:00Z")
D1_UNDOCK, D1_LAND = T("2023-06-10T00:00:00Z"), T("2023-06-10T12:00:00Z")


def of(scenario, rule_id: str) -> list[Violation]:
    """The violations of one rule, through the checker and straight from the rule: they must agree."""
    via_check = [v for v in check(scenario).violations if v.rule == rule_id]
    direct = list(RULES[rule_id].check(scenario, Timeline(scenario)))
    assert sorted(direct, key=repr) == sorted(via_check, key=repr)
    assert all(v.rule == rule_id for v in direct)
    return via_check


def one(scenario, rule_id: str) -> Violation:
    found = of(scenario, rule_id)
    assert len(found) == 1, found
    return found[0]


def span(v: Violation) -> tuple:
    return v.start, v.end


# --- the registry and the clean world ------------------------------------------------------


def test_every_rule_is_registered():
    """Registry: RULES holds exactly the documented rule ids, each with its own check."""
    assert tuple(RULES) == ALL_RULES
    assert all(r.id == rid and r.holds_when and callable(r.check) for rid, r in RULES.items())


def test_the_tiny_world_breaks_no_rule(world):
    """All rules: the fixture's clean station holds every rule, so each break below is that change's."""
    report = check(world.scenario())
    assert report.ok and report.violations == ()
    assert report.rules_run == ALL_RULES
    assert report.by_rule() == dict.fromkeys(ALL_RULES, 0)


# --- ORDER -----------------------------------------------------------------------------------


def test_order_holds_with_a_capsule_reused_right_after_its_turnaround(world):
    """ORDER holds: a capsule launches again exactly when landed + turnaround."""
    ready = D1_LAND + timedelta(days=30)
    world.add_flight("D2", "dragon", "p4", ready.isoformat(), capsule="cap1")
    assert of(world.scenario(), "ORDER") == []


def test_order_breaks_when_land_is_before_undock(world):
    """ORDER breaks: a flight's instants out of order (the loader refuses it, so built unchecked)."""
    world.flight("S1")["land"] = "2023-05-31T00:00:00Z"
    v = one(world.scenario(checked=False), "ORDER")
    assert span(v) == (S1_LAUNCH, S1_LAUNCH)
    assert (v.flights, v.people) == (("S1",), ())
    assert v.message == "Soyuz-1: land 2023-05-31T00:00:00Z is before undock 2023-06-01T00:00:00Z"


def test_order_breaks_when_undock_is_before_dock_for_the_flight_and_its_riders(world):
    """ORDER breaks: undock before dock; each rider then also leaves before arriving."""
    undock = T("2022-12-31T00:00:00Z")
    world.flight("S1")["undock"] = undock.isoformat()
    found = of(world.scenario(checked=False), "ORDER")
    flight = [v for v in found if not v.people]
    riders = [v for v in found if v.people]
    assert [(span(v), v.flights) for v in flight] == [((S1_LAUNCH, S1_LAUNCH), ("S1",))]
    assert flight[0].message == "Soyuz-1: undock 2022-12-31T00:00:00Z is before dock 2023-01-01T06:00:00Z"
    assert sorted(v.people for v in riders) == [("b1",), ("r1",)]
    assert all(span(v) == (undock, S1_DOCK) and v.flights == ("S1",) for v in riders)


def test_order_breaks_when_an_instant_is_missing_in_the_middle(world):
    """ORDER breaks: an undock given while the dock is not."""
    del world.flight("S1")["dock"]
    v = one(world.scenario(checked=False), "ORDER")
    assert span(v) == (S1_LAUNCH, S1_LAUNCH)
    assert v.flights == ("S1",)
    assert "undock is given but dock is not" in v.message


def test_order_breaks_on_a_docked_flight_with_no_undock_and_no_horizon(world):
    """ORDER breaks: docked with no undock needs scenario.horizon; with one it holds."""
    d1 = world.flight("D1")
    del d1["undock"], d1["land"]
    v = one(world.scenario(checked=False), "ORDER")
    assert span(v) == (D1_LAUNCH, D1_LAUNCH) and v.flights == ("D1",)
    assert "no undock" in v.message and "scenario.horizon" in v.message
    world.data["scenario"]["horizon"] = "2023-08-01"
    assert of(world.scenario(), "ORDER") == []


def test_order_breaks_when_the_ride_down_leaves_before_the_ride_up_arrives(world):
    """ORDER breaks: an assignment whose down flight undocks before its up flight docks."""
    world.add_flight("S0", "soyuz", "p3", "2022-06-01T00:00:00Z", "2022-06-01T06:00:00Z",
                     "2022-12-01T00:00:00Z", "2022-12-01T04:00:00Z")
    world.assignment("b2", "D1")["down"] = "S0"
    v = one(world.scenario(), "ORDER")
    assert span(v) == (T("2022-12-01T00:00:00Z"), D1_DOCK)
    assert (v.flights, v.people) == (("D1", "S0"), ("b2",))
    assert v.message == ("Brown rides down on S0 (undocks 2022-12-01T00:00:00Z) before arriving on "
                         "Dragon-1 (docks 2023-01-11T00:00:00Z)")


def test_order_breaks_when_a_capsule_flies_before_its_turnaround(world):
    """ORDER breaks: a capsule launched again before it landed and was turned around."""
    world.add_flight("D2", "dragon", "p4", "2023-06-20T00:00:00Z", capsule="cap1")
    v = one(world.scenario(), "ORDER")
    assert span(v) == (T("2023-06-20T00:00:00Z"), D1_LAND + timedelta(days=30))
    assert (v.flights, v.people) == (("D1", "D2"), ())
    assert v.message == ("capsule Endurance launches on D2 2023-06-20 but is not back from Dragon-1 "
                         "and turned around (30 days) until 2023-07-10")


def test_order_breaks_when_a_capsule_flies_again_before_landing(world):
    """ORDER breaks: a capsule still docked at the horizon cannot launch again; the span is not reversed."""
    world.data["scenario"]["horizon"] = "2023-12-01"
    d1 = world.flight("D1")
    del d1["undock"], d1["land"]
    world.add_flight("D2", "dragon", "p4", "2023-11-01T00:00:00Z", capsule="cap1")
    v = one(world.scenario(), "ORDER")
    assert (v.flights, v.people) == (("D1", "D2"), ())
    assert span(v) == (T("2023-11-01T00:00:00Z"), T("2023-11-01T00:00:00Z"))
    assert v.message == "capsule Endurance launches on D2 2023-11-01 but has not landed from Dragon-1"


# --- SEATS -----------------------------------------------------------------------------------


def test_seats_holds_with_every_seat_taken(world):
    """SEATS holds: as many riders as seats, up and down."""
    world.assign("b3", "S1", "S1")
    assert of(world.scenario(), "SEATS") == []


def test_seats_breaks_with_too_many_riding_up(world):
    """SEATS breaks: four people ride up in a three-seat Soyuz; span launch..dock."""
    world.assign("b3", "S1", "D1")
    world.assign("r3", "S1", "D1")
    v = one(world.scenario(), "SEATS")
    assert span(v) == (S1_LAUNCH, S1_DOCK)
    assert (v.flights, v.people) == (("S1",), ("r1", "b1", "b3", "r3"))
    assert v.message == "4 people ride up on Soyuz-1 but it has 3 seats (Baker, Bell, Orlov, Reva)"


def test_seats_breaks_with_too_many_riding_down_in_a_flight_with_fewer_seats(world):
    """SEATS breaks: a flight's own seats override its type's; three ride down in two seats."""
    world.flight("S1")["seats"] = 2
    world.assignment("b2", "D1")["down"] = "S1"
    v = one(world.scenario(), "SEATS")
    assert span(v) == (S1_UNDOCK, S1_LAND)
    assert (v.flights, v.people) == (("S1",), ("r1", "b1", "b2"))
    assert v.message == "3 people ride down on Soyuz-1 but it has 2 seats (Baker, Brown, Orlov)"


# --- CERT ------------------------------------------------------------------------------------


def _cert(world, agency: str, vehicle_type: str) -> dict:
    return next(c for c in world.data["certifications"]
                if c["agency"] == agency and c["vehicle_type"] == vehicle_type)


def test_cert_holds_from_the_launch_instant_and_on_test_flights(world):
    """CERT holds: certified from exactly the launch instant; test flights are exempt."""
    _cert(world, "RED", "dragon")["from"] = D1_LAUNCH.isoformat()
    assert of(world.scenario(), "CERT") == []
    world.data["certifications"].remove(_cert(world, "RED", "dragon"))
    world.flight("D1")["kind"] = "test"
    assert of(world.scenario(), "CERT") == []


def test_cert_breaks_when_certified_only_after_launch(world):
    """CERT breaks: RED certifies Crew Dragon after Dragon-1 launches (landing is fine)."""
    _cert(world, "RED", "dragon")["from"] = "2023-02-01"
    v = one(world.scenario(), "CERT")
    assert span(v) == (D1_LAUNCH, D1_LAND)
    assert (v.flights, v.people) == (("D1",), ("r2",))
    assert v.message == ("Rudin (RED) rides Dragon-1 (Crew Dragon) but RED has not certified Crew Dragon "
                         "on the launch date 2023-01-10; certified from 2023-02-01")


def test_cert_breaks_on_the_landing_date_when_certification_ends(world):
    """CERT breaks: a certification that ends before the landing breaks the ride down only."""
    _cert(world, "RED", "dragon")["until"] = "2023-03-01"
    v = one(world.scenario(), "CERT")
    assert span(v) == (D1_LAND, D1_LAND)
    assert (v.flights, v.people) == (("D1",), ("r2",))
    assert "on the landing date 2023-06-10; certified from 2020-01-01" in v.message


def test_cert_breaks_both_ways_with_no_certification_and_for_the_agency_flown_for(world):
    """CERT breaks: no certification at all, for the agency the rider flies for on this ride."""
    world.add("agencies", id="GREEN")
    world.assignment("r2", "D1")["agency"] = "GREEN"
    found = of(world.scenario(), "CERT")
    assert [span(v) for v in found] == [(D1_LAUNCH, D1_LAND), (D1_LAND, D1_LAND)]
    assert all(v.flights == ("D1",) and v.people == ("r2",) for v in found)
    assert found[0].message == ("Rudin (GREEN) rides Dragon-1 (Crew Dragon) but GREEN has not certified "
                                "Crew Dragon on the launch date 2023-01-10; add a certification of "
                                "dragon for GREEN")


# --- TRAINED ---------------------------------------------------------------------------------


def test_trained_holds_when_ready_exactly_at_launch(world):
    """TRAINED holds: ready at the launch instant itself."""
    world.person("r2")["trained"][0]["ready"] = D1_LAUNCH.isoformat()
    assert of(world.scenario(), "TRAINED") == []


def test_trained_breaks_when_ready_after_launch(world):
    """TRAINED breaks: ready after launch (but before undock: the ride down is fine)."""
    world.person("r2")["trained"][0]["ready"] = "2023-02-01"
    v = one(world.scenario(), "TRAINED")
    assert span(v) == (D1_LAUNCH, D1_LAND)
    assert (v.flights, v.people) == (("D1",), ("r2",))
    assert v.message == ("Rudin rides Dragon-1 (Crew Dragon, launch 2023-01-10) "
                         "but is ready only from 2023-02-01")


def test_trained_breaks_on_a_ride_down_in_another_vehicle(world):
    """TRAINED breaks: riding home on a vehicle type never trained on, checked at undock."""
    world.assignment("b2", "D1")["down"] = "S1"
    v = one(world.scenario(), "TRAINED")
    assert span(v) == (S1_UNDOCK, S1_LAND)
    assert (v.flights, v.people) == (("S1",), ("b2",))
    assert v.message == "Brown rides Soyuz-1 (Soyuz MS, undock 2023-06-01) but has no training on it"


# --- AVAILABLE -------------------------------------------------------------------------------


def test_available_holds_inside_the_window_and_with_exactly_the_rest(world):
    """AVAILABLE holds: flying exactly within availability, resting exactly the minimum."""
    world.person("b1")["available"] = {"from": S1_LAUNCH.isoformat(), "until": S1_LAND.isoformat()}
    world.data["scenario"]["min_rest_days"] = 30
    back = S1_LAND + timedelta(days=30)
    world.add_flight("S2", "soyuz", "p1", back.isoformat(), (back + timedelta(hours=6)).isoformat(),
                     "2023-12-01T00:00:00Z", "2023-12-01T04:00:00Z")
    world.assign("r1", "S2", "S2")
    world.event("early_return", "sick", S1_UNDOCK.isoformat(), people=["b1"])
    assert of(world.scenario(), "AVAILABLE") == []


def test_available_breaks_outside_availability(world):
    """AVAILABLE breaks: a trip that ends after the person's availability does."""
    world.person("b1")["available"] = {"until": "2023-05-01"}
    v = one(world.scenario(), "AVAILABLE")
    assert span(v) == (S1_LAUNCH, S1_LAND)
    assert (v.flights, v.people) == (("S1",), ("b1",))
    assert v.message == "Baker flies 2023-01-01..2023-06-01 outside their availability …..2023-05-01"


def test_available_breaks_on_two_trips_at_once(world):
    """AVAILABLE breaks: one person on two overlapping trips."""
    world.assign("b1", "D1", "D1")
    v = one(world.scenario(), "AVAILABLE")
    assert span(v) == (D1_LAUNCH, S1_LAND)
    assert (v.flights, v.people) == (("S1", "D1"), ("b1",))
    assert v.message == ("Baker is on two trips at once: Soyuz-1 (until 2023-06-01) "
                         "and Dragon-1 (from 2023-01-10)")


def test_available_breaks_when_flying_again_while_still_aboard_at_the_horizon(world):
    """AVAILABLE breaks: a rider with no ride home yet is aboard until the horizon, not just at launch."""
    world.data["scenario"]["horizon"] = "2023-08-01"
    del world.assignment("r2", "D1")["down"]
    world.add_flight("S2", "soyuz", "p1", "2023-07-01T00:00:00Z", "2023-07-01T06:00:00Z",
                     "2023-12-01T00:00:00Z", "2023-12-01T04:00:00Z")
    world.assign("r2", "S2", "S2")
    v = one(world.scenario(), "AVAILABLE")
    assert span(v) == (T("2023-07-01T00:00:00Z"), T("2023-08-01"))
    assert (v.flights, v.people) == (("D1", "S2"), ("r2",))
    assert v.message == ("Rudin is on two trips at once: Dragon-1 (until 2023-08-01) "
                         "and S2 (from 2023-07-01)")


@pytest.mark.parametrize("where", ["person", "scenario"])
def test_available_breaks_with_too_little_rest(world, where):
    """AVAILABLE breaks: 18.8 days between trips where 30 are needed (person's or scenario default)."""
    if where == "person":
        world.person("b1")["min_rest_days"] = 30
    else:
        world.data["scenario"]["min_rest_days"] = 30
    world.add_flight("D2", "dragon", "p2", "2023-06-20T00:00:00Z", "2023-06-21T00:00:00Z",
                     "2023-10-01T00:00:00Z", "2023-10-01T12:00:00Z")
    world.assign("b1", "D2", "D2")
    v = one(world.scenario(), "AVAILABLE")
    assert span(v) == (S1_LAND, T("2023-06-20T00:00:00Z"))
    assert (v.flights, v.people) == (("S1", "D2"), ("b1",))
    assert v.message == "Baker rests 18.8 days between trips, minimum is 30"


def test_available_breaks_when_staying_past_an_early_return(world):
    """AVAILABLE breaks: an early-return event before the stay ends."""
    world.event("early_return", "sick", "2023-04-01T00:00:00Z", people=["b1"], reason="medical")
    v = one(world.scenario(), "AVAILABLE")
    assert span(v) == (T("2023-04-01T00:00:00Z"), S1_UNDOCK)
    assert (v.flights, v.people) == (("S1",), ("b1",))
    assert v.message == ("Baker must return early by 2023-04-01T00:00:00Z (medical) "
                         "but stays until 2023-06-01T00:00:00Z")


# --- CAPACITY --------------------------------------------------------------------------------


def _extra_soyuz(world, dock: str, *riders: str) -> None:
    world.add_flight("S2", "soyuz", "p3", dock, dock, "2023-10-01T00:00:00Z", "2023-10-01T04:00:00Z")
    for r in riders:
        world.assign(r, "S2", "S2")


def test_capacity_holds_for_a_handover_of_exactly_the_allowed_days(world):
    """CAPACITY holds: five aboard (nominal 4) for exactly the 10 handover days."""
    _extra_soyuz(world, (S1_UNDOCK - timedelta(days=10)).isoformat(), "r3")
    s = world.scenario()
    assert max(sp.crew for sp in Timeline(s).spans()) == 5
    assert of(s, "CAPACITY") == []


def test_capacity_breaks_for_a_handover_too_long(world):
    """CAPACITY breaks: above nominal for 12 days where 10 are allowed."""
    _extra_soyuz(world, "2023-05-20T00:00:00Z", "r3")
    v = one(world.scenario(), "CAPACITY")
    assert span(v) == (T("2023-05-20T00:00:00Z"), S1_UNDOCK)
    assert v.flights == ("D1", "S1", "S2")
    assert v.people == ("b1", "b2", "r1", "r2", "r3")
    assert v.message == ("more than the nominal 4 aboard ST for 12.0 days (peak 5 on 2023-05-20); "
                         "handovers may last 10 days")


def test_capacity_breaks_above_the_maximum_even_briefly(world):
    """CAPACITY breaks: six aboard where the maximum is 5, for a single day."""
    world.station["crew"][0]["maximum"] = 5
    _extra_soyuz(world, "2023-05-31T00:00:00Z", "r3", "b3")
    v = one(world.scenario(), "CAPACITY")
    assert span(v) == (T("2023-05-31T00:00:00Z"), S1_UNDOCK)
    assert v.flights == ("D1", "S1", "S2")
    assert v.people == ("b1", "b2", "b3", "r1", "r2", "r3")
    assert v.message == "6 people aboard ST, above its maximum of 5"


def test_capacity_uses_the_crew_era_in_force_at_each_instant(world):
    """CAPACITY: a larger crew era from mid-span on ends the handover there (exact intervals)."""
    world.station["crew"].append({"from": "2023-03-01", "nominal": 6, "maximum": 8, "handover_days": 10})
    _extra_soyuz(world, "2023-02-25T00:00:00Z", "r3")
    assert of(world.scenario(), "CAPACITY") == []  # 4 days above nominal 4, then nominal is 6
    world.station["crew"][1]["from"] = "2023-03-10"  # now 13 days above nominal 4
    v = one(world.scenario(), "CAPACITY")
    assert span(v) == (T("2023-02-25T00:00:00Z"), T("2023-03-10T00:00:00Z"))
    assert "more than the nominal 4 aboard ST for 13.0 days" in v.message


# --- COVERAGE --------------------------------------------------------------------------------


def test_coverage_holds_with_an_operator_per_segment(world):
    """COVERAGE holds: each segment has its operator whenever anyone is aboard."""
    world.station["continuous_presence_from"] = S1_DOCK.isoformat()
    assert of(world.scenario(), "COVERAGE") == []


def test_coverage_breaks_without_an_operator_for_a_segment(world):
    """COVERAGE breaks: nobody aboard can operate segment A until Dragon-1 arrives."""
    world.person("b1")["segments"] = []
    v = one(world.scenario(), "COVERAGE")
    assert span(v) == (S1_DOCK, D1_DOCK)
    assert (v.flights, v.people) == (("S1",), ("b1", "r1"))
    assert v.message == ("A has 0 qualified operators aboard, minimum 1, from 2023-01-01T06:00:00Z "
                         "to 2023-01-11T00:00:00Z (aboard: Baker, Orlov)")


def test_coverage_breaks_below_a_segment_minimum_of_two(world):
    """COVERAGE breaks: segment B needs two; it has one before Dragon-1 and after Soyuz-1."""
    world.station["segments"][1]["min_operators"] = 2
    found = of(world.scenario(), "COVERAGE")
    assert [span(v) for v in found] == [(S1_DOCK, D1_DOCK), (S1_UNDOCK, D1_UNDOCK)]
    assert [(v.flights, v.people) for v in found] == [(("S1",), ("b1", "r1")), (("D1",), ("b2", "r2"))]
    assert found[1].message == ("B has 1 qualified operator aboard, minimum 2, from 2023-06-01T00:00:00Z "
                                "to 2023-06-10T00:00:00Z (aboard: Brown, Rudin)")


def test_coverage_counts_only_from_continuous_presence(world):
    """COVERAGE breaks only from continuous_presence_from on: the span is cut there."""
    world.person("b1")["segments"] = []
    world.station["continuous_presence_from"] = "2023-01-05T00:00:00Z"
    v = one(world.scenario(), "COVERAGE")
    assert span(v) == (T("2023-01-05T00:00:00Z"), D1_DOCK)
    assert v.people == ("b1", "r1")


def _gap_world(world):
    world.add_flight("S2", "soyuz", "p3", "2023-06-12T00:00:00Z", "2023-06-12T00:00:00Z",
                     "2023-10-01T00:00:00Z", "2023-10-01T04:00:00Z")
    world.assign("r3", "S2", "S2")
    world.assign("b3", "S2", "S2")


def test_coverage_holds_for_an_empty_gap_without_continuous_presence(world):
    """COVERAGE holds: a station not continuously crewed may be empty between crews."""
    _gap_world(world)
    assert of(world.scenario(), "COVERAGE") == []


def test_coverage_breaks_when_a_continuously_crewed_station_is_empty(world):
    """COVERAGE breaks: two days empty between Dragon-1 leaving and Soyuz-2 arriving."""
    _gap_world(world)
    world.station["continuous_presence_from"] = "2020-01-01"
    v = one(world.scenario(), "COVERAGE")
    assert span(v) == (D1_UNDOCK, T("2023-06-12T00:00:00Z"))
    assert (v.flights, v.people) == ((), ())
    assert v.message == ("ST is empty from 2023-06-10T00:00:00Z to 2023-06-12T00:00:00Z: "
                         "continuous presence since 2020-01-01 is broken")


# --- LIFEBOAT --------------------------------------------------------------------------------


def test_lifeboat_holds_with_exactly_one_seat_each(world):
    """LIFEBOAT holds: after damage, seats equal the people aboard."""
    world.event("damage", "hit", "2023-03-01T00:00:00Z", flight="S1", seats_lost=3)
    s = world.scenario()
    assert Timeline(s).lifeboat_seats_at(T("2023-03-02")) == 4 == len(Timeline(s).aboard_at(T("2023-03-02")))
    assert of(s, "LIFEBOAT") == []


def test_lifeboat_breaks_after_damage_until_a_contingency_seat(world):
    """LIFEBOAT breaks: damage leaves 4 seats for 5 people, until a contingency seat is added."""
    world.assign("b3", "D1", "D1")
    world.event("damage", "hit", "2023-03-01T00:00:00Z", flight="S1", seats_lost=3)
    world.event("contingency_seat", "liner", "2023-04-15T00:00:00Z", flight="D1")
    v = one(world.scenario(), "LIFEBOAT")
    assert span(v) == (T("2023-03-01T00:00:00Z"), T("2023-04-15T00:00:00Z"))
    assert (v.flights, v.people) == (("D1", "S1"), ("b1", "b2", "b3", "r1", "r2"))
    assert v.message == ("5 people aboard ST but only 4 lifeboat seats docked "
                         "(Soyuz-1 lost 3 after damage on 2023-03-01)")


def test_lifeboat_breaks_with_nobody_docked_to_ride(world):
    """LIFEBOAT breaks: riders whose vehicle has left before they do have no seat at all."""
    world.assignment("b2", "D1")["down"] = "S2"
    world.add_flight("S2", "soyuz", "p1", "2023-06-20T00:00:00Z", "2023-06-20T06:00:00Z",
                     "2023-09-01T00:00:00Z", "2023-09-01T04:00:00Z")
    v = one(world.scenario(), "LIFEBOAT")
    assert span(v) == (D1_UNDOCK, T("2023-06-20T06:00:00Z"))
    assert (v.flights, v.people) == ((), ("b2",))
    assert v.message == "1 people aboard ST but only 0 lifeboat seats docked"


def test_lifeboat_breaks_in_the_small_example(small):
    """LIFEBOAT breaks: MS-22's coolant leak leaves 4 seats for 7 people until MS-23 docks."""
    v = one(small, "LIFEBOAT")
    assert span(v) == (T("2022-12-15T00:00:00Z"), T("2023-02-26T00:58:00Z"))
    assert v.flights == ("MS22", "SPXC5")
    assert v.people == ("cassada", "kikina", "mann", "petelin", "prokopyev", "rubio", "wakata")
    assert v.message.startswith("7 people aboard ISS but only 4 lifeboat seats")
    assert "Soyuz MS-22 lost 3 after damage on 2022-12-15" in v.message


# --- DOCKED_LIMIT ----------------------------------------------------------------------------


def test_docked_limit_holds_at_exactly_the_limit(world):
    """DOCKED_LIMIT holds: docked exactly the type's 200 days; a later limit change does not apply."""
    s1 = world.flight("S1")
    s1["undock"] = (S1_DOCK + timedelta(days=200)).isoformat()
    s1["land"] = (S1_DOCK + timedelta(days=200, hours=4)).isoformat()
    world.get("vehicle_types", "soyuz")["docked_limits"] = [{"from": "2023-02-01", "days": 100}]
    assert of(world.scenario(), "DOCKED_LIMIT") == []


def test_docked_limit_breaks_when_docked_too_long(world):
    """DOCKED_LIMIT breaks: 210 days docked where 200 are allowed; span from the limit to undock."""
    undock = S1_DOCK + timedelta(days=210)
    world.flight("S1").update(undock=undock.isoformat(), land=(undock + timedelta(hours=4)).isoformat())
    v = one(world.scenario(), "DOCKED_LIMIT")
    assert span(v) == (S1_DOCK + timedelta(days=200), undock)
    assert (v.flights, v.people) == (("S1",), ())
    assert v.message == "Soyuz-1 stays docked 210.0 days; Soyuz MS may stay 200"


def test_docked_limit_breaks_at_the_horizon_under_a_changed_limit(world):
    """DOCKED_LIMIT breaks: a limit lowered before docking applies; still docked at the horizon."""
    world.get("vehicle_types", "soyuz")["docked_limits"] = [{"from": "2022-01-01", "days": 100}]
    horizon = S1_DOCK + timedelta(days=120)
    world.data["scenario"]["horizon"] = horizon.isoformat()
    s1 = world.flight("S1")
    del s1["undock"], s1["land"]
    v = one(world.scenario(), "DOCKED_LIMIT")
    assert span(v) == (S1_DOCK + timedelta(days=100), horizon)
    assert v.flights == ("S1",)
    assert v.message == ("Soyuz-1 stays docked 120.0 days; Soyuz MS may stay 100 "
                         "(still docked at the data's horizon 2023-05-01)")


# --- PORTS -----------------------------------------------------------------------------------


def test_ports_holds_for_back_to_back_use_of_one_port(world):
    """PORTS holds: a second Soyuz docks at p1 the instant the first undocks."""
    world.add_flight("S2", "soyuz", "p1", "2023-05-31T20:00:00Z", S1_UNDOCK.isoformat(),
                     "2023-10-01T00:00:00Z", "2023-10-01T04:00:00Z")
    assert of(world.scenario(), "PORTS") == []


def test_ports_breaks_with_two_vehicles_at_one_port(world):
    """PORTS breaks: Soyuz-2 docks at p1 while Soyuz-1 is still there."""
    world.add_flight("S2", "soyuz", "p1", "2023-05-01T00:00:00Z", "2023-05-01T06:00:00Z",
                     "2023-10-01T00:00:00Z", "2023-10-01T04:00:00Z")
    v = one(world.scenario(), "PORTS")
    assert span(v) == (T("2023-05-01T06:00:00Z"), S1_UNDOCK)
    assert (v.flights, v.people) == (("S1", "S2"), ())
    assert v.message == "Soyuz-1 and S2 are both docked at p1 from 2023-05-01T06:00:00Z"


def test_ports_breaks_with_no_port(world):
    """PORTS breaks: a docked flight with no port."""
    del world.flight("D1")["port"]
    v = one(world.scenario(), "PORTS")
    assert span(v) == (D1_DOCK, D1_UNDOCK)
    assert v.flights == ("D1",)
    assert v.message == "Dragon-1 is docked to ST with no port"


def test_ports_breaks_at_a_port_that_does_not_fit(world):
    """PORTS breaks: a Dragon at an SSVP port (the loader refuses it, so built unchecked)."""
    world.flight("D1")["port"] = "p3"
    v = one(world.scenario(checked=False), "PORTS")
    assert span(v) == (D1_DOCK, D1_UNDOCK)
    assert v.flights == ("D1",)
    assert v.message == "Dragon-1 (Crew Dragon) cannot dock to p3 (SSVP)"


def test_ports_breaks_at_a_port_out_of_service(world):
    """PORTS breaks: a port closed while a vehicle is docked at it."""
    world.station["ports"][1]["until"] = "2023-03-01"
    v = one(world.scenario(), "PORTS")
    assert span(v) == (D1_DOCK, D1_UNDOCK)
    assert v.flights == ("D1",)
    assert v.message == "Dragon-1 uses port p2 2023-01-11..2023-06-10 outside its service …..2023-03-01"


# --- EXCHANGE --------------------------------------------------------------------------------


def test_exchange_holds_outside_the_window_and_for_other_kinds(world):
    """EXCHANGE holds: flights before the agreement, or of a kind it does not count, owe nothing."""
    world.unassign("r2")
    world.flight("D1")["kind"] = "visit"
    assert of(world.scenario(), "EXCHANGE") == []
    world.flight("D1")["kind"] = "rotation"
    world.data["agreements"][0]["from"] = "2023-01-05"  # after S1, before D1
    assert len(of(world.scenario(), "EXCHANGE")) == 1
    world.data["agreements"][0]["from"] = "2023-01-11"  # after both
    assert of(world.scenario(), "EXCHANGE") == []


def test_exchange_breaks_when_a_flight_lacks_its_partner_crew(world):
    """EXCHANGE breaks: Dragon-1 carries no RED person where one is owed."""
    world.unassign("r2")
    v = one(world.scenario(), "EXCHANGE")
    assert span(v) == (D1_LAUNCH, D1_LAND)
    assert (v.flights, v.people) == (("D1",), ())
    assert v.message == "Dragon-1 carries 0 RED person, Crew swap requires 1"


def test_exchange_breaks_when_seats_do_not_balance(world):
    """EXCHANGE breaks: BLUE receives two Soyuz seats before RED gets any: 2 ahead, tolerance 1."""
    world.assign("b3", "S1", "S1")
    v = one(world.scenario(), "EXCHANGE")
    assert span(v) == (S1_LAUNCH, D1_LAUNCH)
    assert v.flights == ("S1",)
    assert v.message == ("after Soyuz-1, BLUE has received 2 seats and RED 0 seats under Crew swap: "
                         "BLUE is 2 ahead, tolerance 1")


def test_exchange_imbalance_on_the_last_flight_runs_to_the_agreement_end(world):
    """EXCHANGE breaks: with tolerance 0 each flight tips the balance; the last one runs to the end."""
    world.data["agreements"][0]["tolerance"] = 0
    world.assign("r3", "D1", "D1")
    found = of(world.scenario(), "EXCHANGE")
    assert [span(v) for v in found] == [(S1_LAUNCH, D1_LAUNCH), (D1_LAUNCH, T("2030-01-01"))]
    assert [v.flights for v in found] == [("S1",), ("D1",)]
    assert found[1].message == ("after Dragon-1, BLUE has received 1 seat and RED 2 seats under Crew swap: "
                                "RED is 1 ahead, tolerance 0")


# --- COMMANDER -------------------------------------------------------------------------------


def test_commander_holds_when_qualified_exactly_at_launch(world):
    """COMMANDER holds: the commander's training is ready at the launch instant."""
    world.person("r1")["trained"][0]["ready"] = S1_LAUNCH.isoformat()
    assert of(world.scenario(), "COMMANDER") == []


def test_commander_breaks_up_and_down_with_nobody_qualified(world):
    """COMMANDER breaks: nobody on Soyuz-1 may command a Soyuz, on the way up or down."""
    world.person("r1")["trained"][0]["commander"] = False
    found = of(world.scenario(), "COMMANDER")
    assert [span(v) for v in found] == [(S1_LAUNCH, S1_LAUNCH), (S1_UNDOCK, S1_UNDOCK)]
    assert all(v.flights == ("S1",) and v.people == ("r1", "b1") for v in found)
    assert found[0].message == "nobody riding up on Soyuz-1 is qualified to command Soyuz MS (Baker, Orlov)"
    assert found[1].message.startswith("nobody riding down on Soyuz-1")


def test_commander_breaks_when_qualified_only_after_launch(world):
    """COMMANDER breaks: commander training ready after launch (by undock it is)."""
    world.person("r1")["trained"][0]["ready"] = "2023-03-01"
    v = one(world.scenario(), "COMMANDER")
    assert span(v) == (S1_LAUNCH, S1_LAUNCH)
    assert (v.flights, v.people) == (("S1",), ("r1", "b1"))


# --- GROUNDED --------------------------------------------------------------------------------


def test_grounded_holds_outside_the_grounding(world):
    """GROUNDED holds: a grounding ending at launch, and one starting after it, do not touch it."""
    world.event("grounding", "g1", "2022-12-01", vehicle_type="dragon", until=D1_LAUNCH.isoformat())
    world.event("grounding", "g2", "2023-01-10T00:00:01Z", capsule="cap1")
    world.event("site_outage", "o1", "2022-01-01", site="bai", until="2022-12-31")
    assert of(world.scenario(), "GROUNDED") == []


def test_grounded_breaks_for_a_grounded_vehicle_type(world):
    """GROUNDED breaks: Dragon-1 launches while Crew Dragon is grounded."""
    world.event("grounding", "g1", "2023-01-05", vehicle_type="dragon", until="2023-02-01",
                note="parachute review")
    v = one(world.scenario(), "GROUNDED")
    assert span(v) == (D1_LAUNCH, D1_LAND)
    assert (v.flights, v.people) == (("D1",), ())
    assert v.message == ("Dragon-1 launches 2023-01-10 but dragon is out of service from 2023-01-05 "
                         "until 2023-02-01 (parachute review)")


def test_grounded_breaks_for_a_grounded_capsule_from_its_instant(world):
    """GROUNDED breaks: a capsule grounded from exactly the launch instant."""
    world.event("grounding", "g2", D1_LAUNCH.isoformat(), capsule="cap1")
    v = one(world.scenario(), "GROUNDED")
    assert span(v) == (D1_LAUNCH, D1_LAND)
    assert v.flights == ("D1",)
    assert v.message == "Dragon-1 launches 2023-01-10 but capsule cap1 is out of service from 2023-01-10 (g2)"


def test_grounded_breaks_for_a_launch_site_outage(world):
    """GROUNDED breaks: Soyuz-1's launch site is out of service."""
    world.event("site_outage", "pad", "2022-12-01", site="bai", note="pad damaged")
    v = one(world.scenario(), "GROUNDED")
    assert span(v) == (S1_LAUNCH, S1_LAND)
    assert v.flights == ("S1",)
    assert v.message == ("Soyuz-1 launches 2023-01-01 but launch site bai is out of service "
                         "from 2022-12-01 (pad damaged)")


# --- the checker -----------------------------------------------------------------------------


def _two_rules_broken(world):
    """LIFEBOAT [2023-03-01, 2023-06-01), GROUNDED [S1 launch, S1 land), and SEATS
    [S1 undock, S1 land): its crew rides home on the damaged S1."""
    world.station["crew"][0]["nominal"] = 5  # five aboard is no CAPACITY problem here
    world.assign("b3", "D1", "D1")
    world.event("damage", "hit", "2023-03-01T00:00:00Z", flight="S1", seats_lost=3)
    world.event("site_outage", "pad", "2022-12-01", site="bai")
    return world.scenario()


def test_check_reports_sorted_violations_and_counts(world):
    """check: violations sorted by start, counted by rule, in JSON with Z instants."""
    report = check(_two_rules_broken(world))
    assert [v.rule for v in report.violations] == ["GROUNDED", "LIFEBOAT", "SEATS"]
    assert not report.ok
    counts = report.by_rule()
    assert counts["LIFEBOAT"] == 1 and counts["GROUNDED"] == 1 and sum(counts.values()) == 3
    assert report.violations[2].message.startswith("2 people ride down on Soyuz-1 but it has 0 usable seats")
    js = report.as_json()
    assert js["summary"]["violations"] == 3
    assert js["violations"][1]["start"] == "2023-03-01T00:00:00Z"
    assert js["violations"][1]["end"] == "2023-06-01T00:00:00Z"
    assert js["violations"][0]["flights"] == ["S1"]


def test_check_ignore_skips_rules_by_id_in_any_case(world):
    """check(ignore=...): an ignored rule is neither run nor reported."""
    s = _two_rules_broken(world)
    report = check(s, ignore=["lifeboat"])
    assert [v.rule for v in report.violations] == ["GROUNDED", "SEATS"]
    assert "LIFEBOAT" not in report.rules_run and len(report.rules_run) == len(ALL_RULES) - 1
    assert check(s, ignore=["LIFEBOAT", "GROUNDED", "seats"]).ok


def test_check_rejects_an_unknown_rule_id(world):
    """check(ignore=...): an unknown rule id is an UnknownRuleError naming it and the known ids."""
    with pytest.raises(UnknownRuleError) as err:
        check(world.scenario(), ignore=["LIFEBOAT", "LIFEBOATS", "nope"])
    assert err.value.names == ["LIFEBOATS", "NOPE"]
    assert "LIFEBOATS" in str(err.value) and "DOCKED_LIMIT" in str(err.value)


def test_check_start_and_end_keep_violations_overlapping_the_window(world):
    """check(start=, end=): only violations overlapping [start, end) are kept, half-open."""
    s = _two_rules_broken(world)
    rules = lambda **kw: [v.rule for v in check(s, **kw).violations]  # noqa: E731
    assert rules(start=T("2023-05-31")) == ["GROUNDED", "LIFEBOAT", "SEATS"]
    assert rules(start=T("2023-06-01T00:00:00Z")) == ["GROUNDED", "SEATS"]  # LIFEBOAT ended then
    assert rules(start=T("2023-06-01T04:00:00Z")) == []  # so did GROUNDED, at S1's landing
    assert rules(end=T("2023-03-01T00:00:00Z")) == ["GROUNDED"]  # LIFEBOAT starts at that instant
    assert rules(start=T("2023-02-01"), end=T("2023-03-01T00:00:01Z")) == ["GROUNDED", "LIFEBOAT"]


def test_check_start_keeps_a_violation_at_a_single_instant(world):
    """check(start=): a violation at one instant (COMMANDER at launch) is kept when start is that instant."""
    world.person("r1")["trained"][0]["commander"] = False
    s = world.scenario()
    found = check(s, start=S1_LAUNCH, end=S1_LAUNCH + timedelta(seconds=1)).violations
    assert [(v.rule, v.start) for v in found] == [("COMMANDER", S1_LAUNCH)]
    assert check(s, start=S1_LAUNCH + timedelta(seconds=1), end=S1_UNDOCK).ok


def test_check_uses_a_given_timeline(world):
    """check(scenario, timeline): the rules read the timeline passed in, not a new one."""
    world.station["crew"][0]["nominal"] = 5
    s = world.scenario()
    broken = _two_rules_broken(world)
    report = check(s, Timeline(broken))
    assert [v.rule for v in report.violations] == ["LIFEBOAT"]  # GROUNDED reads the scenario


def test_check_ignore_accepts_a_single_rule_id_string(small):
    """check(ignore="LIFEBOAT") skips that rule, rather than reading the string letter by letter."""
    from mixedcrew.check import check as run_check

    report = run_check(small, ignore="lifeboat")
    assert "LIFEBOAT" not in report.rules_run and not report.violations


def test_coverage_sees_an_empty_station_up_to_the_horizon(world):
    """COVERAGE: when the data runs on past the last departure, the empty time up to the
    horizon is a gap in continuous presence."""
    world.station["continuous_presence_from"] = "2023-01-01T06:00:00Z"
    world.data["scenario"]["horizon"] = "2023-07-01T00:00:00Z"
    found = [v for v in check(world.scenario()).violations if v.rule == "COVERAGE"]
    empty = [v for v in found if "is empty" in v.message]
    assert [(v.start, v.end) for v in empty] == [(T("2023-06-10T00:00:00Z"), T("2023-07-01T00:00:00Z"))]


def test_grounded_for_crew_return_breaks_a_ride_home(world):
    """GROUNDED: a vehicle grounded even for crew return may not bring its riders home."""
    world.event("grounding", "no-return", "2023-05-01T00:00:00Z", vehicle_type="soyuz",
                crew_return=False, note="thrusters")
    found = [v for v in check(world.scenario()).violations if v.rule == "GROUNDED"]
    assert len(found) == 1
    v = found[0]
    s1 = world.flight("S1")
    assert (v.start, v.end, v.flights) == (T(s1["undock"]), T(s1["land"]), ("S1",))
    assert set(v.people) == {"r1", "b1"}
    assert "may not carry crew from 2023-05-01 (thrusters)" in v.message


def test_grounded_fleet_may_still_bring_docked_crews_home(world):
    """GROUNDED: by default a grounding stops launches only; docked vehicles still return crews."""
    world.event("grounding", "stand-down", "2023-05-01T00:00:00Z", vehicle_type="soyuz")
    assert not [v for v in check(world.scenario()).violations if v.rule == "GROUNDED"]


# --- CLIENT, SHARES, EXCHANGE at_most ------------------------------------------------------


def test_client_breaks_with_another_agency_aboard_and_a_commander_new_to_the_station(world):
    """CLIENT: a RED mission carrying b1 (BLUE), led by r3 who never flew here: two violations."""
    world.add_flight("V1", "dragon", "p4", "2023-07-01T00:00:00Z", "2023-07-02T00:00:00Z",
                     "2023-07-10T00:00:00Z", "2023-07-10T06:00:00Z", kind="visit", client="RED")
    world.person("r3")["trained"][1]["commander"] = True
    world.assign("r3", "V1", "V1", role="commander")
    world.assign("b3", "V1", "V1")
    found = of(world.scenario(), "CLIENT")
    assert sorted(v.message for v in found) == [
        "V1 is a RED mission but carries Bell of other agencies",
        "nobody on V1 who may command it has flown to ST before (Bell, Reva)"]


def test_client_holds_with_a_veteran_commander(world):
    """CLIENT: Rudin flew Dragon-1 to ST, so he may lead a later RED mission."""
    world.add_flight("V1", "dragon", "p4", "2023-07-01T00:00:00Z", "2023-07-02T00:00:00Z",
                     "2023-07-10T00:00:00Z", "2023-07-10T06:00:00Z", kind="visit", client="RED")
    world.person("r2")["trained"][0]["commander"] = True
    world.assign("r2", "V1", "V1", role="commander")
    assert of(world.scenario(), "CLIENT") == []


def _shares(world, tolerance: float) -> None:
    world.add("shares", id="seg-a", name="segment A shares", segment="A",
              vehicle_types=["dragon"], tolerance=tolerance,
              shares=[{"agency": "BLUE", "percent": 50}, {"agency": "RED", "percent": 50}],
              **{"from": "2022-01-01"})


def test_shares_hold_inside_the_tolerance(world):
    """SHARES: Dragon-1 carries one BLUE and one RED: 1 of 2 each, exactly their 50%."""
    _shares(world, 0)
    assert of(world.scenario(), "SHARES") == []


def test_shares_break_when_a_partner_flies_more_than_its_share(world):
    """SHARES: a second BLUE rider makes BLUE 2 of 3 (share 1.5): off by 0.5 > tolerance 0.4."""
    _shares(world, 0.4)
    world.assign("b3", "D1", "D1")
    found = of(world.scenario(), "SHARES")
    assert [v.message for v in found] == [
        "BLUE flies 2 of the 3 partner seats under segment A shares; its 50% share asks 1.5 ± 0.4",
        "RED flies 1 of the 3 partner seats under segment A shares; its 50% share asks 1.5 ± 0.4"]
    assert found[0].flights == ("D1",)


def test_exchange_breaks_above_a_quotas_at_most(world):
    """EXCHANGE: at most one RED person on a Dragon; a second one breaks it."""
    world.data["agreements"][0]["quotas"][1]["at_most"] = 1
    world.data["agreements"][0]["tolerance"] = 2
    world.assign("r3", "D1", "D1")
    v = one(world.scenario(), "EXCHANGE")
    assert v.message == "Dragon-1 carries 2 RED people, Crew swap allows 1"


def test_exchange_closed_after_its_end_breaks_with_a_partner_still_riding(world):
    """EXCHANGE: the swap ends 2023-01-05 with closed_after; Dragon-1 (2023-01-10) still carries
    Rudin (RED): one violation; Soyuz-1 launched before the end is fine."""
    world.data["agreements"][0]["until"] = "2023-01-05"
    world.data["agreements"][0]["closed_after"] = True
    v = one(world.scenario(), "EXCHANGE")
    assert v.message == "Dragon-1 carries Rudin of RED after Crew swap ended on 2023-01-05"
    assert v.flights == ("D1",) and v.people == ("r2",)
