"""A batch of exported rows built column by column: the database's columns, the ids parsed
in DuckDB, the records' fields taken by id (records.py), the few JSON details decoded in Python.

Only what per-row Python cannot be avoided for stays per row: the reason's detail and the
differences (on the rows that have them), and the records of rows a reviewer added.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from accord.exports.records import SIDES, SideRecords, constant
from accord.exports.rows import JOIN, NUMBER, TEXT, ExportLayout, cell, differences_text
from accord.jobs.runfile import RESULTS
from accord.results.details import lookup_rows

# Each side's ids as a list, and the first (null if none), in the rows' order.
_IDS = """
    SELECT row, ordinal, left_list, left_list[1] AS left_first, right_list,
           right_list[1] AS right_first
    FROM (
        SELECT row, ordinal, from_json(left_ids, '["VARCHAR"]') AS left_list,
               from_json(right_ids, '["VARCHAR"]') AS right_list
        FROM batch_ids
    )
    ORDER BY row
"""


@dataclass(frozen=True)
class ExportBatch:
    """Rows of the export, column by column in header order: each cell's text as `str()`
    writes its value (null for None) and its kind (rows.TEXT, NUMBER or BOOLEAN)."""

    texts: list[pa.Array]
    kinds: list[pa.Array]

    @property
    def num_rows(self) -> int:
        return len(self.texts[0])


def _detail_cells(reason_detail: str | None) -> tuple[tuple[str | None, int], str | None]:
    """The reason's detail (a cell) and its candidates, joined."""
    detail = json.loads(reason_detail) if reason_detail else None
    if not isinstance(detail, dict):
        return (None, TEXT), None
    candidates = JOIN.join(str(c) for c in detail.get("candidates") or []) or None
    return cell(detail.get("detail")), candidates


class BatchBuilder:
    """Builds the batches of one export; with `whole`, holds both sides' records (records.py)
    meanwhile, else reads those each batch names."""

    def __init__(self, layout: ExportLayout, run_dir: Path | None, whole: bool = True) -> None:
        self.layout = layout
        self.run_dir = run_dir
        self.con = duckdb.connect()
        try:
            self.records = [
                SideRecords(self.con, side, run_dir, fields, whole)
                for side, fields in zip(
                    SIDES, (layout.left_fields, layout.right_fields), strict=True
                )
            ]
        except BaseException:
            self.con.close()
            raise

    def close(self) -> None:
        self.con.close()

    def _run_differences(self, ordinals: list[int]) -> dict[int, str]:
        """The differences (JSON) the run's results file holds for these ordinals."""
        if not ordinals:
            return {}
        if self.run_dir is None:
            raise FileNotFoundError("the job names no results folder")
        found = lookup_rows(self.run_dir / RESULTS, "ordinal", ordinals, ["differences"])
        # Most results have none ("[]"): only the others are decoded (`_differences`).
        listed = pc.invert(pc.is_in(found["differences"], pa.array(["", "[]", "null"])))
        found = found.filter(pc.and_(pc.is_valid(found["differences"]), listed))
        return dict(
            zip(found["ordinal"].to_pylist(), found["differences"].to_pylist(), strict=True)
        )

    def _ids(
        self, ordinal: Sequence[int | None], left: Sequence[str], right: Sequence[str]
    ) -> pa.Table:
        """The rows' ordinals and ids (the database's JSON text) parsed, in DuckDB (_IDS)."""
        self.con.register(
            "batch_ids",
            pa.table(
                {
                    "row": pa.array(range(len(ordinal)), pa.int64()),
                    "ordinal": pa.array(ordinal, pa.int64()),
                    "left_ids": pa.array(left, pa.string()),
                    "right_ids": pa.array(right, pa.string()),
                }
            ),
        )
        try:
            return self.con.sql(_IDS).to_arrow_table()
        finally:
            self.con.unregister("batch_ids")

    def _records(
        self, ids: pa.Table, own: list[int], own_records: Sequence[Sequence[str | None]]
    ) -> list[tuple[pa.Array, pa.Array]]:
        """Both sides' fields (records.py); rows `own` (a reviewer's) with their own records."""
        self.con.register("ids", ids)
        try:
            return [
                cells
                for side, records in zip(self.records, own_records, strict=True)
                for cells in side.cells(self.con, ids, {i: records[i] for i in own})
            ]
        finally:
            self.con.unregister("ids")

    def _differences(
        self, ordinal: Sequence[int | None], differences: Sequence[str | None]
    ) -> list[str | None]:
        """Each row's differences as text: from the run's results file, or its own column."""
        from_run = self._run_differences([o for o in ordinal if o is not None])
        return [
            differences_text(json.loads(text) if text else None)
            for text in (
                from_run.get(o) if o is not None else own
                for o, own in zip(ordinal, differences, strict=True)
            )
        ]

    def build(self, rows: Sequence[Sequence[Any]]) -> ExportBatch:
        """A batch from the database's rows (rows.export_query)."""
        (
            result_id,
            kind,
            match_status,
            pass_name,
            score,
            amount,
            review_status,
            review_note,
            left_ids,
            right_ids,
            reason,
            reason_detail,
            ordinal,
            differences,
            left_records,
            right_records,
        ) = zip(*rows, strict=True)
        count = len(rows)
        ids = self._ids(ordinal, left_ids, right_ids)
        own = [i for i, o in enumerate(ordinal) if o is None]
        records = self._records(ids, own, (left_records, right_records))
        details = [_detail_cells(d) for d in reason_detail]

        def text(values: Sequence[Any]) -> tuple[pa.Array, pa.Array]:
            return pa.array(values, pa.string()), constant(TEXT, count)

        def number(texts: pa.Array) -> tuple[pa.Array, pa.Array]:
            return texts, constant(NUMBER, count)

        outcome = [
            number(pa.array(result_id, pa.int64()).cast(pa.string())),
            text(kind),
            text(match_status),
            text(pass_name),
            number(pa.array([None if s is None else str(s) for s in score], pa.string())),
            number(pa.array(amount, pa.string())),
            text(review_status),
            text(review_note),
            text(pc.binary_join(ids["left_list"], JOIN).combine_chunks()),
            text(pc.binary_join(ids["right_list"], JOIN).combine_chunks()),
            text(reason),
            (
                pa.array([d[0][0] for d in details], pa.string()),
                pa.array([d[0][1] for d in details], pa.int8()),
            ),
            text([d[1] for d in details]),
            text(self._differences(ordinal, differences)),
        ]
        columns = [*outcome, *records]
        return ExportBatch([t for t, _ in columns], [k for _, k in columns])
