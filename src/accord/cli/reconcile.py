"""`accord reconcile LEFT RIGHT --rules RULES --out DIR`: match two files, write the results."""

from __future__ import annotations

import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

if TYPE_CHECKING:
    from accord.engine.ingest import IngestResult

# sysexits.h: the input (rules or data) was wrong / an input could not be opened.
EXIT_BAD_INPUT = 65
EXIT_NO_INPUT = 66

FORMATS = ("parquet", "csv", "xlsx")


def register(app: typer.Typer) -> None:
    """Add the `reconcile` command to the `accord` app."""
    app.command(name="reconcile")(reconcile_command)


def _fail(message: str, code: int) -> typer.Exit:
    typer.echo(f"accord reconcile: {message}", err=True)
    return typer.Exit(code)


def _read_both(
    left: Path, right: Path, left_mapping: Path | None, right_mapping: Path | None
) -> tuple[IngestResult, IngestResult]:
    """Read the two files at once: ingestion is mostly DuckDB work, which releases the GIL."""
    from accord.engine.ingest import ColumnMapping, read_table

    mappings = [ColumnMapping.from_file(m) if m else None for m in (left_mapping, right_mapping)]
    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = [
            pool.submit(read_table, path, None, mapping)
            for path, mapping in zip((left, right), mappings, strict=True)
        ]
        return futures[0].result(), futures[1].result()


def _print_summary(summary: dict[str, Any], seconds: float, out: Path) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    left, right = summary["left"], summary["right"]
    passes = Table(title=f"{left['name']} ↔ {right['name']}: {summary['matches']:,} matches")
    for header in (
        "pass",
        "matches",
        left["name"],
        right["name"],
        f"{left['name']} amount",
        f"{right['name']} amount",
    ):
        passes.add_column(header, justify="left" if header == "pass" else "right")
    for name, row in summary["by_pass"].items():
        passes.add_row(
            name,
            f"{row['matches']:,}",
            f"{row['left_records']:,}",
            f"{row['right_records']:,}",
            _money(row["left_amount"]),
            _money(row["right_amount"]),
        )
    console.print(passes)
    leftover = Table(title="left over")
    for header in ("side", "records", "amount", "why"):
        leftover.add_column(header, justify="left" if header in ("side", "why") else "right")
    for side_key, side in (("left", left), ("right", right)):
        unmatched = summary["unmatched"][side_key]
        reasons = ", ".join(f"{k} {v:,}" for k, v in unmatched["by_reason"].items())
        leftover.add_row(
            side["name"], f"{unmatched['records']:,}", _money(unmatched["amount"]), reasons
        )
    console.print(leftover)
    rate = summary["match_rate"]
    console.print(
        f"matched {rate['left']:.1%} of {left['name']} and {rate['right']:.1%} of "
        f"{right['name']} in {seconds:.1f} s; results in {out}/"
    )


def _money(value: float | None) -> str:
    return "" if value is None else f"{value:,.2f}"


def reconcile_command(
    left: Annotated[Path, typer.Argument(help="Left file (CSV/TSV, XLSX, JSON/NDJSON, Parquet).")],
    right: Annotated[Path, typer.Argument(help="Right file.")],
    rules: Annotated[Path, typer.Option("--rules", help="Rules file (.yaml or .json).")],
    out: Annotated[Path, typer.Option("--out", help="Directory for the results.")],
    output_format: Annotated[
        str, typer.Option("--format", help="parquet (default), csv, or xlsx for people.")
    ] = "parquet",
    left_mapping: Annotated[Path | None, typer.Option(help="Column mapping for LEFT.")] = None,
    right_mapping: Annotated[Path | None, typer.Option(help="Column mapping for RIGHT.")] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar or table.")] = False,
) -> None:
    """Match LEFT against RIGHT with RULES; write matches, left-overs and a summary to OUT.

    Exits 0 when the run completes (whatever the match rate), 65 if the rules or the data
    are invalid, 66 if a file cannot be read.
    """
    from pydantic import ValidationError

    from accord.engine import RulesDataMismatch, reconcile, write_results
    from accord.engine.ingest import IngestError
    from accord.engine.rules_errors import check_rules_file

    if output_format not in FORMATS:
        raise _fail(f"--format must be one of {', '.join(FORMATS)}", EXIT_BAD_INPUT)
    started = time.perf_counter()
    ruleset, problems = check_rules_file(rules)
    if ruleset is None:
        raise _fail(f"{rules}:\n  - " + "\n  - ".join(problems), EXIT_BAD_INPUT)
    try:
        left_data, right_data = _read_both(left, right, left_mapping, right_mapping)
    except (OSError, ValueError, ValidationError) as error:
        raise _fail(str(error), EXIT_NO_INPUT) from None
    except IngestError as error:
        raise _fail(str(error), EXIT_BAD_INPUT) from None
    show_progress = not quiet and sys.stderr.isatty()
    try:
        if show_progress:
            from rich.progress import Progress

            with Progress(transient=True) as bar:
                task = bar.add_task("reconciling", total=1.0)
                result = reconcile(
                    left_data.table,
                    right_data.table,
                    ruleset,
                    progress=lambda phase, done: bar.update(
                        task, completed=done, description=phase
                    ),
                )
        else:
            result = reconcile(left_data.table, right_data.table, ruleset)
    except RulesDataMismatch as error:
        raise _fail(str(error), EXIT_BAD_INPUT) from None
    write_results(result, out, output_format)  # type: ignore[arg-type]
    if not quiet:
        _print_summary(result.summary, time.perf_counter() - started, out)
