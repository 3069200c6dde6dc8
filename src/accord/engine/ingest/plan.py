"""The plan for one file: which output columns, typed how, computed by which SQL.

Mapping rules win over inference; inference fills in what the mapping leaves out
(a type without a format still gets the format detected from the data).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from accord.engine.ingest.column_types import DEFAULT_MONEY_SCALE, ColumnType
from accord.engine.ingest.expressions import (
    OutputColumn,
    constant_output,
    convert_text,
    debit_credit_output,
    text_column_output,
    untyped_output,
)
from accord.engine.ingest.infer import ColumnGuess, guess_column
from accord.engine.ingest.mapping import ColumnMapping, ColumnRule
from accord.engine.ingest.numbers import parse_number_format
from accord.engine.ingest.options import ReadOptions
from accord.engine.ingest.problems import Problem, Severity
from accord.engine.ingest.settle import settle_from_whole_column
from accord.engine.ingest.source import Source
from accord.engine.ingest.sql import quote_identifier, quote_literal

_Guesser = Callable[[int], ColumnGuess]


@dataclass
class Plan:
    """The select over a source that yields the typed table, and what it found on the way."""

    source: Source
    options: ReadOptions
    outputs: list[OutputColumn] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def source_select(self) -> str:
        """The source columns the outputs use, raw or as cleaned text."""
        used = " ".join(
            [o.select_sql for o in self.outputs]
            + [f"{c.bad_sql} {c.value_sql}" for o in self.outputs for c in o.checks]
        )
        items = [
            f"{expression} AS {ref}"
            for ref, expression in source_items(self.source, self.options).items()
            if re.search(rf"\b{ref}\b", used)
        ]
        return ", ".join(items) or "NULL AS nothing"

    def select_sql(self, *, lenient: bool = False) -> str:
        """The query for the typed table; `lenient` makes bad values NULL instead of an error."""
        items = ", ".join(
            f"{o.lenient_sql if lenient else o.select_sql} AS {quote_identifier(o.name)}"
            for o in self.outputs
        )
        return f"SELECT {items} FROM (SELECT {self.source_select()} FROM {self.source.relation})"


def raw_ref(position: int) -> str:
    """SQL name of source column `position` as read."""
    return f"raw_{position}"


def text_ref(position: int) -> str:
    """SQL name of source column `position` as text, NULL for a null word."""
    return f"text_{position}"


def source_items(source: Source, options: ReadOptions) -> dict[str, str]:
    """Each source column twice, by SQL name: as read, and as text for typing.

    The text is not trimmed (see `expressions.convert_text`); null words are
    compared trimmed, at a cost paid only when the options name some.
    """
    items: dict[str, str] = {}
    null_words = ", ".join(quote_literal(word) for word in options.null_values)
    for position, name in enumerate(source.columns):
        column = quote_identifier(name)
        text = f"CAST({column} AS VARCHAR)"
        if null_words:
            text = f"CASE WHEN trim({text}) IN ({null_words}) THEN NULL ELSE {text} END"
        items[raw_ref(position)] = column
        items[text_ref(position)] = text
    return items


def sample_values(sample: pa.Table, position: int) -> list[str]:
    """Distinct non-empty text values of one column of the sample."""
    column = sample.column(text_ref(position))
    distinct = pc.unique(column.drop_null())
    return [value for value in distinct.to_pylist() if value]


def plan_columns(
    source: Source,
    sample: pa.Table,
    mapping: ColumnMapping,
    options: ReadOptions,
    connection: duckdb.DuckDBPyConnection,
    known: dict[int, ColumnGuess] | None = None,
) -> Plan:
    """Decide every output column; problems that stop the import are ERROR problems in the plan.

    `known` holds guesses already made from more than the sample, by source position.
    """
    plan = Plan(source, options)
    positions = {name: position for position, name in enumerate(source.columns)}
    _report_unknown_columns(source, mapping, plan)
    if any(p.severity is Severity.ERROR for p in plan.problems):
        return plan
    guesses: dict[int, ColumnGuess] = dict(known or {})
    text = source_items(source, options)

    def guess(position: int) -> ColumnGuess:
        if position not in guesses:
            guessed = guess_column(sample_values(sample, position), connection)
            guesses[position] = settle_from_whole_column(
                guessed, text[text_ref(position)], source.relation, connection
            )
        return guesses[position]

    consumed = set()
    if mapping.debit_credit is not None:
        consumed = {mapping.debit_credit.debit, mapping.debit_credit.credit}
    for name in source.columns:
        rule = mapping.columns.get(name)
        if (name in consumed and rule is None) or (rule is None and mapping.unmapped == "drop"):
            continue
        plan.outputs.append(_column_output(source, name, positions[name], rule, guess, plan))
    if mapping.debit_credit is not None:
        plan.outputs.append(_signed_amount(mapping, positions, guess, plan, source.file))
    for name, value in mapping.constants.items():
        plan.outputs.append(constant_output(name, value))
    _report_duplicate_names(plan, source.file)
    return plan


def _column_output(
    source: Source, name: str, position: int, rule: ColumnRule | None, guess: _Guesser, plan: Plan
) -> OutputColumn:
    output_name = rule.rename if rule is not None and rule.rename else name
    native = source.native_types.get(name)
    wanted = rule.type if rule is not None else None
    if name in source.native_types and (native is None or wanted in (None, native)):
        return untyped_output(output_name, name, raw_ref(position), native)
    guessed = guess(position) if wanted is None or rule is None or rule.format is None else None
    column_type = wanted or (guessed.type if guessed else ColumnType.STRING)
    if wanted is None and rule is not None and rule.format is not None:
        column_type = type_of_format(rule.format, column_type)
    if column_type is ColumnType.STRING:
        # The text as read (null words aside); Parquet numbers and dates become their text.
        return untyped_output(output_name, name, text_ref(position), ColumnType.STRING)
    given_format = rule.format if rule is not None else None
    if guessed is not None and guessed.ambiguity is not None and guessed.type is column_type:
        if given_format is None:
            plan.problems.append(Problem(source.file, guessed.ambiguity, column=name))
        else:
            resolved = (
                f"{guessed.ambiguity.partition(';')[0]}; the mapping's {given_format!r} decides"
            )
            plan.problems.append(Problem(source.file, resolved, Severity.WARNING, column=name))
    try:
        typed = convert_text(
            text_ref(position),
            column_type,
            given_format,
            rule.scale if rule is not None else None,
            guessed,
        )
    except ValueError as error:
        plan.problems.append(Problem(source.file, f"mapping: {error}", column=name))
        return untyped_output(output_name, name, raw_ref(position), ColumnType.STRING)
    return text_column_output(output_name, name, text_ref(position), typed, inferred=wanted is None)


def type_of_format(fmt: str, guessed: ColumnType) -> ColumnType:
    """The type a format given without a type implies: `excel` on whole numbers is a date."""
    if any(char.isdigit() for char in fmt):
        return ColumnType.DECIMAL
    if guessed in (ColumnType.DATE, ColumnType.DATETIME):
        return guessed
    return ColumnType.DATETIME if "%H" in fmt else ColumnType.DATE


def _signed_amount(
    mapping: ColumnMapping, positions: dict[str, int], guess: _Guesser, plan: Plan, file: str
) -> OutputColumn:
    rule = mapping.debit_credit
    assert rule is not None
    debit_at, credit_at = positions[rule.debit], positions[rule.credit]
    guessed = [g for g in (guess(debit_at), guess(credit_at)) if g.type is ColumnType.DECIMAL]
    marks = {g.mark for g in guessed if g.mark is not None}
    mark = parse_number_format(rule.format) if rule.format else None
    if mark is None and len(marks) == 1:
        mark = marks.pop()
    elif mark is None and len(marks) > 1:
        plan.problems.append(
            Problem(
                file,
                "debit and credit use different decimal marks; give the format",
                column=f"{rule.debit}/{rule.credit}",
            )
        )
    scale = rule.scale
    if scale is None:
        scale = max([DEFAULT_MONEY_SCALE, *(g.scale_for(mark) for g in guessed)])
    shared = ColumnGuess(ColumnType.DECIMAL, mark=mark)
    debit = convert_text(text_ref(debit_at), ColumnType.DECIMAL, None, scale, shared)
    credit = convert_text(text_ref(credit_at), ColumnType.DECIMAL, None, scale, shared)
    refs = (text_ref(debit_at), text_ref(credit_at))
    return debit_credit_output(rule, refs, debit, credit, scale)


def _report_unknown_columns(source: Source, mapping: ColumnMapping, plan: Plan) -> None:
    named = list(mapping.columns)
    if mapping.debit_credit is not None:
        named += [mapping.debit_credit.debit, mapping.debit_credit.credit]
    available = ", ".join(source.columns)
    for name in named:
        if name not in source.columns:
            plan.problems.append(
                Problem(
                    source.file,
                    f"the mapping names this column but the file has only: {available}",
                    column=name,
                )
            )


def _report_duplicate_names(plan: Plan, file: str) -> None:
    seen: set[str] = set()
    for output in plan.outputs:
        if output.name in seen:
            plan.problems.append(
                Problem(
                    file,
                    "two output columns have this name; rename one in the mapping",
                    column=output.name,
                )
            )
        seen.add(output.name)
