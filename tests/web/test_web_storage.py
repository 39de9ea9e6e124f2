"""Storage on SQLite and on PostgreSQL: migrations, exact bytes, revisions, job states, transactions."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest

pytest.importorskip("sqlalchemy", reason="the web extra is not installed: pip install 'mixedcrew[web]'")

from sqlalchemy import select, text  # noqa: E402
from sqlalchemy.exc import DBAPIError, IntegrityError  # noqa: E402

from mixedcrew.web.jobs import store as job_store  # noqa: E402
from mixedcrew.web.storage import history, records  # noqa: E402
from mixedcrew.web.storage.db import Database, current_revision, head_revision, migrate  # noqa: E402
from mixedcrew.web.storage.tables import Base, JobRow, ScenarioRow  # noqa: E402

T0 = datetime(2024, 1, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def db(db_url: str):
    database = Database.open(db_url)
    yield database
    database.dispose()


def test_migrations_reach_head_and_match_the_tables(db: Database):
    """After the shipped migrations the schema is exactly what tables.py declares."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    assert current_revision(db.engine) == head_revision()
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata)
    assert diff == []
    migrate(db.engine)  # a second start changes nothing
    assert current_revision(db.engine) == head_revision()


def test_source_bytes_come_back_exactly(db: Database):
    """A stored file is returned byte for byte: BOM, CRLF line ends, non-ASCII, comments."""
    raw = "\ufeff# Гагарин\r\n[scenario]\r\nname = \"Ψ\"\r\n".encode()
    with db.transaction() as s:
        saved = history.add_scenario(s, name="x", filename="x.toml", source=raw, now=T0)
    with db.reading() as s:
        rev = history.get_revision(s, saved.id)
        listed = history.list_scenarios(s)
    assert rev is not None and rev.source == raw and rev.size == len(raw)
    assert [x.id for x in listed] == [saved.id]
    assert listed[0].created_at == T0 and listed[0].created_at.tzinfo is not None


def test_revisions_append_and_the_head_moves(db: Database):
    with db.transaction() as s:
        sc = history.add_scenario(s, name="x", filename="a.toml", source=b"a", now=T0)
        history.add_revision(s, sc.id, filename="b.toml", source=b"b", now=T0 + timedelta(hours=1))
    with db.reading() as s:
        head = history.get_scenario(s, sc.id)
        first, latest = history.get_revision(s, sc.id, 1), history.get_revision(s, sc.id)
    assert head is not None and head.head == 2 and head.filename == "b.toml"
    assert head.updated_at == T0 + timedelta(hours=1)
    assert first is not None and first.source == b"a" and latest is not None and latest.source == b"b"


def test_concurrent_appends_get_distinct_numbers(db: Database):
    """Revision numbers stay unique and gapless when several writers append at once."""
    with db.transaction() as s:
        sc = history.add_scenario(s, name="x", filename="a.toml", source=b"0", now=T0)
    errors: list[BaseException] = []

    def append(i: int) -> None:
        try:
            for _ in range(5):
                with db.transaction() as s:
                    history.add_revision(s, sc.id, filename=f"{i}.toml", source=str(i).encode(), now=T0)
        except BaseException as err:  # noqa: BLE001 - reported below
            errors.append(err)

    threads = [threading.Thread(target=append, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with db.reading() as s:
        numbers = [r.number for r in (history.get_revision(s, sc.id, n) for n in range(1, 22)) if r]
        assert history.get_scenario(s, sc.id).head == 21  # type: ignore[union-attr]
    assert numbers == list(range(1, 22))


def test_a_failed_transaction_leaves_nothing(db: Database):
    """An error after the first row is written rolls every row back."""
    with pytest.raises(RuntimeError), db.transaction() as s:
        history.add_scenario(s, name="x", filename="a.toml", source=b"a", now=T0)
        raise RuntimeError("crash in the middle")
    with db.reading() as s:
        assert history.list_scenarios(s) == []
        assert s.scalar(text("SELECT count(*) FROM scenario_revisions")) == 0


def test_constraints_refuse_impossible_rows(db: Database):
    with db.transaction() as s:
        sc = history.add_scenario(s, name="x", filename="a.toml", source=b"a", now=T0)
    with pytest.raises(IntegrityError), db.transaction() as s:
        s.add(JobRow(scenario_id=sc.id, revision=1, kind="check", params={}, state="lost", progress=0,
                     message="", cancel_requested=False, created_at=T0))
    with pytest.raises(IntegrityError), db.transaction() as s:
        s.add(JobRow(scenario_id=999, revision=1, kind="check", params={}, state="queued", progress=0,
                     message="", cancel_requested=False, created_at=T0))


def _job(db: Database, runner: str = "me", at: datetime = T0) -> records.StoredJob:
    with db.transaction() as s:
        sc = history.add_scenario(s, name="x", filename="a.toml", source=b"a", now=at)
        return job_store.create_job(s, scenario_id=sc.id, revision=1, kind="check", params={"a": [1]},
                                runner=runner, now=at)


def test_job_lifecycle(db: Database):
    job = _job(db)
    assert job.state == "queued" and job.params == {"a": [1]}
    with db.transaction() as s:
        assert job_store.start_job(s, job.id, runner="me", now=T0)
        assert not job_store.start_job(s, job.id, runner="me", now=T0)  # only once
        assert job_store.record_progress(s, job.id, progress=0.5, message="half", now=T0) is False
    with db.transaction() as s:
        assert job_store.finish_job(s, job.id, state="succeeded", now=T0, message="ok", result={"n": 1})
        assert not job_store.finish_job(s, job.id, state="failed", now=T0, message="late")
    with db.reading() as s:
        done = job_store.get_job(s, job.id)
    assert done is not None and done.state == "succeeded" and done.progress == 1.0
    assert done.result == {"n": 1} and done.finished


def test_cancel_queued_is_immediate_and_running_is_asked(db: Database):
    queued, running = _job(db), _job(db)
    with db.transaction() as s:
        job_store.start_job(s, running.id, runner="me", now=T0)
    with db.transaction() as s:
        a = job_store.request_cancel(s, queued.id, now=T0)
        b = job_store.request_cancel(s, running.id, now=T0)
        assert job_store.request_cancel(s, 9999, now=T0) is None
    assert a is not None and a.state == "cancelled"
    assert b is not None and b.state == "running" and b.cancel_requested
    with db.transaction() as s:
        assert not job_store.start_job(s, queued.id, runner="me", now=T0)  # never starts
        assert job_store.record_progress(s, running.id, progress=0.1, message=None, now=T0) is True
        assert job_store.heartbeat(s, runner="me", now=T0) == [running.id]


def test_jobs_of_a_dead_server_are_queued_again_for_this_one(db: Database):
    """Unfinished jobs without a heartbeat since the cut-off are queued again for the calling server
    (counted in `resumed`); its own and fresh ones are left alone; a stop asked for is honoured."""
    dead, mine, fresh = _job(db, "dead"), _job(db, "me"), _job(db, "other", at=T0 + timedelta(hours=1))
    stopped = _job(db, "dead")
    with db.transaction() as s:
        job_store.start_job(s, dead.id, runner="dead", now=T0)
        job_store.record_progress(s, dead.id, progress=0.5, message="half", now=T0)
        job_store.start_job(s, stopped.id, runner="dead", now=T0)
        job_store.request_cancel(s, stopped.id, now=T0)  # running: its server was to stop it
    with db.transaction() as s:
        again, finished = job_store.resume_orphaned_jobs(s, now=T0 + timedelta(hours=1), runner="me",
                                                         stale_before=T0 + timedelta(minutes=30),
                                                         max_resumes=3)
    assert [j.id for j in again] == [dead.id] and finished == [stopped.id]
    row = again[0]
    assert (row.state, row.progress, row.resumed, row.started_at) == ("queued", 0.0, 1, None)
    assert row.message.startswith("resumed: queued again after the server stopped")
    with db.reading() as s:
        assert job_store.get_job(s, mine.id).state == "queued"  # type: ignore[union-attr]
        assert job_store.get_job(s, fresh.id).state == "queued"  # type: ignore[union-attr]
        assert job_store.get_job(s, stopped.id).state == "cancelled"  # type: ignore[union-attr]
    with db.transaction() as s:  # the dead server's late finish does not count: the job is queued
        assert not job_store.finish_job(s, dead.id, state="succeeded", now=T0, message="late")
    with db.transaction() as s:  # the new server can start it
        assert job_store.start_job(s, dead.id, runner="me", now=T0 + timedelta(hours=1))


def test_a_job_resumed_too_often_is_failed_with_the_reason(db: Database):
    job = _job(db, "dead")
    with db.transaction() as s:
        job_store.start_job(s, job.id, runner="dead", now=T0)
        s.execute(text("UPDATE jobs SET resumed = 3"))
    with db.transaction() as s:
        again, finished = job_store.resume_orphaned_jobs(s, now=T0 + timedelta(hours=1), runner="me",
                                                         stale_before=T0 + timedelta(minutes=30),
                                                         max_resumes=3)
    assert again == [] and finished == [job.id]
    with db.reading() as s:
        row = job_store.get_job(s, job.id)
    assert row is not None and row.state == "failed" and "4 times: the job may be what stops it" in (
        row.error or "")


def test_a_scenarios_history_cannot_be_deleted(db: Database):
    """Revisions are append-only (migration 0003): deleting the scenario, which would cascade to its
    revisions, is refused by the database, and nothing is removed."""
    job = _job(db)
    with pytest.raises(DBAPIError, match="append-only"), db.transaction() as s:
        s.delete(s.get(ScenarioRow, job.scenario_id))
        s.flush()
    with db.reading() as s:
        assert len(s.scalars(select(JobRow)).all()) == 1
        assert s.scalar(text("SELECT count(*) FROM scenario_revisions")) == 1
