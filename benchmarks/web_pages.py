"""How fast the web pages of the ISS scenario answer, against the server's own /api/health.

Starts `mixedcrew serve` on a fresh SQLite file (loopback only), uploads examples/iss.toml as
an administrator, and times, in turns so that load touches each alike, the median of
--repeats GETs of each page's HTML (after a warm-up), with its size:

- /api/health: the floor (authentication, a database read, JSON);
(the first view of each page, which fills the server's cache of the parsed revision, is
printed beside the median, and so is the first view of a freshly uploaded revision);
- the scenario page /scenarios/{id}              (goal: under 300 ms);
- its crew page /scenarios/{id}/crew            (goal: under 500 ms and under 300 KB),
  by default and for the whole history (?from=2000&until=2027: every seat of 25 years).

    python benchmarks/web_pages.py [--repeats 15]

The goals are for the page's own time, that is its median minus nothing: health's median is
printed beside it so that a loaded machine shows as a slow floor rather than a slow page.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "web"))
from drill import prepare, start_server, stop_server  # noqa: E402

ISS = Path(__file__).resolve().parents[1] / "examples" / "iss.toml"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=15)
    args = ap.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="mixedcrew-pages-"))
    db_url = f"sqlite:///{folder / 'pages.db'}"
    try:
        admin, _ = prepare(db_url, agencies=())
        proc, base = start_server(db_url, cwd=str(folder))
        try:
            return measure(base, admin, args.repeats)
        finally:
            stop_server(proc)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def measure(base: str, token: str, repeats: int) -> int:
    auth = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=base, headers=auth, timeout=120) as http:
        r = http.post("/api/scenarios", files={"file": ("iss.toml", ISS.read_bytes())})
        r.raise_for_status()
        sid = r.json()["id"]
        html = {"accept": "text/html"}
        pages = {
            "/api/health": ("/api/health", {}, None, None),
            "scenario page": (f"/scenarios/{sid}", html, 0.300, None),
            "crew page": (f"/scenarios/{sid}/crew", html, 0.500, 300_000),
            "crew page, whole history": (f"/scenarios/{sid}/crew?from=2000&until=2027", html, None, None),
        }
        times: dict[str, list[float]] = {name: [] for name in pages}
        sizes: dict[str, int] = {}
        first: dict[str, float] = {}
        for name, (path, headers, _, _) in pages.items():  # the first view fills the server's caches
            t0 = time.perf_counter()
            r = http.get(path, headers=headers)
            first[name] = time.perf_counter() - t0
            if r.status_code != 200:
                print(f"{name}: {path} answered {r.status_code}: {r.text[:300]}")
                return 1
            sizes[name] = len(r.content)
        for _ in range(repeats):
            for name, (path, headers, _, _) in pages.items():
                t0 = time.perf_counter()
                r = http.get(path, headers=headers)
                times[name].append(time.perf_counter() - t0)
                sizes[name] = len(r.content)
        # A new revision is parsed and checked on its first view: the cost a user sees after an upload.
        fresh: dict[str, float] = {}
        for n, name in enumerate(("scenario page", "crew page")):
            text = ISS.read_bytes() + f"\n# revision {n + 2}\n".encode()
            sent = http.post(f"/api/scenarios/{sid}/revisions", files={"file": ("iss.toml", text)})
            sent.raise_for_status()
            t0 = time.perf_counter()
            http.get(pages[name][0], headers=html).raise_for_status()
            fresh[name] = time.perf_counter() - t0
    one, five, _ = os.getloadavg()
    print(f"ISS example ({ISS.name}) on mixedcrew serve, SQLite; medians of {repeats} GETs; "
          f"load average {one:.2f} {five:.2f} on {os.cpu_count()} CPUs")
    health = statistics.median(times["/api/health"])
    failed = False
    for name, (_, _, goal_s, goal_bytes) in pages.items():
        t = statistics.median(times[name])
        goals = []
        if goal_s:
            goals.append(f"goal < {goal_s * 1000:.0f} ms: {'met' if t < goal_s else 'NOT met'}")
            failed |= t >= goal_s
        if goal_bytes:
            ok = sizes[name] < goal_bytes
            goals.append(f"goal < {goal_bytes // 1000} KB: {'met' if ok else 'NOT met'}")
            failed |= not ok
        print(f"  {name:26s} {t * 1000:8.1f} ms  {t / health:6.1f}x health  {sizes[name] / 1000:8.1f} KB  "
              f"(first view {first[name] * 1000:6.1f} ms)"
              + (f"   ({'; '.join(goals)})" if goals else ""))
    for name, t in fresh.items():
        print(f"  {name}, first view of a new revision (parse and check): {t * 1000:.1f} ms")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
