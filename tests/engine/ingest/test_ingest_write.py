"""Parquet output is atomic: a failed write leaves nothing partial and no old file damaged."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from accord.engine.ingest import read_table, write_parquet


def test_written_parquet_has_the_typed_schema(tmp_path: Path) -> None:
    csv = tmp_path / "a.csv"
    csv.write_text("amount,when\n1.00,2024-01-01\n")
    out = write_parquet(read_table(csv), tmp_path / "deep" / "a.parquet")
    schema = pq.read_schema(out)
    assert schema.field("amount").type == pa.decimal128(18, 2)
    assert schema.field("when").type == pa.date32()


def test_failed_write_leaves_no_partial_file_and_keeps_the_old_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "a.parquet"
    out.write_bytes(b"previous good output")

    def failing_write(table: pa.Table, where: str, **kwargs: object) -> None:
        Path(where).write_bytes(b"half a file")
        raise OSError("disk full")

    monkeypatch.setattr(pq, "write_table", failing_write)
    with pytest.raises(OSError, match="disk full"):
        write_parquet(pa.table({"a": [1]}), out)
    assert out.read_bytes() == b"previous good output"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.parquet"]
