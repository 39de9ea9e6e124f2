"""What the JSON API accepts and returns. Built from store records and views, never from rows."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from mixedcrew.web.scenarios.store import StoredJob, StoredRevision, StoredScenario

JobState = Literal["queued", "running", "succeeded", "failed", "cancelled"]


class Out(BaseModel):
    model_config = ConfigDict(frozen=True)


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


class JobIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: str = Field(description="a kind listed by GET /api/job-kinds", examples=["check"])
    params: dict[str, Any] = Field(default={}, description="the kind's parameters")


class JobKindOut(Out):
    name: str
    title: str
    description: str
    available: bool
    unavailable_because: str | None
    params_schema: dict[str, Any]


class JobOut(Out):
    id: int
    scenario_id: int
    revision: int
    kind: str
    params: dict[str, Any]
    state: JobState
    progress: float = Field(ge=0, le=1)
    message: str
    result: dict[str, Any] | None
    error: str | None
    cancel_requested: bool
    output_scenario_id: int | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    links: dict[str, str]

    @classmethod
    def of(cls, j: StoredJob) -> JobOut:
        links = {"self": f"/api/jobs/{j.id}", "page": f"/jobs/{j.id}",
                 "scenario": f"/api/scenarios/{j.scenario_id}"}
        if j.output_scenario_id is not None:
            links["output"] = f"/api/scenarios/{j.output_scenario_id}"
        return cls(id=j.id, scenario_id=j.scenario_id, revision=j.revision, kind=j.kind, params=j.params,
                   state=j.state, progress=j.progress, message=j.message, result=j.result,  # type: ignore[arg-type]
                   error=j.error, cancel_requested=j.cancel_requested,
                   output_scenario_id=j.output_scenario_id, created_at=j.created_at,
                   started_at=j.started_at, finished_at=j.finished_at, links=links)


class ExportLink(Out):
    title: str
    href: str
    media_type: str


class ExportsOut(Out):
    files: list[ExportLink]
    agency_calendars: list[ExportLink]
    person_calendars: list[ExportLink]


class ErrorItem(Out):
    loc: list[str | int]
    msg: str
    type: str
    line: int | None = None


class ErrorOut(Out):
    detail: str | list[ErrorItem]


# The refusals every /api route can answer, for the OpenAPI document.
API_REFUSALS: dict[int | str, dict[str, object]] = {
    401: {"model": ErrorOut, "description": "no credential, or one unknown, expired or revoked"},
    403: {"model": ErrorOut, "description": "outside this user's rights (agency, scope, administrators)"},
    404: {"model": ErrorOut, "description": "unknown id"},
}
