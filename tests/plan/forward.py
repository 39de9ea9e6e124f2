"""A forward-like ISS case: the shipped history plus open rotations to 2030.

The shape the planner issue measured: the real history (26 years, about
300 people), the Baikonur pad outage ended on 2026-03-03 (its repair date
in the shared data), the integrated-crew agreement extended, and open
Soyuz MS flights about every 8 months and Crew Dragon rotations about
every 6 from the data's horizon. It is a stand-in for examples/iss-2030.toml
(the forward issue's scenario) that needs nothing but the shipped example.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from mixedcrew.domain import Agreement, Flight, Scenario, SiteOutage, Window
from mixedcrew.io.scenario_file import load_scenario

ROOT = Path(__file__).resolve().parents[2]
PAD_REPAIRED = datetime(2026, 3, 3, tzinfo=UTC)  # shared data, announced-2026.csv (policy row)
FIRST_SOYUZ = datetime(2026, 7, 14, tzinfo=UTC)  # MS-28 must leave by 2026-08-04 (250 days)
FIRST_DRAGON = datetime(2026, 9, 15, tzinfo=UTC)  # Crew-12 must leave by 2026-10-12 (240 days)
SOYUZ_EVERY, DRAGON_EVERY = timedelta(days=240), timedelta(days=182)
HALF_WINDOW = timedelta(days=7)


def _open(fid: str, name: str, vehicle_type: str, middle: datetime, target_days: float) -> Flight:
    return Flight.model_validate({
        "id": fid, "name": name, "vehicle_type": vehicle_type, "station": "ISS",
        "window": Window.model_validate({"from": middle - HALF_WINDOW, "until": middle + HALF_WINDOW}),
        "target_days": target_days})


def forward_flights(count: int) -> list[Flight]:
    """`count` open flights in launch order, alternating fleets at their cadences."""
    soyuz = [_open(f"MS{29 + i}", f"Soyuz MS-{29 + i}", "soyuz-ms", FIRST_SOYUZ + i * SOYUZ_EVERY, 240)
             for i in range(count)]
    dragon = [_open(f"SPXC{13 + i}", f"Crew-{13 + i}", "crew-dragon", FIRST_DRAGON + i * DRAGON_EVERY,
                    180) for i in range(count)]
    both = sorted(soyuz + dragon, key=lambda f: (f.window.start if f.window else FIRST_SOYUZ, f.id))
    return both[:count]


def iss_forward(count: int = 13, iss: Scenario | None = None) -> Scenario:
    """examples/iss.toml with `count` open flights from its horizon on."""
    s = iss or load_scenario(ROOT / "examples" / "iss.toml")
    events = tuple(e.model_copy(update={"until": PAD_REPAIRED}) if isinstance(e, SiteOutage) else e
                   for e in s.events)
    agreements = tuple(a.model_copy(update={"end": datetime(2031, 1, 1, tzinfo=UTC)})
                       if isinstance(a, Agreement) else a for a in s.agreements)
    return s.model_copy(update={"flights": s.flights + tuple(forward_flights(count)),
                                "events": events, "agreements": agreements})
