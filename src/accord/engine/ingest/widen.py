"""Second chance for number columns typed from the sample: the whole column decides.

The first 10,000 rows of an amount column may all be whole numbers, or have two
decimals where a later row has three. When such a column fails only because the
sample was too narrow, one scan of it finds the decimal type every value fits.
"""

from __future__ import annotations

import duckdb

from accord.engine.ingest.column_types import DEFAULT_MONEY_SCALE, ColumnType
from accord.engine.ingest.infer import ColumnGuess
from accord.engine.ingest.numbers import (
    DecimalMark,
    digits_sql,
    money_pattern,
    parse_number_format,
)
from accord.engine.ingest.plan import Plan, source_items, text_ref
from accord.engine.ingest.problems import Problem, Severity
from accord.engine.ingest.sql import quote_literal

_NUMBERS = (ColumnType.INTEGER, ColumnType.DECIMAL)
_MAX_SCALE = 18


def widen_numbers(
    plan: Plan, problems: list[Problem], connection: duckdb.DuckDBPyConnection
) -> tuple[dict[int, ColumnGuess], list[Problem]]:
    """Decimal guesses, by source position, for inferred number columns with bad values.

    Returns the guesses for columns whose every value is an amount, and a warning
    for each saying what changed; columns with other bad values are left alone.
    """
    failed = {problem.column for problem in problems}
    texts = source_items(plan.source, plan.options)
    widened: dict[int, ColumnGuess] = {}
    notes: list[Problem] = []
    for output in plan.outputs:
        inferred = bool(output.checks) and all(check.inferred for check in output.checks)
        if output.type not in _NUMBERS or not inferred or output.source not in failed:
            continue
        assert output.source is not None
        position = plan.source.columns.index(output.source)
        mark = parse_number_format(output.format) if output.format else DecimalMark.POINT
        scale = _scale_if_all_amounts(
            texts[text_ref(position)], mark, plan.source.relation, connection
        )
        if scale is None:
            continue
        widened[position] = ColumnGuess(ColumnType.DECIMAL, mark=mark, scales={mark: scale})
        notes.append(
            Problem(
                plan.source.file,
                f"typed as decimal with {scale} places, not as {output.type} from the sample: "
                f"rows after the first {plan.options.sample_rows:,} need it",
                Severity.WARNING,
                column=output.source,
            )
        )
    return widened, notes


def _scale_if_all_amounts(
    text_sql: str, mark: DecimalMark, relation: str, connection: duckdb.DuckDBPyConnection
) -> int | None:
    """Decimal places the column needs if every value is an amount, else None."""
    pattern = quote_literal(money_pattern(mark))
    fraction = f"split_part({digits_sql('t', mark)}, '.', 2)"
    misfits, longest = connection.sql(
        f"SELECT count(*) FILTER (WHERE NOT regexp_matches(t, {pattern})), max(length({fraction})) "
        f"FROM (SELECT nullif(trim({text_sql}), '') AS t FROM {relation}) WHERE t IS NOT NULL"
    ).fetchall()[0]
    if misfits or longest is None or longest > _MAX_SCALE:
        return None
    return max(DEFAULT_MONEY_SCALE, int(longest))
