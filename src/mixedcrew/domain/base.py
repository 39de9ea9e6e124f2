"""What every domain model shares: the id type and the model base (frozen, no unknown fields)."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

Id = Annotated[str, Field(min_length=1, max_length=80, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:+\-]*$")]


class Model(BaseModel):
    """Immutable, and an unknown field is an error (a typo in a scenario file is reported)."""

    model_config = ConfigDict(
        frozen=True, extra="forbid", populate_by_name=True, validate_by_alias=True
    )
