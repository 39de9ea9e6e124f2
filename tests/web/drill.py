"""A load drill: many clients of several agencies edit, propose and approve against a running server,
then the database is checked for what must hold. Used by benchmarks/web_load.py and the web tests.

What is checked afterwards (`verify`):

- every acknowledged change (201, or an approval answered 'applied') holds in the revision it made;
- revision numbers run 1..head without a gap, and replaying the audit log from revision 1 gives
  every later revision's people and assignments exactly: no change lost, none unaccounted for;
- in every revision no seat holds two people and no flight carries more than its seats;
- every proposal acknowledged (202) is stored, and each applied or refused one has its audit row.

Loopback only; every loop ends at its deadline.
"""

from __future__ import annotations

import random
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from mixedcrew.domain import Scenario
from mixedcrew.io.scenario_file import loads_scenario
from mixedcrew.web.editing import store as proposal_store
from mixedcrew.web.editing.seats import seat_problems
from mixedcrew.web.scenarios import store as scenario_store
from mixedcrew.web.storage import audit_log, history, records
from mixedcrew.web.storage.chain import Broken
from mixedcrew.web.storage.chain import verify as walk_chains
from mixedcrew.web.storage.db import Database

AGENCIES = {"NASA": "USOS", "ROSCOSMOS": "ROS", "JAXA": "USOS", "ESA": "USOS"}


def drill_scenario(people_per_agency: int = 10, flights: int = 16) -> bytes:
    """A station with Soyuz and Crew Dragon rotations (NASA–ROSCOSMOS seat exchange), nobody assigned."""
    parts = ['[scenario]\nname = "Load drill"\n', '[[stations]]\nid = "ISS"\n',
             '[[stations.segments]]\nid = "USOS"\n', '[[stations.segments]]\nid = "ROS"\n',
             '[[stations.crew]]\nfrom = 2020-01-01\nnominal = 7\nmaximum = 13\n']
    parts += [f'[[stations.ports]]\nid = "{p}"\ninterface = "{i}"\n'
              for p, i in (("rassvet", "SSVP"), ("poisk", "SSVP"), ("ida-2", "IDSS"), ("ida-3", "IDSS"))]
    parts += [f'[[agencies]]\nid = "{a}"\nhome_segment = "{seg}"\n' for a, seg in AGENCIES.items()]
    parts += ['[[vehicle_types]]\nid = "soyuz-ms"\noperator = "ROSCOSMOS"\nseats = 3\nmax_docked_days = 215\n'
              'docking = ["SSVP"]\n',
              '[[vehicle_types]]\nid = "crew-dragon"\noperator = "NASA"\nseats = 4\nmax_docked_days = 240\n'
              'docking = ["IDSS"]\n']
    parts += [f'[[certifications]]\nagency = "{a}"\nvehicle_type = "{v}"\nfrom = 2016-01-01\n'
              for a in AGENCIES for v in ("soyuz-ms", "crew-dragon")]
    for agency, segment in AGENCIES.items():
        for i in range(people_per_agency):
            parts.append(f'[[people]]\nid = "{agency.lower()}-{i}"\nname = "{agency.title()} {i}"\n'
                         f'agency = "{agency}"\nsegments = ["{segment}"]\n'
                         'trained = [{ vehicle_type = "soyuz-ms", ready = 2020-01-01 }, '
                         '{ vehicle_type = "crew-dragon", ready = 2020-01-01 }]\n')
    start = datetime(2024, 1, 1, tzinfo=UTC)
    for i in range(flights):
        soyuz = i % 2 == 0
        launch = start + timedelta(days=90 * (i // 2) + (0 if soyuz else 30))
        port = ("rassvet", "poisk")[i // 2 % 2] if soyuz else ("ida-2", "ida-3")[i // 2 % 2]
        at = [(launch + timedelta(days=d)).strftime("%Y-%m-%dT%H:%M:%SZ") for d in (0, 0.2, 180, 180.2)]
        parts.append(f'[[flights]]\nid = "{"MS" if soyuz else "CREW"}{i}"\n'
                     f'vehicle_type = "{"soyuz-ms" if soyuz else "crew-dragon"}"\nstation = "ISS"\n'
                     f'port = "{port}"\nlaunch = {at[0]}\ndock = {at[1]}\nundock = {at[2]}\nland = {at[3]}\n')
    parts.append('[[agreements]]\nid = "integrated-crews"\nparties = ["NASA", "ROSCOSMOS"]\n'
                 'from = 2020-01-01\n'
                 'quotas = [{ vehicle_type = "soyuz-ms", party = "NASA", per_flight = 1 }, '
                 '{ vehicle_type = "crew-dragon", party = "ROSCOSMOS", per_flight = 1 }]\n')
    return "\n".join(parts).encode("utf-8")


@dataclass(frozen=True)
class Ack:
    """A change the server acknowledged: it must hold in `revision`."""

    revision: int
    ops: tuple[dict[str, Any], ...]
    agency: str
    proposal_id: int | None = None


@dataclass
class Tally:
    requests: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    kinds: Counter[str] = field(default_factory=Counter)
    acks: list[Ack] = field(default_factory=list)
    proposals: list[int] = field(default_factory=list)
    transport_errors: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def count(self, kind: str, status: int) -> None:
        with self.lock:
            self.requests += 1
            self.statuses[status] += 1
            self.kinds[f"{kind} {status}"] += 1


@dataclass
class DrillReport:
    clients: int
    seconds: float
    requests: int
    statuses: dict[int, int]
    kinds: dict[str, int]
    acknowledged: int
    proposals: int
    revisions: int
    audit_rows: int
    transport_errors: int
    problems: list[str]

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def conflicts(self) -> int:
        return self.statuses.get(409, 0)

    @property
    def server_errors(self) -> int:
        return sum(n for s, n in self.statuses.items() if s >= 500)

    def lines(self) -> list[str]:
        by_status = ", ".join(f"{s}: {n}" for s, n in sorted(self.statuses.items()))
        return [f"{self.clients} clients for {self.seconds:.1f} s: {self.requests} requests, "
                f"{self.per_second:.1f} requests/s",
                f"answers by status: {by_status}",
                f"409 conflicts: {self.conflicts}; server errors: {self.server_errors}; "
                f"transport errors: {self.transport_errors}",
                f"acknowledged changes: {self.acknowledged}; proposals stored: {self.proposals}; "
                f"revisions: {self.revisions}; audit rows: {self.audit_rows}",
                "checks: " + ("all hold" if not self.problems else f"{len(self.problems)} problems")]


class Client:
    """One planner of one agency, acting at random until the deadline."""

    def __init__(self, base: str, token: str, agency: str, scenario_id: int, people: dict[str, list[str]],
                 flights: list[str], tally: Tally, seed: int):
        self.http = httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=60)
        self.agency = agency
        self.sid = scenario_id
        self.mine = people[agency]
        self.agencies = sorted(people)
        self.others = [p for a, ps in people.items() if a != agency for p in ps]
        self.flights = flights
        self.tally = tally
        self.rng = random.Random(seed)

    def run(self, deadline: float, stop: threading.Event) -> None:
        actions = [(self.assign, 30), (self.unassign, 15), (self.edit_own, 15), (self.propose_other, 12),
                   (self.decide, 23), (self.read_seats, 5)]
        funcs, weights = zip(*actions, strict=True)
        try:
            while time.monotonic() < deadline and not stop.is_set():
                try:
                    self.rng.choices(funcs, weights)[0]()
                except httpx.TransportError:
                    with self.tally.lock:
                        self.tally.transport_errors += 1
        finally:
            self.http.close()

    def _change(self, kind: str, ops: list[dict[str, Any]]) -> None:
        r = self.http.post(f"/api/scenarios/{self.sid}/changes", json={"ops": ops, "note": f"drill {kind}"})
        self.tally.count(kind, r.status_code)
        if r.status_code == 201:
            with self.tally.lock:
                self.tally.acks.append(Ack(r.json()["revision"], tuple(ops), self.agency))
        elif r.status_code == 202:
            with self.tally.lock:
                self.tally.proposals.append(r.json()["proposal"]["id"])

    def assign(self) -> None:
        flight = self.rng.choice(self.flights)
        person = self.rng.choice(self.mine)
        self._change("assign", [{"op": "assign", "person": person, "up": flight, "down": flight}])

    def unassign(self) -> None:
        r = self.http.get(f"/api/scenarios/{self.sid}/people", params={"agency": self.agency})
        self.tally.count("read people", r.status_code)
        rides = list(r.json().get("assignments", [])) if r.status_code == 200 else []
        if rides:
            ride = self.rng.choice(rides)
            self._change("unassign", [{"op": "unassign", "person": ride["person"], "up": ride["up"]}])

    def edit_own(self) -> None:
        person = self.rng.choice(self.mine)
        day = datetime(2020, 1, 1, tzinfo=UTC) + timedelta(days=self.rng.randrange(0, 1000))
        self._change("availability", [{"op": "set_availability", "person": person,
                                       "available": {"from": day.strftime("%Y-%m-%dT%H:%M:%SZ")}}])

    def propose_other(self) -> None:
        """A change to another agency's person: their availability, or moving them to another flight."""
        person = self.rng.choice(self.others)
        day = datetime(2020, 1, 1, tzinfo=UTC) + timedelta(days=self.rng.randrange(0, 1000))
        ops: list[dict[str, Any]] = [{"op": "set_availability", "person": person,
                                      "available": {"from": day.strftime("%Y-%m-%dT%H:%M:%SZ")}}]
        if self.rng.random() < 0.5:  # e.g. a cosmonaut moved from one Crew Dragon to the next
            other = self.rng.choice([a for a in self.agencies if a != self.agency])
            r = self.http.get(f"/api/scenarios/{self.sid}/people", params={"agency": other})
            self.tally.count("read people", r.status_code)
            rides = [a for a in r.json().get("assignments", []) if a.get("down") == a["up"]] if (
                r.status_code == 200) else []
            if rides:
                ride = self.rng.choice(rides)
                to = self.rng.choice([f for f in self.flights if f != ride["up"]])
                ops = [{"op": "unassign", "person": ride["person"], "up": ride["up"]},
                       {"op": "assign", "person": ride["person"], "up": to, "down": to}]
        self._change("propose", ops)

    def decide(self) -> None:
        r = self.http.get(f"/api/scenarios/{self.sid}/proposals", params={"state": "open"})
        self.tally.count("read proposals", r.status_code)
        if r.status_code != 200:
            return
        mine = [p for p in r.json() if self.agency in p["waiting_for"]]
        if not mine:
            return
        p = self.rng.choice(mine)
        if self.rng.random() < 0.15:
            r = self.http.post(f"/api/proposals/{p['id']}/reject", json={"reason": "drill"})
            self.tally.count("reject", r.status_code)
            return
        r = self.http.post(f"/api/proposals/{p['id']}/approve")
        self.tally.count("approve", r.status_code)
        if r.status_code == 200 and r.json()["state"] == "applied":
            with self.tally.lock:
                ops = tuple(p["change"]["ops"])
                self.tally.acks.append(Ack(r.json()["result_revision"], ops, self.agency, p["id"]))

    def read_seats(self) -> None:
        r = self.http.get(f"/api/scenarios/{self.sid}/seats")
        self.tally.count("read seats", r.status_code)


def run_clients(base: str, tokens: dict[str, str], scenario_id: int, *, clients: int = 50,
                seconds: float = 60.0, people_per_agency: int = 10, flights: int = 16,
                seed: int = 1, stop: threading.Event | None = None) -> tuple[Tally, float]:
    """`clients` threads, spread over the agencies of `tokens`, acting until `seconds` have passed
    (or `stop` is set)."""
    people = {a: [f"{a.lower()}-{i}" for i in range(people_per_agency)] for a in tokens}
    flight_ids = [f"{'MS' if i % 2 == 0 else 'CREW'}{i}" for i in range(flights)]
    tally = Tally()
    agencies = sorted(tokens)
    workers = [Client(base, tokens[agencies[i % len(agencies)]], agencies[i % len(agencies)], scenario_id,
                      people, flight_ids, tally, seed * 1000 + i) for i in range(clients)]
    began = time.monotonic()
    deadline = began + seconds
    stop = stop or threading.Event()
    threads = [threading.Thread(target=w.run, args=(deadline, stop), name=f"drill-{i}", daemon=True)
               for i, w in enumerate(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=seconds + 120)
    return tally, time.monotonic() - began


# --- checks ------------------------------------------------------------------------------------


def holds(s: Scenario, op: dict[str, Any]) -> bool:
    """Whether the effect of `op` shows in `s` (for the last op touching that thing in a change)."""
    kind = op["op"]
    if kind == "assign":
        return any(a.person == op["person"] and a.up == op["up"] and a.down == op.get("down")
                   for a in s.assignments)
    if kind == "unassign":
        return not any(a.person == op["person"] and a.up == op["up"] for a in s.assignments)
    person = s.person_by_id.get(op["person"]) if isinstance(op.get("person"), str) else None
    if kind == "set_availability" and person is not None:
        return person.available.model_dump(mode="json", by_alias=True) == {
            "from": _norm(op["available"].get("from")), "until": _norm(op["available"].get("until"))}
    return True


def _norm(value: Any) -> Any:
    from mixedcrew.instants import format_instant, to_instant

    return None if value is None else format_instant(to_instant(value))


def _last_ops(ops: tuple[dict[str, Any], ...]) -> list[dict[str, Any]]:
    """The ops whose effect must show at the end: the last one for each (person, flight) or person."""
    last: dict[tuple[str, ...], dict[str, Any]] = {}
    for op in ops:
        key = (op.get("person", ""), op.get("up", "")) if op["op"] in ("assign", "unassign") else (
            op["op"], str(op.get("person", "")))
        last[key] = op
    return list(last.values())


def _entities(s: Scenario) -> dict[str, dict[str, Any]]:
    out = {f"person:{p.id}": p.model_dump(mode="json", by_alias=True, exclude_defaults=True)
           for p in s.people}
    out.update({f"assignment:{a.person}@{a.up}": a.model_dump(mode="json", exclude_defaults=True)
                for a in s.assignments})
    return out


def verify(db_url: str, scenario_id: int, tally: Tally) -> tuple[list[str], int, int]:
    """(problems, revisions, audit rows) of the stored scenario after a drill."""
    db = Database.open(db_url, upgrade=False)
    problems: list[str] = []
    try:
        with db.reading() as session:
            revisions = scenario_store.list_revisions(session, scenario_id)
            head = revisions[0].number if revisions else 0
            parsed: dict[int, Scenario] = {}
            for r in reversed(revisions):
                full = history.get_revision(session, scenario_id, r.number)
                assert full is not None
                parsed[r.number] = loads_scenario(full.source, full.filename)
            audit = audit_log.list_audit(session, scenario_id=scenario_id, limit=10**7)
            proposals = {p.id: p for p in proposal_store.list_proposals(session, scenario_id=scenario_id,
                                                                      limit=10**7)}
            chained = walk_chains(session)  # concurrent appends must not fork the hash chains
    finally:
        db.dispose()
    if isinstance(chained, Broken):
        problems.append(f"the history's hash chain breaks: {chained}")
    if sorted(parsed) != list(range(1, head + 1)):
        problems.append(f"revision numbers are not 1..{head} without gaps")
    for number, s in parsed.items():
        problems += [f"revision {number}: {p}" for p in seat_problems(s)]
    audited = {(e.revision, e.proposal_id) for e in audit}
    for ack in tally.acks:
        made = parsed.get(ack.revision)
        if made is None:
            problems.append(f"acknowledged change missing: revision {ack.revision} ({ack.ops})")
            continue
        problems += [f"acknowledged change not in revision {ack.revision}: {op}"
                     for op in _last_ops(ack.ops) if not holds(made, op)]
        if (ack.revision, ack.proposal_id) not in audited:
            problems.append(f"revision {ack.revision} has no audit row for its change")
    problems += _replay(parsed, audit)
    for pid in tally.proposals:
        if pid not in proposals:
            problems.append(f"acknowledged proposal {pid} is not stored")
    decided = {(e.proposal_id, e.action) for e in audit if e.proposal_id is not None}
    for p in proposals.values():
        need = {"applied": "apply", "stale": "refuse", "rejected": "reject"}.get(p.state)
        if need and (p.id, need) not in decided:
            problems.append(f"proposal {p.id} is {p.state} without a '{need}' audit row")
    return problems, head, len(audit)


def _replay(parsed: dict[int, Scenario], audit: list[records.AuditEntry]) -> list[str]:
    """Replaying the audit rows from revision 1 must give every later revision exactly."""
    if 1 not in parsed:
        return ["no revision 1"]
    state = _entities(parsed[1])
    by_revision: dict[int, list[records.AuditEntry]] = {}
    for e in audit:
        if e.revision is not None and e.revision > 1:
            by_revision.setdefault(e.revision, []).append(e)
    problems = []
    for number in sorted(parsed)[1:]:
        rows = by_revision.get(number, [])
        if not rows:
            problems.append(f"revision {number} has no audit row")
        for e in rows:
            if e.entity.split(":")[0] not in ("person", "assignment"):
                continue
            if e.after is None:
                state.pop(e.entity, None)
            else:
                state[e.entity] = e.after
        want = _entities(parsed[number])
        if state != want:
            keys = sorted(k for k in set(state) | set(want) if state.get(k) != want.get(k))[:3]
            problems.append(f"replaying the audit log does not give revision {number}: {', '.join(keys)}")
            state = want
    return problems


def report(clients: int, seconds: float, tally: Tally, checked: tuple[list[str], int, int]) -> DrillReport:
    problems, revisions, audit_rows = checked
    return DrillReport(clients, seconds, tally.requests, dict(tally.statuses), dict(tally.kinds),
                       len(tally.acks), len(tally.proposals), revisions, audit_rows, tally.transport_errors,
                       problems)


# --- a server to drill ----------------------------------------------------------------------------


def free_port() -> int:
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(db_url: str, *, cwd: str | None = None, port: int | None = None,
                 wait_s: float = 60.0) -> tuple[Any, str]:
    """`mixedcrew serve` in a child process on a free loopback port; returns (process, base URL)."""
    import subprocess
    import sys
    import tempfile

    port = port or free_port()
    log = tempfile.TemporaryFile()  # not a pipe: a full pipe would stop a server that logs every request
    proc = subprocess.Popen([sys.executable, "-c", "from mixedcrew.cli import main; main()", "serve", "--db",
                             db_url, "--host", "127.0.0.1", "--port", str(port)], cwd=cwd,
                            stdout=subprocess.DEVNULL, stderr=log)
    proc.log = log  # type: ignore[attr-defined]
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + wait_s
    while True:
        try:
            if httpx.get(f"{base}/api/health", timeout=2).status_code == 401:  # up, and asks who we are
                return proc, base
        except httpx.TransportError:
            pass
        if proc.poll() is not None:
            raise RuntimeError(f"the server stopped while starting: {server_log(proc)[-2000:]}")
        if time.monotonic() > deadline:
            proc.kill()
            raise RuntimeError(f"the server did not answer within {wait_s:.0f} s")
        time.sleep(0.1)


def server_log(proc: Any) -> str:
    proc.log.seek(0)
    return str(proc.log.read().decode("utf-8", "replace"))


def stop_server(proc: Any, timeout: float = 30.0) -> None:
    import signal

    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout)
        except Exception:
            proc.kill()
            proc.wait(timeout)
    proc.log.close()


def prepare(db_url: str, agencies: tuple[str, ...] = tuple(AGENCIES)) -> tuple[str, dict[str, str]]:
    """An administrator and one user per agency, each with a token: (admin token, agency -> token)."""
    from mixedcrew.web.access.service import Accounts
    from mixedcrew.web.deps import command_line_principal

    db = Database.open(db_url)
    try:
        accounts = Accounts(db)
        cli = command_line_principal("drill")

        def token(name: str, agency: str | None) -> str:
            user = accounts.add_user(cli, name=name, agency=agency, is_admin=agency is None, password=None)
            return str(accounts.create_token(cli, label="drill", days=1, for_user=user)[0])

        return token("drill-admin", None), {a: token(f"drill-{a.lower()}", a) for a in agencies}
    finally:
        db.dispose()


def upload(base: str, admin_token: str, raw: bytes, name: str = "drill.toml") -> int:
    r = httpx.post(f"{base}/api/scenarios", files={"file": (name, raw, "application/toml")},
                   headers={"Authorization": f"Bearer {admin_token}"}, timeout=60)
    r.raise_for_status()
    return int(r.json()["id"])


def drill(db_url: str, *, clients: int = 50, seconds: float = 60.0, people_per_agency: int = 10,
          flights: int = 16, seed: int = 1, cwd: str | None = None) -> DrillReport:
    """Serve `db_url` (an empty database), run the clients, stop the server, check the database."""
    admin, tokens = prepare(db_url)
    proc, base = start_server(db_url, cwd=cwd)
    try:
        sid = upload(base, admin, drill_scenario(people_per_agency, flights))
        tally, took = run_clients(base, tokens, sid, clients=clients, seconds=seconds,
                                  people_per_agency=people_per_agency, flights=flights, seed=seed)
    finally:
        stop_server(proc)
    return report(clients, took, tally, verify(db_url, sid, tally))
