"""What a running web app is configured with: one value object, passed in, never global."""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

MiB = 1024 * 1024
# The ISS history since 2000 is about 150 KB of TOML: 2 MiB leaves room for
# a decade more and several stations, and keeps one upload's parse bounded.
DEFAULT_MAX_UPLOAD = 2 * MiB


@dataclass(frozen=True)
class WebSettings:
    db_url: str
    max_upload_bytes: int = DEFAULT_MAX_UPLOAD
    job_workers: int = 2
    # A running job's row is touched this often; one untouched for
    # `stale_after_s` belongs to a server that died, and is marked failed.
    heartbeat_s: float = 5.0
    stale_after_s: float = 30.0
    # On shutdown, running jobs are asked to stop and given this long before
    # they are marked failed.
    shutdown_wait_s: float = 5.0
    # Scenarios kept parsed (with timeline and check) in memory.
    cached_manifests: int = 8
    # JSON bodies (changes, tokens, users): far larger than any change needs,
    # small enough to parse in a blink; nesting deeper than any change has.
    max_json_bytes: int = 256 * 1024
    max_json_depth: int = 32
    # Jobs queued or running at once, per user and per agency, so one user (or one agency)
    # cannot fill the workers' queue; administrators count only against their own user quota.
    max_jobs_per_user: int = 3
    max_jobs_per_agency: int = 6
    # Jobs queued (not yet running) from all non-administrators together: past it only an
    # administrator's job is taken, so theirs never waits behind more than this many.
    max_queued_jobs: int = 12
    # Failed logins before a user name, or a client address, must wait (access.throttle): a person
    # mistyping gets several tries; a guesser gets 5 a quarter hour per name, 20 per address.
    login_failures_per_account: int = 5
    login_failures_per_address: int = 20
    login_window_s: float = 900.0

    def with_(self, **changes: Any) -> WebSettings:
        return replace(self, **changes)


def default_db_path() -> Path:
    """$XDG_DATA_HOME/mixedcrew/mixedcrew.db (~/.local/share/... when unset)."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "mixedcrew" / "mixedcrew.db"


def default_db_url() -> str:
    return f"sqlite:///{default_db_path()}"
