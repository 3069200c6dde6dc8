"""What a reconciliation job runs on: its two data sets, its rules version, earlier decisions."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from sqlalchemy import text
from sqlalchemy.engine import Connection

from accord.engine import RuleSet
from accord.jobs.queue import ClaimedJob
from accord.jobs.records import DECISIONS_SCHEMA


class JobInputError(Exception):
    """The job cannot run as asked; the message tells the user what to change."""


@dataclass(frozen=True)
class JobInputs:
    left: pa.Table
    right: pa.Table
    rules: RuleSet
    ruleset_id: uuid.UUID
    decisions: pa.Table


def id_key(ids: list[str]) -> str:
    """The order-free key of a list of record ids, as decisions are matched by."""
    return "\x1f".join(sorted(ids))


def _dataset_file(
    conn: Connection, dataset_id: uuid.UUID | None, data_dir: Path
) -> tuple[Path, str]:
    """The data set's parsed file, if it is ready and still there, and its name."""
    row = conn.execute(
        text("SELECT name, status, parquet_path, error FROM datasets WHERE id = :id"),
        {"id": dataset_id},
    ).first()
    if row is None:
        raise JobInputError(f"data set {dataset_id} no longer exists; upload it again")
    name, status, parquet_path, error = row
    if status != "ready" or not parquet_path:
        detail = f": {error}" if error else ""
        raise JobInputError(f"data set '{name}' is {status}, not ready{detail}")
    path = data_dir / str(parquet_path)
    if not path.exists():
        raise JobInputError(f"data set '{name}' has lost its stored file; upload it again")
    return path, str(name)


def _read_checked(path: Path, dataset: str, id_column: str, side: str) -> pa.Table:
    table = pq.read_table(path)
    check_ids(table, id_column, side, dataset)
    return table


def load_decisions(
    conn: Connection,
    project_id: uuid.UUID,
    left_id: uuid.UUID,
    right_id: uuid.UUID,
    ruleset_id: uuid.UUID,
) -> pa.Table:
    rows = conn.execute(
        text(
            "SELECT action, left_ids, right_ids, note FROM review_decisions "
            "WHERE project_id = :p AND left_dataset_id = :l AND right_dataset_id = :r "
            "AND ruleset_id = :rs AND superseded_at IS NULL ORDER BY decided_at"
        ),
        {"p": project_id, "l": left_id, "r": right_id, "rs": ruleset_id},
    ).all()
    records = [
        {
            "action": action,
            "left_key": id_key([str(i) for i in left]),
            "right_key": id_key([str(i) for i in right]),
            "left_ids": [str(i) for i in left],
            "right_ids": [str(i) for i in right],
            "note": note,
        }
        for action, left, right, note in rows
    ]
    return pa.Table.from_pylist(records, schema=DECISIONS_SCHEMA)


def check_ids(table: pa.Table, id_column: str, side: str, dataset: str) -> None:
    """Results name records by id: ids must exist, be filled in and be unique."""
    if id_column not in table.column_names:
        raise JobInputError(
            f"the rules' {side} id column '{id_column}' is not in data set '{dataset}'"
        )
    column = table.column(id_column)
    if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
        blank = pc.sum(
            pc.or_kleene(pc.is_null(column), pc.equal(pc.utf8_trim_whitespace(column), ""))
        ).as_py()
    else:  # a number or a date is blank only when missing; no need to turn them into text
        blank = column.null_count
    if blank:
        raise JobInputError(
            f"{blank:,} record(s) of data set '{dataset}' have no {id_column}; every "
            "record needs an id (map a unique column as the id, or add one)"
        )
    if pc.count_distinct(column).as_py() == len(column):
        return
    counts = pc.value_counts(column)
    repeated = counts.filter(pc.greater(counts.field("counts"), 1))
    if len(repeated):
        examples = ", ".join(str(v) for v in repeated.field("values")[:5].to_pylist())
        raise JobInputError(
            f"{len(repeated):,} {id_column} value(s) of data set '{dataset}' repeat (e.g. "
            f"{examples}); ids must be unique: choose another id column or add one"
        )


def load_inputs(conn: Connection, job: ClaimedJob, data_dir: Path) -> JobInputs:
    if (
        job.ruleset_version_id is None
        or job.left_dataset_id is None
        or job.right_dataset_id is None
    ):
        raise JobInputError("the job names no data sets or rule-set version")
    version = conn.execute(
        text("SELECT ruleset_id, document FROM ruleset_versions WHERE id = :id"),
        {"id": job.ruleset_version_id},
    ).first()
    if version is None:
        raise JobInputError("the job's rule-set version no longer exists")
    rules = RuleSet.model_validate(version[1])
    files = {
        side: (*_dataset_file(conn, dataset_id, data_dir), spec.id, side)
        for side, dataset_id, spec in (
            ("left", job.left_dataset_id, rules.left),
            ("right", job.right_dataset_id, rules.right),
        )
    }
    # Both sides at once (pyarrow and its kernels release the GIL): ~0.4 s less at 1M. The
    # left side's error, if both have one, is the one reported.
    with ThreadPoolExecutor(max_workers=2) as pool:
        reads = {side: pool.submit(_read_checked, *args) for side, args in files.items()}
        left, right = reads["left"].result(), reads["right"].result()
    return JobInputs(
        left=left,
        right=right,
        rules=rules,
        ruleset_id=version[0],
        decisions=load_decisions(
            conn, job.project_id, job.left_dataset_id, job.right_dataset_id, version[0]
        ),
    )


def without_manual_matches(
    table: pa.Table, id_column: str, decisions: pa.Table, side: str
) -> pa.Table:
    """Records a reviewer matched by hand stay matched: the engine does not see them again."""
    manual = decisions.filter(pc.equal(decisions.column("action"), "manual_match"))
    taken = pc.list_flatten(manual.column(f"{side}_ids")).combine_chunks()
    if len(taken) == 0:
        return table
    ids = pc.cast(table.column(id_column), pa.string())
    return table.filter(pc.invert(pc.is_in(ids, value_set=taken)))
