"""Load the web app: 50 clients of four agencies edit, propose and approve for 60 s, then check the data.

Issue 6: every acknowledged change present, no seat holding two people, no flight over its seats, the
audit log accounting for every change. Runs `mixedcrew serve` on a SQLite file and on a throwaway
PostgreSQL server (started from the installed binaries, as the tests do), both in the same run, and
prints requests per second and the 409 conflicts of each. Loopback only; it stops by itself.

    .venv/bin/python benchmarks/web_load.py [--clients 50] [--seconds 60] [--only sqlite|postgresql]

Exit status 1 when a check fails on either database.
"""

from __future__ import annotations

import argparse
import glob
import os
import pwd
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

# The drill lives with the web tests (tests/web/drill.py): it is a test of the server, not part of it.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "web"))
from drill import DrillReport, drill, free_port  # noqa: E402


@contextmanager
def throwaway_postgres() -> Iterator[str | None]:
    """A PostgreSQL server in a temporary folder on a free loopback port; None when it cannot run here."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not found:
        print("PostgreSQL: no server binaries (/usr/lib/postgresql/*/bin): skipped", file=sys.stderr)
        yield None
        return
    bindir = Path(found[-1]).parent
    run_as: dict[str, int] = {}
    if os.geteuid() == 0:  # PostgreSQL refuses to run as root
        pw = pwd.getpwnam("postgres")
        run_as = {"user": pw.pw_uid, "group": pw.pw_gid}
    base = Path(tempfile.mkdtemp(prefix="mixedcrew-bench-pg-"))
    if run_as:
        os.chown(base, run_as["user"], run_as["group"])
    data, port = base / "data", free_port()

    def pg(*args: str, check: bool = True) -> None:
        subprocess.run(args, capture_output=True, text=True, check=check, timeout=120,
                       env={**os.environ, "LC_ALL": "C"}, **run_as)  # type: ignore[call-overload]

    try:
        pg(str(bindir / "initdb"), "-D", str(data), "-U", "mixedcrew", "--auth=trust", "-E", "UTF8")
        # Durable settings (fsync on): the figures are those of a real server, not of a test fixture.
        pg(str(bindir / "pg_ctl"), "-D", str(data), "-l", str(base / "log"), "-w", "-t", "60", "-o",
           f"-p {port} -k {base} -c listen_addresses=127.0.0.1 -c max_connections=200", "start")
        pg(str(bindir / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "mixedcrew", "load")
        yield f"postgresql+psycopg://mixedcrew@127.0.0.1:{port}/load"
    finally:
        pg(str(bindir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop", check=False)
        shutil.rmtree(base, ignore_errors=True)


def show(name: str, result: DrillReport) -> None:
    print(f"\n{name}")
    for line in result.lines():
        print(f"  {line}")
    kinds = ", ".join(f"{k}: {n}" for k, n in sorted(result.kinds.items()))
    print(f"  by request: {kinds}")
    for problem in result.problems[:20]:
        print(f"  PROBLEM {problem}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--only", choices=("sqlite", "postgresql"))
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="mixedcrew-bench-"))
    results: dict[str, DrillReport] = {}
    try:
        if args.only in (None, "sqlite"):
            results["SQLite (WAL, one file)"] = drill(f"sqlite:///{folder / 'load.db'}", clients=args.clients,
                                                      seconds=args.seconds, seed=args.seed, cwd=str(folder))
        if args.only in (None, "postgresql"):
            with throwaway_postgres() as url:
                if url is not None:
                    results["PostgreSQL"] = drill(url, clients=args.clients, seconds=args.seconds,
                                                  seed=args.seed, cwd=str(folder))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    print(f"mixedcrew serve under load: {args.clients} clients (NASA, ROSCOSMOS, JAXA, ESA), "
          f"{args.seconds:.0f} s, {os.cpu_count()} CPUs")
    for name, result in results.items():
        show(name, result)
    failed = [n for n, r in results.items() if r.problems or r.server_errors]
    print("\nall checks hold" if not failed else f"\nchecks FAILED on {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
