"""The hash chain: what of an entry is hashed, and how.

Each entry's hash covers its own content and the previous entry's hash, so changing, removing
or reordering any entry breaks every link after it. The content is serialised canonically
(sorted keys, UTC times, no whitespace) so the same row always gives the same hash.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

GENESIS_HASH = "0" * 64


def _canonical_time(value: datetime) -> str:
    return value.astimezone(UTC).isoformat(timespec="microseconds")


def _canonical_id(value: uuid.UUID | None) -> str | None:
    return str(value) if value is not None else None


def entry_content(
    *,
    id: int,
    occurred_at: datetime,
    actor_id: uuid.UUID | None,
    actor_email: str | None,
    action: str,
    object_type: str,
    object_id: str | None,
    project_id: uuid.UUID | None,
    ip: str | None,
    correlation_id: str | None,
    before: Mapping[str, Any] | None,
    after: Mapping[str, Any] | None,
) -> dict[str, Any]:
    """The fields of an entry that its hash covers, in a JSON-ready form."""
    return {
        "id": id,
        "occurred_at": _canonical_time(occurred_at),
        "actor_id": _canonical_id(actor_id),
        "actor_email": actor_email,
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "project_id": _canonical_id(project_id),
        "ip": ip,
        "correlation_id": correlation_id,
        "before": before,
        "after": after,
    }


def entry_hash(prev_hash: str, content: Mapping[str, Any]) -> str:
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(f"{prev_hash}\n{canonical}".encode()).hexdigest()
