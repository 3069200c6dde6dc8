"""Data sets: uploaded files kept as they came, turned into typed Parquet by the engine."""
