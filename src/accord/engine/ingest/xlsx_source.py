"""Spreadsheets (XLSX, XLS, ODS) through python-calamine, as a DuckDB view of text columns.

Cells come out of calamine as Python values, so this is the one reader that touches
every value in Python; batches keep that at a bounded number of rows at a time.
Numbers are written with Excel's own 15 significant digits, so `0.1 + 0.2` computed
in a sheet reads as `0.3`, and dates as ISO text, typed afterwards like any CSV.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from accord.engine.ingest.csv_source import unique_names
from accord.engine.ingest.options import FileFormat, ReadOptions
from accord.engine.ingest.source import Source

_BATCH_ROWS = 65_536
_VIEW = "spreadsheet_rows"


def open_xlsx(path: Path, options: ReadOptions, connection: duckdb.DuckDBPyConnection) -> Source:
    """Register the chosen sheet (`options.sheet`, default the first) as a DuckDB view."""
    from python_calamine import CalamineWorkbook

    workbook = CalamineWorkbook.from_path(str(path))
    sheet_names: list[str] = list(workbook.sheet_names)
    wanted = options.sheet if options.sheet is not None else 0
    if isinstance(wanted, int) or (
        isinstance(wanted, str) and wanted not in sheet_names and wanted.isdigit()
    ):
        index = int(wanted)
        if not 0 <= index < len(sheet_names):
            raise ValueError(f"sheet {index} does not exist; sheets: {', '.join(sheet_names)}")
        sheet_name = sheet_names[index]
    elif wanted in sheet_names:
        sheet_name = wanted
    else:
        raise ValueError(f"no sheet named {wanted!r}; sheets: {', '.join(sheet_names)}")
    sheet = workbook.get_sheet_by_name(sheet_name)
    rows: Iterator[list[object]] = (list(row) for row in sheet.iter_rows())
    for _ in range(options.skip_rows):
        next(rows, None)
    first = next(rows, None)
    if first is None:
        return Source(path.name, FileFormat.XLSX, _VIEW, [], details={"sheet": sheet_name})
    if options.header:
        columns = unique_names([cell_text(cell) or "" for cell in first])
    else:
        columns = [f"column{i + 1}" for i in range(len(first))]
        rows = _chain(first, rows)
    table = pa.Table.from_batches(_batches(rows, columns), schema=_text_schema(columns))
    connection.register(_VIEW, table)
    first_data_line = (
        (sheet.start[0] if sheet.start else 0) + options.skip_rows + 1 + options.header
    )
    return Source(
        path.name,
        FileFormat.XLSX,
        _VIEW,
        columns,
        details={"sheet": sheet_name},
        first_data_line=first_data_line,
    )


def cell_text(cell: object) -> str | None:
    """A cell as the text a person sees in Excel; None for an empty cell."""
    if cell is None or cell == "":
        return None
    if isinstance(cell, bool):
        return "true" if cell else "false"
    if isinstance(cell, float):
        return f"{cell:.15g}" if not cell.is_integer() else str(int(cell))
    if isinstance(cell, dt.datetime):
        return cell.isoformat(sep=" ") if cell.time() != dt.time() else cell.date().isoformat()
    if isinstance(cell, dt.date | dt.time):
        return cell.isoformat()
    return str(cell)


def _batches(rows: Iterator[list[object]], columns: list[str]) -> Iterator[pa.RecordBatch]:
    """Rows in batches of `_BATCH_ROWS`, turned into text column by column."""
    schema = _text_schema(columns)
    width = len(columns)
    while batch := list(itertools.islice(rows, _BATCH_ROWS)):
        padded = [row[:width] + [None] * (width - len(row)) for row in batch]
        cells_by_column = zip(*padded, strict=True)
        yield pa.RecordBatch.from_arrays(
            [_column_text(cells) for cells in cells_by_column], schema=schema
        )


def _column_text(cells: tuple[object, ...]) -> pa.Array:
    """One column of a batch as text; a column of plain strings skips the per-cell work."""
    if all(type(cell) is str for cell in cells):
        text = pa.array(cells, pa.string())
        return pc.if_else(pc.equal(text, ""), pa.scalar(None, pa.string()), text)
    return pa.array([cell_text(cell) for cell in cells], pa.string())


def _text_schema(columns: list[str]) -> pa.Schema:
    return pa.schema([pa.field(name, pa.string()) for name in columns])


def _chain(first: list[object], rest: Iterator[list[object]]) -> Iterator[list[object]]:
    yield first
    yield from rest
