"""How fast the `mixedcrew` command answers, against a bare `python -c pass`.

Issue 12 §1. Each command runs as a fresh process, several times; the script
prints the median wall time of each and its difference from the median of a
bare interpreter start measured in the same run, so the figures read the same
on any machine. Goals on the 2-core reference machine: `--version` within
0.15 s of bare Python, `check examples/iss.toml` within 0.4 s, `users add` and
`users list` within 1 s, `serve` answering its first request within 2 s.

    .venv/bin/python benchmarks/cli_startup.py [--runs N] [--only NAME ...]
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ISS = ROOT / "examples" / "iss.toml"

# name -> goal: seconds over bare Python
GOALS = {"version": 0.15, "help": None, "check": 0.4, "users add": 1.0, "users list": 1.0,
         "serve": 2.0}
LABELS = {"version": "--version", "help": "--help", "check": "check examples/iss.toml",
          "users add": "users add", "users list": "users list", "serve": "serve: first answer"}


def mixedcrew_command() -> list[str]:
    """The installed console script beside this interpreter, or the same entry point via -c."""
    script = Path(sys.executable).parent / "mixedcrew"
    if script.exists():
        return [str(script)]
    found = shutil.which("mixedcrew")
    return [found] if found else [sys.executable, "-c", "from mixedcrew.cli import main; main()"]


def run_once(argv: list[str], stdin: str | None = None, ok: tuple[int, ...] = (0,)) -> float:
    t0 = time.perf_counter()
    proc = subprocess.run(argv, input=stdin, capture_output=True, text=True, cwd=ROOT)
    elapsed = time.perf_counter() - t0
    if proc.returncode not in ok:
        raise SystemExit(f"{' '.join(argv)} exited {proc.returncode}:\n{proc.stderr}")
    return elapsed


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def serve_first_answer(cmd: list[str], db: str, env: dict[str, str]) -> float:
    """Seconds from starting `serve` to the first HTTP answer (any status: 401 is an answer)."""
    port = free_port()
    t0 = time.perf_counter()
    proc = subprocess.Popen([*cmd, "serve", "--db", db, "--port", str(port)], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/api/health", timeout=1)
                break
            except urllib.error.HTTPError:
                break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            if proc.poll() is not None:
                raise SystemExit(f"serve exited {proc.returncode} before answering")
            if time.perf_counter() - t0 > 60:
                raise SystemExit("serve did not answer within 60 s")
            time.sleep(0.01)
        return time.perf_counter() - t0
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def measure(runs: int, only: list[str] | None) -> dict[str, list[float]]:
    cmd = mixedcrew_command()
    tmp = Path(tempfile.mkdtemp(prefix="mixedcrew-startup-"))
    db = f"sqlite:///{tmp / 'users.db'}"
    env = {**os.environ, "XDG_DATA_HOME": str(tmp / "xdg")}
    counter = iter(range(10**6))
    cases: dict[str, Callable[[], float]] = {
        "bare python": lambda: run_once([sys.executable, "-c", "pass"]),
        "version": lambda: run_once([*cmd, "--version"]),
        "help": lambda: run_once([*cmd, "--help"]),
        "check": lambda: run_once([*cmd, "check", str(ISS)], ok=(0, 1)),
        "users add": lambda: run_once([*cmd, "users", "add", f"user{next(counter)}", "--agency", "NASA",
                                       "--password-stdin", "--db", db], stdin="a long enough password\n"),
        "users list": lambda: run_once([*cmd, "users", "list", "--db", db]),
        "serve": lambda: serve_first_answer(cmd, db, env),
    }
    try:
        # the database exists before anything is timed: its migrations are not start-up
        run_once([*cmd, "users", "list", "--db", db])
        times: dict[str, list[float]] = {name: [] for name in cases
                                         if name == "bare python" or not only or name in only}
        for _ in range(runs):  # interleaved, so a burst of load hits every case alike
            for name in times:
                times[name].append(cases[name]())
        return times
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--only", nargs="*", choices=[g for g in GOALS], help="Measure only these.")
    args = ap.parse_args()
    if args.runs < 1:
        ap.error(f"--runs: must be at least 1, got {args.runs}")
    times = measure(args.runs, args.only)
    bare = statistics.median(times["bare python"])
    print(f"{'mixedcrew ...':<24} {'median':>8} {'over bare':>10} {'goal':>8}  (runs {args.runs}, "
          f"load {os.getloadavg()[0]:.2f}, {os.cpu_count()} CPUs)")
    print(f"{'(bare python -c pass)':<24} {bare:8.3f}")
    missed = 0
    for name, values in times.items():
        if name == "bare python":
            continue
        med = statistics.median(values)
        goal = GOALS[name]
        over = med - bare
        verdict = "" if goal is None else ("met" if over <= goal else "MISSED")
        missed += verdict == "MISSED"
        shown_goal = "" if goal is None else f"<= {goal:.2f}"
        print(f"{LABELS[name]:<24} {med:8.3f} {over:+10.3f} {shown_goal:>8}  {verdict}")
    print(f"{missed} goal(s) missed" if missed else "every goal met")


if __name__ == "__main__":
    main()
