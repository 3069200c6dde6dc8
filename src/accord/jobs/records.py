"""Turn an engine result into `reconciliation_results` rows, as CSV ready for PostgreSQL COPY.

The rows are built in DuckDB with equi-joins only (ids unnested, joined, re-aggregated), so
a million results cost seconds. Each match carries both sides' records as JSON (their fields,
not just ids), an amount for filtering and sorting, and a search text. Review decisions kept
from earlier runs are applied on the way: confirmations and rejections to the same pairs, and
manual matches added as results of their own.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow as pa

from accord.engine import ReconcileResult, RuleSet
from accord.jobs.compact import compact_explanation_sql

RESULT_COLUMNS = (
    "job_id",
    "kind",
    "match_status",
    "pass_name",
    "score",
    "amount",
    "left_ids",
    "right_ids",
    "left_records",
    "right_records",
    "explanation",
    "differences",
    "reason",
    "reason_detail",
    "search_text",
    "review_status",
    "review_note",
)
MEMORY_LIMIT = "1200MB"
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


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _side_records_sql(alias: str, id_column: str, table: pa.Table, amount: str | None) -> str:
    """One row per record: its id as text, the record as JSON, its amount and search text."""
    amount_expr = f"TRY_CAST({alias}.{_q(amount)} AS DECIMAL(20, 4))" if amount else "NULL"
    texts = [f"{alias}.{_q(f.name)}" for f in table.schema if pa.types.is_string(f.type)]
    search = f"lower(concat_ws(' ', {', '.join(texts)}))" if texts else "''"
    return (
        f"SELECT CAST({alias}.{_q(id_column)} AS VARCHAR) AS id, to_json({alias}) AS record, "
        f"{amount_expr} AS amount, {search} AS search FROM {alias}"
    )


def _gather_sql(source: str, ids_column: str, records: str, prefix: str) -> str:
    """Per row of `source` (keyed by `row_key`): its records' JSON, amount total, search text."""
    return f"""
    SELECT e.row_key, to_json(list(rec.record ORDER BY rec.id)) AS {prefix}_records,
           sum(rec.amount) AS {prefix}_amount, string_agg(rec.search, ' ') AS {prefix}_search
    FROM (SELECT row_key, unnest({ids_column}) AS id FROM {source}) e
    JOIN {records} rec ON rec.id = e.id
    GROUP BY e.row_key
    """


_MATCHES_SQL = f"""
CREATE TEMP TABLE keyed AS
SELECT row_number() OVER () AS row_key,
       CASE WHEN m.kind = 'one_to_one'
            THEN (CASE WHEN m.status = 'matched_with_differences'
                       THEN 'matched_with_differences' ELSE 'matched' END)
            ELSE m.kind END AS kind,
       CASE WHEN m.status = 'suggested' THEN 'suggested' ELSE 'auto' END AS match_status,
       m.pass AS pass_name, m.score,
       list_transform(m.left_ids, lambda x: CAST(x AS VARCHAR)) AS left_ids,
       list_transform(m.right_ids, lambda x: CAST(x AS VARCHAR)) AS right_ids,
       to_json({compact_explanation_sql("m.explanation")}) AS explanation,
       to_json(m.differences) AS differences
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


def _leftovers_sql(job_id: str, table: str, id_column: str, records: str, side: str) -> str:
    """Unmatched records of one side; ambiguous and duplicate records get kinds of their own."""
    own, other = ("left", "right") if side == "left" else ("right", "left")
    return f"""
    SELECT '{job_id}' AS job_id,
           CASE u.reason WHEN 'ambiguous' THEN 'ambiguous' WHEN 'duplicate' THEN 'duplicate'
                ELSE 'unmatched_{side}' END AS kind,
           NULL AS match_status, u.reason_pass AS pass_name, u.best_score AS score,
           rec.amount, to_json([rec.id]) AS {own}_ids, '[]' AS {other}_ids,
           to_json([rec.record]) AS {own}_records, '[]' AS {other}_records,
           '[]' AS explanation, NULL AS differences, u.reason,
           to_json({{'candidates': list_transform(coalesce(u.candidate_ids, []),
                                                  lambda x: CAST(x AS VARCHAR)),
                     'detail': u.reason_detail}}) AS reason_detail,
           coalesce(rec.search, '') AS search_text, 'pending' AS review_status,
           NULL AS review_note
    FROM {table} u
    JOIN {records} rec ON rec.id = CAST(u.{_q(id_column)} AS VARCHAR)
    """


def _results_sql(job_id: str, rules: RuleSet) -> str:
    return f"""
    CREATE TEMP VIEW results AS
    SELECT '{job_id}' AS job_id, k.kind, k.match_status, k.pass_name, k.score,
           l.left_amount AS amount, to_json(k.left_ids) AS left_ids,
           to_json(k.right_ids) AS right_ids,
           coalesce(l.left_records, '[]') AS left_records,
           coalesce(r.right_records, '[]') AS right_records,
           k.explanation, k.differences, NULL AS reason, NULL AS reason_detail,
           coalesce(l.left_search, '') || ' ' || coalesce(r.right_search, '') AS search_text,
           CASE d.action WHEN 'confirm' THEN 'confirmed' WHEN 'reject' THEN 'rejected'
                         WHEN 'unmatch' THEN 'unmatched' ELSE 'pending' END AS review_status,
           d.note AS review_note
    FROM keyed k
    LEFT JOIN ({_gather_sql("keyed", "left_ids", "lrec", "left")}) l ON l.row_key = k.row_key
    LEFT JOIN ({_gather_sql("keyed", "right_ids", "rrec", "right")}) r ON r.row_key = k.row_key
    LEFT JOIN decisions d
           ON d.action IN ('confirm', 'reject', 'unmatch')
          AND d.left_key = array_to_string(list_sort(k.left_ids), chr(31))
          AND d.right_key = array_to_string(list_sort(k.right_ids), chr(31))
    UNION ALL BY NAME
    SELECT '{job_id}' AS job_id, mm.kind, 'manual' AS match_status, NULL AS pass_name,
           1.0 AS score, l.left_amount AS amount, to_json(mm.left_ids) AS left_ids,
           to_json(mm.right_ids) AS right_ids,
           coalesce(l.left_records, '[]') AS left_records,
           coalesce(r.right_records, '[]') AS right_records,
           to_json([{{'condition': 'manual', 'outcome': 'matched by a reviewer'}}])
               AS explanation,
           NULL AS differences, NULL AS reason, NULL AS reason_detail,
           coalesce(l.left_search, '') || ' ' || coalesce(r.right_search, '') AS search_text,
           'manual' AS review_status, mm.note AS review_note
    FROM manual mm
    LEFT JOIN ({_gather_sql("manual", "left_ids", "lrec", "left")}) l ON l.row_key = mm.row_key
    LEFT JOIN ({_gather_sql("manual", "right_ids", "rrec", "right")}) r
           ON r.row_key = mm.row_key
    UNION ALL BY NAME
    {_leftovers_sql(job_id, "ul", rules.left.id, "lrec", "left")}
    UNION ALL BY NAME
    {_leftovers_sql(job_id, "ur", rules.right.id, "rrec", "right")}
    """


def write_result_csv(
    result: ReconcileResult,
    left: pa.Table,
    right: pa.Table,
    rules: RuleSet,
    decisions: pa.Table,
    job_id: str,
    out: Path,
) -> int:
    """Write every result row of the run to `out` (CSV, no header); return the row count.

    DuckDB is held to `MEMORY_LIMIT` and spills beside `out` past it, as the engine does.
    """
    con = duckdb.connect()
    con.execute("SET preserve_insertion_order = false")
    con.execute(f"SET temp_directory = '{out.parent}'; SET memory_limit = '{MEMORY_LIMIT}'")
    try:
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
            "CREATE TEMP TABLE lrec AS "
            + _side_records_sql("lt", rules.left.id, left, rules.left.amount)
        )
        con.execute(
            "CREATE TEMP TABLE rrec AS "
            + _side_records_sql("rt", rules.right.id, right, rules.right.amount)
        )
        con.execute(_MATCHES_SQL)
        con.execute(_MANUAL_SQL)
        con.execute(_results_sql(job_id, rules))
        # Streamed from the view straight to the file; COPY answers with the rows written.
        row = con.execute(
            f"COPY (SELECT {', '.join(RESULT_COLUMNS)} FROM results) TO '{out}' (HEADER false)"
        ).fetchone()
        return int(row[0]) if row else 0
    finally:
        con.close()
