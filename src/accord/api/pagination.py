"""Opaque keyset cursors for lists ordered by (created_at, id), newest first."""

from __future__ import annotations

import base64
import uuid
from datetime import datetime

from accord.errors import BadRequest


def encode_cursor(created_at: datetime, row_id: uuid.UUID) -> str:
    raw = f"{created_at.isoformat()}|{row_id}"
    return base64.urlsafe_b64encode(raw.encode()).decode()


def decode_cursor(cursor: str) -> tuple[datetime, uuid.UUID]:
    try:
        created, row_id = base64.urlsafe_b64decode(cursor.encode()).decode().split("|")
        return datetime.fromisoformat(created), uuid.UUID(row_id)
    except (ValueError, UnicodeDecodeError):
        raise BadRequest("The cursor is not one this API returned; start without it.") from None
