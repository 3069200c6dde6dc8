"""Reconciliation jobs (the durable queue's rows) and the results each run stores."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from accord.db.base import Base, Timestamps, UUIDPrimaryKey

JOB_STATUSES = ("queued", "running", "succeeded", "failed", "cancelled")


class ReconciliationJob(UUIDPrimaryKey, Timestamps, Base):
    __tablename__ = "reconciliation_jobs"
    __table_args__ = (
        CheckConstraint(f"status IN {JOB_STATUSES!r}", name="status_known"),
        CheckConstraint("progress >= 0 AND progress <= 1", name="progress_fraction"),
        # The worker's claim query: oldest queued job first.
        Index("ix_reconciliation_jobs_queue", "status", "created_at"),
    )

    project_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), nullable=False, index=True
    )
    created_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    status: Mapped[str] = mapped_column(String(20), nullable=False, server_default="queued")
    phase: Mapped[str] = mapped_column(String(50), nullable=False, server_default="")
    progress: Mapped[float] = mapped_column(Float, nullable=False, server_default="0")
    params: Mapped[dict[str, Any]] = mapped_column(
        JSONB, nullable=False, server_default=text("'{}'::jsonb")
    )
    left_dataset_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("datasets.id", ondelete="RESTRICT"), nullable=True
    )
    right_dataset_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("datasets.id", ondelete="RESTRICT"), nullable=True
    )
    ruleset_version_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("ruleset_versions.id", ondelete="RESTRICT"), nullable=True
    )
    cancel_requested: Mapped[bool] = mapped_column(Boolean, nullable=False, server_default="false")
    summary: Mapped[dict[str, Any] | None] = mapped_column(JSONB, nullable=True)
    phase_seconds: Mapped[dict[str, float]] = mapped_column(
        JSONB, nullable=False, server_default=text("'{}'::jsonb")
    )
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    # The run's folder holding its results' details, relative to the data dir (jobs/runfile.py).
    results_dir: Mapped[str | None] = mapped_column(Text, nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, server_default="0")
    worker_id: Mapped[str | None] = mapped_column(String(200), nullable=True)
    heartbeat_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


RESULT_KINDS = (
    "matched",
    "matched_with_differences",
    "one_to_many",
    "many_to_one",
    "many_to_many",
    "ambiguous",
    "unmatched_left",
    "unmatched_right",
    "duplicate",
)
REVIEW_STATUSES = ("pending", "confirmed", "rejected", "manual", "unmatched")


class ReconciliationResult(Base):
    """One outcome of a run: a match or a left-over record; its details are in the run's files.

    Partitioned by job (migration 0006, jobs/partition.py); the database's primary key is
    (job_id, id), ids still come from one sequence.
    """

    __tablename__ = "reconciliation_results"
    __table_args__ = (
        # Per partition, i.e. per job (migration 0006); pages by id walk the primary key.
        Index("ix_reconciliation_results_score", "score", "id"),
        Index("ix_reconciliation_results_amount", "amount", "id"),
        {"postgresql_partition_by": "LIST (job_id)"},
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    job_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("reconciliation_jobs.id", ondelete="CASCADE"), nullable=False
    )
    kind: Mapped[str] = mapped_column(String(30), nullable=False)
    # auto: matched by an auto-matching pass; suggested: waits for review; manual: by a reviewer.
    match_status: Mapped[str | None] = mapped_column(String(20), nullable=True)
    pass_name: Mapped[str | None] = mapped_column(String(100), nullable=True)
    score: Mapped[float | None] = mapped_column(Float, nullable=True)
    amount: Mapped[Decimal | None] = mapped_column(Numeric(20, 4), nullable=True)
    left_ids: Mapped[list[str]] = mapped_column(JSONB, nullable=False)
    right_ids: Mapped[list[str]] = mapped_column(JSONB, nullable=False)
    # The row of the run's results file holding this result's explanation and differences;
    # its records are in the run's record files. Rows a reviewer adds have no ordinal and
    # keep their details in the columns below.
    ordinal: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    left_records: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON, nullable=True)
    right_records: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON, nullable=True)
    explanation: Mapped[Any] = mapped_column(JSON, nullable=True)
    differences: Mapped[Any] = mapped_column(JSON, nullable=True)
    reason: Mapped[str | None] = mapped_column(String(50), nullable=True)
    reason_detail: Mapped[Any] = mapped_column(JSON, nullable=True)
    # Lower-cased text fields of both sides' records, for the text search of rows a reviewer
    # added; the worker's rows are searched in the run's record files (results/search.py).
    search_text: Mapped[str] = mapped_column(Text, nullable=False, server_default="")
    review_status: Mapped[str] = mapped_column(String(20), nullable=False, server_default="pending")
    review_note: Mapped[str | None] = mapped_column(Text, nullable=True)
