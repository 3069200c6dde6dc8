"""Exports of a job's results or exceptions as CSV, XLSX or Parquet, streamed from the database."""
