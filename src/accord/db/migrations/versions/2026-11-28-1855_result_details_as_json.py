"""result details as json

The records, explanation, differences and reason detail of a result are written once and
read back whole, never searched inside: plain `json` stores them as text, without the
parse into `jsonb`, which nearly halves the time a worker spends storing a large run.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28 18:55:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DETAIL_COLUMNS = ("left_records", "right_records", "explanation", "differences", "reason_detail")


def upgrade() -> None:
    for column in DETAIL_COLUMNS:
        op.execute(f"ALTER TABLE reconciliation_results ALTER COLUMN {column} DROP DEFAULT")
        op.execute(
            f"ALTER TABLE reconciliation_results ALTER COLUMN {column} TYPE json "
            f"USING {column}::json"
        )
    for column, default in (
        ("left_records", "'[]'"),
        ("right_records", "'[]'"),
        ("explanation", "'{}'"),
    ):
        op.execute(
            f"ALTER TABLE reconciliation_results ALTER COLUMN {column} SET DEFAULT {default}::json"
        )


def downgrade() -> None:
    for column in DETAIL_COLUMNS:
        op.execute(f"ALTER TABLE reconciliation_results ALTER COLUMN {column} DROP DEFAULT")
        op.execute(
            f"ALTER TABLE reconciliation_results ALTER COLUMN {column} TYPE jsonb "
            f"USING {column}::jsonb"
        )
    for column, default in (
        ("left_records", "'[]'"),
        ("right_records", "'[]'"),
        ("explanation", "'{}'"),
    ):
        op.execute(
            f"ALTER TABLE reconciliation_results ALTER COLUMN {column} SET DEFAULT {default}::jsonb"
        )
