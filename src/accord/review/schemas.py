"""Review requests and responses."""

from __future__ import annotations

import uuid
from typing import Literal

from pydantic import BaseModel, Field, field_validator

from accord.results.schemas import ResultOut

MAX_MANUAL_RECORDS = 100


class DecisionNote(BaseModel):
    note: str = Field("", max_length=4000, description="why; kept with the decision")


class NoteUpdate(BaseModel):
    note: str = Field(max_length=4000)


def _distinct(ids: list[str]) -> list[str]:
    if len(set(ids)) != len(ids):
        raise ValueError("an id is listed twice")
    return ids


class ManualMatchIn(BaseModel):
    left_ids: list[str] = Field(min_length=1, max_length=MAX_MANUAL_RECORDS)
    right_ids: list[str] = Field(min_length=1, max_length=MAX_MANUAL_RECORDS)
    note: str = Field(
        min_length=1, max_length=4000, description="why these records belong together"
    )

    _left_distinct = field_validator("left_ids")(_distinct)
    _right_distinct = field_validator("right_ids")(_distinct)


class BulkDecisionIn(BaseModel):
    action: Literal["confirm", "reject"]
    note: str = Field("", max_length=4000)


class BulkDecisionOut(BaseModel):
    action: Literal["confirm", "reject"]
    decided: int = Field(description="suggestions confirmed or rejected")
    audit_event_id: int


class ReviewOut(BaseModel):
    result: ResultOut = Field(description="the result as it is after the decision")
    decision_id: uuid.UUID | None = Field(description="null for a note, which decides nothing")
    audit_event_id: int
