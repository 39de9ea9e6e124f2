"""Writing output files: the target checked before any long work, the write atomic.

`check_target` is what every `-o` runs first, so a plan that takes a minute
to solve is not lost to a missing directory at the end. `write_atomic`
writes a temp file beside the target, then renames it: a reader sees the
old file or the new one, never half of one. The temp file is removed on
every exit path Python sees, including SIGTERM, SIGHUP and SIGINT while it
is written; after a SIGKILL (which nothing can catch) the next write to
the same target removes what the killed process left (its temp name holds
its process id).
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from types import FrameType

from mixedcrew.errors import OutputError, Problem
from mixedcrew.io.bounded import kind_of

_CAUGHT = tuple(s for s in (getattr(signal, "SIGTERM", None), getattr(signal, "SIGHUP", None),
                            getattr(signal, "SIGINT", None)) if s is not None)


def check_target(path: str | os.PathLike[str]) -> str | None:
    """Why `path` cannot be written (one sentence), or None when it can.

    The directory must exist and take new files; the target must be a
    regular file or absent (a FIFO or device would be replaced by a file).
    """
    target = Path(path)
    parent = target.parent
    if target.name in ("", ".", ".."):
        return "is not a file name: give the file to write"
    try:
        mode = os.stat(target).st_mode
    except FileNotFoundError:
        mode = None
    except OSError as e:  # e.g. a path through a regular file (ENOTDIR)
        return f"cannot be written: {e.strerror}"
    if mode is not None:
        kind = kind_of(mode)
        if kind:
            return f"is {kind}, not a regular file: give a file to write"
    if not parent.exists():
        return f"directory {parent} does not exist: create it first"
    if not parent.is_dir():
        return f"{parent} is not a directory"
    try:  # the one honest test of "can write here" (os.access lies for root and on some mounts)
        fd, probe = tempfile.mkstemp(prefix=".mixedcrew-probe.", dir=parent)
    except OSError as e:
        return f"directory {parent} does not take new files: {e.strerror}"
    os.close(fd)
    os.unlink(probe)
    return None


def require_target(path: str | os.PathLike[str]) -> None:
    """OutputError (one located line) if `path` cannot be written."""
    why = check_target(path)
    if why:
        raise OutputError([Problem(str(path), None, "", why)])


def write_atomic(path: str | os.PathLike[str], text: str, *, make_dirs: bool = True) -> None:
    """Write to a temp file beside the target, then rename: never half-written.

    Missing directories are made (a library caller's convenience; the CLI's
    `-o` refuses them first, with `require_target`). Raises OutputError
    naming the file when the write fails (disk full, no permission), with
    the temp file removed.
    """
    target = Path(path)
    if make_dirs and not target.parent.exists():
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise OutputError([Problem(str(target), None, "", (
                f"directory {target.parent} cannot be made: {e.strerror}"))]) from None
    why = check_target(target)
    if why:
        raise OutputError([Problem(str(target), None, "", why)])
    _remove_stale(target)
    with _signals_raise():
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.{os.getpid()}.", suffix=".tmp",
                                   dir=target.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(text)
                fh.flush()
                os.fsync(fh.fileno())
            # mkstemp makes the file private; give it the mode a plain open() would.
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o666 & ~umask)
            os.replace(tmp, target)
        except BaseException as e:
            Path(tmp).unlink(missing_ok=True)
            if isinstance(e, OSError):
                raise OutputError([Problem(str(target), None, "", f"cannot be written: {e.strerror}")]
                                  ) from None
            raise


class _Interrupted(BaseException):
    """A signal arrived while a temp file was open: unwind (removing it), then exit as the signal."""

    def __init__(self, signum: int):
        self.signum = signum


@contextlib.contextmanager
def _signals_raise() -> Iterator[None]:
    """While inside, SIGTERM/SIGHUP/SIGINT unwind the stack instead of killing the process."""
    if threading.current_thread() is not threading.main_thread():
        yield  # handlers can only be set from the main thread; a server's threads keep theirs
        return

    def handler(signum: int, frame: FrameType | None) -> None:
        raise _Interrupted(signum)

    old = {s: signal.signal(s, handler) for s in _CAUGHT}
    try:
        yield
    except _Interrupted as e:
        for s, h in old.items():
            signal.signal(s, h)
        old = {}
        signal.raise_signal(e.signum)  # the previous disposition (default: exit by the signal)
        raise SystemExit(128 + e.signum) from None  # a handler that returned: still stop
    finally:
        for s, h in old.items():
            signal.signal(s, h)


def _remove_stale(target: Path) -> None:
    """Temp files of this target left by processes that are gone (killed mid-write)."""
    pattern = re.compile(rf"^\.{re.escape(target.name)}\.(\d+)\..*\.tmp$")
    try:
        names = os.listdir(target.parent)
    except OSError:
        return
    for name in names:
        m = pattern.match(name)
        if m and not _alive(int(m.group(1))):
            with contextlib.suppress(OSError):
                (target.parent / name).unlink()


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # exists, owned by someone else
        return True
    return True
