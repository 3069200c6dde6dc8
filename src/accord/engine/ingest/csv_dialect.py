"""CSV dialect detection: the delimiter that splits a sample into a steady number of fields."""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

DELIMITER_CANDIDATES = (",", ";", "\t", "|")
_SAMPLE_RECORDS = 200


@dataclass(frozen=True)
class CsvDialect:
    """What DuckDB's CSV reader needs to split records into fields."""

    delimiter: str
    quote: str
    escape: str
    header: list[str]


def sniff_dialect(
    sample: str,
    *,
    delimiter: str | None,
    quote: str | None,
    escape: str | None,
    has_header: bool,
) -> CsvDialect:
    """Detect what is not given; the header comes from the first record of `sample`."""
    quote = quote or '"'
    chosen = delimiter or _best_delimiter(sample, quote)
    first = next(_records(sample, chosen, quote, escape), [])
    header = first if has_header else [f"column{i + 1}" for i in range(len(first))]
    return CsvDialect(chosen, quote, escape or quote, header)


def _best_delimiter(sample: str, quote: str) -> str:
    best, best_score = ",", (0.0, 1)
    for candidate in DELIMITER_CANDIDATES:
        counts = [len(r) for r in _records(sample, candidate, quote, None)][:_SAMPLE_RECORDS]
        if len(counts) > 1:
            counts = counts[:-1]  # the sample may cut the last record short
        if not counts:
            continue
        width, occurrences = Counter(counts).most_common(1)[0]
        score = (occurrences / len(counts), width)
        if width > 1 and score > best_score:
            best, best_score = candidate, score
    return best


def _records(sample: str, delimiter: str, quote: str, escape: str | None) -> Iterator[list[str]]:
    return csv.reader(
        io.StringIO(sample),
        delimiter=delimiter,
        quotechar=quote,
        escapechar=escape if escape and escape != quote else None,
        doublequote=escape in (None, quote),
    )
