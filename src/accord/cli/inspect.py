"""`accord inspect FILE`: the schema a file would get, a few rows, and every problem found."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from accord.engine.ingest.inspection import Inspection

# sysexits.h: the input data was wrong / the input could not be opened.
EXIT_BAD_DATA = 65
EXIT_NO_INPUT = 66


def register(app: typer.Typer) -> None:
    """Add the `inspect` command to the `accord` app."""
    app.command(name="inspect")(inspect_command)


def inspect_command(
    file: Annotated[Path, typer.Argument(help="CSV/TSV, XLSX, JSON/NDJSON or Parquet file.")],
    sheet: Annotated[str | None, typer.Option(help="XLSX sheet name or 0-based index.")] = None,
    delimiter: Annotated[
        str | None, typer.Option(help="CSV field separator; use '\\t' for tab.")
    ] = None,
    encoding: Annotated[str | None, typer.Option(help="Text encoding, e.g. cp1252.")] = None,
    mapping: Annotated[
        Path | None, typer.Option(help="Column mapping file (.yaml or .json).")
    ] = None,
    rows: Annotated[int, typer.Option(help="Sample rows to show.")] = 10,
) -> None:
    """Show the inferred schema, sample rows and problems of FILE.

    Exits 0 if the file would import cleanly, 65 if it has values or formats to fix
    (or the mapping does not fit), and 66 if it cannot be read at all (missing,
    malformed, undecodable).
    """
    from pydantic import ValidationError

    from accord.engine.ingest import ColumnMapping, IngestError, ReadOptions
    from accord.engine.ingest.inspection import inspect_file

    try:
        options = ReadOptions(
            sheet=int(sheet) if sheet is not None and sheet.isdigit() else sheet,
            delimiter=delimiter.replace("\\t", "\t") if delimiter else None,
            encoding=encoding,
        )
        column_mapping = ColumnMapping.from_file(mapping) if mapping else None
    except (OSError, ValueError, ValidationError) as error:
        typer.echo(f"accord inspect: {error}", err=True)
        raise typer.Exit(EXIT_NO_INPUT) from None
    try:
        inspection = inspect_file(file, options, column_mapping, sample_rows=rows)
    except IngestError as error:
        typer.echo(f"accord inspect: {error}", err=True)
        raise typer.Exit(EXIT_NO_INPUT) from None
    _print(inspection)
    if any(problem.severity == "error" for problem in inspection.problems):
        raise typer.Exit(EXIT_BAD_DATA)


def _print(inspection: Inspection) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    facts = ", ".join(f"{key} {value!r}" for key, value in inspection.details.items())
    rows = f"{inspection.row_count:,} rows" if inspection.row_count is not None else "rows unknown"
    console.print(
        f"[bold]{inspection.file}[/bold]: {inspection.format}, {rows}"
        + (f", {facts}" if facts else "")
    )

    schema = Table(title="Schema", title_justify="left")
    for heading in ("column", "type", "format", "nulls", "example", "from"):
        schema.add_column(heading)
    for info in inspection.schema:
        schema.add_row(
            info.name,
            str(info.type) if info.type is not None else info.arrow_type,
            info.format or "",
            f"{info.null_count:,}",
            info.example or "",
            info.source if info.source != info.name else "",
        )
    console.print(schema)

    sample = Table(title=f"First {inspection.sample.num_rows} rows", title_justify="left")
    for name in inspection.sample.column_names:
        sample.add_column(name, no_wrap=True, overflow="ellipsis", max_width=28)
    for record in inspection.sample.to_pylist():
        sample.add_row(*("" if value is None else str(value) for value in record.values()))
    console.print(sample)

    if not inspection.problems:
        console.print("[green]No problems found.[/green]")
        return
    problems = Table(title="Problems", title_justify="left")
    for heading in ("severity", "row", "column", "value", "problem"):
        problems.add_column(heading, overflow="fold")
    for problem in inspection.problems:
        problems.add_row(
            str(problem.severity),
            _where(problem.row, problem.line),
            problem.column or "",
            problem.value if problem.value is not None else "",
            problem.rule,
        )
    console.print(problems)
    if inspection.stopped_early:
        console.print(f"Stopped after {len(inspection.problems)} problems; there may be more.")


def _where(row: int | None, line: int | None) -> str:
    """`17`, or `line 18` where only the physical line is known (a parser error)."""
    if row is not None:
        return f"{row:,}"
    return f"line {line:,}" if line is not None else ""
