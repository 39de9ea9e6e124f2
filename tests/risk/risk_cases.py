"""Scenarios for the risk tests: the shipped examples and a relay station with known answers.

The relay station has one segment and two flights of one vehicle type: F1
is docked when the window opens and must leave on the day F2 docks (its
docked limit is exactly its planned stay, and F2 docks at the instant F1
undocks). Any delay of F2 therefore leaves the segment without an operator,
which turns "was F2's launch held by a grounding?" into a coverage figure.
"""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from mixedcrew.domain import Scenario
from mixedcrew.domain.risk import Distribution, RiskModel, SiteRisk, VehicleRisk
from mixedcrew.io.scenario_file import validate_scenario

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
WINDOW_START = datetime(2020, 1, 1, tzinfo=UTC)
WINDOW_END = datetime(2021, 6, 1, tzinfo=UTC)
F2_LAUNCH_DAYS = 365.0  # F2's planned launch, days after WINDOW_START
F2_DOCK_DAYS = 366.0

NOTHING = Distribution(kind="fixed", days=0)
QUIET = RiskModel(
    vehicle_default=VehicleRisk(groundings_per_year=0, grounding_days=NOTHING, launch_slip_days=NOTHING,
                                damage_per_docked_day=0, replacement_lead_days=0),
    site_default=SiteRisk(outages_per_year=0, outage_days=NOTHING),
    medical_returns_per_person_day=0,
)
"""Nothing ever goes wrong: tests switch on one thing at a time."""

# Rates high enough that every branch of the policy runs in a few hundred trials.
HOT = RiskModel(
    vehicle_default=VehicleRisk(groundings_per_year=2.0, damage_per_docked_day=2e-3,
                                launch_slip_days=Distribution(kind="exponential", mean_days=8)),
    site_default=SiteRisk(outages_per_year=0.5),
    medical_returns_per_person_day=5e-4,
)

RELAY: dict[str, Any] = {
    "scenario": {"name": "relay", "horizon": "2021-06-01T00:00:00Z"},
    "stations": [{"id": "ST", "continuous_presence_from": "2020-01-01T00:00:00Z",
                  "segments": [{"id": "A", "min_operators": 1}],
                  "crew": [{"from": "2019-01-01", "nominal": 2, "maximum": 4}]}],
    "launch_sites": [{"id": "pad"}],
    "agencies": [{"id": "BLUE", "home_segment": "A"}],
    "vehicle_types": [{"id": "ship", "seats": 2, "max_docked_days": 1, "launch_sites": ["pad"],
                       "rendezvous_hours": 24}],
    "certifications": [{"agency": "BLUE", "vehicle_type": "ship", "from": "2019-01-01"}],
    "people": [{"id": f"p{i}", "name": f"Person, {i}", "agency": "BLUE", "segments": ["A"],
                "trained": [{"vehicle_type": "ship", "ready": "2019-01-01"}]} for i in (1, 2)],
    "flights": [
        {"id": "F1", "vehicle_type": "ship", "station": "ST", "launch_site": "pad",
         "launch": "2019-12-30T00:00:00Z", "dock": "2019-12-31T00:00:00Z",
         "undock": "2021-01-01T00:00:00Z", "land": "2021-01-01T06:00:00Z"},
        {"id": "F2", "vehicle_type": "ship", "station": "ST", "launch_site": "pad",
         "launch": "2020-12-31T00:00:00Z", "dock": "2021-01-01T00:00:00Z"},
    ],
    "assignments": [{"person": "p1", "up": "F1", "down": "F1"}, {"person": "p2", "up": "F2", "down": "F2"}],
}


def relay_scenario(model: RiskModel) -> Scenario:
    return validate_scenario(copy.deepcopy(RELAY)).model_copy(update={"risk": model})


def with_model(scenario: Scenario, model: RiskModel) -> Scenario:
    return scenario.model_copy(update={"risk": model})
