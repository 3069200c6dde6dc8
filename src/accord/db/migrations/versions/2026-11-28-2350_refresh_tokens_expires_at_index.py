"""refresh tokens expires_at index

Pruning deletes refresh tokens by expiry in batches; the table gains a row per refresh, so
without this index every batch would read all of it.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-28 23:50:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        op.f("ix_refresh_tokens_expires_at"), "refresh_tokens", ["expires_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_refresh_tokens_expires_at"), table_name="refresh_tokens")
