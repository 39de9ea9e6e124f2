"""Output files: the target checked before any work, temp files gone on every exit path.

Runs as root on CI too, where permission bits do not stop a write: the
unwritable cases are a path through a regular file, a missing directory,
special files, and /proc (which takes no new files for anyone).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from mixedcrew.errors import OutputError
from mixedcrew.io.output import check_target, write_atomic


def test_a_plain_new_or_existing_file_is_fine(tmp_path: Path) -> None:
    assert check_target(tmp_path / "new.html") is None
    (tmp_path / "old.html").write_text("x")
    assert check_target(tmp_path / "old.html") is None
    assert os.listdir(tmp_path) == ["old.html"]  # the probe left nothing


@pytest.mark.parametrize("make, words", [
    (lambda d: d / "missing" / "out.html", "directory"),
    (lambda d: d, "is a directory"),
    (lambda d: _file(d) / "out.html", "Not a directory"),
    (lambda d: Path("/dev/null"), "is a character device"),
    (lambda d: _fifo(d), "is a FIFO"),
    (lambda d: Path("/proc/mixedcrew-out.html"), "does not take new files"),
])
def test_targets_that_cannot_be_written_are_one_sentence(tmp_path: Path, make, words: str) -> None:  # type: ignore[no-untyped-def]
    target = make(tmp_path)
    if not target.parent.exists() and "missing" not in str(target):
        pytest.skip(f"{target.parent} is not on this system")
    why = check_target(target)
    assert why is not None and words in why, why
    with pytest.raises(OutputError) as info:
        write_atomic(target, "data", make_dirs=False)
    assert str(info.value).startswith(f"{target}: ")
    if target == Path("/dev/null"):
        assert Path("/dev/null").is_char_device()  # not replaced by a regular file


def _file(d: Path) -> Path:
    (d / "plain").write_text("x")
    return d / "plain"


def _fifo(d: Path) -> Path:
    if not hasattr(os, "mkfifo"):
        pytest.skip("no FIFOs here")
    os.mkfifo(d / "pipe")
    return d / "pipe"


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP, signal.SIGINT])
def test_a_caught_signal_mid_write_leaves_no_temp_file(tmp_path: Path, signum: int) -> None:
    """A child process is signalled while its write is half done: the old file stays, no temp file."""
    target = tmp_path / "plan.toml"
    target.write_text("old\n")
    code = textwrap.dedent(f"""
        import os, sys
        from mixedcrew.io import output
        real_fsync = os.fsync
        def slow_fsync(fd):
            sys.stdout.write("writing\\n"); sys.stdout.flush()
            import time; time.sleep(30)
        os.fsync = slow_fsync
        output.write_atomic({str(target)!r}, "new\\n" * 1000)
    """)
    child = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True,
                             env={**os.environ, "PYTHONPATH": str(Path(__file__).parents[1] / "src")})
    assert child.stdout is not None
    assert child.stdout.readline() == "writing\n"
    assert len(os.listdir(tmp_path)) == 2  # the temp file is there, mid-write
    child.send_signal(signum)
    assert child.wait(timeout=20) != 0
    assert target.read_text() == "old\n"
    assert os.listdir(tmp_path) == ["plan.toml"]


def test_temp_files_of_a_killed_writer_are_removed_by_the_next_write(tmp_path: Path) -> None:
    """SIGKILL cannot be caught; the next write to the same target clears what it left."""
    target = tmp_path / "plan.toml"
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    (tmp_path / f".plan.toml.{dead.pid}.abc123.tmp").write_text("half")
    (tmp_path / f".plan.toml.{os.getpid()}.live.tmp").write_text("mine, in progress")
    (tmp_path / ".other.toml.1.x.tmp").write_text("another target's")
    write_atomic(target, "new\n")
    assert sorted(os.listdir(tmp_path)) == sorted(
        ["plan.toml", f".plan.toml.{os.getpid()}.live.tmp", ".other.toml.1.x.tmp"])
