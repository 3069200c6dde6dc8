"""What the rule-set endpoints accept and return."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field


class RuleSetCreate(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    document: dict[str, Any] | str = Field(
        description="the rules document (docs/rules.md), as JSON or as YAML text"
    )


class RuleSetUpdate(BaseModel):
    document: dict[str, Any] | str
    name: str | None = Field(None, min_length=1, max_length=200)


class RuleSetVersionOut(BaseModel):
    id: uuid.UUID
    version: int
    document: dict[str, Any]
    created_at: datetime


class RuleSetOut(BaseModel):
    id: uuid.UUID
    name: str
    latest_version: int
    latest: RuleSetVersionOut
    versions: list[int]
    created_at: datetime


class DryRunRequest(BaseModel):
    left_dataset_id: uuid.UUID
    right_dataset_id: uuid.UUID
    version: int | None = Field(None, ge=1, description="default: the latest version")
    sample_rows: int = Field(2000, ge=1, le=50_000, description="rows taken from each side")


class DryRunOut(BaseModel):
    version: int
    sampled: dict[str, int]
    summary: dict[str, Any]
