"""data/ carries the shared sources unchanged: each copied file has its digest in
data/SHA256SUMS (`sha256sum -c` there checks it too), and the shared folder, where one stands
beside the checkout (CI has one), holds the same bytes."""

from __future__ import annotations

import hashlib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
SHARED = ROOT.parent / "shared" / "data"


def manifest() -> dict[str, str]:
    lines = (DATA / "SHA256SUMS").read_text(encoding="ascii").splitlines()
    return {name: digest for digest, name in (line.split(maxsplit=1) for line in lines)}


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_the_copied_sources_are_the_shared_ones():
    """The GCAT lists, the ride supplement, the corps and announced lists and the docking
    record, byte for byte as recorded; and as the shared folder has them, when it is here."""
    recorded = manifest()
    assert {"gcat/missions.txt", "corps-2026.csv", "iss-dockings/soyuz.csv"} <= set(recorded)
    assert {name: digest(DATA / name) for name in recorded} == recorded
    if SHARED.is_dir():  # a bare clone has no shared folder: the digests above still hold
        assert {name: digest(SHARED / name) for name in recorded} == recorded
