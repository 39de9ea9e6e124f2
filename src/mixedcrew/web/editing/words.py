"""Changes, proposals and audit entries as sentences with names.

"NASA proposes to move Anna Kikina (ROSCOSMOS) from Crew-13 to Crew-14;
waiting for ROSCOSMOS": people by the name they go by and the agency they
belong to, flights by their label, never by ids. Names come from the
scenario given (its latest revision); something it no longer has (a person
removed since) falls back to the name the entry itself carries, else the id.
Pure functions: no HTTP, no database.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from mixedcrew.domain import Scenario

Data = dict[str, Any]


def person_words(s: Scenario | None, pid: str, fallback: Data | None = None) -> str:
    """Anna Kikina (ROSCOSMOS)."""
    p = s.person_by_id.get(pid) if s else None
    if p is not None:
        return f"{p.known_as or p.name} ({p.agency})"
    if fallback and fallback.get("name"):
        agency = f" ({fallback['agency']})" if fallback.get("agency") else ""
        return f"{fallback.get('known_as') or fallback['name']}{agency}"
    return pid


def flight_words(s: Scenario | None, fid: str | None) -> str:
    f = s.flight_by_id.get(fid) if s and fid else None
    return f.label if f is not None else str(fid)


def _ride(s: Scenario | None, up: str, down: str | None) -> str:
    if not down:
        return f"{flight_words(s, up)} (staying aboard)"
    if down == up:
        return flight_words(s, up)
    return f"{flight_words(s, up)}, down on {flight_words(s, down)}"


def _assign(s: Scenario | None, d: Data) -> str:
    flying = f", flying for {d['agency']}" if d.get("agency") else ""
    return f"assign {person_words(s, d['person'])} to {_ride(s, d['up'], d.get('down'))}{flying}"


def _move(s: Scenario | None, d: Data) -> str:
    # down left out: the move keeps the ride's shape (changes.Move), so there is nothing more to say
    to = _ride(s, d["up"], d["down"]) if d.get("down") else flight_words(s, d["up"])
    return f"move {person_words(s, d['person'])} from {flight_words(s, d['from'])} to {to}"


def _put_person(s: Scenario | None, d: Data) -> str:
    p = d.get("person") or {}
    known = s is not None and p.get("id") in s.person_by_id
    return f"{'replace' if known else 'add'} the person {person_words(None, str(p.get('id')), p)}"


def _set_flight(s: Scenario | None, d: Data) -> str:
    changed = [f"{k} to {v}" for k, v in d.items() if k not in ("op", "flight") and v is not None]
    return f"change {flight_words(s, d['flight'])}: {', '.join(changed) or 'nothing'}"


OPS: dict[str, Callable[[Scenario | None, Data], str]] = {
    "assign": _assign,
    "move": _move,
    "unassign": lambda s, d: f"take {person_words(s, d['person'])} off {flight_words(s, d['up'])}",
    "set_availability": lambda s, d: (
        f"set the availability of {person_words(s, d['person'])} to "
        f"{(d.get('available') or {}).get('from', 'any time')} .. "
        f"{(d.get('available') or {}).get('until', 'open')}"),
    "set_training": lambda s, d: f"set the training of {person_words(s, d['person'])}",
    "remove_person": lambda s, d: f"remove {person_words(s, d['person'])}",
    "put_person": _put_person,
    "set_flight": _set_flight,
    "remove_agreement": lambda s, d: f"remove the agreement {d.get('agreement')}",
}


def op_words(op: Any, s: Scenario | None = None) -> str:
    """One operation as a verb phrase: 'move Anna Kikina (ROSCOSMOS) from Crew-13 to Crew-14'."""
    data = op if isinstance(op, dict) else op.model_dump(mode="json", by_alias=True, exclude_none=True)
    kind = str(data.get("op"))
    try:
        return OPS[kind](s, data)
    except KeyError:  # the administrators' whole objects: put_flight, put_vehicle_type, ...
        target = next((v for k, v in data.items() if k != "op"), "")
        ident = target.get("id") if isinstance(target, dict) else target
        return f"{kind.replace('_', ' ').replace('put ', 'put the ')} {ident}"


def _side(agency: str | None) -> tuple[str, str]:
    return (agency, "s") if agency else ("The administrators", "")


def proposal_words(p: Any, s: Scenario | None = None) -> str:
    """NASA proposes to move Anna Kikina (ROSCOSMOS) from Crew-13 to Crew-14; waiting for ROSCOSMOS."""
    who, verb_s = _side(p.author_agency)
    what = "; ".join(op_words(op, s) for op in p.change.get("ops", [])) or "nothing"
    head = f"{who} propose{verb_s} to {what}"
    if p.state == "open":
        got = f"approved by {', '.join(p.approvals)}; " if p.approvals else ""
        return f"{head}; {got}waiting for {', '.join(p.waiting_for)}"
    if p.state == "applied":
        return f"{head}; approved by {', '.join(p.needs)} and applied as revision {p.result_revision}"
    if p.state == "rejected":
        why = f": {p.reason}" if p.reason else ""
        return f"{head}; rejected by {p.decided_by}{why}"
    return f"{head}; stale, not applied{': ' + p.reason if p.reason else ''}"


def _entity_words(s: Scenario | None, entity: str, before: Any, after: Any) -> str:
    kind, _, ident = entity.partition(":")
    if kind == "assignment":
        pid, _, up = ident.partition("@")
        old, new = before or {}, after or {}
        if new and not old:
            return f"assigned {person_words(s, pid)} to {_ride(s, up, new.get('down'))}"
        if old and not new:
            return f"took {person_words(s, pid)} off {flight_words(s, up)}"
        return f"changed the ride of {person_words(s, pid)} on {flight_words(s, up)}"
    if kind == "person":
        name = person_words(s, ident, after or before)
        if not before:
            return f"added {name}"
        if not after:
            return f"removed {name}"
        changed = sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))
        return f"changed {name}" + (f" ({', '.join(changed)})" if changed else "")
    if kind == "flight":
        return f"{'changed' if before else 'added'} {flight_words(s, ident)}"
    return f"changed {entity}"


def audit_words(e: Any, s: Scenario | None = None) -> str:
    """One audit entry as a sentence: 'nasa (NASA) assigned Anna Kikina (ROSCOSMOS) to Crew-14'."""
    who = f"{e.actor} ({e.agency})" if e.agency else e.actor
    after = e.after if isinstance(e.after, dict) else {}
    proposal = f"proposal {e.proposal_id}" if e.proposal_id else e.entity
    if e.action in ("edit", "apply"):
        via = f", as {proposal} was approved" if e.action == "apply" else ""
        return f"{who} {_entity_words(s, e.entity, e.before, e.after)}{via} (revision {e.revision})"
    if e.action == "propose":
        ops = (after.get("change") or {}).get("ops", [])
        what = "; ".join(op_words(op, s) for op in ops) or "a change"
        return f"{who} proposed to {what} ({proposal}, waiting for {', '.join(after.get('needs', []))})"
    if e.action == "approve":
        return f"{who} approved {proposal}"
    if e.action == "reject":
        why = f": {after['reason']}" if after.get("reason") else ""
        return f"{who} rejected {proposal}{why}"
    if e.action == "refuse":
        return f"{proposal} was refused as stale: {after.get('reason', '')}"
    if e.action in ("upload", "revision"):
        name = after.get("filename") or after.get("name") or "a file"
        return f"{who} uploaded {name} as revision {e.revision}"
    if e.action == "job.start":
        return f"{who} started a {after.get('kind', '')} job ({e.entity}) on revision {after.get('revision')}"
    if e.action == "job.stop":
        return f"{who} stopped {e.entity}"
    return f"{who}: {e.action} {e.entity}"
