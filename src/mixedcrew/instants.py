"""UTC instants: the one time type of the model.

Every instant in a scenario is timezone-aware and normalised to UTC. A
plain date means midnight UTC of that day; a datetime without a time zone
is refused, because guessing a zone would silently move launches by hours.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any

from pydantic import BeforeValidator, PlainSerializer

DAY = timedelta(days=1)
# The instants a scenario may hold: from before the first spaceflight to well past any
# plan. Outside them date arithmetic (a slip, a rest, a docked limit) would overflow.
EARLIEST = datetime(1950, 1, 1, tzinfo=UTC)
LATEST = datetime(2200, 1, 1, tzinfo=UTC)


def naive_fix(value: datetime) -> str:
    """The message for a naive datetime, showing how to write it in UTC."""
    shown = value.isoformat()
    return (
        f"datetime {shown} has no time zone: write it in UTC as "
        f"{shown}Z (or give its offset, e.g. {shown}+03:00)"
    )


def to_instant(value: Any) -> datetime:
    """Coerce a TOML/JSON value into an aware UTC datetime in [EARLIEST, LATEST), or raise ValueError."""
    t = _to_utc(value)
    if not EARLIEST <= t < LATEST:
        raise ValueError(f"{format_instant(t)} is out of range: instants are supported from "
                         f"{EARLIEST.year} to {LATEST.year - 1}")
    return t


def _to_utc(value: Any) -> datetime:
    if isinstance(value, datetime):
        if value.tzinfo is None or value.tzinfo.utcoffset(value) is None:
            raise ValueError(naive_fix(value))
        try:
            return value.astimezone(UTC)
        except OverflowError:  # e.g. 0001-01-01T00:00:00+01:00 is before year 1 in UTC
            raise ValueError(f"datetime {value.isoformat()} is out of range in UTC") from None
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    if isinstance(value, str):
        text = value.strip()
        try:
            if len(text) == 10:
                return _to_utc(date.fromisoformat(text))
            return _to_utc(datetime.fromisoformat(text.replace("Z", "+00:00")))
        except ValueError as err:
            if "time zone" in str(err):
                raise
            raise ValueError(
                f"{value!r} is not a date or datetime: write e.g. 2022-09-21T13:54:49Z"
            ) from None
    raise ValueError(f"expected a UTC datetime such as 2022-09-21T13:54:49Z, got {value!r}")


def format_instant(value: datetime) -> str:
    """ISO 8601 in UTC with a trailing Z, to the second."""
    return value.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def format_day(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%d")


def days_between(start: datetime, end: datetime) -> float:
    return (end - start) / DAY


Instant = Annotated[
    datetime,
    BeforeValidator(to_instant),
    PlainSerializer(format_instant, return_type=str, when_used="json"),
]
