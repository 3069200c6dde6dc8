"""A run's files: the heavy part of its results, kept beside the database, one folder per run.

PostgreSQL keeps what is filtered, sorted and reviewed; the run folder keeps the rest:

- `results.parquet`: per result (by `ordinal`, as its database row says) its ids on both sides,
  the explanation and the differences (JSON text);
- `left.parquet`, `right.parquet`: the records of each side exactly as the engine read them
  (a snapshot: the data set may be parsed again later), their id column named in the file's
  metadata; each record once, however many results name it.

Small row groups let a page read only the few it needs. The folder is written under a
temporary name and renamed into place before the transaction naming it
(`reconciliation_jobs.results_dir`) commits: a reader never sees a half-written run, and a
worker killed mid-write leaves only a temporary folder nobody points to. Paths are relative
to the data dir.
"""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

RESULTS = "results.parquet"
SIDE_FILES = {"left": "left.parquet", "right": "right.parquet"}
ID_COLUMN_KEY = b"accord.id_column"  # in a side file's metadata: which column holds the ids
DETAIL_COLUMNS = ("left_ids", "right_ids", "explanation", "differences")
RESULTS_SCHEMA = pa.schema(
    [
        ("ordinal", pa.int64()),
        ("left_ids", pa.list_(pa.string())),
        ("right_ids", pa.list_(pa.string())),
        ("explanation", pa.string()),
        ("differences", pa.string()),
    ]
)
# A page of 100 results scattered over a million reads at most 100 groups of this many rows.
ROW_GROUP_ROWS = 1024


def job_dir(project_id: uuid.UUID, job_id: uuid.UUID) -> Path:
    """Inside the project's folder, so deleting the project removes it."""
    return Path("projects") / str(project_id) / "jobs" / str(job_id)


def new_run_dir(project_id: uuid.UUID, job_id: uuid.UUID) -> Path:
    """A fresh name per run: a retried job never overwrites the folder its last commit names."""
    return job_dir(project_id, job_id) / f"run-{uuid.uuid4().hex}"


class RunWriter:
    """Fills `<run>.part/`; `publish` renames it to `<run>/`, `discard` removes either."""

    def __init__(self, data_dir: Path, relative: Path) -> None:
        self.path = data_dir / relative
        self.partial = self.path.with_name(self.path.name + ".part")
        self.partial.mkdir(parents=True)
        self.published = False
        # No dictionaries: nearly every explanation and id list is unique, so building one
        # only to give it up costs time (a quarter of writing 1M results) and space.
        self.results: pq.ParquetWriter | None = pq.ParquetWriter(
            str(self.partial / RESULTS), RESULTS_SCHEMA, compression="snappy", use_dictionary=False
        )

    def side_file(self, side: str) -> Path:
        """Where the side's records go (see jobs/records.py)."""
        return self.partial / SIDE_FILES[side]

    def write(self, table: pa.Table) -> None:
        """A batch of results: `ordinal`, `left_list`, `right_list`, explanation, differences."""
        assert self.results is not None
        columns = table.select(["ordinal", "left_list", "right_list", *DETAIL_COLUMNS[2:]])
        self.results.write_table(
            columns.rename_columns(RESULTS_SCHEMA.names).cast(RESULTS_SCHEMA), ROW_GROUP_ROWS
        )

    def publish(self) -> None:
        """Close the files and move the folder into place (atomically, on one file system)."""
        assert self.results is not None
        self.results.close()
        self.results = None
        os.replace(self.partial, self.path)
        self.published = True

    def discard(self) -> None:
        if self.results is not None:
            self.results.close()
            self.results = None
        shutil.rmtree(self.partial, ignore_errors=True)
        shutil.rmtree(self.path, ignore_errors=True)


def remove_other_runs(data_dir: Path, relative: Path) -> None:
    """After `relative` is committed: drop the job's earlier runs and any a killed run left."""
    for path in (data_dir / relative).parent.glob("run-*"):
        if path.name != relative.name:
            shutil.rmtree(path, ignore_errors=True)


def remove_partial_runs(data_dir: Path, project_id: uuid.UUID, job_id: uuid.UUID) -> None:
    """Before a job runs: drop the `.part` folders its killed attempts left (nobody names
    them, and only one attempt of a job runs at a time)."""
    for path in (data_dir / job_dir(project_id, job_id)).glob("run-*.part"):
        shutil.rmtree(path, ignore_errors=True)
