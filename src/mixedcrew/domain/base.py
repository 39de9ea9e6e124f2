"""What every domain model shares: the id type and the model base (frozen, no unknown fields)."""

from __future__ import annotations

import unicodedata
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator

# Upper bounds of durations and counts in a scenario: far above any station (a docked limit
# of 240 days, 7 aboard, 4 seats), low enough that no date arithmetic overflows and no
# solver or timeline loop grows without end (a turnaround of 1e300 days overflowed).
MAX_DAYS = 36500.0  # a century
MAX_COUNT = 1000

Id = Annotated[str, Field(min_length=1, max_length=80, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:+\-]*$")]


def _one_line(value: str) -> str:
    # A name travels into one-line places (an .ics SUMMARY, a CSV cell, a message, a page title).
    bad = next((c for c in value if unicodedata.category(c) in ("Cc", "Zl", "Zp")), None)
    if bad is not None:
        raise ValueError(f"a name is one line of text: control character U+{ord(bad):04X} is not allowed")
    return value


Name = Annotated[str, Field(max_length=200), AfterValidator(_one_line)]


class Model(BaseModel):
    """Immutable, and an unknown field is an error (a typo in a scenario file is reported)."""

    model_config = ConfigDict(
        frozen=True, extra="forbid", populate_by_name=True, validate_by_alias=True
    )

    @field_validator("*", mode="after")
    @classmethod
    def _no_nul(cls, value: Any) -> Any:
        """No NUL in any text (PostgreSQL cannot store it; no editor means it)."""
        texts = value if isinstance(value, tuple) else (value,)
        if any(isinstance(t, str) and "\x00" in t for t in texts):
            raise ValueError("text may not contain NUL (U+0000) characters")
        return value
