"""Parquet output, written so a failure never leaves a partial file behind."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from accord.engine.ingest.read import IngestResult


def write_parquet(result: IngestResult | pa.Table, out_path: Path | str) -> Path:
    """Write the table to `out_path` atomically: a temporary file beside it, then a rename."""
    out_path = Path(out_path)
    table = result.table if isinstance(result, IngestResult) else result
    out_path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(
        prefix=f".{out_path.name}.", suffix=".part", dir=out_path.parent
    )
    os.close(handle)
    try:
        pq.write_table(table, temporary, compression="zstd")
        os.replace(temporary, out_path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return out_path
