"""Both sides' records as export cells: the fields the export shows, then taken by id for
each batch's results (those naming several records joined in DuckDB).

A batch of 20,000 results out of a million names records scattered over (nearly) every row
group of the side files, so reading them batch by batch read the side files whole each time:
a big export reads the fields it shows once, for every record (one side's few columns, about
what one such batch read). A small one (source.py decides) reads per batch only the row
groups that hold its records, as pages do. A value's text is what `str()` gives of it once
the record is read as JSON, as pages read records (results/details.py): text and integers as
they are, other types through the JSON DuckDB writes, decoded once per distinct value; both
ways render the values with the same code, so they give the same cells."""

from __future__ import annotations

import json
from collections.abc import Callable, Collection
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from accord.exports.rows import NUMBER, TEXT, cell, field_value
from accord.jobs.runfile import SIDE_FILES
from accord.results.details import record_groups, side_id_column

SIDES = ("left", "right")


def constant(kind: int, count: int) -> pa.Array:
    return pa.repeat(pa.scalar(kind, pa.int8()), count)


def _json_cell(text: str) -> tuple[str | None, int]:
    """`cell(json.loads(text))`, without decoding the common values: text with nothing
    escaped, and numbers (which `json` reads with `int` or `float` as here)."""
    if text[0] == '"' and "\\" not in text:
        return text[1:-1], TEXT
    if text[0].isdigit() or (text[0] == "-" and text[1:2].isdigit()):
        number = float(text) if "." in text or "e" in text or "E" in text else int(text)
        return str(number), NUMBER
    return cell(json.loads(text))


def _json_cells(con: duckdb.DuckDBPyConnection, values: pa.Array) -> tuple[Any, Any]:
    """Texts and kinds of values of any other type, from the JSON DuckDB writes of them (as
    pages read records), each distinct value decoded once."""
    con.register("field_values", pa.table({"v": values}))
    try:
        as_json = con.sql("SELECT CAST(to_json(v) AS VARCHAR) FROM field_values").to_arrow_table()
    finally:
        con.unregister("field_values")
    encoded = pc.dictionary_encode(as_json.column(0).combine_chunks())
    decoded = [_json_cell(v) for v in encoded.dictionary.to_pylist()]
    texts = pa.array([text for text, _ in decoded], pa.string()).take(encoded.indices)
    kinds = pa.array([kind for _, kind in decoded], pa.int8()).take(encoded.indices)
    return texts, pc.fill_null(kinds, TEXT)


def _field_cells(con: duckdb.DuckDBPyConnection, values: pa.Array) -> tuple[Any, Any]:
    """Texts and kinds of one field of every record."""
    if pa.types.is_string(values.type) or pa.types.is_large_string(values.type):
        return values.cast(pa.string()), constant(TEXT, len(values))
    if pa.types.is_integer(values.type):
        return values.cast(pa.string()), constant(NUMBER, len(values))
    return _json_cells(con, values)


def _rendered(
    con: duckdb.DuckDBPyConnection,
    fields: list[str],
    id_column: str,
    names: Collection[str],
    count: int,
    column: Callable[[str], pa.Array],
) -> pa.Table:
    """Records as the export shows them: `id` as DuckDB writes it as text (as the results name
    them), then per field its text `t<i>` and kind `k<i>`; `column` reads one of the records'
    `names` (`count` of them)."""
    con.register("side_ids", pa.table({"id": column(id_column)}))
    try:
        ids = con.sql("SELECT CAST(id AS VARCHAR) FROM side_ids").to_arrow_table()
    finally:
        con.unregister("side_ids")
    columns: dict[str, Any] = {"id": ids.column(0).combine_chunks()}
    for i, name in enumerate(fields):
        if name in names:
            columns[f"t{i}"], columns[f"k{i}"] = _field_cells(con, column(name))
        else:  # a record without the field: None, as `dict.get` said
            columns[f"t{i}"] = pa.nulls(count, pa.string())
            columns[f"k{i}"] = constant(TEXT, count)
    return pa.table(columns)


class SideRecords:
    """One side's records, as `_rendered` shows them: with `whole`, every record, read once
    (a big export names records in nearly every row group); else read per batch, only the
    row groups holding the records the batch names (results/details.py), as pages read them.
    None without a run folder."""

    def __init__(
        self,
        con: duckdb.DuckDBPyConnection,
        side: str,
        run_dir: Path | None,
        fields: list[str],
        whole: bool,
    ) -> None:
        self.side = side
        self.fields = fields
        # Without `whole`: where to read each batch's records, and the side file's schema.
        self.per_batch: tuple[Path, pa.Schema] | None = None
        self.table: pa.Table | None = None
        if run_dir is None:
            self.table = _rendered(con, fields, "id", [], 0, lambda _: pa.array([], pa.string()))
            return
        path = run_dir / SIDE_FILES[side]
        if not whole:
            self.per_batch = (run_dir, pq.read_schema(path))
            return
        # Column by column, each made one chunk at once: a side's raw columns are never all
        # held beside their texts.
        parquet = pq.ParquetFile(path)
        self.table = _rendered(
            con,
            fields,
            side_id_column(parquet.schema_arrow),
            parquet.schema_arrow.names,
            parquet.metadata.num_rows,
            lambda name: parquet.read(columns=[name]).column(0).combine_chunks(),
        )

    def _picked(self, con: duckdb.DuckDBPyConnection, wanted: pa.Array) -> pa.Table:
        """The records with these ids (as text)."""
        table = self.table
        if self.per_batch is not None:
            run_dir, schema = self.per_batch
            id_column = side_id_column(schema)
            present = [name for name in self.fields if name in schema.names]
            groups = record_groups(
                run_dir,
                self.side,
                [i for i in wanted.to_pylist() if i is not None],
                list(dict.fromkeys([id_column, *present])),
            )
            table = _rendered(
                con,
                self.fields,
                id_column,
                groups.schema.names,
                groups.num_rows,
                lambda name: groups.column(name).combine_chunks(),
            )
        assert table is not None
        return table.take(pc.indices_nonzero(pc.is_in(table["id"], wanted)))

    def cells(
        self, con: duckdb.DuckDBPyConnection, ids: pa.Table, own_records: dict[int, str | None]
    ) -> list[tuple[pa.Array, pa.Array]]:
        """Texts and kinds of the side's fields for each row of `ids` (batches.py: the batch's
        rows, their ordinal and ids, registered as `ids`); rows without an ordinal (a
        reviewer's) bring their records as JSON, by row."""
        if not self.fields:
            return []
        names = range(len(self.fields))
        # Only the records the batch names take part: a hash of its ids, not of them all.
        wanted = pc.unique(pc.list_flatten(ids[f"{self.side}_list"]))
        picked = self._picked(con, wanted)
        worker = pc.is_valid(ids["ordinal"])
        several = pc.greater(pc.list_value_length(ids[f"{self.side}_list"]), 1)
        # A row naming one record or none (most rows): that record's cells, found by id.
        direct = pc.indices_nonzero(pc.and_(worker, pc.invert(several)))
        found = picked.take(pc.index_in(ids[f"{self.side}_first"].take(direct), picked["id"]))
        parts = [(direct, found), self._joined(con, picked, several), self._reviewed(own_records)]
        # Back in the rows' order: every row is in exactly one part.
        order = pc.sort_indices(pa.concat_arrays([rows.cast(pa.int64()) for rows, _ in parts]))
        schema = pa.schema(
            [(f"{c}{i}", pa.string() if c == "t" else pa.int8()) for i in names for c in "tk"]
        )
        cells = pa.concat_tables([part.select(schema.names).cast(schema) for _, part in parts])
        cells = cells.take(order)
        return [
            (cells[f"t{i}"].combine_chunks(), pc.fill_null(cells[f"k{i}"], TEXT).combine_chunks())
            for i in names
        ]

    def _joined(
        self, con: duckdb.DuckDBPyConnection, picked: pa.Table, several: pa.Array
    ) -> tuple[pa.Array, pa.Table]:
        """The rows naming several records, their present values sorted by id and joined."""
        if not pc.any(several).as_py():
            return pa.array([], pa.int64()), picked.slice(0, 0)
        con.register("picked", picked)
        try:
            joined = con.sql(_joined_sql(self.side, len(self.fields))).to_arrow_table()
        finally:
            con.unregister("picked")
        return joined["row"].combine_chunks(), joined

    def _reviewed(self, own_records: dict[int, str | None]) -> tuple[pa.Array, pa.Table]:
        """The cells of rows a reviewer added, from the records they keep (rows.field_value)."""
        cells = [
            [cell(field_value(json.loads(text or "null") or [], name)) for name in self.fields]
            for text in own_records.values()
        ]
        columns: dict[str, pa.Array] = {}
        for i in range(len(self.fields)):
            columns[f"t{i}"] = pa.array([row[i][0] for row in cells], pa.string())
            columns[f"k{i}"] = pa.array([row[i][1] for row in cells], pa.int8())
        return pa.array(list(own_records), pa.int64()), pa.table(columns)


def _joined_sql(side: str, count: int) -> str:
    """Per row of `ids` naming several records: each field of those the side has, sorted by
    id; one record's value as it is, several records' present values joined as text
    (rows.field_value)."""
    fields = ", ".join(
        f"string_agg(r.t{i}, '; ' ORDER BY w.id) AS t{i}, "
        f"CASE WHEN count(r.id) = 1 THEN any_value(r.k{i}) ELSE {TEXT} END AS k{i}"
        for i in range(count)
    )
    return f"""
        WITH wanted AS (
            SELECT row, unnest({side}_list) AS id FROM ids
            WHERE ordinal IS NOT NULL AND len({side}_list) > 1
        )
        SELECT w.row, {fields} FROM wanted w LEFT JOIN picked r USING (id) GROUP BY w.row
    """  # noqa: S608 - names of our own tables and columns
