"""How close the ISS example's dockings are to the docking record, against the old defaults.

Prints, for the crewed dockings of 2021-2026: the share whose dock instant is within an hour of
the record and whose port is the record's; and, at instants sampled every 6 hours over
2019-2026, the share where the vehicles holding ports are exactly the record's (cargo included).
Both for the example as shipped (`--dockings`) and for the same import without the record
(rendezvous defaults, ports by preference, no cargo): the baseline, built in the same run.

    .venv/bin/python benchmarks/docking_fidelity.py
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from mixedcrew import Timeline
from mixedcrew.domain import Scenario
from mixedcrew.io.dockings import DockingRecord, RecordedVisit, read_docking_record
from mixedcrew.io.importer import import_gcat, load_facts

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"
ONE_HOUR = timedelta(hours=1)
SAMPLE_EVERY = timedelta(hours=6)
FAR = timedelta(days=400)  # how long a vehicle with no recorded departure may have stayed
Hold = tuple[str, datetime | None, datetime | None]  # (record port name, start, end)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def holds(v: RecordedVisit) -> list[Hold]:
    """The record's port holds of one visit, in order; None where it has no instant."""
    if v.dock is None:
        return []
    out, port, start = [], v.dock.port, v.dock.at
    for off, on in v.relocations:
        out.append((port, start, off.at))
        port, start = on.port, on.at
    out.append((port, start, v.undock.at if v.undock else None))
    return out


def reference(record: DockingRecord, ids: dict[str, str]) -> dict[str, list[Hold]]:
    """Flight id -> holds, one entry per vehicle (a vehicle listed twice is taken once)."""
    out: dict[str, list[Hold]] = {}
    for v in record.visits.values():
        fid = ids.get(v.key, v.key)
        fid = fid if fid in ("MS14", "OFT2", "DM1") or v.file != "uncrewed.csv" else v.key.replace(" ", "-")
        out.setdefault(fid, holds(v))
    return out


def port_id(facts_station: dict, name: str, interfaces: set[str]) -> str | None:
    ports = {p["id"]: p for p in facts_station["ports"]}
    return next((pid for pid in facts_station["port_names"].get(name, [])
                 if ports[pid]["interface"] in interfaces), None)


def crewed_figures(s: Scenario, ref: dict[str, list[Hold]], st: dict) -> tuple[int, float, float]:
    vtypes = {v.id: v for v in s.vehicle_types}
    crewed = [f for f in s.flights if f.kind in ("rotation", "visit", "test") and f.dock
              and utc(2021, 1, 1) <= f.dock < utc(2027, 1, 1) and ref.get(f.id)]
    on_time = ports = 0
    for f in crewed:
        name, start, _ = ref[f.id][0]
        on_time += start is not None and f.dock is not None and abs(f.dock - start) <= ONE_HOUR
        ports += f.port == port_id(st, name, set(vtypes[f.vehicle_type].docking))
    n = len(crewed)
    return n, on_time / n, ports / n


def sampled_figures(s: Scenario, ref: dict[str, list[Hold]], horizon: datetime) -> tuple[int, float]:
    """Share of sampled instants at which the vehicles holding ports are the record's."""
    tl = Timeline(s)
    t, decided, same = utc(2019, 1, 1), 0, 0
    while t < horizon:
        want: set[str] = set()
        unknown = False
        for fid, hs in ref.items():
            for _, start, end in hs:
                lo = start if start is not None else (end - FAR if end else None)
                hi = end if end is not None else (start + FAR if start else None)
                if lo is None or hi is None or not lo <= t < min(hi, horizon):
                    continue
                if start is None or end is None:
                    unknown = True
                else:
                    want.add(fid)
        if not unknown:
            decided += 1
            same += set(tl.ports_at(t, "ISS").values()) == want
        t += SAMPLE_EVERY
    return decided, same / decided


def main() -> None:
    since = utc(2000, 10, 31)
    sup = DATA / "iss-rides-supplement.csv"
    shipped = import_gcat(DATA / "gcat", since=since, supplement=sup, dockings=DATA / "iss-dockings")
    baseline = import_gcat(DATA / "gcat", since=since, supplement=sup)
    facts, _ = load_facts(None)
    st = facts["stations"][0]
    ref = reference(read_docking_record(DATA / "iss-dockings"), facts["import"]["record"]["ids"])
    horizon = shipped.scenario.scenario.horizon
    assert horizon is not None
    print("ISS example against the docking record (data/iss-dockings)")
    print(f"{'':34} {'with the record':>16} {'defaults (old)':>16}")
    rows = [(name, crewed_figures(r.scenario, ref, st), sampled_figures(r.scenario, ref, horizon))
            for name, r in (("record", shipped), ("defaults", baseline))]
    (_, (n, on_a, port_a), (k, same_a)), (_, (n_b, on_b, port_b), (_, same_b)) = rows
    print(f"{'crewed dockings 2021-2026':34} {n:>16} {n_b:>16}")
    print(f"{'  dock within 1 h of the record':34} {on_a:>15.1%} {on_b:>15.1%}")
    print(f"{'  port the record names':34} {port_a:>15.1%} {port_b:>15.1%}")
    print(f"{'sampled instants 2019-2026 (6 h)':34} {k:>16}")
    print(f"{'  same vehicles on the ports':34} {same_a:>15.1%} {same_b:>15.1%}")
    print("(instants where a vehicle's stay is 'not found' in the record are left out of the sample)")


if __name__ == "__main__":
    main()
