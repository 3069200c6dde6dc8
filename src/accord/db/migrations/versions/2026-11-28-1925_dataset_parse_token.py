"""dataset parse token

The worker parsing a large upload holds a token; only that parse may store its outcome, so
a slow parse that was taken over can never overwrite a newer one.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28 19:25:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("datasets", sa.Column("parse_token", sa.Uuid(), nullable=True))


def downgrade() -> None:
    op.drop_column("datasets", "parse_token")
