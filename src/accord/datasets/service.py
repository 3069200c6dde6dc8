"""Data-set use cases: upload, re-map, delete. The request's unit of work commits."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from fastapi import UploadFile
from pydantic import ValidationError
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.concurrency import run_in_threadpool

from accord import audit
from accord.audit.context import RequestContext
from accord.config import Settings
from accord.datasets.parse import PARQUET_NAME, parse_original
from accord.datasets.storage import (
    dataset_dir,
    remove_dataset_files,
    remove_files_when,
    store_upload,
)
from accord.db.models import Dataset, ReconciliationJob, User
from accord.engine.ingest import ColumnMapping, ReadOptions
from accord.errors import Conflict, NotFound, UnprocessableEntity
from accord.jobs.queue import notify_change

# Files up to this size are parsed while the upload request waits; larger ones by a worker.
IN_REQUEST_PARSE_BYTES = 32 << 20


def _validated(options: dict[str, Any], mapping: dict[str, Any] | None) -> None:
    try:
        ReadOptions.model_validate(options)
        if mapping:
            ColumnMapping.model_validate(mapping)
    except ValidationError as exc:
        details = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()
        )
        raise UnprocessableEntity(f"Invalid read options or mapping: {details}") from None


async def get_dataset(db: AsyncSession, project_id: uuid.UUID, dataset_id: uuid.UUID) -> Dataset:
    dataset = await db.scalar(
        select(Dataset).where(Dataset.id == dataset_id, Dataset.project_id == project_id)
    )
    if dataset is None:
        raise NotFound("No data set with this id in this project.")
    return dataset


async def parse_now(dataset: Dataset, data_dir: Path) -> None:
    """Parse in the request (small files): status ends ready or failed, with the details."""
    original = data_dir / dataset.original_path
    parquet = original.parent / PARQUET_NAME
    outcome = await run_in_threadpool(
        parse_original,
        original,
        parquet,
        dataset.read_options,
        dataset.mapping,
        dataset.original_filename,
    )
    dataset.status = outcome.status
    dataset.row_count = outcome.row_count
    dataset.columns = outcome.columns
    dataset.problems = outcome.problems
    dataset.error = outcome.error
    dataset.parquet_path = str(parquet.relative_to(data_dir)) if outcome.status == "ready" else None


async def upload_dataset(
    db: AsyncSession,
    settings: Settings,
    user: User,
    project_id: uuid.UUID,
    upload: UploadFile,
    name: str | None,
    options: dict[str, Any],
    mapping: dict[str, Any] | None,
    context: RequestContext,
    parse_in_request: bool = False,
) -> tuple[Dataset, bool]:
    """Store, recognise a repeated file, and parse now or hand over to a worker.

    A file already uploaded with the same read options and mapping is recognised by its
    SHA-256 and that data set returned; with other options it is a new data set.
    `parse_in_request` forces parsing now whatever the size (the demo needs it ready).
    """
    _validated(options, mapping)
    data_dir = settings.app.data_dir
    dataset_id = uuid.uuid4()
    relative_dir = dataset_dir(project_id, dataset_id)
    stored = await store_upload(upload, data_dir, relative_dir, settings.app.max_upload_mb << 20)
    remove_files_when(db, "rollback", data_dir / relative_dir)
    candidates = await db.scalars(
        select(Dataset).where(
            Dataset.project_id == project_id,
            Dataset.sha256 == stored.sha256,
            Dataset.status != "failed",
        )
    )
    same = next((d for d in candidates if d.read_options == options and d.mapping == mapping), None)
    if same is not None:
        remove_dataset_files(data_dir, relative_dir)
        return same, True
    filename = Path(upload.filename or "upload").name
    dataset = Dataset(
        id=dataset_id,
        project_id=project_id,
        created_by=user.id,
        name=name or filename,
        original_filename=filename,
        sha256=stored.sha256,
        size_bytes=stored.size_bytes,
        status="uploaded",
        original_path=str(stored.relative_path),
        read_options=options,
        mapping=mapping,
        columns=[],
        problems=[],
        row_count=None,
        parquet_path=None,
        error=None,
    )
    db.add(dataset)
    if parse_in_request or stored.size_bytes <= settings.app.parse_in_request_mb << 20:
        await parse_now(dataset, data_dir)
    await db.flush()
    if dataset.status == "uploaded":
        await notify_change(db, dataset.id)
    await audit.record(
        db,
        user,
        "dataset.upload",
        "dataset",
        dataset.id,
        project_id=project_id,
        after={"name": dataset.name, "sha256": dataset.sha256, "status": dataset.status},
        context=context,
    )
    return dataset, False


async def update_mapping(
    db: AsyncSession,
    settings: Settings,
    user: User,
    dataset: Dataset,
    mapping: dict[str, Any] | None,
    options: dict[str, Any] | None,
    context: RequestContext,
) -> Dataset:
    """Re-read the kept original with a new mapping (and options); the old Parquet is replaced."""
    await _refuse_if_in_use(db, dataset, "re-mapped")
    _refuse_while_parsing(dataset, "re-mapped")
    new_options = options if options is not None else dataset.read_options
    _validated(new_options, mapping)
    before = {"mapping": dataset.mapping, "read_options": dataset.read_options}
    dataset.mapping = mapping
    dataset.read_options = new_options
    if dataset.size_bytes <= settings.app.parse_in_request_mb << 20:
        await parse_now(dataset, settings.app.data_dir)
    else:
        dataset.status = "uploaded"
        dataset.parse_token = None
        await notify_change(db, dataset.id)
    await audit.record(
        db,
        user,
        "dataset.remap",
        "dataset",
        dataset.id,
        project_id=dataset.project_id,
        before=before,
        after={"mapping": mapping, "read_options": new_options},
        context=context,
    )
    return dataset


def _refuse_while_parsing(dataset: Dataset, what: str) -> None:
    if dataset.status == "parsing":
        raise Conflict(
            f"The data set is being parsed and cannot be {what} now; try again when it is "
            "ready or failed."
        )


async def _refuse_if_in_use(db: AsyncSession, dataset: Dataset, what: str) -> None:
    active = await db.scalar(
        select(func.count()).where(
            ReconciliationJob.status.in_(("queued", "running")),
            (ReconciliationJob.left_dataset_id == dataset.id)
            | (ReconciliationJob.right_dataset_id == dataset.id),
        )
    )
    if active:
        raise Conflict(
            f"The data set is used by {active} queued or running job(s) and cannot be {what}; "
            "wait for them to finish or cancel them.",
        )


async def delete_dataset(
    db: AsyncSession, settings: Settings, user: User, dataset: Dataset, context: RequestContext
) -> None:
    """Delete the data set and its files; finished jobs keep their results, not the link."""
    await _refuse_if_in_use(db, dataset, "deleted")
    _refuse_while_parsing(dataset, "deleted")
    for column in ("left_dataset_id", "right_dataset_id"):
        await db.execute(
            text(f"UPDATE reconciliation_jobs SET {column} = NULL WHERE {column} = :id"),  # noqa: S608
            {"id": dataset.id},
        )
    await db.execute(
        text("DELETE FROM review_decisions WHERE left_dataset_id = :id OR right_dataset_id = :id"),
        {"id": dataset.id},
    )
    await audit.record(
        db,
        user,
        "dataset.delete",
        "dataset",
        dataset.id,
        project_id=dataset.project_id,
        before={"name": dataset.name, "sha256": dataset.sha256},
        context=context,
    )
    await db.delete(dataset)
    await db.flush()
    remove_files_when(db, "commit", settings.app.data_dir / Path(dataset.original_path).parent)
