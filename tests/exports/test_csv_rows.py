"""CSV rows built column by column in Arrow are byte for byte what Python's csv module writes."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from accord.exports.batches import ExportBatch
from accord.exports.rows import cell
from accord.exports.writers import csv_rows
from tests.exports.reference import csv_text

TRICKY = [
    "",
    " ",
    "plain",
    "a,b",
    'say "hi"',
    '"',
    '""',
    "line\nbreak",
    "cr\rhere",
    "crlf\r\n",
    "=SUM(A1:A9)",
    '=HYPERLINK("http://evil.example","click")',
    "+1",
    "-2+3",
    "@x",
    "\tTAB",
    "\rCR",
    "'quoted already",
    "héllo wörld",
    "中文",
    "🙂 emoji",
    "trailing ",
    "a\x00b",
    "x; y",
]
VALUES = st.one_of(
    st.none(),
    st.sampled_from(TRICKY),
    st.text(alphabet=st.sampled_from(list(",\"\r\n\t=+-@' aZé中🙂;")), max_size=8),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(),
    st.decimals(places=4, allow_nan=False, min_value=-(10**15), max_value=10**15),
    st.booleans(),
)


def _batch(rows: list[list[Any]]) -> ExportBatch:
    """The rows as the export keeps them: per column, each value's text and kind."""
    columns = [[cell(v) for v in column] for column in zip(*rows, strict=True)]
    return ExportBatch(
        [pa.array([text for text, _ in column], pa.string()) for column in columns],
        [pa.array([kind for _, kind in column], pa.int8()) for column in columns],
    )


def test_tricky_text_numbers_and_nothing() -> None:
    rows = [[value, -5, Decimal("-200.0000"), None, 0.1] for value in TRICKY]
    rows += [[None, 1e16, 1e-05, True, float("nan")], ["-5", float("-inf"), -0.0, False, 1.0]]
    assert csv_rows(_batch(rows)) == csv_text(rows)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(VALUES, min_size=4, max_size=4), min_size=1, max_size=20))
def test_any_values(rows: list[list[Any]]) -> None:
    assert csv_rows(_batch(rows)) == csv_text(rows)
