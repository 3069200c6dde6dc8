"""The three export formats. CSV is streamed as it is read; XLSX and Parquet need a whole
file (a zip and a footer), so they are written batch by batch to a temporary file, off the
event loop, then streamed from it.
"""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import xlsxwriter
from anyio import to_thread

from accord.errors import UnprocessableEntity
from accord.exports.batches import ExportBatch
from accord.exports.rows import BOOLEAN, FORMULA_STARTS, NUMBER, TEXT, ExportLayout, neutralise

# One row of an XLSX sheet is the header; Excel stops at 1,048,576 rows.
XLSX_MAX_RESULTS = 1_048_575
# What makes Python's csv module quote a field (QUOTE_MINIMAL, excel dialect).
_NEEDS_QUOTES = '[,"\r\n]'
# Text `neutralise` changes: starting with one of FORMULA_STARTS (RE2, characters by code).
_FORMULA = "^[" + "".join(f"\\x{{{ord(c):x}}}" for c in FORMULA_STARTS) + "]"


def _csv_field(text: pa.Array, kind: pa.Array) -> pa.Array:
    """A column as `csv.writer` writes its cells once `neutralise`d (most columns have
    nothing to neutralise or quote: they skip those steps)."""
    if pc.all(pc.not_equal(kind, TEXT)).as_py():
        return text  # numbers and booleans: no formula, no comma, quote or line break
    formula = pc.and_(pc.equal(kind, TEXT), pc.match_substring_regex(text, _FORMULA))
    if pc.any(formula).as_py():
        text = pc.if_else(formula, pc.binary_join_element_wise("'", text, ""), text)
    needs_quotes = pc.match_substring_regex(text, _NEEDS_QUOTES)
    if pc.any(needs_quotes).as_py():
        quoted = pc.binary_join_element_wise('"', pc.replace_substring(text, '"', '""'), '"', "")
        text = pc.if_else(needs_quotes, quoted, text)
    return text


def csv_rows(batch: ExportBatch) -> bytes:
    """The batch's rows as `csv.writer` writes them, built column by column in Arrow."""
    fields = [_csv_field(t, k) for t, k in zip(batch.texts, batch.kinds, strict=True)]
    lines = pc.binary_join_element_wise(*fields, ",", null_handling="replace", null_replacement="")
    lines = pc.binary_join_element_wise(lines, "\r\n", "")
    whole = pa.ListArray.from_arrays(pa.array([0, len(lines)], pa.int32()), lines)
    return bytes(pc.binary_join(whole, "")[0].as_buffer())


async def csv_chunks(
    layout: ExportLayout, batches: AsyncIterator[ExportBatch]
) -> AsyncIterator[bytes]:
    """UTF-8 CSV with a byte-order mark (so Excel reads it as UTF-8), one chunk per batch."""
    buffer = io.StringIO()
    csv.writer(buffer).writerow([neutralise(name) for name in layout.header])  # names from rules
    yield ("\ufeff" + buffer.getvalue()).encode()
    async for batch in batches:
        # CPU work: off the event loop, so other requests keep flowing.
        yield await to_thread.run_sync(csv_rows, batch)


class XlsxFile:
    """A worksheet in constant-memory mode: rows go to disk as they are written."""

    def __init__(self, path: Path, layout: ExportLayout) -> None:
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

    def write(self, batch: ExportBatch) -> None:
        if self.rows + batch.num_rows > XLSX_MAX_RESULTS:
            raise UnprocessableEntity(
                f"More than {XLSX_MAX_RESULTS:,} results do not fit in an XLSX sheet; "
                "export CSV or Parquet, or narrow the filter."
            )
        texts = zip(*(t.to_pylist() for t in batch.texts), strict=True)
        kinds = zip(*(k.to_pylist() for k in batch.kinds), strict=True)
        for row_texts, row_kinds in zip(texts, kinds, strict=True):
            self.rows += 1
            for column, (text, kind) in enumerate(zip(row_texts, row_kinds, strict=True)):
                self._cell(self.rows, column, text, kind)

    def _cell(self, row: int, column: int, text: str | None, kind: int) -> None:
        if text is None:
            return
        if kind == BOOLEAN:
            self.sheet.write_boolean(row, column, text == "True")
        elif kind == NUMBER:
            self.sheet.write_number(row, column, float(text))
        else:
            self.sheet.write_string(row, column, neutralise(text))

    def close(self) -> None:
        self.workbook.close()


_PARQUET_TYPES = {"result_id": pa.int64(), "score": pa.float64(), "amount": pa.decimal128(20, 4)}


class ParquetFile:
    """Values as they are (no neutralising): Parquet is read by programs, not spreadsheets."""

    def __init__(self, path: Path, layout: ExportLayout) -> None:
        self.schema = pa.schema(
            [(name, _PARQUET_TYPES.get(name, pa.string())) for name in layout.header]
        )
        self.writer = pq.ParquetWriter(str(path), self.schema)

    def write(self, batch: ExportBatch) -> None:
        # The typed outcome columns back from their text (`str()` of the value: exact).
        columns: list[Any] = [t.cast(f.type) for t, f in zip(batch.texts, self.schema, strict=True)]
        self.writer.write_table(pa.Table.from_arrays(columns, schema=self.schema))

    def close(self) -> None:
        self.writer.close()
