"""Changes, proposals and the audit log of a scenario: the rules of issue 6 put to the database.

A change that needs no other agency's consent becomes a new revision at
once; one that does is stored as a proposal, applied when every agency it
concerns has approved, on the head as it is then. Either side may reject.
A proposal whose people, seats or flights a later revision touched is
stale: approving it is refused with the reason. Each write takes the
scenario's row lock first, so changes to one scenario apply one after the
other and none is lost; every one of them leaves audit rows in the same
transaction.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from sqlalchemy.orm import Session

from mixedcrew.domain import Scenario
from mixedcrew.io.scenario_file import dump_scenario
from mixedcrew.web.deps import Library, Principal, audit_by
from mixedcrew.web.editing import store
from mixedcrew.web.editing.changes import ChangeIn, Planned, authorise, overlaps, plan_change
from mixedcrew.web.errors import Conflict, FieldError, Forbidden, Invalid, NotFound
from mixedcrew.web.storage import audit_log, history, records
from mixedcrew.web.storage.db import Database
from mixedcrew.web.storage.records import utcnow


@dataclass(frozen=True)
class Outcome:
    """What a change became: a revision (applied) or a proposal waiting for approvals."""

    applied: bool
    revision: int | None
    proposal: records.StoredProposal | None
    effects: tuple[str, ...]


class Editing:
    def __init__(self, db: Database, library: Library):
        self.db = db
        self.library = library

    # -- inside a write transaction ----------------------------------------------------

    def _locked_head(self, session: Session, who: Principal, scenario_id: int) -> tuple[int, Scenario]:
        """Lock the scenario, check `who` has a part in it, and return its head."""
        head = history.lock_scenario(session, scenario_id)
        if head is None:
            raise NotFound("scenario", scenario_id)
        digest = history.revision_digest(session, scenario_id, head)
        assert digest is not None
        scenario = self.library.parsed_revision(scenario_id, head, digest[1], digest[2])
        if not who.is_admin and who.agency not in scenario.agency_by_id:
            raise Forbidden(f"{who.name} is a user of {who.agency}, which has no part in scenario "
                            f"{scenario_id}")
        return head, scenario

    def _stale_reason(self, session: Session, scenario_id: int, base: int,
                      keys: tuple[str, ...] | frozenset[str], what: str) -> str | None:
        for entry in audit_log.audit_after_revision(session, scenario_id, base):
            key = overlaps(keys, entry.keys)
            if key is not None:
                by = f" by proposal {entry.proposal_id}" if entry.proposal_id else ""
                touched = "everything (a whole file)" if "*" in entry.keys else key
                return (f"{touched} was changed in revision {entry.revision} by {entry.actor}{by} "
                        f"({entry.action} {entry.entity}) after {what} was made against revision {base}")
        return None

    def _commit(self, session: Session, who: Principal, scenario_id: int, head: int, planned: Planned,
                note: str, action: str, proposal_id: int | None = None) -> int:
        """Store the planned scenario as the next revision, with one audit row per entity changed."""
        text = dump_scenario(planned.scenario).encode("utf-8")
        digest = history.revision_digest(session, scenario_id, head)
        assert digest is not None
        now = utcnow()
        rev = history.add_revision(session, scenario_id, filename=digest[2], source=text, now=now,
                                 note=f"{action} by {who.name}" + (f": {note}" if note else ""))
        for effect in planned.effects:
            audit_by(session, who, now, action=action, entity=effect.entity, scenario_id=scenario_id,
                     revision=rev.number, before=effect.before, after=effect.after,
                     keys=sorted(effect.keys), proposal_id=proposal_id, note=note)
        self.library.parsed.put(hashlib.sha256(text).hexdigest(), planned.scenario)
        return rev.number

    # -- changes ------------------------------------------------------------------------

    def submit(self, who: Principal, scenario_id: int, change: ChangeIn) -> Outcome:
        """Apply a change now when `who` may make it alone; otherwise store it as a proposal."""
        who.need("write")
        with self.db.transaction() as session:
            head, scenario = self._locked_head(session, who, scenario_id)
            planned = plan_change(scenario, change.ops)
            needs = authorise(planned, agency=who.agency, is_admin=who.is_admin)
            if change.base_revision is not None:
                if change.base_revision > head:
                    raise Invalid([FieldError(("body", "base_revision"), (
                        f"scenario {scenario_id} has no revision {change.base_revision} yet (its head is "
                        f"{head})"), "value_error")])
                why = self._stale_reason(session, scenario_id, change.base_revision, planned.keys,
                                         "this change")
                if why:
                    raise Conflict(f"not applied: {why}; look at revision {head} and send it again")
            effects = tuple(e.entity for e in planned.effects)
            if not needs:
                number = self._commit(session, who, scenario_id, head, planned, change.note, "edit")
                return Outcome(True, number, None, effects)
            proposal = store.add_proposal(
                session, scenario_id=scenario_id, base_revision=head, author_id=who.user_id, author=who.name,
                author_agency=who.agency, change=change.model_dump(mode="json", by_alias=True,
                                                                   exclude={"base_revision"}),
                keys=sorted(planned.keys), needs=needs, now=utcnow())
            audit_by(session, who, proposal.created_at, action="propose", entity=f"proposal:{proposal.id}",
                     scenario_id=scenario_id, proposal_id=proposal.id, note=change.note,
                     after={"change": proposal.change, "needs": needs, "base_revision": head})
            return Outcome(False, None, proposal, effects)

    # -- proposals ------------------------------------------------------------------------

    def _proposal_locked(self, session: Session, who: Principal,
                         proposal_id: int) -> tuple[records.StoredProposal, int, Scenario]:
        found = store.get_proposal(session, proposal_id)
        if found is None:
            raise NotFound("proposal", proposal_id)
        head, scenario = self._locked_head(session, who, found.scenario_id)
        locked = store.get_proposal(session, proposal_id, for_update=True)
        assert locked is not None
        if locked.state != "open":
            why = f": {locked.reason}" if locked.reason else ""
            raise Conflict(f"proposal {proposal_id} is {locked.state}, no longer open{why}")
        return locked, head, scenario

    def approve(self, who: Principal, proposal_id: int) -> records.StoredProposal:
        """Record `who`'s agency's approval; with the last one the change applies, or is refused as stale."""
        who.need("write")
        stale = None
        with self.db.transaction() as session:
            p, head, scenario = self._proposal_locked(session, who, proposal_id)
            if who.agency not in p.needs:
                asked = ", ".join(p.needs)
                raise Forbidden(f"proposal {proposal_id} waits for the approval of {asked}; "
                                f"{who.name} ({who.side}) cannot give it")
            if who.agency in p.approvals:
                raise Conflict(f"{who.agency} has already approved proposal {proposal_id}; it waits for "
                               f"{', '.join(p.waiting_for)}")
            approvals = [*p.approvals, who.agency]
            now = utcnow()
            audit_by(session, who, now, action="approve", entity=f"proposal:{p.id}",
                     scenario_id=p.scenario_id, proposal_id=p.id,
                     before={"approvals": list(p.approvals)}, after={"approvals": approvals})
            values: dict[str, Any] = {"approvals": approvals}
            if not set(p.needs) <= set(approvals):
                store.update_open_proposal(session, p.id, **values)
            else:
                planned, stale = self._replay(session, p, head, scenario, approvals)
                values.update(decided_by=who.name, decided_at=now)
                if planned is None:
                    values.update(state="stale", reason=stale)
                    audit_by(session, who, now, action="refuse", entity=f"proposal:{p.id}",
                             scenario_id=p.scenario_id, before={"state": "open"},
                             after={"state": "stale", "reason": stale}, proposal_id=p.id)
                else:
                    number = self._commit(session, who, p.scenario_id, head, planned,
                                          p.change.get("note", ""), "apply", proposal_id=p.id)
                    values.update(state="applied", result_revision=number)
                store.update_open_proposal(session, p.id, **values)
            done = store.get_proposal(session, p.id)
        if stale is not None:
            raise Conflict(f"proposal {proposal_id} is stale and was not applied: {stale}")
        assert done is not None
        return done

    def _replay(self, session: Session, p: records.StoredProposal, head: int, scenario: Scenario,
                approvals: list[str]) -> tuple[Planned | None, str | None]:
        """The proposal's change planned on the head, or None and why it no longer applies."""
        why = self._stale_reason(session, p.scenario_id, p.base_revision, p.keys, "this proposal")
        if why:
            return None, why
        try:
            change = ChangeIn.model_validate(p.change)
            planned = plan_change(scenario, change.ops)
            needs = authorise(planned, agency=p.author_agency, is_admin=p.author_agency is None)
        except (Conflict, Invalid, Forbidden, ValidationError) as err:
            return None, f"it no longer applies to revision {head}: {err}"
        missing = sorted(set(needs) - set(approvals))
        if missing:
            return None, f"on revision {head} it also needs the approval of {', '.join(missing)}"
        return planned, None

    def reject(self, who: Principal, proposal_id: int, reason: str = "") -> records.StoredProposal:
        """Either side may reject: the proposing agency (or the administrators, for theirs) or one asked."""
        who.need("write")
        with self.db.transaction() as session:
            p, _, _ = self._proposal_locked(session, who, proposal_id)
            author_side = p.author_agency or "administrators"
            if who.side != author_side and who.agency not in p.needs:
                raise Forbidden(f"proposal {proposal_id} is between {author_side} and {', '.join(p.needs)}; "
                                f"{who.name} ({who.side}) cannot reject it")
            now = utcnow()
            store.update_open_proposal(session, p.id, state="rejected", reason=reason or None,
                                              decided_by=who.name, decided_at=now)
            audit_by(session, who, now, action="reject", entity=f"proposal:{p.id}", scenario_id=p.scenario_id,
                     before={"state": "open"}, after={"state": "rejected", "reason": reason},
                     proposal_id=p.id, note=reason)
            done = store.get_proposal(session, p.id)
        assert done is not None
        return done

    def proposal(self, who: Principal, proposal_id: int) -> records.StoredProposal:
        who.need("read")
        with self.db.reading() as session:
            found = store.get_proposal(session, proposal_id)
        if found is None:
            raise NotFound("proposal", proposal_id)
        self.library.member(who, found.scenario_id)
        return found

    def proposals(self, who: Principal, scenario_id: int, state: str | None = None
                  ) -> list[records.StoredProposal]:
        self.library.member(who, scenario_id)
        with self.db.reading() as session:
            return store.list_proposals(session, scenario_id=scenario_id, state=state)

    # -- audit ----------------------------------------------------------------------------

    def waiting_for(self, who: Principal) -> dict[int, int]:
        """Scenario id -> open proposals that wait for `who`'s agency's approval (none for administrators)."""
        if who.agency is None or not who.can("read"):
            return {}
        with self.db.reading() as session:
            found = store.list_proposals(session, state="open", limit=10_000)
        counts: dict[int, int] = {}
        for p in found:
            if who.agency in p.waiting_for and self.library.visible(who, p.scenario_id):
                counts[p.scenario_id] = counts.get(p.scenario_id, 0) + 1
        return counts

    def audit(self, who: Principal, scenario_id: int | None, *, after_id: int = 0,
              limit: int = 1000) -> list[records.AuditEntry]:
        """A scenario's audit entries (its members), or every entry (administrators)."""
        if scenario_id is None:
            who.need("read")
            who.need_admin("read the whole audit log (users and tokens included)")
        else:
            self.library.member(who, scenario_id)
        with self.db.reading() as session:
            return audit_log.list_audit(session, scenario_id=scenario_id, after_id=after_id, limit=limit)

