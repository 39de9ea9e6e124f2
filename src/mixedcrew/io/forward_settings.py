"""The assumptions of the forward ISS scenario, each a setting with a sourced default.

The sources (announced-2026.csv, corps-2026.csv, GCAT) leave some facts open:
whether the integrated-crew agreement is extended past its last confirmed
flights, whether the US segment keeps four people, how long a rookie trains
before a flight. Each is a field here, documented in docs/forward.md; the
`mixedcrew forward` command takes them as options, so a user can flip one,
regenerate and re-plan.
"""

from __future__ import annotations

from datetime import UTC, datetime

from pydantic import BaseModel, ConfigDict, Field

from mixedcrew.instants import Instant


def _utc(y: int, m: int, d: int) -> datetime:
    return datetime(y, m, d, tzinfo=UTC)


class ForwardSettings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    until: Instant = Field(
        default=_utc(2031, 1, 31),
        description="open flights launch before this instant; deorbit is planned for about early "
                    "2031 (announced-2026.csv, USDV policy row)")
    agreement_until: Instant = Field(
        default=_utc(2031, 1, 1),
        description="the NASA-ROSCOSMOS integrated-crew agreement counts flights launched before "
                    "this instant. ASSUMED extended to the end of operations: the last confirmed "
                    "amendment covers flights to one Dragon in 2027; a fourth supplement was under "
                    "negotiation (announced-2026.csv, agreement rows). 2028-01-01 is the "
                    "confirmed-only reading")
    us_crew: int = Field(
        default=4, ge=2, le=4,
        description="people on the US segment: 4 as flown on Crew-12 and Crew-13; NASA proposed 3 "
                    "in May 2025 (announced-2026.csv, crew-size policy row). A Dragon rotation "
                    "then flies us_crew seats (one of them the ROSCOSMOS seat) and the station's "
                    "nominal crew is us_crew + 3")
    soyuz_every_days: float = Field(
        default=240.0, gt=0,
        description="Soyuz MS cadence: about 8-month expeditions (MS-27, MS-28 planned 242 days; "
                    "announced-2026.csv, Soyuz policy row)")
    dragon_every_days: float = Field(
        default=182.0, gt=0,
        description="Crew Dragon rotation cadence: about 6 months (NASA advanced Crew-13 'to help "
                    "increase the frequency of U.S. crew rotation missions'; Isaacman hopes stays "
                    "return to 6 months; announced-2026.csv)")
    window_days: float = Field(
        default=7.0, gt=0,
        description="an open rotation may launch this many days either side of its cadence date "
                    "(a planning choice, not a sourced fact)")
    rest_days: float = Field(
        default=730.0, ge=0,
        description="least rest between two stays for a corps member: the shortest gap between "
                    "two long stays (60 days or more) in the whole ISS record 2000-2026 is 793 "
                    "days (Kotov, TMA-10 to TMA-17; GCAT); a person whose own record has a "
                    "shorter gap (private-mission commanders) keeps that gap as their rest")
    training_days: float = Field(
        default=365.0, ge=0,
        description="a person not yet trained on a vehicle is ready this many days after the "
                    "later of the data's horizon and their availability (ASSUMED: crews are "
                    "named about a year or more before launch)")
    candidate_days: float = Field(
        default=730.0, ge=0,
        description="candidates (NASA 2025 class, ROSCOSMOS 2024 selection) are available this "
                    "many days after selection: '~2-yr basic training' (corps-2026.csv notes)")
    deorbit_vehicle_dock: Instant = Field(
        default=_utc(2029, 7, 1),
        description="the US Deorbit Vehicle docks from this date and occupies an IDSS port to the "
                    "end: 'ready for launch in 2029' (announced-2026.csv, USDV policy row); the "
                    "month is ASSUMED")
    starliner_cargo_days: float = Field(
        default=30.0, gt=0,
        description="days Starliner-1 (uncrewed cargo) stays docked (ASSUMED; not in the sources)")
    private_days: float = Field(
        default=14.0, gt=0,
        description="days a private astronaut mission stays docked: 'up to 14 days at ISS' "
                    "(announced-2026.csv, Ax-5 and Vast rows)")
    share_tolerance: float = Field(
        default=1.0, ge=0,
        description="seats a US-segment partner's count may differ from its share of the US "
                    "vehicles' partner seats (a planning choice)")
    handover_days: float | None = Field(
        default=6.0, ge=0,
        description="planner rule HANDOVER ([planning] handover_days): a crew rotation leaves "
                    "only after the next crew of its vehicle type has docked at least this many "
                    "days before. Every direct handover of the record since Crew-1 and Soyuz "
                    "MS-15 lasted 6.3 days or more (Dragon 6.3-8.0, Soyuz 7.5-11.5 days; GCAT "
                    "dates in examples/iss.toml) but one: Crew-9 to Crew-10, 2.0 days in March "
                    "2025. none (--no-handover): not asked")
    handover_until: Instant | None = Field(
        default=None,
        description="handovers are asked of rotations leaving before this instant. Default "
                    "(none): the deorbit vehicle's docking, from which it holds one of the two "
                    "IDSS ports, so a Dragon crew can only dock after the one it relieves has "
                    "undocked")
    min_aboard: int | None = Field(
        default=None, ge=0,
        description="planner rule MIN_ABOARD ([planning] min_aboard): at least this many people "
                    "aboard wherever the planner decides. Default (none): the nominal crew minus "
                    "one (us_crew + 2), as the station flew between a departure and the next "
                    "arrival; 0: not asked")

    @property
    def planning_min_aboard(self) -> int | None:
        """[planning] min_aboard as set: the nominal crew (us_crew + 3) minus one by default."""
        if self.min_aboard is None:
            return self.us_crew + 2
        return self.min_aboard or None
