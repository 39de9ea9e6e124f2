"""What the scenario API accepts and returns. Built from records and views, never from rows.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import Field

from mixedcrew.web.deps import Out
from mixedcrew.web.storage.records import (
    StoredRevision,
    StoredScenario,
)


class ScenarioOut(Out):
    id: int
    name: str
    filename: str = Field(description="name of the file as uploaded")
    size: int = Field(description="bytes of the file as uploaded")
    revision: int = Field(description="number of the latest revision")
    created_at: datetime
    updated_at: datetime
    links: dict[str, str]

    @classmethod
    def of(cls, s: StoredScenario) -> ScenarioOut:
        base = f"/api/scenarios/{s.id}"
        return cls(id=s.id, name=s.name, filename=s.filename, size=s.size, revision=s.head,
                   created_at=s.created_at, updated_at=s.updated_at,
                   links={"self": base, "page": f"/scenarios/{s.id}", "source": f"{base}/source",
                          "check": f"{base}/check", "jobs": f"{base}/jobs", "exports": f"{base}/exports",
                          "revisions": f"{base}/revisions"})


class RevisionOut(Out):
    scenario_id: int
    number: int
    filename: str
    size: int
    sha256: str
    created_at: datetime
    note: str
    source: str = Field(description="URL of the file exactly as uploaded")

    @classmethod
    def of(cls, r: StoredRevision) -> RevisionOut:
        return cls(scenario_id=r.scenario_id, number=r.number, filename=r.filename, size=r.size,
                   sha256=r.sha256, created_at=r.created_at, note=r.note,
                   source=f"/api/scenarios/{r.scenario_id}/source?revision={r.number}")


class Facts(Out):
    flights: int
    people: int
    rides: int
    first: datetime | None
    last: datetime | None
    peak_aboard: int | None
    violations: int
    by_rule: dict[str, int]


class ScenarioDetail(ScenarioOut):
    facts: Facts
    bars: dict[str, int] = Field(description="bars each Gantt chart draws (stays, ports)")


class ViolationOut(Out):
    index: int
    rule: str
    start: str
    end: str
    message: str
    flights: list[str]
    people: list[str]


class CheckOut(Out):
    violations: list[ViolationOut]
    summary: dict[str, Any]


class LedgerOut(Out):
    agreement: str
    parties: list[str]
    per_year: dict[int, dict[str, int]] = Field(
        description="year -> party -> seats that party received on the other's vehicles")
    totals: dict[str, int]
    flights: list[dict[str, Any]]


class ExportLink(Out):
    title: str
    href: str
    media_type: str


class ExportsOut(Out):
    files: list[ExportLink]
    agency_calendars: list[ExportLink]
    person_calendars: list[ExportLink]
