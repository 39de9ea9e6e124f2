"""Where branches are written down: the audit row that made each one (action `branch`), and the
what-if jobs whose re-planned manifests were saved; each function runs in the caller's transaction.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from mixedcrew.web.storage.tables import AuditRow, JobRow


def branch_rows(session: Session) -> list[tuple[int, dict[str, Any]]]:
    """(branch scenario id, what its `branch` audit row says: of, revision, name), oldest first."""
    rows = session.execute(select(AuditRow.scenario_id, AuditRow.after)
                           .where(AuditRow.action == "branch").order_by(AuditRow.id))
    return [(sid, after) for sid, after in rows if sid is not None and isinstance(after, dict)]


def latest_risk(session: Session, scenario_id: int, revision: int) -> tuple[int, dict[str, Any],
                                                                          dict[str, Any]] | None:
    """(job id, params, result) of the newest risk job that succeeded on this revision."""
    found = session.execute(select(JobRow.id, JobRow.params, JobRow.result)
                            .where(JobRow.kind == "risk", JobRow.scenario_id == scenario_id,
                                   JobRow.revision == revision, JobRow.state == "succeeded")
                            .order_by(JobRow.id.desc()).limit(1)).first()
    return (found[0], found[1] or {}, found[2] or {}) if found else None


def job_result(session: Session, job_id: int) -> dict[str, Any] | None:
    found = session.execute(select(JobRow.result).where(JobRow.id == job_id)).scalar_one_or_none()
    return found if isinstance(found, dict) else None


def whatif_outputs(session: Session) -> list[tuple[int, int, int, int, dict[str, Any]]]:
    """(job id, scenario id, revision, output scenario id, params) of what-if jobs that saved a manifest."""
    rows = session.execute(select(JobRow.id, JobRow.scenario_id, JobRow.revision, JobRow.output_scenario_id,
                                  JobRow.params)
                           .where(JobRow.kind == "whatif", JobRow.output_scenario_id.is_not(None))
                           .order_by(JobRow.id))
    return [(j, s, r, o, p or {}) for j, s, r, o, p in rows]
