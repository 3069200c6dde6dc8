"""`GET /projects/{id}/jobs/{job_id}/export`: the listing's filter, as CSV, XLSX or Parquet."""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Annotated, Literal

from anyio import CancelScope, to_thread
from fastapi import APIRouter, Query
from fastapi.responses import FileResponse, StreamingResponse
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from accord.api.deps import StateDep
from accord.exports.files import build_export_file
from accord.exports.rows import ExportLayout
from accord.exports.source import ResultBatches
from accord.exports.writers import csv_chunks
from accord.results.details import check_results_dir
from accord.results.filters import ResultFilterDep
from accord.results.jobs import ViewJob
from accord.results.search import job_filter_clauses

router = APIRouter(prefix="/projects/{project_id}/jobs/{job_id}", tags=["export"])

ExportFormat = Literal["csv", "xlsx", "parquet"]
MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "parquet": "application/vnd.apache.parquet",
}


class _CsvStream(StreamingResponse):
    """Closes its batches once sent or abandoned: when the client goes away, Starlette cancels
    the stream and leaves its iterator to the garbage collector."""

    def __init__(self, batches: ResultBatches, layout: ExportLayout, filename: str) -> None:
        super().__init__(
            csv_chunks(layout, batches),
            media_type=MEDIA_TYPES["csv"],
            headers={"Content-Disposition": f'attachment; filename="{filename}"'},
        )
        self.batches = batches

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            await self.batches.aclose()


class _TemporaryFile(FileResponse):
    """Deletes its file once sent or refused: Starlette runs no background task when it answers
    a Range header with 400 or 416, or when sending fails."""

    def __init__(self, path: Path, media_type: str, filename: str) -> None:
        super().__init__(path, media_type=media_type, filename=filename)
        self.temporary = path

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            with CancelScope(shield=True):
                await to_thread.run_sync(partial(self.temporary.unlink, missing_ok=True))


@router.get("/export", response_class=Response)
async def export_results(
    job: ViewJob,
    state: StateDep,
    where: ResultFilterDep,
    file_format: Annotated[ExportFormat, Query(alias="format")] = "csv",
) -> Response:
    """The filtered results (or, with `exceptions=true`, the exceptions), one row per result."""
    layout = ExportLayout.of(job.rules)
    await check_results_dir(job.data_dir, job.job.results_dir)
    clauses = await job_filter_clauses(job, where)
    batches = await ResultBatches.open(state.database.engine, job, layout, clauses)
    what = "exceptions" if where.exceptions else "results"
    filename = f"accord-{job.job.id}-{what}.{file_format}"
    if file_format == "csv":
        return _CsvStream(batches, layout, filename)
    try:
        path = await build_export_file(
            file_format, state.settings.app.data_dir / "tmp", layout, batches
        )
    finally:
        await batches.aclose()
    return _TemporaryFile(path, MEDIA_TYPES[file_format], filename)
