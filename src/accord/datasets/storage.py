"""Where data sets live on disk, and a streamed upload with a size limit and a checksum."""

from __future__ import annotations

import hashlib
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path

from fastapi import UploadFile
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.concurrency import run_in_threadpool

from accord.errors import PayloadTooLarge

_CHUNK = 1 << 20


def dataset_dir(project_id: uuid.UUID, dataset_id: uuid.UUID) -> Path:
    """Relative to the data dir, so the data dir can move."""
    return Path("projects") / str(project_id) / "datasets" / str(dataset_id)


@dataclass(frozen=True)
class StoredUpload:
    relative_path: Path
    sha256: str
    size_bytes: int


def _suffix(filename: str) -> str:
    suffix = Path(filename).suffix.lower()
    return suffix if suffix.isascii() and len(suffix) <= 10 else ""


async def store_upload(
    upload: UploadFile, data_dir: Path, relative_dir: Path, max_bytes: int
) -> StoredUpload:
    """Copy the upload to `relative_dir/original<ext>` chunk by chunk, hashing as it goes.

    Beyond `max_bytes` the partial file is removed and 413 raised: nothing is left behind.
    """
    target_dir = data_dir / relative_dir
    target_dir.mkdir(parents=True, exist_ok=True)
    relative = relative_dir / f"original{_suffix(upload.filename or '')}"
    digest = hashlib.sha256()
    size = 0
    try:
        with (data_dir / relative).open("wb") as out:
            while chunk := await upload.read(_CHUNK):
                size += len(chunk)
                if size > max_bytes:
                    raise PayloadTooLarge(
                        f"The file is larger than the upload limit of {max_bytes >> 20} MiB "
                        "(ACCORD_MAX_UPLOAD_MB); split it or raise the limit.",
                        limit_bytes=max_bytes,
                    )
                digest.update(chunk)
                await run_in_threadpool(out.write, chunk)
    except BaseException:
        shutil.rmtree(target_dir, ignore_errors=True)
        raise
    return StoredUpload(relative, digest.hexdigest(), size)


def remove_dataset_files(data_dir: Path, relative_dir: Path) -> None:
    shutil.rmtree(data_dir / relative_dir, ignore_errors=True)


def remove_files_when(session: AsyncSession, outcome: str, path: Path) -> None:
    """Remove `path` once the session's transaction ends in `outcome` ("commit" or "rollback").

    Files and rows then never disagree: a delete removes files only once the rows are gone
    for good, and an upload's files go away if its unit of work is rolled back.
    """
    event_name = "after_commit" if outcome == "commit" else "after_rollback"

    def remove(_: object) -> None:
        shutil.rmtree(path, ignore_errors=True)

    event.listen(session.sync_session, event_name, remove, once=True)
