"""The three export formats. CSV is streamed as it is read; XLSX and Parquet need a whole
file (a zip and a footer), so they are written batch by batch to a temporary file, off the
event loop, then streamed from it.
"""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import xlsxwriter

from accord.errors import UnprocessableEntity
from accord.exports.rows import OUTCOME_COLUMNS, ExportLayout, neutralise

# One row of an XLSX sheet is the header; Excel stops at 1,048,576 rows.
XLSX_MAX_RESULTS = 1_048_575


async def csv_chunks(
    layout: ExportLayout, batches: AsyncIterator[Sequence[Any]]
) -> AsyncIterator[bytes]:
    """UTF-8 CSV with a byte-order mark (so Excel reads it as UTF-8), one chunk per batch."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([neutralise(name) for name in layout.header])  # column names come from rules
    yield ("\ufeff" + buffer.getvalue()).encode()
    async for batch in batches:
        buffer.seek(0)
        buffer.truncate()
        writer.writerows([neutralise(v) for v in layout.flatten(row)] for row in batch)
        yield buffer.getvalue().encode()


class XlsxFile:
    """A worksheet in constant-memory mode: rows go to disk as they are written."""

    def __init__(self, path: Path, layout: ExportLayout) -> None:
        self.layout = layout
        # Never turn text into formulas, links or numbers: a cell holds what the record held.
        options = {
            "constant_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
        }
        self.workbook = xlsxwriter.Workbook(str(path), options)
        self.sheet = self.workbook.add_worksheet("results")
        self.sheet.write_row(0, 0, [neutralise(name) for name in layout.header])
        self.rows = 0

    def write(self, batch: Sequence[Any]) -> None:
        if self.rows + len(batch) > XLSX_MAX_RESULTS:
            raise UnprocessableEntity(
                f"More than {XLSX_MAX_RESULTS:,} results do not fit in an XLSX sheet; "
                "export CSV or Parquet, or narrow the filter."
            )
        for row in batch:
            self.rows += 1
            for column, value in enumerate(self.layout.flatten(row)):
                self._cell(self.rows, column, value)

    def _cell(self, row: int, column: int, value: Any) -> None:
        if value is None:
            return
        if isinstance(value, bool):
            self.sheet.write_boolean(row, column, value)
        elif isinstance(value, int | float | Decimal):
            self.sheet.write_number(row, column, float(value))
        else:
            self.sheet.write_string(row, column, neutralise(str(value)))

    def close(self) -> None:
        self.workbook.close()


def _parquet_schema(layout: ExportLayout) -> pa.Schema:
    types = {"result_id": pa.int64(), "score": pa.float64(), "amount": pa.decimal128(20, 4)}
    return pa.schema([(name, types.get(name, pa.string())) for name in layout.header])


class ParquetFile:
    """Values as they are (no neutralising): Parquet is read by programs, not spreadsheets."""

    def __init__(self, path: Path, layout: ExportLayout) -> None:
        self.layout = layout
        self.schema = _parquet_schema(layout)
        self.writer = pq.ParquetWriter(str(path), self.schema)

    def write(self, batch: Sequence[Any]) -> None:
        rows = [self.layout.flatten(row) for row in batch]
        numeric = len(OUTCOME_COLUMNS)
        columns = {}
        for i, field in enumerate(self.schema):
            values = [r[i] for r in rows]
            if pa.types.is_string(field.type) and i >= numeric:
                values = [None if v is None else str(v) for v in values]
            columns[field.name] = pa.array(values, field.type)
        self.writer.write_table(pa.table(columns, schema=self.schema))

    def close(self) -> None:
        self.writer.close()
