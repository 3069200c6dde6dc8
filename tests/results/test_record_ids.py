"""Records read back from a run's side file by the ids the worker wrote, whatever their type."""

from __future__ import annotations

import datetime
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from accord.jobs.runfile import ID_COLUMN_KEY, SIDE_FILES
from accord.results.details import read_records

IDS = {
    "float": pa.array([1.0, 2.5, 3.0]),
    "timestamp": pa.array(
        [
            datetime.datetime(2026, 1, 1, 1),
            datetime.datetime(2026, 1, 2),
            datetime.datetime(2026, 1, 3),
        ]
    ),
    "integer": pa.array([7, 8, 9]),
}


@pytest.mark.parametrize("kind", sorted(IDS))
def test_every_record_is_found_by_the_id_text_the_worker_wrote(kind: str, tmp_path: Path) -> None:
    table = pa.table({"ref id": IDS[kind], "memo": ["a", "b", "c"]})
    pq.write_table(
        table.replace_schema_metadata({ID_COLUMN_KEY: b"ref id"}), tmp_path / SIDE_FILES["left"]
    )
    # The worker names records by DuckDB's text of their ids (jobs/records.py).
    con = duckdb.connect()
    con.register("t", table)
    ids = [row[0] for row in con.execute('SELECT CAST("ref id" AS VARCHAR) FROM t').fetchall()]
    found = read_records(tmp_path, "left", ids)
    assert sorted(found) == sorted(ids)
    assert [found[i]["memo"] for i in ids] == ["a", "b", "c"]
