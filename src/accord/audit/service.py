"""Appending to the audit trail, and reading a project's part of it.

Appends are serialised with a transaction-scoped advisory lock: two concurrent requests would
otherwise both read the same last hash and fork the chain. The lock is held until the caller's
unit of work commits or rolls back, so the next append always sees the previous one.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from accord.audit.chain import GENESIS_HASH, entry_content, entry_hash
from accord.audit.context import RequestContext
from accord.db.models import AuditEvent

# An arbitrary constant naming "the audit chain" among PostgreSQL advisory locks.
AUDIT_CHAIN_LOCK = 0x41_55_44_49_54  # "AUDIT"


class Actor(Protocol):
    """Whoever acts: a User, or anything with an id and an email (a service account later)."""

    @property
    def id(self) -> uuid.UUID: ...

    @property
    def email(self) -> str: ...


def _json_ready(value: Mapping[str, Any] | None) -> dict[str, Any] | None:
    # Round-trip through JSON now so the hash covers exactly what JSONB will give back.
    if value is None:
        return None
    loaded: dict[str, Any] = json.loads(json.dumps(dict(value), default=str))
    return loaded


async def record(
    session: AsyncSession,
    actor: Actor | None,
    action: str,
    object_type: str,
    object_id: str | uuid.UUID | None,
    *,
    project_id: uuid.UUID | None = None,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
    context: RequestContext | None = None,
) -> AuditEvent:
    """Append one event to the chain in the caller's transaction (which commits it)."""
    context = context or RequestContext.current()
    await session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": AUDIT_CHAIN_LOCK})
    last = await session.scalar(select(AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1))
    event_id = await session.scalar(
        text("SELECT nextval(pg_get_serial_sequence('audit_events', 'id'))")
    )
    assert isinstance(event_id, int)
    content = entry_content(
        id=event_id,
        occurred_at=datetime.now(UTC),
        actor_id=actor.id if actor is not None else None,
        actor_email=actor.email if actor is not None else None,
        action=action,
        object_type=object_type,
        object_id=str(object_id) if object_id is not None else None,
        project_id=project_id,
        ip=context.ip,
        correlation_id=context.correlation_id,
        before=_json_ready(before),
        after=_json_ready(after),
    )
    prev_hash = last or GENESIS_HASH
    event = AuditEvent(
        id=event_id,
        occurred_at=datetime.fromisoformat(content["occurred_at"]),
        actor_id=actor.id if actor is not None else None,
        actor_email=content["actor_email"],
        action=action,
        object_type=object_type,
        object_id=content["object_id"],
        project_id=project_id,
        ip=context.ip,
        correlation_id=context.correlation_id,
        before=content["before"],
        after=content["after"],
        prev_hash=prev_hash,
        hash=entry_hash(prev_hash, content),
    )
    session.add(event)
    await session.flush()
    return event


@dataclass(frozen=True)
class AuditFilter:
    action: str | None = None
    actor_id: uuid.UUID | None = None
    object_type: str | None = None
    since: datetime | None = None
    until: datetime | None = None


async def project_events(
    session: AsyncSession,
    project_id: uuid.UUID,
    where: AuditFilter,
    before_id: int | None,
    limit: int,
) -> Sequence[AuditEvent]:
    """A page of a project's events, newest first; `before_id` continues from a previous page."""
    query = select(AuditEvent).where(AuditEvent.project_id == project_id)
    if where.action is not None:
        # "member." matches every member action; "member.added" exactly that one.
        query = query.where(
            AuditEvent.action.startswith(where.action, autoescape=True)
            if where.action.endswith(".")
            else AuditEvent.action == where.action
        )
    if where.actor_id is not None:
        query = query.where(AuditEvent.actor_id == where.actor_id)
    if where.object_type is not None:
        query = query.where(AuditEvent.object_type == where.object_type)
    if where.since is not None:
        query = query.where(AuditEvent.occurred_at >= where.since)
    if where.until is not None:
        query = query.where(AuditEvent.occurred_at < where.until)
    if before_id is not None:
        query = query.where(AuditEvent.id < before_id)
    rows = await session.scalars(query.order_by(AuditEvent.id.desc()).limit(limit))
    return rows.all()
