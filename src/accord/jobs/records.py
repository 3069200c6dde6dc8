"""Turn an engine result into result rows, streamed as Arrow batches from DuckDB, and the
run's record files (jobs/runfile.py).

The rows are built in DuckDB with equi-joins only (ids unnested, joined, re-aggregated), so
a million results cost seconds. Each row has the columns PostgreSQL keeps (`RESULT_COLUMNS`:
what is filtered, sorted and reviewed, with the left side's amount total) and what the run's
results file keeps (ids, the explanation, the differences). Records are written once per
side, not once per result that names them. Review decisions kept from earlier runs are
applied on the way: confirmations and rejections to the same pairs, and manual matches added
as results of their own.
"""

from __future__ import annotations

from collections.abc import Generator
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from accord.engine import ReconcileResult, RuleSet
from accord.engine.ingest.sql import quote_identifier as _q
from accord.jobs.compact import compact_explanation_sql
from accord.jobs.runfile import ID_COLUMN_KEY, ROW_GROUP_ROWS

# The database's columns, in COPY order; `job_id` is the default of the job's partition.
RESULT_COLUMNS = (
    "ordinal",
    "kind",
    "match_status",
    "pass_name",
    "score",
    "amount",
    "left_ids",
    "right_ids",
    "reason",
    "reason_detail",
    "review_status",
    "review_note",
)
MEMORY_LIMIT = "1200MB"
BATCH_ROWS = 64 * 1024
# Earlier decisions handed to a run: ids as text, keys = sorted ids joined by \x1f.
DECISIONS_SCHEMA = pa.schema(
    [
        ("action", pa.string()),
        ("left_key", pa.string()),
        ("right_key", pa.string()),
        ("left_ids", pa.list_(pa.string())),
        ("right_ids", pa.list_(pa.string())),
        ("note", pa.string()),
    ]
)


def _side_amounts_sql(alias: str, id_column: str, amount: str | None) -> str:
    """One row per record: its id as it is (`nid`) and as text, and its amount."""
    amount_expr = f"TRY_CAST({alias}.{_q(amount)} AS DECIMAL(20, 4))" if amount else "NULL"
    return (
        f"SELECT {alias}.{_q(id_column)} AS nid, CAST({alias}.{_q(id_column)} AS VARCHAR) AS id, "
        f"{amount_expr} AS amount FROM {alias}"
    )


def _connect(tmp_dir: Path, memory_limit: str) -> duckdb.DuckDBPyConnection:
    # As config, not SQL: the data dir's path may hold a quote.
    return duckdb.connect(config={"temp_directory": str(tmp_dir), "memory_limit": memory_limit})


def write_side_files(
    left: pa.Table, right: pa.Table, rules: RuleSet, side_files: dict[str, Path]
) -> None:
    """Both sides' records as the engine saw them, named by their id column (jobs/runfile.py)."""
    for table, spec, side in ((left, rules.left, "left"), (right, rules.right, "right")):
        metadata = {**(table.schema.metadata or {}), ID_COLUMN_KEY: spec.id.encode()}
        pq.write_table(
            table.replace_schema_metadata(metadata),
            side_files[side],
            row_group_size=ROW_GROUP_ROWS,
        )


def _amount_sql(source: str, records: str, key: str) -> str:
    """Per row of `source` (`row_key`, `left_ids`): the total amount of its left records."""
    return f"""
    SELECT e.row_key, sum(rec.amount) AS amount
    FROM (SELECT row_key, unnest(left_ids) AS id FROM {source}) e
    JOIN {records} rec ON rec.{key} = e.id
    GROUP BY e.row_key
    """


# A view, computed as the rows stream out (so the work overlaps the COPY); the engine's ids
# join the records' amounts as they are, before they are turned into text.
_MATCHES_SQL = f"""
CREATE TEMP VIEW keyed AS
SELECT m.match_id AS row_key,
       CASE WHEN m.kind = 'one_to_one'
            THEN (CASE WHEN m.status = 'matched_with_differences'
                       THEN 'matched_with_differences' ELSE 'matched' END)
            ELSE m.kind END AS kind,
       CASE WHEN m.status = 'suggested' THEN 'suggested' ELSE 'auto' END AS match_status,
       m.pass AS pass_name, m.score,
       list_transform(m.left_ids, lambda x: CAST(x AS VARCHAR)) AS left_ids,
       list_transform(m.right_ids, lambda x: CAST(x AS VARCHAR)) AS right_ids,
       {compact_explanation_sql("m.explanation")} AS explanation, m.differences
FROM m
"""

_MANUAL_SQL = """
CREATE TEMP TABLE manual AS
SELECT row_number() OVER () AS row_key, left_ids, right_ids, note,
       CASE WHEN len(left_ids) = 1 AND len(right_ids) = 1 THEN 'matched'
            WHEN len(left_ids) = 1 THEN 'one_to_many'
            WHEN len(right_ids) = 1 THEN 'many_to_one'
            ELSE 'many_to_many' END AS kind
FROM decisions WHERE action = 'manual_match'
"""


def _leftovers_sql(table: str, id_column: str, records: str, side: str) -> str:
    """Unmatched records of one side; ambiguous and duplicate records get kinds of their own."""
    own, other = ("left", "right") if side == "left" else ("right", "left")
    return f"""
    SELECT CASE u.reason WHEN 'ambiguous' THEN 'ambiguous' WHEN 'duplicate' THEN 'duplicate'
                ELSE 'unmatched_{side}' END AS kind,
           NULL AS match_status, u.reason_pass AS pass_name, u.best_score AS score,
           rec.amount, [rec.id] AS {own}_list, CAST([] AS VARCHAR[]) AS {other}_list,
           '[]' AS explanation, NULL AS differences, u.reason,
           to_json({{'candidates': list_transform(coalesce(u.candidate_ids, []),
                                                  lambda x: CAST(x AS VARCHAR)),
                     'detail': u.reason_detail}}) AS reason_detail,
           'pending' AS review_status, NULL AS review_note
    FROM {table} u
    JOIN {records} rec ON rec.nid = u.{_q(id_column)}
    """


def _results_sql(rules: RuleSet) -> str:
    return f"""
    CREATE TEMP VIEW results AS
    SELECT k.kind, k.match_status, k.pass_name, k.score, a.amount,
           k.left_ids AS left_list, k.right_ids AS right_list,
           to_json(k.explanation) AS explanation, to_json(k.differences) AS differences,
           NULL AS reason, NULL AS reason_detail,
           CASE d.action WHEN 'confirm' THEN 'confirmed' WHEN 'reject' THEN 'rejected'
                         WHEN 'unmatch' THEN 'unmatched' ELSE 'pending' END AS review_status,
           d.note AS review_note
    FROM keyed k
    LEFT JOIN ({_amount_sql("(SELECT match_id AS row_key, left_ids FROM m)", "lrec", "nid")}) a
           ON a.row_key = k.row_key
    LEFT JOIN decisions d
           ON d.action IN ('confirm', 'reject', 'unmatch')
          AND d.left_key = array_to_string(list_sort(k.left_ids), chr(31))
          AND d.right_key = array_to_string(list_sort(k.right_ids), chr(31))
    UNION ALL BY NAME
    SELECT mm.kind, 'manual' AS match_status, NULL AS pass_name, 1.0 AS score, a.amount,
           mm.left_ids AS left_list, mm.right_ids AS right_list,
           to_json([{{'condition': 'manual', 'outcome': 'matched by a reviewer'}}])
               AS explanation,
           NULL AS differences, NULL AS reason, NULL AS reason_detail,
           'manual' AS review_status, mm.note AS review_note
    FROM manual mm
    LEFT JOIN ({_amount_sql("manual", "lrec", "id")}) a ON a.row_key = mm.row_key
    UNION ALL BY NAME
    {_leftovers_sql("ul", rules.left.id, "lrec", "left")}
    UNION ALL BY NAME
    {_leftovers_sql("ur", rules.right.id, "rrec", "right")}
    """


# The database's columns, in COPY order (`ordinal`, the row in the run's results file, is
# added per batch), then what only the run's results file keeps.
_BATCH_COLUMNS = {
    "kind": "kind",
    "match_status": "match_status",
    "pass_name": "pass_name",
    "score": "score",
    "amount": "amount",
    "left_ids": "CAST(to_json(left_list) AS VARCHAR)",
    "right_ids": "CAST(to_json(right_list) AS VARCHAR)",
    "reason": "reason",
    "reason_detail": "CAST(reason_detail AS VARCHAR)",
    "review_status": "review_status",
    "review_note": "review_note",
    "left_list": "left_list",
    "right_list": "right_list",
    "explanation": "CAST(explanation AS VARCHAR)",
    "differences": "CAST(differences AS VARCHAR)",
}


def result_batches(
    result: ReconcileResult,
    left: pa.Table,
    right: pa.Table,
    rules: RuleSet,
    decisions: pa.Table,
    tmp_dir: Path,
) -> Generator[pa.RecordBatch, None, None]:
    """Every result row of the run, in batches.

    A batch has `RESULT_COLUMNS` but the ordinal, then the ids as lists, the explanation and
    the differences (JSON as text). DuckDB is held to `MEMORY_LIMIT` and spills into
    `tmp_dir` past it, as the engine does.
    """
    con = _connect(tmp_dir, MEMORY_LIMIT)
    try:
        con.execute("SET preserve_insertion_order = false")
        for name, table in {
            "m": result.matches,
            "ul": result.unmatched_left,
            "ur": result.unmatched_right,
            "lt": left,
            "rt": right,
            "decisions": decisions,
        }.items():
            con.register(name, table)
        con.execute(
            "CREATE TEMP TABLE lrec AS " + _side_amounts_sql("lt", rules.left.id, rules.left.amount)
        )
        con.execute(
            "CREATE TEMP TABLE rrec AS "
            + _side_amounts_sql("rt", rules.right.id, rules.right.amount)
        )
        con.execute(_MATCHES_SQL)
        con.execute(_MANUAL_SQL)
        con.execute(_results_sql(rules))
        selected = ", ".join(f"{expr} AS {name}" for name, expr in _BATCH_COLUMNS.items())
        reader: pa.RecordBatchReader = con.sql(f"SELECT {selected} FROM results").to_arrow_reader(
            BATCH_ROWS
        )
        yield from reader
    finally:
        con.close()
