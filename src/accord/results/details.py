"""Results' details (both sides' records, the explanation, the differences), as a page needs them.

The worker's results keep theirs in the job's run folder (jobs/runfile.py): the explanation
and differences by ordinal in the results file, the records by id in the side files; only the
row groups holding what the page asks for are read in full. Rows a reviewer added, and
results stored before run folders existed, keep theirs in their own columns.
"""

from __future__ import annotations

import bisect
import functools
import json
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from anyio import to_thread

from accord.db.models import ReconciliationResult
from accord.engine.ingest.sql import quote_identifier
from accord.errors import AccordError
from accord.jobs.runfile import ID_COLUMN_KEY, RESULTS, SIDE_FILES
from accord.logging import get_logger

log = get_logger(__name__)
Side = str  # "left" | "right"


class ResultsFileUnavailable(AccordError):
    status_code = 500
    title = "Results file unavailable"
    type_slug = "results-file-unavailable"


@dataclass(frozen=True)
class ResultDetails:
    left_records: list[dict[str, Any]]
    right_records: list[dict[str, Any]]
    explanation: Any
    differences: Any

    @classmethod
    def of_row(cls, row: ReconciliationResult) -> ResultDetails:
        return cls(
            row.left_records or [], row.right_records or [], row.explanation, row.differences
        )


@dataclass(frozen=True)
class Wanted:
    """What a page needs from a run: results by ordinal, with their ids on each side."""

    ordinal: int
    left_ids: Sequence[str]
    right_ids: Sequence[str]


def _groups(metadata: pq.FileMetaData, column: int, keys: list[Any]) -> list[int]:
    """The row groups whose min..max range of `column` holds one of `keys` (sorted)."""
    groups = []
    for group in range(metadata.num_row_groups):
        stats = metadata.row_group(group).column(column).statistics
        if stats is None or not stats.has_min_max:
            groups.append(group)
            continue
        at = bisect.bisect_left(keys, stats.min)
        if at < len(keys) and keys[at] <= stats.max:
            groups.append(group)
    return groups


def lookup_rows(path: Path, key: str, keys: Iterable[Any], columns: list[str]) -> pa.Table:
    """The rows of `path` whose `key` is one of `keys`, reading only groups that may hold them."""
    wanted = sorted(set(keys))
    parquet = pq.ParquetFile(path)
    column = parquet.schema_arrow.get_field_index(key)
    table = parquet.read_row_groups(
        _groups(parquet.metadata, column, wanted), columns=[key, *columns]
    )
    found = table.filter(pc.is_in(table[key], pa.array(wanted, table.schema.field(key).type)))
    if found.num_rows < len(wanted):
        raise ValueError(f"{path.name}: {len(wanted) - found.num_rows} of {len(wanted)} missing")
    return found


def side_id_column(schema: pa.Schema) -> str:
    """The name of a side file's id column, from its metadata (jobs/runfile.py)."""
    return str((schema.metadata or {})[ID_COLUMN_KEY].decode())


def _as_text(ids: pa.ChunkedArray) -> pa.ChunkedArray:
    """The ids as the worker's DuckDB wrote them as text (Arrow's casts differ: 1.0 is "1")."""
    con = duckdb.connect()
    try:
        con.register("ids", pa.table({"id": ids}))
        column: pa.ChunkedArray = con.sql("SELECT CAST(id AS VARCHAR) FROM ids").to_arrow_table()[0]
        return column
    finally:
        con.close()


def _positions(all_ids: pa.ChunkedArray, wanted: pa.Array) -> np.ndarray[Any, Any]:
    """Where the wanted ids (as text) are among `all_ids`: compared in the ids' own type when
    the text converts back to it (no million-value cast), else as text."""
    try:
        found = pc.is_in(all_ids, value_set=pc.cast(wanted, all_ids.type))
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        found = pc.is_in(_as_text(all_ids), value_set=wanted)
    positions = np.flatnonzero(found.to_numpy(zero_copy_only=False))
    if len(positions) < len(wanted) and not pa.types.is_string(all_ids.type):
        found = pc.is_in(_as_text(all_ids), value_set=wanted)
        positions = np.flatnonzero(found.to_numpy(zero_copy_only=False))
    return positions


@dataclass(frozen=True)
class _SideIndex:
    metadata: pq.FileMetaData
    ids: pa.ChunkedArray  # the id column, in file order
    starts: np.ndarray[Any, Any]  # the first row of each row group, then the row count


# Run folders never change once written (a new run gets a new folder), so the id columns of
# the side files last read are kept: walking pages then reads only their row groups.
@functools.lru_cache(maxsize=4)
def _side_index(path: Path) -> _SideIndex:
    parquet = pq.ParquetFile(path)
    metadata = parquet.metadata
    ids = parquet.read(columns=[side_id_column(parquet.schema_arrow)]).column(0)
    sizes = [metadata.row_group(g).num_rows for g in range(metadata.num_row_groups)]
    return _SideIndex(metadata, ids, np.cumsum([0, *sizes]))


def record_groups(
    run_dir: Path, side: Side, ids: Iterable[str], columns: list[str] | None = None
) -> pa.Table:
    """The row groups of `side`'s file that hold records with these ids (as text), and only
    those: the id column is read whole (one column, kept), then the groups it points to, with
    `columns` (all by default). Their other records come along; an id the side lacks is
    left out."""
    wanted = pa.array(sorted(set(ids)), pa.string())
    path = run_dir / SIDE_FILES[side]
    index = _side_index(path)
    positions = _positions(index.ids, wanted) if len(wanted) else np.array([], np.int64)
    groups = sorted({int(g) for g in np.searchsorted(index.starts, positions, side="right") - 1})
    parquet = pq.ParquetFile(path, metadata=index.metadata)
    return parquet.read_row_groups(groups, columns=columns)


def read_records(run_dir: Path, side: Side, ids: Iterable[str]) -> dict[str, dict[str, Any]]:
    """The records of `side` with these ids, as JSON objects, by id.

    Only the row groups holding the ids are read (`record_groups`); DuckDB turns the rows
    into JSON exactly as the worker's DuckDB did before run files. An id the side lacks is
    left out: a manual match carried into a re-run may name records its data set lost when
    it was read again with another mapping.
    """
    wanted = pa.array(sorted(set(ids)), pa.string())
    if len(wanted) == 0:
        return {}
    picked = record_groups(run_dir, side, wanted.to_pylist())
    if picked.num_rows == 0:
        return {}
    id_column = side_id_column(picked.schema)
    con = duckdb.connect()
    try:
        con.register("picked", picked)
        con.register("wanted", pa.table({"id": wanted}))
        # Picked by the ids' text as DuckDB writes it, as the worker named the records.
        rows = con.execute(
            f"SELECT CAST({quote_identifier(id_column)} AS VARCHAR), "  # noqa: S608 - a quoted identifier
            "CAST(to_json(picked) AS VARCHAR) FROM picked "
            f"WHERE CAST({quote_identifier(id_column)} AS VARCHAR) IN (SELECT id FROM wanted)"
        ).fetchall()
    finally:
        con.close()
    return {record_id: json.loads(record) for record_id, record in rows}


def read_details(run_dir: Path, wanted: Collection[Wanted]) -> dict[int, ResultDetails]:
    """The details of the wanted results, by ordinal."""
    if not wanted:
        return {}
    results = lookup_rows(
        run_dir / RESULTS, "ordinal", (w.ordinal for w in wanted), ["explanation", "differences"]
    )
    records = {
        side: read_records(run_dir, side, {i for w in wanted for i in getattr(w, f"{side}_ids")})
        for side in SIDE_FILES
    }
    texts = {
        ordinal: (explanation, differences)
        for ordinal, explanation, differences in zip(
            results["ordinal"].to_pylist(),
            results["explanation"].to_pylist(),
            results["differences"].to_pylist(),
            strict=True,
        )
    }
    details = {}
    for w in wanted:
        explanation, differences = texts[w.ordinal]
        details[w.ordinal] = ResultDetails(
            left_records=[records["left"][i] for i in sorted(w.left_ids) if i in records["left"]],
            right_records=[
                records["right"][i] for i in sorted(w.right_ids) if i in records["right"]
            ],
            explanation=json.loads(explanation) if explanation else [],
            differences=json.loads(differences) if differences else None,
        )
    return details


def unreadable(results_dir: str | None, exc: Exception) -> ResultsFileUnavailable:
    log.error("results files unreadable", results_dir=results_dir, error=str(exc))
    return ResultsFileUnavailable(
        "The details of this job's results (records, explanations) cannot be read: its "
        "results files are missing or damaged. Run the job again to rebuild them.",
    )


READ_ERRORS = (OSError, ValueError, KeyError, pa.ArrowException, duckdb.Error)


async def check_results_dir(data_dir: Path, results_dir: str | None) -> None:
    """Fail now, as a problem, if the run's files cannot be opened (before a stream starts)."""
    if results_dir is None:
        return
    try:
        for name in (RESULTS, *SIDE_FILES.values()):
            await to_thread.run_sync(pq.read_metadata, data_dir / results_dir / name)
    except READ_ERRORS as exc:
        raise unreadable(results_dir, exc) from None


async def details_of(
    data_dir: Path, results_dir: str | None, wanted: Collection[Wanted]
) -> dict[int, ResultDetails]:
    """Read off the event loop; missing or unreadable files are a 500 problem that says so."""
    if not wanted:
        return {}
    try:
        if results_dir is None:
            raise FileNotFoundError("the job names no results folder")
        return await to_thread.run_sync(read_details, data_dir / results_dir, wanted)
    except READ_ERRORS as exc:
        raise unreadable(results_dir, exc) from None


async def records_of(
    data_dir: Path, results_dir: str | None, side: Side, ids: Collection[str]
) -> dict[str, dict[str, Any]]:
    """Records of one side by id, from the run's side file (a 500 problem if unreadable)."""
    if not ids:
        return {}
    try:
        if results_dir is None:
            raise FileNotFoundError("the job names no results folder")
        return await to_thread.run_sync(read_records, data_dir / results_dir, side, ids)
    except READ_ERRORS as exc:
        raise unreadable(results_dir, exc) from None


async def result_details(
    data_dir: Path, results_dir: str | None, rows: Sequence[ReconciliationResult]
) -> dict[int, ResultDetails]:
    """Each row's details, by result id."""
    wanted = [Wanted(r.ordinal, r.left_ids, r.right_ids) for r in rows if r.ordinal is not None]
    from_run = await details_of(data_dir, results_dir, wanted)
    return {
        row.id: ResultDetails.of_row(row) if row.ordinal is None else from_run[row.ordinal]
        for row in rows
    }
