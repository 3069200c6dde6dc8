"""Build an XLSX or Parquet export in a temporary file in the data dir, batch by batch."""

from __future__ import annotations

import os
import tempfile
from collections.abc import AsyncIterable
from pathlib import Path
from typing import Literal

from anyio import to_thread

from accord.exports.batches import ExportBatch
from accord.exports.rows import ExportLayout
from accord.exports.writers import ParquetFile, XlsxFile

FileFormat = Literal["xlsx", "parquet"]


async def build_export_file(
    file_format: FileFormat,
    tmp_dir: Path,
    layout: ExportLayout,
    batches: AsyncIterable[ExportBatch],
) -> Path:
    """Write every batch to a new temporary file and return its path (the caller deletes it)."""
    tmp_dir.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(dir=tmp_dir, prefix="export-", suffix=f".{file_format}")
    os.close(handle)
    path = Path(name)
    writer_class: type[XlsxFile | ParquetFile] = XlsxFile if file_format == "xlsx" else ParquetFile
    try:
        writer: XlsxFile | ParquetFile = await to_thread.run_sync(writer_class, path, layout)
        try:
            async for batch in batches:
                # Writing is CPU work: off the event loop, so other requests keep flowing.
                await to_thread.run_sync(writer.write, batch)
        finally:
            await to_thread.run_sync(writer.close)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return path
