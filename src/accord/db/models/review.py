"""Review decisions: kept per project, data-set pair and rule set, so re-runs honour them."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Index, String, Text, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from accord.db.base import Base, UUIDPrimaryKey

REVIEW_ACTIONS = ("confirm", "reject", "manual_match", "unmatch")


class ReviewDecision(UUIDPrimaryKey, Base):
    __tablename__ = "review_decisions"
    __table_args__ = (
        CheckConstraint(f"action IN {REVIEW_ACTIONS!r}", name="action_known"),
        Index(
            "ix_review_decisions_scope",
            "project_id",
            "left_dataset_id",
            "right_dataset_id",
            "ruleset_id",
        ),
    )

    project_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), nullable=False
    )
    job_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("reconciliation_jobs.id", ondelete="SET NULL"), nullable=True
    )
    left_dataset_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("datasets.id", ondelete="CASCADE"), nullable=False
    )
    right_dataset_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("datasets.id", ondelete="CASCADE"), nullable=False
    )
    ruleset_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("rulesets.id", ondelete="CASCADE"), nullable=False
    )
    action: Mapped[str] = mapped_column(String(20), nullable=False)
    left_ids: Mapped[list[str]] = mapped_column(JSONB, nullable=False)
    right_ids: Mapped[list[str]] = mapped_column(JSONB, nullable=False)
    note: Mapped[str] = mapped_column(Text, nullable=False, server_default="")
    decided_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    decided_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), nullable=False
    )
    # A later decision on the same records (e.g. unmatch after a manual match) retires this one.
    superseded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
