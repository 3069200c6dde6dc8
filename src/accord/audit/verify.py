"""Check the audit chain from the first entry to the last and name the first broken one."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.engine import Connection

from accord.audit.chain import GENESIS_HASH, entry_content, entry_hash
from accord.db.models import AuditEvent

_BATCH = 1000


@dataclass(frozen=True)
class BrokenEntry:
    id: int
    action: str
    reason: str


@dataclass(frozen=True)
class ChainReport:
    checked: int
    broken: BrokenEntry | None

    @property
    def intact(self) -> bool:
        return self.broken is None


def verify_chain(conn: Connection) -> ChainReport:
    """Walk every entry in id order (streamed), recomputing each hash and each link."""
    expected_prev = GENESIS_HASH
    checked = 0
    table = AuditEvent.__table__
    rows = conn.execution_options(yield_per=_BATCH).execute(select(table).order_by(table.c.id))
    for row in rows:
        content = entry_content(
            id=row.id,
            occurred_at=row.occurred_at,
            actor_id=row.actor_id,
            actor_email=row.actor_email,
            action=row.action,
            object_type=row.object_type,
            object_id=row.object_id,
            project_id=row.project_id,
            ip=row.ip,
            correlation_id=row.correlation_id,
            before=row.before,
            after=row.after,
        )
        if row.prev_hash != expected_prev:
            reason = "its previous-hash link does not match the entry before it"
            return ChainReport(checked, BrokenEntry(row.id, row.action, reason))
        if entry_hash(row.prev_hash, content) != row.hash:
            reason = "its stored hash does not match its contents"
            return ChainReport(checked, BrokenEntry(row.id, row.action, reason))
        expected_prev = row.hash
        checked += 1
    return ChainReport(checked, None)
