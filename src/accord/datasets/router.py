"""`/projects/{project_id}/datasets`: upload, list, get, preview, re-map, delete."""

from __future__ import annotations

import json
import uuid
from typing import Annotated, Any

import pyarrow.parquet as pq
from fastapi import APIRouter, File, Form, Query, Response, UploadFile, status
from sqlalchemy import select, tuple_
from starlette.concurrency import run_in_threadpool

from accord.api.deps import SessionDep, SettingsDep
from accord.api.pagination import decode_cursor, encode_cursor
from accord.audit.context import RequestContextDep
from accord.datasets import service
from accord.datasets.schemas import DatasetOut, DatasetPage, MappingUpdate, Preview
from accord.db.models import Dataset
from accord.errors import BadRequest, Conflict
from accord.projects.access import ProjectAccess, ViewAccess, permission
from accord.projects.permissions import Action

router = APIRouter(prefix="/projects/{project_id}/datasets", tags=["datasets"])
UploadAccess = Annotated[ProjectAccess, permission(Action.upload_data)]


def _out(dataset: Dataset, reused: bool = False) -> DatasetOut:
    return DatasetOut.model_validate({**dataset.__dict__, "reused": reused})


def _json_field(raw: str | None, field: str) -> Any:
    if raw is None or raw.strip() == "":
        return None
    try:
        return json.loads(raw)
    except json.JSONDecodeError as exc:
        raise BadRequest(
            f"Form field '{field}' is not valid JSON: {exc.msg} at {exc.pos}."
        ) from None


@router.post(
    "",
    response_model=DatasetOut,
    status_code=status.HTTP_201_CREATED,
    responses={200: {"description": "the same file was uploaded before: that data set"}},
)
async def upload_dataset(
    access: UploadAccess,
    db: SessionDep,
    settings: SettingsDep,
    context: RequestContextDep,
    response: Response,
    file: Annotated[UploadFile, File(description="CSV/TSV, XLSX, JSON/NDJSON or Parquet")],
    name: Annotated[str | None, Form(max_length=300)] = None,
    read_options: Annotated[
        str | None, Form(description="JSON: delimiter, encoding, sheet…")
    ] = None,
    mapping: Annotated[str | None, Form(description="JSON column mapping")] = None,
) -> DatasetOut:
    """Upload a file (streamed to disk, SHA-256 recorded); small files are parsed at once."""
    dataset, reused = await service.upload_dataset(
        db,
        settings,
        access.principal.user,
        access.project.id,
        file,
        name,
        _json_field(read_options, "read_options") or {},
        _json_field(mapping, "mapping"),
        context,
    )
    if reused:
        response.status_code = status.HTTP_200_OK
    return _out(dataset, reused)


@router.get("", response_model=DatasetPage)
async def list_datasets(
    access: ViewAccess,
    db: SessionDep,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: Annotated[str | None, Query()] = None,
) -> DatasetPage:
    """The project's data sets, newest first, a page at a time."""
    query = select(Dataset).where(Dataset.project_id == access.project.id)
    if cursor:
        created, last_id = decode_cursor(cursor)
        query = query.where(tuple_(Dataset.created_at, Dataset.id) < tuple_(created, last_id))
    rows = list(
        await db.scalars(
            query.order_by(Dataset.created_at.desc(), Dataset.id.desc()).limit(limit + 1)
        )
    )
    more = len(rows) > limit
    rows = rows[:limit]
    return DatasetPage(
        items=[_out(d) for d in rows],
        next_cursor=encode_cursor(rows[-1].created_at, rows[-1].id) if more else None,
    )


@router.get("/{dataset_id}", response_model=DatasetOut)
async def get_dataset(access: ViewAccess, db: SessionDep, dataset_id: uuid.UUID) -> DatasetOut:
    """One data set: status, schema, row count, problems."""
    return _out(await service.get_dataset(db, access.project.id, dataset_id))


def _first_rows(path: str, limit: int) -> tuple[list[dict[str, str]], list[dict[str, Any]]]:
    parquet = pq.ParquetFile(path)
    batch = next(parquet.iter_batches(batch_size=limit), None)
    columns = [{"name": f.name, "type": str(f.type)} for f in parquet.schema_arrow]
    if batch is None:
        return columns, []
    rows = batch.to_pylist()
    return columns, json.loads(json.dumps(rows, default=str))


@router.get("/{dataset_id}/preview", response_model=Preview)
async def preview_dataset(
    access: ViewAccess,
    db: SessionDep,
    settings: SettingsDep,
    dataset_id: uuid.UUID,
    limit: Annotated[int, Query(ge=1, le=500)] = 20,
) -> Preview:
    """The first rows, typed as the engine will see them (money as exact decimals in text)."""
    dataset = await service.get_dataset(db, access.project.id, dataset_id)
    if dataset.status != "ready" or dataset.parquet_path is None:
        raise Conflict(f"The data set is {dataset.status}; a preview exists once it is ready.")
    columns, rows = await run_in_threadpool(
        _first_rows, str(settings.app.data_dir / dataset.parquet_path), limit
    )
    return Preview(columns=columns, rows=rows, row_count=dataset.row_count)


@router.put("/{dataset_id}/mapping", response_model=DatasetOut)
async def update_mapping(
    access: UploadAccess,
    db: SessionDep,
    settings: SettingsDep,
    context: RequestContextDep,
    dataset_id: uuid.UUID,
    body: MappingUpdate,
) -> DatasetOut:
    """Change the column mapping (and read options); the kept original is read again."""
    dataset = await service.get_dataset(db, access.project.id, dataset_id)
    updated = await service.update_mapping(
        db, settings, access.principal.user, dataset, body.mapping, body.read_options, context
    )
    return _out(updated)


@router.delete("/{dataset_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_dataset(
    access: UploadAccess,
    db: SessionDep,
    settings: SettingsDep,
    context: RequestContextDep,
    dataset_id: uuid.UUID,
) -> None:
    """Delete a data set and its files (409 while a queued or running job uses it)."""
    dataset = await service.get_dataset(db, access.project.id, dataset_id)
    await service.delete_dataset(db, settings, access.principal.user, dataset, context)
