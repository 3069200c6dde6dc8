"""Ingestion: the files people bring (CSV/TSV, XLSX, JSON/NDJSON, Parquet) as typed Arrow tables.

    result = read_table("statement.csv", mapping=ColumnMapping.from_file("bank.yaml"))
    write_parquet(result, "statement.parquet")

Types are inferred from a sample and can be set per column in a `ColumnMapping`;
money is an exact decimal. Bad input raises `IngestError`, whose problems name the
file, row, column, value and the rule broken.
"""

from accord.engine.ingest.column_types import ColumnInfo, ColumnType
from accord.engine.ingest.mapping import ColumnMapping, ColumnRule, DebitCredit
from accord.engine.ingest.options import FileFormat, ReadOptions
from accord.engine.ingest.problems import IngestError, Problem, Severity
from accord.engine.ingest.read import IngestResult, read_table
from accord.engine.ingest.write import write_parquet

__all__ = [
    "ColumnInfo",
    "ColumnMapping",
    "ColumnRule",
    "ColumnType",
    "DebitCredit",
    "FileFormat",
    "IngestError",
    "IngestResult",
    "Problem",
    "ReadOptions",
    "Severity",
    "read_table",
    "write_parquet",
]
