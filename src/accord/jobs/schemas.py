"""What the job endpoints accept and return."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field


class JobCreate(BaseModel):
    left_dataset_id: uuid.UUID
    right_dataset_id: uuid.UUID
    ruleset_id: uuid.UUID
    ruleset_version: int | None = Field(None, ge=1, description="default: the latest version")


class JobOut(BaseModel):
    id: uuid.UUID
    project_id: uuid.UUID
    status: str = Field(description="queued, running, succeeded, failed or cancelled")
    phase: str
    progress: float = Field(description="0..1")
    left_dataset_id: uuid.UUID | None
    right_dataset_id: uuid.UUID | None
    ruleset_version_id: uuid.UUID | None
    ruleset_id: uuid.UUID | None = None
    ruleset_version: int | None = None
    cancel_requested: bool
    error: str | None
    attempts: int
    summary: dict[str, Any] | None
    phase_seconds: dict[str, float]
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


class JobPage(BaseModel):
    items: list[JobOut]
    next_cursor: str | None
