"""The failures every feature reports, in domain words; `app` turns them into HTTP.

Unauthenticated -> 401, Forbidden -> 403, NotFound -> 404, Invalid -> 422,
TooLarge -> 413, Conflict -> 409, QuotaExceeded -> 429, TooManyAttempts -> 429 (both with
Retry-After).
"""

from __future__ import annotations

# Defined in mixedcrew.errors, the one error tree; re-exported here for the features.
from mixedcrew.errors import (
    Conflict,
    FieldError,
    Forbidden,
    Invalid,
    NotFound,
    QuotaExceeded,
    TooLarge,
    TooManyAttempts,
    Unauthenticated,
)

__all__ = ["Conflict", "FieldError", "Forbidden", "Invalid", "NotFound", "QuotaExceeded", "TooLarge",
           "TooManyAttempts", "Unauthenticated"]
