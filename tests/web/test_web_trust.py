"""Trust in the stored history: hash chains that `mixedcrew audit verify` walks, REPLACE refused on
SQLite, a server role on PostgreSQL that cannot rewrite history, a corrupt file refused, backups."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

pytest.importorskip("fastapi", reason="the web extra is not installed: pip install 'mixedcrew[web]'")

from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.exc import DBAPIError  # noqa: E402
from typer.testing import CliRunner  # noqa: E402
from webtools import SMALL, TEST_KINDS, admin_client, seed_user  # noqa: E402

from mixedcrew.cli import app as cli_app  # noqa: E402
from mixedcrew.web.settings import WebSettings  # noqa: E402
from mixedcrew.web.storage import audit_log, history  # noqa: E402
from mixedcrew.web.storage.db import Database  # noqa: E402
from mixedcrew.web.storage.roles import grant_statements  # noqa: E402

T0 = datetime(2024, 1, 1, tzinfo=UTC)
DOCS = Path(__file__).resolve().parents[2] / "docs" / "web.md"


def mixedcrew(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli_app, list(args))
    return result.exit_code, result.stdout, result.stderr


def some_history(db_url: str, user: str = "esa") -> None:
    """Two scenarios, revisions and audit entries, written by the app itself."""
    settings = WebSettings(db_url=db_url)
    with admin_client(settings, kinds=TEST_KINDS) as c:
        for _ in range(2):
            sid = c.post("/api/scenarios", files={"file": ("small.toml", SMALL.read_bytes())}).json()["id"]
            r = c.post(f"/api/scenarios/{sid}/revisions", files={"file": ("small.toml", SMALL.read_bytes())})
            assert r.status_code == 201
        assert c.post("/api/users", json={"name": user, "agency": "ESA", "password": "long enough pw"}
                      ).status_code == 201


def verify(db_url: str) -> tuple[int, str]:
    code, out, err = mixedcrew("audit", "verify", "--db", db_url)
    return code, (out + err).strip()


# --- hash chains ------------------------------------------------------------------------------


def test_an_honest_history_verifies(db_url: str):
    some_history(db_url)
    code, said = verify(db_url)
    assert code == 0, said
    assert said.startswith("history verifies:") and "revisions of 2 scenarios; audit head " in said


def test_appends_chain_each_entry_to_the_one_before(db_url: str):
    db = Database.open(db_url)
    try:
        with db.transaction() as s:
            sc = history.add_scenario(s, name="x", filename="x.toml", source=b"a", now=T0)
            history.add_revision(s, sc.id, filename="x.toml", source=b"b", now=T0)
            for n in range(3):
                audit_log.append_audit(s, at=T0, actor="alice", action="edit", entity=f"person:{n}",
                                       after={"n": n, "t": (1, 2)}, keys=[f"person:{n}"])
        with db.reading() as s:
            audit = s.execute(text("SELECT prev_hash, hash FROM audit_log ORDER BY id")).all()
            revs = s.execute(text("SELECT prev_hash, hash FROM scenario_revisions ORDER BY number")).all()
    finally:
        db.dispose()
    for rows in (audit, revs):
        assert rows[0][0] == "0" * 64
        assert all(later[0] == earlier[1] for earlier, later in zip(rows, rows[1:], strict=False))
        assert len({h for _, h in rows}) == len(rows)


def _drop_sqlite_triggers(url: str) -> None:
    """What anyone with the file can do: the triggers are only a fence for honest code."""
    engine = create_engine(url)
    with engine.begin() as conn:
        for (name,) in conn.execute(text("SELECT name FROM sqlite_master WHERE type = 'trigger'")).all():
            conn.execute(text(f"DROP TRIGGER {name}"))
    engine.dispose()


def test_sqlite_refuses_replace_and_upserts_over_history(tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'h.db'}"
    some_history(url)
    engine = create_engine(url)
    forged = [
        "INSERT OR REPLACE INTO audit_log (id, at, actor, action, entity, keys, note, prev_hash, hash) "
        "SELECT id, at, 'mallory', action, entity, keys, note, prev_hash, hash FROM audit_log WHERE id = 1",
        "REPLACE INTO audit_log (id, at, actor, action, entity, keys, note, prev_hash, hash) "
        "SELECT id, at, 'mallory', action, entity, keys, note, prev_hash, hash FROM audit_log WHERE id = 1",
        "INSERT INTO audit_log (id, at, actor, action, entity, keys, note, prev_hash, hash) "
        "SELECT id, at, actor, action, entity, keys, note, prev_hash, hash FROM audit_log WHERE id = 1 "
        "ON CONFLICT(id) DO UPDATE SET actor = 'mallory'",
        "INSERT OR REPLACE INTO scenario_revisions (scenario_id, number, filename, source, sha256, size, "
        "created_at, note, prev_hash, hash) SELECT scenario_id, number, filename, x'00', sha256, size, "
        "created_at, note, prev_hash, hash FROM scenario_revisions WHERE scenario_id = 1 AND number = 1",
        "UPDATE scenario_revisions SET source = x'00'",
        "DELETE FROM scenario_revisions",
    ]
    try:
        for sql in forged:
            with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
                conn.execute(text(sql))
        with engine.connect() as conn:
            assert conn.scalar(text("SELECT count(*) FROM audit_log WHERE actor = 'mallory'")) == 0
    finally:
        engine.dispose()
    assert verify(url)[0] == 0


def test_verify_names_a_row_replaced_behind_the_apps_back_on_sqlite(tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'h.db'}"
    some_history(url)
    _drop_sqlite_triggers(url)
    engine = create_engine(url)
    with engine.begin() as conn:  # a forged actor stands in row 2, its old hashes kept
        conn.execute(text("REPLACE INTO audit_log (id, at, actor, action, entity, keys, note, prev_hash, "
                          "hash) SELECT id, at, 'mallory', action, entity, keys, note, prev_hash, hash "
                          "FROM audit_log WHERE id = 2"))
    engine.dispose()
    code, said = verify(url)
    assert code == 1
    assert said == ("mixedcrew audit verify: audit entry 2 does not verify: its content is not what was "
                    "written (the row was rewritten)")


def test_verify_names_a_revision_whose_bytes_were_swapped_on_sqlite(tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'h.db'}"
    some_history(url)
    _drop_sqlite_triggers(url)
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE scenario_revisions SET source = x'2320666f72676564' "
                          "WHERE scenario_id = 2 AND number = 2"))
    engine.dispose()
    code, said = verify(url)
    assert code == 1 and "revision 2 of scenario 2 does not verify" in said


def test_verify_notices_a_removed_entry_on_sqlite(tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'h.db'}"
    some_history(url)
    _drop_sqlite_triggers(url)
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_log WHERE id = 2"))
    engine.dispose()
    code, said = verify(url)
    assert code == 1 and "audit entry 3 does not verify: it does not follow the entry before it" in said


def test_verify_catches_a_trigger_disabled_update_by_the_owner_on_postgresql(postgres_url: str):
    some_history(postgres_url)
    engine = create_engine(postgres_url)
    with engine.begin() as conn:  # the owner can switch its own triggers off
        conn.execute(text("ALTER TABLE audit_log DISABLE TRIGGER USER"))
        conn.execute(text("UPDATE audit_log SET actor = 'mallory' WHERE id = 3"))
        conn.execute(text("ALTER TABLE audit_log ENABLE TRIGGER USER"))
    engine.dispose()
    code, said = verify(postgres_url)
    assert code == 1 and said.startswith("mixedcrew audit verify: audit entry 3 does not verify")


# --- least privilege on PostgreSQL ------------------------------------------------------------------


def _roles(postgres_server, name: str) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    """An owner role that migrates and a server role with the server's grants; their URLs."""
    owner, server = f"{name}_owner", f"{name}_server"
    admin = create_engine(postgres_server.url(), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"CREATE ROLE {owner} LOGIN"))
        conn.execute(text(f"CREATE ROLE {server} LOGIN"))
        conn.execute(text(f"CREATE DATABASE {name} OWNER {owner}"))
    admin.dispose()
    base = postgres_server.url(name)
    owner_url = base.replace(f"//{postgres_server.user}@", f"//{owner}@")
    server_url = base.replace(f"//{postgres_server.user}@", f"//{server}@")
    db = Database.open(owner_url)  # the migrations, as the owner
    db.dispose()
    code, out, err = mixedcrew("db", "grant", server, "--db", owner_url)
    assert code == 0, err
    return owner_url, server_url


def test_the_server_role_may_append_history_but_never_rewrite_it(postgres_server, tmp_path: Path):  # type: ignore[no-untyped-def]
    owner_url, server_url = _roles(postgres_server, "lp_a")
    some_history(server_url)  # the whole app works as the server role: uploads, revisions, users
    engine = create_engine(server_url)
    refused = ["UPDATE audit_log SET actor = 'mallory' WHERE id = 1", "DELETE FROM audit_log",
               "TRUNCATE audit_log", "UPDATE scenario_revisions SET note = 'forged'",
               "DELETE FROM scenario_revisions", "TRUNCATE scenario_revisions",
               "ALTER TABLE audit_log DISABLE TRIGGER USER", "ALTER TABLE audit_log DISABLE TRIGGER ALL",
               "DROP TRIGGER audit_log_no_change ON audit_log",
               "ALTER TABLE scenario_revisions DISABLE TRIGGER USER",
               "SET session_replication_role = replica", "ALTER TABLE audit_log OWNER TO CURRENT_USER",
               "CREATE TABLE sneaky (id int)"]
    try:
        for sql in refused:
            with pytest.raises(DBAPIError, match="(?i)permission denied|must be (the )?owner"), \
                    engine.begin() as conn:
                conn.execute(text(sql))
        with engine.connect() as conn:
            assert conn.scalar(text("SELECT count(*) FROM audit_log WHERE actor = 'mallory'")) == 0
    finally:
        engine.dispose()
    assert verify(server_url)[0] == 0


def test_the_server_role_cannot_migrate_and_says_who_must(postgres_server):  # type: ignore[no-untyped-def]
    """A database behind the head: the server's role may not change the schema; one line says how."""
    from mixedcrew.errors import DatabaseError
    from mixedcrew.web.storage.db import make_engine

    owner_url, server_url = _roles(postgres_server, "lp_b")
    engine = make_engine(owner_url)
    with engine.begin() as conn:  # as if the database were made by the previous version
        conn.execute(text("UPDATE alembic_version SET version_num = '0002'"))
    engine.dispose()
    with pytest.raises(DatabaseError, match="migrate as the tables' owner first: `mixedcrew db migrate"):
        Database.open(server_url)


def test_docs_show_the_grants_the_tests_use():
    """docs/web.md shows the statements `mixedcrew db grant` runs, so the setup shown is the one tested."""
    docs = DOCS.read_text(encoding="utf-8")
    for statement in grant_statements("mixedcrew_server"):
        assert statement in docs, statement


# --- a corrupt file refused, backups ------------------------------------------------------------------


def test_serve_refuses_a_corrupt_sqlite_file_in_one_line(tmp_path: Path):
    good = tmp_path / "good.db"
    url = f"sqlite:///{good}"
    some_history(url)
    bad = tmp_path / "bad.db"
    shutil.copy(good, bad)
    with bad.open("r+b") as f:  # past the header: the pages of the tables
        f.seek(4096)
        f.write(b"\xde\xad" * 4096)
    code, out, err = mixedcrew("serve", "--db", f"sqlite:///{bad}", "--port", "1")
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err
    assert f"database file {bad} is corrupt" in lines[0] and "mixedcrew db restore" in lines[0]


def test_backup_and_restore_bring_back_the_history(tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'live.db'}"
    token = seed_user(url)
    some_history(url)
    copy = tmp_path / "backups" / "copy.db"
    code, out, err = mixedcrew("db", "backup", str(copy), "--db", url)
    assert code == 0, err
    with admin_client(WebSettings(db_url=url)) as c:  # work after the backup, then lost by the restore
        c.post("/api/scenarios", files={"file": ("small.toml", SMALL.read_bytes())})
        assert len(c.get("/api/scenarios").json()) == 3
    code, out, err = mixedcrew("db", "restore", str(copy), "--db", url)
    assert code == 0, err
    with admin_client(WebSettings(db_url=url)) as c:
        assert len(c.get("/api/scenarios", headers={"Authorization": f"Bearer {token}"}).json()) == 2
    assert verify(url)[0] == 0


def test_restore_refuses_a_damaged_backup_and_keeps_the_database(tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'live.db'}"
    some_history(url)
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"SQLite format 3\x00" + b"\x00" * 200)
    code, out, err = mixedcrew("db", "restore", str(junk), "--db", url)
    assert code == 2 and "nothing restored" in err and len(err.strip().splitlines()) == 1
    assert verify(url)[0] == 0


def test_backup_of_postgresql_points_to_pg_dump(postgres_url: str, tmp_path: Path):
    code, out, err = mixedcrew("db", "backup", str(tmp_path / "x.db"), "--db", postgres_url)
    assert code == 2 and "pg_dump" in err


def test_a_noted_head_catches_the_newest_entries_cut_off(tmp_path: Path):
    """A chain alone cannot tell that its newest entries were removed; the head noted from an earlier
    verify can: `--since HEAD` fails once the chain no longer passes through it."""
    url = f"sqlite:///{tmp_path / 'h.db'}"
    some_history(url)
    code, said = verify(url)
    head = said.rsplit("audit head ", 1)[1]
    assert code == 0 and len(head) == 64
    some_history(url, user="esa2")  # more history after the head was noted: it still passes through it
    assert mixedcrew("audit", "verify", "--db", url, "--since", head)[0] == 0
    _drop_sqlite_triggers(url)
    engine = create_engine(url)
    with engine.begin() as conn:  # cut the chain back to before the noted head
        last = conn.scalar(text("SELECT id FROM audit_log WHERE hash = :h"), {"h": head})
        conn.execute(text("DELETE FROM audit_log WHERE id >= :id"), {"id": last})
    engine.dispose()
    assert verify(url)[0] == 0  # what is left is a sound chain...
    code, out, err = mixedcrew("audit", "verify", "--db", url, "--since", head)
    assert code == 1 and "no longer passes through it" in err  # ...but not the one that was noted
