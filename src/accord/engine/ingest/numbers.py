"""Money as real files write it, read exactly into decimals.

Handled: `1,234.56`, `1.234,56`, `1 234,56`, `1'234.56`, `(12.00)`, `12.00-`, `-12.00`,
`12.00 DR` / `12.00 CR`, and currency marks around the number (`$`, `€`, `£`, `USD 12.00`,
`12.00 EUR`). One regular expression says whether a value is money; it runs in Python
(inference on a sample) and in DuckDB's RE2 (the whole file), so it sticks to the syntax
both share. In DuckDB, sign and digits are then read with plain string functions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from accord.engine.ingest.column_types import DEFAULT_MONEY_SCALE, ColumnType, duckdb_type
from accord.engine.ingest.sql import quote_literal

_SPACE = "[ \t\u00a0\u202f]"
# ISO 4217 codes people put beside amounts. Any three capitals would also swallow references
# such as INV1001 or INV-1, turning an invoice number into money.
# fmt: off
_ISO_CURRENCIES = (
    "AED", "AUD", "BGN", "BRL", "CAD", "CHF", "CLP", "CNY", "COP", "CZK", "DKK", "EGP",
    "EUR", "GBP", "HKD", "HUF", "IDR", "ILS", "INR", "ISK", "JPY", "KES", "KRW", "MAD",
    "MXN", "MYR", "NGN", "NOK", "NZD", "PEN", "PHP", "PKR", "PLN", "QAR", "RON", "RSD",
    "RUB", "SAR", "SEK", "SGD", "THB", "TRY", "TWD", "UAH", "USD", "VND", "ZAR",
)
# fmt: on
_CURRENCY = f"(?:[$€£¥₹]|{'|'.join(_ISO_CURRENCIES)})"


class DecimalMark(StrEnum):
    """Which character separates the fraction; the other one may group thousands."""

    POINT = "."
    COMMA = ","

    @property
    def display(self) -> str:
        """The format as users write it in a mapping."""
        return "1,234.56" if self is DecimalMark.POINT else "1.234,56"

    @property
    def thousands(self) -> str:
        """Characters allowed between groups of three digits."""
        grouping = "," if self is DecimalMark.POINT else "."
        return grouping + " \u00a0\u202f'"


def parse_number_format(text: str) -> DecimalMark:
    """`'1,234.56'`, `'1.234,56'`, `'1 234,56'`, `'.'`, `','`: the last mark is the decimal one."""
    marks = [char for char in text if char in ".,"]
    if not marks:
        raise ValueError(f"number format {text!r} shows no decimal mark ('.' or ',')")
    return DecimalMark(marks[-1])


def money_pattern(mark: DecimalMark, scale: int | None = None) -> str:
    """Regex for a whole money value; named groups say sign and digits.

    With `scale`, the fraction may have at most that many digits (trailing zeros
    aside), so converting never rounds a value silently.
    """
    thousands = "[" + re.escape(mark.thousands) + "]"
    fraction = "[0-9]+" if scale is None else f"[0-9]{{0,{scale}}}0*"
    whole = f"[0-9]{{1,3}}(?:{thousands}[0-9]{{3}})+|[0-9]+"
    number = f"(?:{whole})(?:{re.escape(mark.value)}{fraction})?|{re.escape(mark.value)}[0-9]+"
    return (
        f"^{_SPACE}*(?:{_CURRENCY}{_SPACE}*)?(?P<open>\\()?{_SPACE}*(?P<sign>[+-])?{_SPACE}*"
        f"(?:{_CURRENCY}{_SPACE}*)?(?P<number>{number}){_SPACE}*(?:{_CURRENCY}{_SPACE}*)?"
        f"(?P<close>\\))?{_SPACE}*(?P<trail>-)?{_SPACE}*(?P<side>CR|DR|Cr|Dr|cr|dr)?"
        f"{_SPACE}*(?:{_CURRENCY})?{_SPACE}*$"
    )


@dataclass(frozen=True)
class NumberGuess:
    """What a sample of text values says about a money column.

    `scales` holds the decimal places the values need read with either mark, so a
    format given in the mapping still gets a scale that loses nothing.
    """

    mark: DecimalMark | None
    scales: dict[DecimalMark, int]
    ambiguous_example: str | None = None


def guess_number_format(values: list[str], allowed_misfits: int) -> NumberGuess | None:
    """The decimal mark and scales that all but `allowed_misfits` values fit, or None.

    `1,234` fits both marks with different values; if the marks fit equally many
    values and some contain a mark, the guess is ambiguous and names an example.
    """
    attempts = {mark: _matches(values, mark, allowed_misfits) for mark in DecimalMark}
    fitting = [mark for mark in DecimalMark if attempts[mark] is not None]
    if not fitting:
        return None
    matches = {mark: found or [] for mark, found in attempts.items()}
    scales = {mark: _scale(found, mark) for mark, found in matches.items()}
    point, comma = len(matches[DecimalMark.POINT]), len(matches[DecimalMark.COMMA])
    if len(fitting) == 1 or point != comma:
        return NumberGuess(max(fitting, key=lambda mark: len(matches[mark])), scales)
    differing = [m.string for m in matches[DecimalMark.POINT] if "," in m.string or "." in m.string]
    if not differing:
        return NumberGuess(None, scales)
    return NumberGuess(None, scales, ambiguous_example=differing[0])


def decimal_sql(column_sql: str, mark: DecimalMark | None, scale: int) -> str:
    """DuckDB expression: the exact decimal, or NULL where the text is not money."""
    target = duckdb_type(ColumnType.DECIMAL, scale)
    mark = mark or DecimalMark.POINT
    # Most values are plain, `-421.37` or `-421,37`: a cheap check and a cast; the full
    # pattern (thousands, brackets, currency) only for the rest.
    plain = quote_literal(f"^[+-]?[0-9]+({re.escape(mark.value)}[0-9]{{0,{scale}}}0*)?$")
    as_point = column_sql if mark is DecimalMark.POINT else f"replace({column_sql}, ',', '.')"
    full = _full_parse_sql(column_sql, mark, scale, target)
    return (
        f"CASE WHEN regexp_matches({column_sql}, {plain}) "
        f"THEN TRY_CAST({as_point} AS {target}) ELSE {full} END"
    )


# A debit/credit word on its own: `DR`, not the DR inside a currency code such as IDR.
_SIDE_WORD = "(^|[^A-Za-z])[CcDd][Rr]([^A-Za-z]|$)"
_DEBIT_WORD = "(^|[^A-Za-z])[Dd][Rr]([^A-Za-z]|$)"


def digits_sql(column_sql: str, mark: DecimalMark) -> str:
    """The number in a money text as DuckDB can cast it: digits and a `.` only."""
    digits = f"regexp_replace({column_sql}, {quote_literal('[^0-9' + mark.value + ']')}, '', 'g')"
    return f"replace({digits}, ',', '.')" if mark is DecimalMark.COMMA else digits


def _full_parse_sql(column_sql: str, mark: DecimalMark, scale: int, target: str) -> str:
    # The pattern decides validity; plain string functions then find sign and digits.
    # Extracting the pattern's groups instead would cost ten times as much per value.
    x = column_sql
    shape = f"regexp_matches({x}, {quote_literal(money_pattern(mark, scale))})"
    signs = f"length({x}) - length(replace(replace({x}, '-', ''), '+', ''))"
    markers = f"{signs} + contains({x}, '(')::INT + regexp_matches({x}, '{_SIDE_WORD}')::INT"
    valid = f"{shape} AND contains({x}, '(') = contains({x}, ')') AND {markers} <= 1"
    negative = f"contains({x}, '-') OR contains({x}, '(') OR regexp_matches({x}, '{_DEBIT_WORD}')"
    number = f"TRY_CAST({digits_sql(x, mark)} AS {target})"
    return f"CASE WHEN {valid} THEN CASE WHEN {negative} THEN -{number} ELSE {number} END END"


def _matches(
    values: list[str], mark: DecimalMark, allowed_misfits: int
) -> list[re.Match[str]] | None:
    """Each value's match, or None as soon as more than `allowed_misfits` do not match."""
    pattern = re.compile(money_pattern(mark))
    found, misfits = [], 0
    for value in values:
        match = pattern.match(value)
        if match is not None and _balanced(match):
            found.append(match)
        else:
            misfits += 1
            if misfits > allowed_misfits:
                return None
    return found


def _balanced(match: re.Match[str]) -> bool:
    open_, close = match.group("open"), match.group("close")
    markers = [match.group(name) for name in ("open", "sign", "trail", "side")]
    return (open_ is None) == (close is None) and sum(m is not None for m in markers) <= 1


def _scale(matches: list[re.Match[str]], mark: DecimalMark) -> int:
    fraction_lengths = [
        len(m.group("number").rpartition(mark.value)[2])
        for m in matches
        if mark.value in m.group("number")
    ]
    return max([DEFAULT_MONEY_SCALE, *fraction_lengths])
