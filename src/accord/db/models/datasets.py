"""Uploaded files: the original kept as it came, its Parquet form, schema and status."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, String, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from accord.db.base import Base, Timestamps, UUIDPrimaryKey

DATASET_STATUSES = ("uploaded", "parsing", "ready", "failed")


class Dataset(UUIDPrimaryKey, Timestamps, Base):
    __tablename__ = "datasets"
    __table_args__ = (
        CheckConstraint(f"status IN {DATASET_STATUSES!r}", name="status_known"),
        Index("ix_datasets_project_sha256", "project_id", "sha256"),
    )

    project_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), nullable=False, index=True
    )
    created_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    name: Mapped[str] = mapped_column(String(300), nullable=False)
    original_filename: Mapped[str] = mapped_column(String(500), nullable=False)
    sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    size_bytes: Mapped[int] = mapped_column(BigInteger, nullable=False)
    status: Mapped[str] = mapped_column(String(20), nullable=False, server_default="uploaded")
    # Paths relative to the data dir, so the data dir can move.
    original_path: Mapped[str] = mapped_column(String(1000), nullable=False)
    parquet_path: Mapped[str | None] = mapped_column(String(1000), nullable=True)
    row_count: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    columns: Mapped[list[dict[str, Any]]] = mapped_column(
        JSONB, nullable=False, server_default=text("'[]'::jsonb")
    )
    read_options: Mapped[dict[str, Any]] = mapped_column(
        JSONB, nullable=False, server_default=text("'{}'::jsonb")
    )
    mapping: Mapped[dict[str, Any] | None] = mapped_column(JSONB, nullable=True)
    problems: Mapped[list[dict[str, Any]]] = mapped_column(
        JSONB, nullable=False, server_default=text("'[]'::jsonb")
    )
    error: Mapped[str | None] = mapped_column(String(4000), nullable=True)
    # Set by the worker parsing the file; only the holder may store the outcome.
    parse_token: Mapped[uuid.UUID | None] = mapped_column(nullable=True)
