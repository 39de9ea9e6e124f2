"""What-if questions: an event re-planned, checked and stress-tested, two manifests side by side.

`compare_manifests(a, b)` (diff.py) says what changes between two manifests;
`what_if(plan, events)` (run.py) re-plans after events and scores the old and
the new manifest with the risk engine; page.py draws both on one time axis.
"""

from mixedcrew.whatif.diff import ManifestDiff, compare_manifests

__all__ = ["ManifestDiff", "compare_manifests"]
