"""The timeline: who is aboard, what is docked, lifeboat seats, on half-open spans."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mixedcrew.domain import Scenario
from mixedcrew.instants import to_instant as T
from mixedcrew.timeline import Timeline

SECOND = timedelta(seconds=1)
D1_DOCK = "2023-01-11T00:00:00Z"


def test_aboard_at_follows_docking_and_undocking(world):
    """Timeline: a rider is aboard from the up flight's dock to the down flight's undock."""
    tl = Timeline(world.scenario())
    s1_dock, d1_dock = T("2023-01-01T06:00:00Z"), T("2023-01-11T00:00:00Z")
    s1_undock, d1_undock = T("2023-06-01T00:00:00Z"), T("2023-06-10T00:00:00Z")
    assert tl.aboard_at(s1_dock - SECOND) == frozenset()
    assert tl.aboard_at(s1_dock) == {"r1", "b1"}
    assert tl.aboard_at(d1_dock - SECOND) == {"r1", "b1"}
    assert tl.aboard_at(d1_dock) == {"r1", "b1", "b2", "r2"}
    assert tl.aboard_at(s1_undock - SECOND) == {"r1", "b1", "b2", "r2"}
    assert tl.aboard_at(s1_undock) == {"b2", "r2"}
    assert tl.aboard_at(d1_undock - SECOND) == {"b2", "r2"}
    assert tl.aboard_at(d1_undock) == frozenset()
    assert tl.span_at(d1_undock) is None


def test_handover_at_one_instant_is_not_counted_twice(world):
    """Timeline: half-open [start, end): arriving at the instant another leaves counts once."""
    s1_undock = "2023-06-01T00:00:00Z"
    world.add_flight("S2", "soyuz", "p3", "2023-05-31T20:00:00Z", s1_undock,
                     "2023-10-01T00:00:00Z", "2023-10-01T04:00:00Z")
    world.assign("r3", "S2", "S2")
    world.assign("b3", "S2", "S2")
    tl = Timeline(world.scenario())
    t = T(s1_undock)
    assert tl.aboard_at(t - SECOND) == {"r1", "b1", "b2", "r2"}
    assert tl.aboard_at(t) == {"b2", "r2", "r3", "b3"}
    span = tl.span_at(t)
    assert span is not None and span.start == t and span.crew == 4
    # no span anywhere holds the leavers and the arrivers together
    assert max(sp.crew for sp in tl.spans()) == 4
    assert tl.docked_at(t) == {"D1", "S2"}


def test_operators_at_counts_each_segment(world):
    """Timeline: qualified operators per segment, zero for every segment when nobody is aboard."""
    tl = Timeline(world.scenario())
    assert tl.operators_at(T("2022-12-01")) == {"A": 0, "B": 0}
    assert tl.operators_at(T("2023-01-05")) == {"A": 1, "B": 1}
    assert tl.operators_at(T("2023-02-01")) == {"A": 2, "B": 2}
    assert tl.operators_at(T("2023-06-05")) == {"A": 1, "B": 1}
    # a person who can operate both segments counts for each
    world.person("r1")["segments"] = ["A", "B"]
    tl = Timeline(world.scenario())
    assert tl.operators_at(T("2023-01-05")) == {"A": 2, "B": 1}


def test_docked_at_and_docking_of(world):
    """Timeline: vehicles docked on [dock, undock); docking_of gives that span and the port."""
    tl = Timeline(world.scenario())
    assert tl.docked_at(T("2023-01-01T05:59:59Z")) == frozenset()
    assert tl.docked_at(T("2023-01-01T06:00:00Z")) == {"S1"}
    assert tl.docked_at(T("2023-01-11T00:00:00Z")) == {"S1", "D1"}
    assert tl.docked_at(T("2023-06-01T00:00:00Z")) == {"D1"}
    d = tl.docking_of("D1")
    assert d is not None
    assert (d.port, d.start, d.end) == ("p2", T("2023-01-11T00:00:00Z"), T("2023-06-10T00:00:00Z"))
    assert tl.docking_of("nope") is None


def test_lifeboat_seats_are_the_seats_of_docked_flights(world):
    """Timeline: lifeboat seats sum the seats of docked flights, a flight's own seats override its type's."""
    tl = Timeline(world.scenario())
    assert tl.lifeboat_seats_at(T("2022-12-31")) == 0
    assert tl.lifeboat_seats_at(T("2023-01-05")) == 3
    assert tl.lifeboat_seats_at(T("2023-02-01")) == 3 + 4
    assert tl.lifeboat_seats_at(T("2023-06-05")) == 4
    world.flight("D1")["seats"] = 2
    tl = Timeline(world.scenario())
    assert tl.lifeboat_seats_at(T("2023-02-01")) == 3 + 2
    assert tl.span_at(T("2023-02-01")).seats == {"S1": 3, "D1": 2}


def test_damage_and_contingency_seat_change_seats_from_their_instant(world):
    """Timeline: a damage event removes seats, a contingency seat adds one, each from its instant on."""
    world.event("damage", "leak", "2023-03-01T12:00:00Z", flight="S1", seats_lost=2)
    world.event("contingency_seat", "liner", "2023-04-01T00:00:00Z", flight="D1")
    tl = Timeline(world.scenario())
    leak, liner = T("2023-03-01T12:00:00Z"), T("2023-04-01T00:00:00Z")
    assert tl.lifeboat_seats_at(leak - SECOND) == 7
    assert tl.lifeboat_seats_at(leak) == 5
    assert tl.span_at(leak).seats == {"S1": 1, "D1": 4}
    assert tl.span_at(leak).start == leak
    assert tl.lifeboat_seats_at(liner - SECOND) == 5
    assert tl.lifeboat_seats_at(liner) == 6
    assert tl.span_at(liner).seats == {"S1": 1, "D1": 5}
    # the crew is the same on both sides: only the seats changed
    assert tl.aboard_at(leak - SECOND) == tl.aboard_at(leak)


def test_damage_cannot_make_seats_negative_and_counts_before_docking(world):
    """Timeline: seats lost beyond a flight's seats leave 0; damage before docking counts from dock."""
    world.event("damage", "bad", "2023-03-01T00:00:00Z", flight="S1", seats_lost=5)
    world.event("damage", "early", "2023-01-05T00:00:00Z", flight="D1", seats_lost=1)
    tl = Timeline(world.scenario())
    assert tl.span_at(T("2023-02-01")).seats == {"S1": 3, "D1": 3}
    assert tl.span_at(T("2023-03-02")).seats == {"S1": 0, "D1": 3}
    assert tl.lifeboat_seats_at(T("2023-03-02")) == 3


def test_horizon_ends_stays_and_dockings_of_flights_still_docked(world):
    """Timeline: a flight with no undock, and riders with no down flight, stay until scenario.horizon."""
    horizon = "2023-08-01T00:00:00Z"
    world.data["scenario"]["horizon"] = horizon
    d1 = world.flight("D1")
    del d1["undock"], d1["land"]
    del world.assignment("r2", "D1")["down"]  # still aboard, no ride home yet
    tl = Timeline(world.scenario())
    h = T(horizon)
    assert tl.docking_of("D1").end == h
    assert [(s.start, s.end, s.down) for s in tl.stays_of("b2")] == [(T(D1_DOCK), h, "D1")]
    assert [(s.start, s.end, s.down) for s in tl.stays_of("r2")] == [(T(D1_DOCK), h, None)]
    assert tl.aboard_at(h - SECOND) == {"b2", "r2"}
    assert tl.docked_at(h - SECOND) == {"D1"}
    assert tl.aboard_at(h) == frozenset()
    assert tl.span_at(h) is None
    # flights that undocked before the horizon keep their own undock
    assert tl.docking_of("S1").end == T("2023-06-01T00:00:00Z")


def test_without_a_horizon_an_open_ended_stay_is_left_out(world):
    """Timeline: with no horizon, a rider with no down flight has no known stay end and no stay."""
    del world.assignment("r2", "D1")["down"]
    tl = Timeline(world.scenario())
    assert tl.stays_of("r2") == []
    assert tl.aboard_at(T("2023-02-01")) == {"r1", "b1", "b2"}



def test_stays_of_a_person_up_and_down_on_different_flights(world):
    """Timeline: stays_of gives each stay, from the up flight's dock to the down flight's undock."""
    world.assignment("b1", "S1")["down"] = "D1"
    world.add_flight("S2", "soyuz", "p1", "2023-08-01T00:00:00Z", "2023-08-01T06:00:00Z",
                     "2023-12-01T00:00:00Z", "2023-12-01T04:00:00Z")
    second = world.assign("b1", "S2", "S2")
    s = world.scenario()
    tl = Timeline(s)
    stays = tl.stays_of("b1")
    assert [(x.station, x.start, x.end, x.up, x.down) for x in stays] == [
        ("ST", T("2023-01-01T06:00:00Z"), T("2023-06-10T00:00:00Z"), "S1", "D1"),
        ("ST", T("2023-08-01T06:00:00Z"), T("2023-12-01T00:00:00Z"), "S2", "S2"),
    ]
    assert stays[1].assignment.person == second["person"] == "b1"
    assert tl.aboard_at(T("2023-06-05")) == {"b1", "b2", "r2"}
    assert tl.stays_of("nobody") == []


def test_spans_between_overlap_the_window(world):
    """Timeline: spans(start, end) yields, in order, just the spans overlapping [start, end)."""
    tl = Timeline(world.scenario())
    every = list(tl.spans())
    assert [sp.start for sp in every] == [T(x) for x in (
        "2023-01-01T06:00:00Z", "2023-01-11T00:00:00Z", "2023-06-01T00:00:00Z")]
    assert all(a.end == b.start for a, b in zip(every, every[1:], strict=False))
    inside = list(tl.spans(start=T("2023-02-01"), end=T("2023-06-01T00:00:00Z")))
    assert inside == [every[1]]
    assert list(tl.spans(start=T("2023-01-11T00:00:00Z"))) == every[1:]
    assert list(tl.spans(end=T("2023-01-01T06:00:00Z"))) == []


def test_the_small_example_timeline(small):
    """Timeline: the shipped example, MS-22's leak leaves Crew-5's four seats for seven people."""
    tl = Timeline(small)
    leak = T("2022-12-15T00:00:00Z")
    assert tl.aboard_at(leak) == {"prokopyev", "petelin", "rubio", "mann", "cassada", "wakata", "kikina"}
    assert tl.docked_at(leak) == {"MS22", "SPXC5"}
    assert tl.lifeboat_seats_at(leak - SECOND) == 7
    assert tl.lifeboat_seats_at(leak) == 4
    assert tl.operators_at(leak) == {"USOS": 4, "ROS": 3}
    ms23_dock = T("2023-02-26T00:58:00Z")
    assert tl.lifeboat_seats_at(ms23_dock) == 4 + 3


# --- property: the sweep agrees with a brute-force count ----------------------------------

BASE_T = datetime(2030, 1, 1, tzinfo=UTC)
HOUR = timedelta(hours=1)


def _scenario_of(stays: list[tuple[int, int, int]]) -> Scenario:
    """One flight per (person, dock hour, hours docked); every rider rides it up and down."""
    flights, assignments = [], []
    for i, (person, start, length) in enumerate(stays):
        dock, undock = BASE_T + start * HOUR, BASE_T + (start + length) * HOUR
        flights.append({"id": f"F{i}", "vehicle_type": "v", "station": "X", "port": "p",
                        "launch": dock, "dock": dock, "undock": undock, "land": undock})
        assignments.append({"person": f"p{person}", "up": f"F{i}", "down": f"F{i}"})
    return Scenario.model_validate({
        "stations": [{"id": "X", "segments": [{"id": "S"}], "ports": [{"id": "p", "interface": "I"}]}],
        "vehicle_types": [{"id": "v", "seats": 3, "max_docked_days": 10}],
        "people": [{"id": f"p{i}", "name": f"P{i}", "agency": "AG", "segments": ["S"]} for i in range(4)],
        "flights": flights,
        "assignments": assignments,
    })


stay_lists = st.lists(
    st.tuples(st.integers(0, 3), st.integers(0, 24), st.integers(1, 12)), min_size=0, max_size=8)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(stays=stay_lists, probes=st.lists(st.integers(-2, 80), min_size=1, max_size=10))
def test_span_crew_equals_brute_force_count(stays, probes):
    """Timeline property: span_at(t).crew equals the people whose stays contain t, half-open."""
    tl = Timeline(_scenario_of(stays))
    for half_hours in probes:
        t = BASE_T + half_hours * HOUR / 2  # lands on stay edges half the time
        brute = {f"p{p}" for p, start, length in stays
                 if BASE_T + start * HOUR <= t < BASE_T + (start + length) * HOUR}
        docked = {f"F{i}" for i, (_, start, length) in enumerate(stays)
                  if BASE_T + start * HOUR <= t < BASE_T + (start + length) * HOUR}
        span = tl.span_at(t, "X")
        crew = span.crew if span else 0
        assert crew == len(brute)
        assert tl.aboard_at(t) == brute
        assert tl.docked_at(t) == docked
        assert tl.lifeboat_seats_at(t) == 3 * len(docked)
        assert tl.operators_at(t) == {"S": len(brute)}


TWO_STATIONS = """
[[stations]]
id = "ISS"
segments = [{ id = "S" }]
ports = [{ id = "p", interface = "I" }]

[[stations]]
id = "TGS"
segments = [{ id = "S" }]
ports = [{ id = "p", interface = "I" }]

[[agencies]]
id = "AG"

[[vehicle_types]]
id = "v"
seats = 3
max_docked_days = 200
docking = ["I"]

[[people]]
id = "ana"
name = "Ana"
agency = "AG"
segments = ["S"]

[[people]]
id = "bo"
name = "Bo"
agency = "AG"

[[flights]]
id = "F1"
vehicle_type = "v"
station = "ISS"
port = "p"
launch = 2024-01-01T00:00:00Z
dock = 2024-01-01T03:00:00Z
undock = 2024-03-01T00:00:00Z
land = 2024-03-01T03:00:00Z

[[flights]]
id = "F2"
vehicle_type = "v"
station = "TGS"
port = "p"
launch = 2024-02-01T00:00:00Z
dock = 2024-02-01T03:00:00Z
undock = 2024-04-01T00:00:00Z
land = 2024-04-01T03:00:00Z

[[assignments]]
person = "ana"
up = "F1"
down = "F1"

[[assignments]]
person = "bo"
up = "F2"
down = "F2"
"""


def test_each_station_has_its_own_timeline(build):
    """Timeline: stays and dockings count at their own station; the first station is the default."""
    tl = Timeline(build(TWO_STATIONS))
    t = T("2024-02-15")
    assert tl.aboard_at(t) == tl.aboard_at(t, "ISS") == {"ana"}
    assert tl.aboard_at(t, "TGS") == {"bo"}
    assert tl.docked_at(t, "TGS") == {"F2"}
    assert tl.lifeboat_seats_at(t, "ISS") == 3
    assert tl.operators_at(t, "TGS") == {"S": 0}  # bo operates no segment
    assert tl.operators_at(t, "ISS") == {"S": 1}
    assert tl.aboard_at(T("2024-03-15"), "ISS") == frozenset()
    assert [sp.start for sp in tl.spans("TGS")] == [T("2024-02-01T03:00:00Z")]
