"""What a request may do with branches, in domain words.

A branch is a stored scenario of its own, made from a revision of another
(its origin) under a name: edits, jobs and what-if re-plans on it never
touch the origin. Its making is the `branch` row of the audit log; a what-if
job's saved re-plan is a branch of the revision the job ran on. Comparing
two scenarios, and proposing a branch back to its origin as one change (the
same approvals as any change), are here too.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from mixedcrew.domain import Scenario
from mixedcrew.web.branches import store
from mixedcrew.web.branches.ops import ops_between
from mixedcrew.web.deps import Library, Principal, audit_by
from mixedcrew.web.errors import FieldError, Invalid, NotFound
from mixedcrew.web.storage import history
from mixedcrew.web.storage.audit_log import file_facts
from mixedcrew.web.storage.db import Database
from mixedcrew.web.storage.records import utcnow

MAX_NAME = 200

# How a change reaches another feature (editing): registered by app.py, so no feature imports another.
Propose = Callable[[Principal, int, list[dict[str, Any]], str, int | None], Any]


@dataclass(frozen=True)
class Branch:
    id: int  # the branch's own scenario
    name: str
    of: int  # the scenario it was made from
    revision: int  # ... at this revision
    job: int | None = None  # the what-if job that made it, if one did


class Branches:
    def __init__(self, db: Database, library: Library):
        self.db = db
        self.library = library

    def _all(self) -> list[Branch]:
        with self.db.reading() as session:
            copies = store.branch_rows(session)
            jobs = store.whatif_outputs(session)
        found = [Branch(sid, str(after.get("name", "")), int(after["of"]), int(after["revision"]))
                 for sid, after in copies if "of" in after and "revision" in after]
        for job, of, revision, output, params in jobs:
            events = ", ".join(str(e.get("id", "?")) for e in params.get("events", []))
            found.append(Branch(output, str(params.get("name") or f"what if {events}"), of, revision, job))
        return found

    def branch(self, who: Principal, scenario_id: int, revision: int | None, name: str) -> Branch:
        """Copy a revision (default: the latest) into a new scenario named `name`."""
        self.library.member(who, scenario_id, "write")
        name = " ".join(name.split())[:MAX_NAME]
        if not name:
            raise Invalid([FieldError(("form", "name"), "a branch needs a name", "value_error")])
        with self.db.transaction() as session:
            rev = history.get_revision(session, scenario_id, revision)
            if rev is None:
                raise NotFound("revision", f"{scenario_id}/{revision}")
            now = utcnow()
            saved = history.add_scenario(session, name=name, filename=rev.filename, source=rev.source,
                                         now=now)
            audit_by(session, who, now, "branch", f"scenario:{saved.id}", scenario_id=saved.id, revision=1,
                     after={"of": scenario_id, "revision": rev.number, "name": name,
                            **file_facts(rev.source, rev.filename)}, keys=["*"])
        return Branch(saved.id, name, scenario_id, rev.number)

    def branches_of(self, who: Principal, scenario_id: int) -> list[Branch]:
        """The branches made from a scenario that `who` may read, oldest first."""
        self.library.member(who, scenario_id)
        return [b for b in self._all() if b.of == scenario_id and self.library.visible(who, b.id)]

    def risk_figures(self, job_id: int) -> dict[str, Any] | None:
        """The paired risk figures of the what-if job that made a branch (read with the branch)."""
        with self.db.reading() as session:
            result = store.job_result(session, job_id)
        figures = (result or {}).get("figures")
        return figures if isinstance(figures, dict) else None

    def latest_risk(self, who: Principal, scenario_id: int) -> dict[str, Any] | None:
        """The newest risk run that succeeded on a scenario's latest revision: job, parameters, figures."""
        stored = self.library.scenario(who, scenario_id)
        with self.db.reading() as session:
            found = store.latest_risk(session, scenario_id, stored.head)
        if found is None:
            return None
        job, params, result = found
        return {"job": job, "trials": params.get("trials", 10_000), "seed": params.get("seed", 0),
                "window": [params.get("from"), params.get("until")], "figures": result.get("figures") or [],
                "headline": result.get("headline", "")}

    def origin(self, who: Principal, scenario_id: int) -> Branch | None:
        """Where a scenario was branched from (None: it was uploaded)."""
        self.library.member(who, scenario_id)
        return next((b for b in self._all() if b.id == scenario_id), None)

    def pair(self, who: Principal, scenario_id: int,
             other: int | None) -> tuple[int, Scenario, int, Scenario]:
        """(base id, base, branch id, branch): `other` against `scenario_id`, or the scenario against
        its origin when `other` is left out."""
        if other is None:
            found = self.origin(who, scenario_id)
            if found is None:
                raise Invalid([FieldError(("query", "with"), (
                    f"scenario {scenario_id} is not a branch: name the scenario to compare it with "
                    f"(?with=ID)"), "value_error")])
            base = found.of
        else:
            base = other
        a = self.library.view(who, base).scenario
        b = self.library.view(who, scenario_id).scenario
        return base, a, scenario_id, b

    def propose_back(self, who: Principal, scenario_id: int, propose: Propose) -> tuple[int, Any]:
        """What the branch changed since the revision it came from, sent to the origin as one change
        made against that revision: a later change of the origin to the same things makes it stale
        (409), as for any proposal; other later changes stay."""
        self.library.member(who, scenario_id, "write")
        found = self.origin(who, scenario_id)
        if found is None:
            raise Invalid([FieldError(("path", "scenario_id"), (
                f"scenario {scenario_id} is not a branch: there is nothing to propose it back to"),
                "value_error")])
        self.library.member(who, found.of, "write")
        # what the branch changed since it left: later changes to the origin are not undone
        start = self.library.scenario_at(found.of, found.revision)
        ops = ops_between(start, self.library.view(who, scenario_id).scenario)
        if not ops:
            raise Invalid([FieldError(("path", "scenario_id"), (
                f"branch {found.name!r} does not differ from scenario {found.of}: nothing to propose"),
                "value_error")])
        return found.of, propose(who, found.of, ops, f"from branch {found.name!r} (scenario {scenario_id})",
                                 found.revision)
