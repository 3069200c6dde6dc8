"""Large uploads are parsed by a worker: claim one `uploaded` data set, parse it, store the outcome.

The claim hands out a token and a heartbeat keeps it fresh while the parse runs; a data set
left `parsing` by a worker that died (no heartbeat for `stale_after_s`) is claimed again.
Only the token's holder may store the outcome.
"""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Engine

from accord.datasets.parse import PARQUET_NAME, parse_original
from accord.logging import get_logger

log = get_logger(__name__)

_CLAIM = text(
    """
    UPDATE datasets d SET status = 'parsing', parse_token = gen_random_uuid(), updated_at = now()
    WHERE d.id = (
        SELECT id FROM datasets
        WHERE status = 'uploaded'
           OR (status = 'parsing' AND updated_at < now() - make_interval(secs => :stale))
        ORDER BY created_at
        FOR UPDATE SKIP LOCKED
        LIMIT 1
    )
    RETURNING d.id, d.original_path, d.read_options, d.mapping, d.original_filename,
              d.parse_token
    """
)
_BEAT = text("UPDATE datasets SET updated_at = now() WHERE id = :id AND parse_token = :token")
_STORE = text(
    "UPDATE datasets SET status = :status, row_count = :rows, "
    "columns = CAST(:columns AS jsonb), problems = CAST(:problems AS jsonb), "
    "error = :error, parquet_path = :parquet, parse_token = NULL, updated_at = now() "
    "WHERE id = :id AND status = 'parsing' AND parse_token = :token"
)


@contextmanager
def _heartbeat(
    engine: Engine, dataset_id: uuid.UUID, token: uuid.UUID, every_s: float
) -> Iterator[None]:
    done = threading.Event()

    def beat() -> None:
        while not done.wait(every_s):
            try:
                with engine.begin() as conn:
                    conn.execute(_BEAT, {"id": dataset_id, "token": token})
            except Exception as exc:  # a missed beat is retried; the database may come back
                log.warning("parse heartbeat failed", dataset_id=str(dataset_id), error=str(exc))

    thread = threading.Thread(target=beat, name=f"parse-heartbeat-{dataset_id}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        done.set()
        thread.join(every_s + 5)


@dataclass(frozen=True)
class ClaimedDataset:
    """An upload this worker holds (its `parse_token`) until it stores the outcome."""

    id: uuid.UUID
    original_path: str
    read_options: dict[str, Any]
    mapping: dict[str, Any] | None
    filename: str
    token: uuid.UUID


def claim_dataset(engine: Engine, stale_after_s: float) -> ClaimedDataset | None:
    """Claim the oldest waiting upload (or one whose parser died); None when none waits."""
    with engine.begin() as conn:
        row = conn.execute(_CLAIM, {"stale": stale_after_s}).first()
    if row is None:
        return None
    return ClaimedDataset(row[0], row[1], row[2] or {}, row[3], row[4], row[5])


def parse_claimed(
    engine: Engine, claimed: ClaimedDataset, data_dir: Path, heartbeat_s: float
) -> None:
    """Parse a claimed upload into typed Parquet and store the outcome (if still ours)."""
    original = data_dir / claimed.original_path
    parquet = original.parent / PARQUET_NAME
    log.info("parsing data set", dataset_id=str(claimed.id))
    with _heartbeat(engine, claimed.id, claimed.token, heartbeat_s):
        outcome = parse_original(
            original, parquet, claimed.read_options, claimed.mapping, claimed.filename
        )
    with engine.begin() as conn:
        stored = conn.execute(
            _STORE,
            {
                "id": claimed.id,
                "token": claimed.token,
                "status": outcome.status,
                "rows": outcome.row_count,
                "columns": json.dumps(outcome.columns, default=str),
                "problems": json.dumps(outcome.problems, default=str),
                "error": outcome.error,
                "parquet": str(parquet.relative_to(data_dir))
                if outcome.status == "ready"
                else None,
            },
        ).rowcount
    log.info(
        "data set parsed", dataset_id=str(claimed.id), status=outcome.status, stored=bool(stored)
    )


def parse_next_dataset(
    engine: Engine, data_dir: Path, stale_after_s: float, heartbeat_s: float
) -> bool:
    """Parse one waiting upload; False when none waits."""
    claimed = claim_dataset(engine, stale_after_s)
    if claimed is None:
        return False
    parse_claimed(engine, claimed, data_dir, heartbeat_s)
    return True
