"""What the jobs API accepts and returns.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from mixedcrew.web.deps import Out
from mixedcrew.web.storage.records import (
    StoredJob,
)

JobState = Literal["queued", "running", "succeeded", "failed", "cancelled"]


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
    resumed: int = Field(default=0, description="times a restart of the server queued it again")
    links: dict[str, str]

    @classmethod
    def of(cls, j: StoredJob) -> JobOut:
        links = {"self": f"/api/jobs/{j.id}", "page": f"/jobs/{j.id}",
                 "scenario": f"/api/scenarios/{j.scenario_id}"}
        if j.output_scenario_id is not None:
            links["output"] = f"/api/scenarios/{j.output_scenario_id}"
        return cls(id=j.id, scenario_id=j.scenario_id, revision=j.revision, kind=j.kind, params=j.params,
                   state=j.state, progress=j.progress, message=j.message, result=j.result,
                   error=j.error, cancel_requested=j.cancel_requested,
                   output_scenario_id=j.output_scenario_id, created_at=j.created_at,
                   started_at=j.started_at, finished_at=j.finished_at, resumed=j.resumed, links=links)
