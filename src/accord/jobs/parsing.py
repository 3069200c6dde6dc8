"""Large uploads are parsed by a worker: claim one `uploaded` data set, parse it, store the outcome.

A data set left `parsing` by a worker that died is claimed again after `stale_after_s`.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import Engine

from accord.datasets.parse import PARQUET_NAME, parse_original
from accord.logging import get_logger

log = get_logger(__name__)

_CLAIM = text(
    """
    UPDATE datasets d SET status = 'parsing', updated_at = now()
    WHERE d.id = (
        SELECT id FROM datasets
        WHERE status = 'uploaded'
           OR (status = 'parsing' AND updated_at < now() - make_interval(secs => :stale))
        ORDER BY created_at
        FOR UPDATE SKIP LOCKED
        LIMIT 1
    )
    RETURNING d.id, d.original_path, d.read_options, d.mapping, d.original_filename
    """
)


def parse_next_dataset(engine: Engine, data_dir: Path, stale_after_s: float) -> bool:
    """Parse one waiting upload; False when none waits."""
    with engine.begin() as conn:
        row = conn.execute(_CLAIM, {"stale": stale_after_s}).first()
    if row is None:
        return False
    dataset_id: uuid.UUID = row[0]
    original = data_dir / row[1]
    parquet = original.parent / PARQUET_NAME
    log.info("parsing data set", dataset_id=str(dataset_id))
    outcome = parse_original(original, parquet, row[2] or {}, row[3], row[4])
    with engine.begin() as conn:
        conn.execute(
            text(
                "UPDATE datasets SET status = :status, row_count = :rows, "
                "columns = CAST(:columns AS jsonb), problems = CAST(:problems AS jsonb), "
                "error = :error, parquet_path = :parquet, updated_at = now() "
                "WHERE id = :id AND status = 'parsing'"
            ),
            {
                "id": dataset_id,
                "status": outcome.status,
                "rows": outcome.row_count,
                "columns": json.dumps(outcome.columns, default=str),
                "problems": json.dumps(outcome.problems, default=str),
                "error": outcome.error,
                "parquet": str(parquet.relative_to(data_dir))
                if outcome.status == "ready"
                else None,
            },
        )
    log.info("data set parsed", dataset_id=str(dataset_id), status=outcome.status)
    return True
