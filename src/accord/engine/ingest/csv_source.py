"""CSV and TSV files as a DuckDB relation of text columns."""

from __future__ import annotations

from pathlib import Path

from accord.engine.ingest.csv_dialect import sniff_dialect
from accord.engine.ingest.encoding import detect_encoding, is_utf8, read_head, transcode_to_utf8
from accord.engine.ingest.options import FileFormat, ReadOptions
from accord.engine.ingest.source import Source
from accord.engine.ingest.sql import quote_literal


def open_csv(path: Path, options: ReadOptions, scratch_dir: Path) -> Source:
    """Detect encoding and dialect, and describe the file to DuckDB's CSV reader.

    Files not in UTF-8 are transcoded into `scratch_dir` first: DuckDB reads only
    UTF-8 quickly, and the copy is streamed, so memory does not grow with the file.
    """
    head = read_head(path)
    encoding = options.encoding or detect_encoding(head)
    readable = path
    if not is_utf8(encoding):
        readable = scratch_dir / (path.stem + ".utf8.csv")
        transcode_to_utf8(path, encoding, readable)
    sample = head.decode(encoding, errors="replace")
    sample = sample.removeprefix("\ufeff")
    sample = "".join(sample.splitlines(keepends=True)[options.skip_rows :])
    default_delimiter = "\t" if ".tsv" in path.suffixes[-2:] else None
    dialect = sniff_dialect(
        sample,
        delimiter=options.delimiter or default_delimiter,
        quote=options.quote,
        escape=options.escape,
        has_header=options.header,
    )
    columns = unique_names(dialect.header)
    column_types = ", ".join(f"{quote_literal(name)}: 'VARCHAR'" for name in columns)
    relation = (
        f"read_csv({quote_literal(str(readable))}, auto_detect = false, "
        f"header = {str(options.header).lower()}, skip = {options.skip_rows}, "
        f"delim = {quote_literal(dialect.delimiter)}, quote = {quote_literal(dialect.quote)}, "
        f"escape = {quote_literal(dialect.escape)}, columns = {{{column_types}}})"
    )
    details = {
        "encoding": encoding,
        "delimiter": dialect.delimiter,
        "quote": dialect.quote,
    }
    return Source(path.name, FileFormat.CSV, relation, columns, details=details)


def unique_names(header: list[str]) -> list[str]:
    """Header names as columns: blanks named by position, repeats numbered."""
    names: list[str] = []
    for position, raw in enumerate(header, start=1):
        name = raw.strip() or f"column{position}"
        candidate, suffix = name, 2
        while candidate in names:
            candidate, suffix = f"{name}_{suffix}", suffix + 1
        names.append(candidate)
    return names
