"""The audit log: every change, who, when, before and after, which proposal; readable per scenario,
exported as CSV; the database itself refuses to change or delete its rows (SQLite and PostgreSQL)."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime

import pytest

pytest.importorskip("sqlalchemy", reason="the web extra is not installed: pip install 'mixedcrew[web]'")

from sqlalchemy import text  # noqa: E402
from sqlalchemy.exc import DBAPIError  # noqa: E402
from webtools import SMALL, bearer, make_user  # noqa: E402

from mixedcrew.web.storage import audit_log, history  # noqa: E402
from mixedcrew.web.storage.db import Database  # noqa: E402
from mixedcrew.web.storage.tables import AuditRow  # noqa: E402

T0 = datetime(2024, 1, 1, tzinfo=UTC)


def test_the_database_refuses_to_change_or_delete_audit_rows(db_url: str):
    """Raw SQL, the ORM, TRUNCATE: each is refused by the database's own triggers; the row stays."""
    db = Database.open(db_url)
    try:
        with db.transaction() as s:
            sc = history.add_scenario(s, name="x", filename="x.toml", source=b"x", now=T0)
            audit_log.append_audit(s, at=T0, actor="alice", action="edit", entity="person:rubio",
                                      scenario_id=sc.id, revision=1, after={"name": "Rubio"},
                                      keys=["person:rubio"])
        attempts = ["UPDATE audit_log SET actor = 'mallory'",
                    "UPDATE audit_log SET after = NULL WHERE id > 0", "DELETE FROM audit_log"]
        if db_url.startswith("postgresql"):
            attempts.append("TRUNCATE audit_log")
        for sql in attempts:
            with pytest.raises(DBAPIError, match="append-only"), db.transaction() as s:
                s.execute(text(sql))
        with pytest.raises(DBAPIError, match="append-only"), db.transaction() as s:
            row = s.get(AuditRow, 1)
            assert row is not None
            s.delete(row)
            s.flush()
        # nor by deleting what the rows are about (the revisions refuse it, or the foreign key does)
        with pytest.raises(DBAPIError, match="(?i)foreign key|append-only"), db.transaction() as s:
            s.execute(text("DELETE FROM scenarios"))
        with db.reading() as s:
            rows = audit_log.list_audit(s)
            assert [(r.actor, r.after) for r in rows] == [("alice", {"name": "Rubio"})]
        with db.transaction() as s:  # appending goes on as before
            audit_log.append_audit(s, at=T0, actor="bob", action="edit", entity="person:mann")
        with db.reading() as s:
            assert audit_log.count_audit(s) == 2
    finally:
        db.dispose()


def test_every_change_is_audited_readable_and_exported(client):
    admin = dict(client.headers)
    sid = client.post("/api/scenarios", files={"file": ("small.toml", SMALL.read_bytes())}).json()["id"]
    accounts = client.app.state.accounts
    nasa, ros = bearer(make_user(accounts, "nasa", "NASA")), bearer(make_user(accounts, "ros", "ROSCOSMOS"))
    client.post(f"/api/scenarios/{sid}/changes", headers=nasa, json={"ops": [
        {"op": "set_availability", "person": "rubio", "available": {"from": "2022-01-01"}}], "note": "one"})
    pid = client.post(f"/api/scenarios/{sid}/changes", headers=nasa, json={"ops": [
        {"op": "unassign", "person": "kikina", "up": "SPXC5"}]}).json()["proposal"]["id"]
    client.post(f"/api/proposals/{pid}/approve", headers=ros)
    client.post(f"/api/scenarios/{sid}/revisions", headers=admin,
                files={"file": ("small.toml", SMALL.read_bytes())})
    job = client.post(f"/api/scenarios/{sid}/jobs", json={"kind": "check"}, headers=admin).json()

    entries = client.get(f"/api/scenarios/{sid}/audit", headers=nasa).json()
    assert [(e["action"], e["entity"], e["revision"], e["actor"]) for e in entries] == [
        ("upload", f"scenario:{sid}", 1, "admin"),
        ("edit", "person:rubio", 2, "nasa"),
        ("propose", f"proposal:{pid}", None, "nasa"),
        ("approve", f"proposal:{pid}", None, "ros"),
        ("apply", "assignment:kikina@SPXC5", 3, "ros"),
        ("revision", f"scenario:{sid}", 4, "admin"),
        ("job.start", f"job:{job['id']}", None, "admin")]
    edit, apply = entries[1], entries[4]
    assert edit["before"]["id"] == "rubio" and "available" not in edit["before"]
    assert edit["after"]["available"] == {"from": "2022-01-01T00:00:00Z"} and edit["note"] == "one"
    assert edit["agency"] == "NASA" and edit["at"].endswith("Z")
    assert apply["proposal_id"] == pid
    assert apply["before"] == {"person": "kikina", "up": "SPXC5", "down": "SPXC5"}
    assert apply["after"] is None and apply["keys"] == ["rides:kikina", "seats:SPXC5"]
    assert entries[5]["keys"] == ["*"] and entries[5]["after"]["size"] == len(SMALL.read_bytes())

    paged = client.get(f"/api/scenarios/{sid}/audit", params={"after": entries[2]["id"], "limit": 2},
                       headers=nasa).json()
    assert [e["id"] for e in paged] == [entries[3]["id"], entries[4]["id"]]

    exported = client.get(f"/api/scenarios/{sid}/audit.csv", headers=nasa)
    assert exported.status_code == 200 and exported.headers["content-type"].startswith("text/csv")
    assert 'filename="scenario-1-audit.csv"' in exported.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert [int(r["id"]) for r in rows] == [e["id"] for e in entries]
    assert json.loads(rows[1]["after"]) == edit["after"] and rows[4]["proposal_id"] == str(pid)

    page = client.get(f"/scenarios/{sid}/audit", headers={**nasa, "accept": "text/html"}).text
    assert page.count("<tr>") == len(entries) + 1 and "assignment:kikina@SPXC5" in page
    everything = client.get("/api/audit", params={"limit": 5000}).json()  # administrators: users too
    assert {"token.create", "user.add"} <= {e["action"] for e in everything}
