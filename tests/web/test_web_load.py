"""Nothing lost under load or crash: 50 clients of four agencies against `mixedcrew serve`, on SQLite and
PostgreSQL; and a server killed with SIGKILL in the middle of writes, restarted on the same database.

The drill (tests/web/drill.py) checks afterwards that every acknowledged change holds in the revision it
made, that replaying the audit log gives every revision exactly, and that no seat holds two people and no
flight carries more than its seats. benchmarks/web_load.py runs the same drill for the full 60 s.
"""

from __future__ import annotations

import signal
import threading
import time
from pathlib import Path

import pytest

pytest.importorskip("fastapi", reason="the web extra is not installed: pip install 'mixedcrew[web]'")

import drill  # noqa: E402
import httpx  # noqa: E402

SECONDS = 5.0  # the benchmark runs 60 s; here a few seconds of the same load


def test_fifty_clients_lose_nothing_on_sqlite_and_postgresql(db_url: str, tmp_path: Path):
    """Edits, proposals, approvals and rejections at once: conflicts are answered 409, nothing is lost."""
    result = drill.drill(db_url, clients=50, seconds=SECONDS, seed=7, cwd=str(tmp_path))
    print("\n".join(result.lines()))
    assert result.problems == []
    assert result.server_errors == 0 and result.transport_errors == 0
    # every kind of request ran (how many depends on the machine's speed)
    assert result.acknowledged > 10 and result.proposals > 2, result.kinds
    assert {k.split()[0] for k in result.kinds} >= {"assign", "availability", "propose", "approve"}
    # the upload, then one revision per acknowledged change
    assert result.revisions == result.acknowledged + 1


def test_sigkill_in_the_middle_of_writes_loses_no_acknowledged_change(db_url: str, tmp_path: Path):
    """Writers keep going while the server is killed; after a restart every acknowledged change is there."""
    admin, tokens = drill.prepare(db_url)
    proc, base = drill.start_server(db_url, cwd=str(tmp_path))
    stop = threading.Event()
    outcome: dict[str, object] = {}
    try:
        sid = drill.upload(base, admin, drill.drill_scenario())

        def load() -> None:
            outcome["tally"], _ = drill.run_clients(base, tokens, sid, clients=16, seconds=60, seed=11,
                                                    stop=stop)

        writers = threading.Thread(target=load, daemon=True)
        writers.start()
        deadline = time.monotonic() + 30
        while True:  # kill once writes are flowing
            head = httpx.get(f"{base}/api/scenarios/{sid}", timeout=30,
                             headers={"Authorization": f"Bearer {admin}"}).json()["revision"]
            if head >= 30:
                break
            assert time.monotonic() < deadline, "the writers made no progress"
            time.sleep(0.05)
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
        time.sleep(0.3)  # the writers see their connections refused
        stop.set()
        writers.join(60)
        assert not writers.is_alive()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)
        proc.log.close()
    tally = outcome["tally"]
    assert tally.acks, "no change was acknowledged before the kill"  # type: ignore[attr-defined]

    proc, base = drill.start_server(db_url, cwd=str(tmp_path))  # restarts cleanly on the same database
    try:
        problems, revisions, _ = drill.verify(db_url, sid, tally)  # type: ignore[arg-type]
        assert problems == []
        assert revisions >= max(a.revision for a in tally.acks)  # type: ignore[attr-defined]
        auth = {"Authorization": f"Bearer {tokens['NASA']}"}
        r = httpx.post(f"{base}/api/scenarios/{sid}/changes", headers=auth, timeout=30, json={"ops": [
            {"op": "set_availability", "person": "nasa-0", "available": {"from": "2021-01-01"}}]})
        assert r.status_code == 201 and r.json()["revision"] == revisions + 1
    finally:
        drill.stop_server(proc)
    if db_url.startswith("sqlite"):
        import sqlite3

        with sqlite3.connect(db_url.removeprefix("sqlite:///")) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
