"""datasets rules jobs results review

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28 18:36:17.183752
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "datasets",
        sa.Column("project_id", sa.Uuid(), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("original_filename", sa.String(length=500), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size_bytes", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(length=20), server_default="uploaded", nullable=False),
        sa.Column("original_path", sa.String(length=1000), nullable=False),
        sa.Column("parquet_path", sa.String(length=1000), nullable=True),
        sa.Column("row_count", sa.BigInteger(), nullable=True),
        sa.Column(
            "columns",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'[]'::jsonb"),
            nullable=False,
        ),
        sa.Column(
            "read_options",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
        ),
        sa.Column("mapping", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column(
            "problems",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'[]'::jsonb"),
            nullable=False,
        ),
        sa.Column("error", sa.String(length=4000), nullable=True),
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "status IN ('uploaded', 'parsing', 'ready', 'failed')",
            name=op.f("ck_datasets_status_known"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["users.id"],
            name=op.f("fk_datasets_created_by_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_datasets_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_datasets")),
    )
    op.create_index(op.f("ix_datasets_project_id"), "datasets", ["project_id"], unique=False)
    op.create_index(
        "ix_datasets_project_sha256", "datasets", ["project_id", "sha256"], unique=False
    )
    op.create_table(
        "rulesets",
        sa.Column("project_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("latest_version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_rulesets_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rulesets")),
    )
    op.create_index(op.f("ix_rulesets_project_id"), "rulesets", ["project_id"], unique=False)
    op.create_table(
        "ruleset_versions",
        sa.Column("ruleset_id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("document", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["users.id"],
            name=op.f("fk_ruleset_versions_created_by_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["ruleset_id"],
            ["rulesets.id"],
            name=op.f("fk_ruleset_versions_ruleset_id_rulesets"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ruleset_versions")),
        sa.UniqueConstraint("ruleset_id", "version", name="uq_ruleset_versions"),
    )
    op.create_table(
        "review_decisions",
        sa.Column("project_id", sa.Uuid(), nullable=False),
        sa.Column("job_id", sa.Uuid(), nullable=True),
        sa.Column("left_dataset_id", sa.Uuid(), nullable=False),
        sa.Column("right_dataset_id", sa.Uuid(), nullable=False),
        sa.Column("ruleset_id", sa.Uuid(), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("left_ids", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("right_ids", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("note", sa.Text(), server_default="", nullable=False),
        sa.Column("decided_by", sa.Uuid(), nullable=True),
        sa.Column(
            "decided_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("superseded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.CheckConstraint(
            "action IN ('confirm', 'reject', 'manual_match', 'unmatch')",
            name=op.f("ck_review_decisions_action_known"),
        ),
        sa.ForeignKeyConstraint(
            ["decided_by"],
            ["users.id"],
            name=op.f("fk_review_decisions_decided_by_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["job_id"],
            ["reconciliation_jobs.id"],
            name=op.f("fk_review_decisions_job_id_reconciliation_jobs"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["left_dataset_id"],
            ["datasets.id"],
            name=op.f("fk_review_decisions_left_dataset_id_datasets"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_review_decisions_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["right_dataset_id"],
            ["datasets.id"],
            name=op.f("fk_review_decisions_right_dataset_id_datasets"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["ruleset_id"],
            ["rulesets.id"],
            name=op.f("fk_review_decisions_ruleset_id_rulesets"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_decisions")),
    )
    op.create_index(
        "ix_review_decisions_scope",
        "review_decisions",
        ["project_id", "left_dataset_id", "right_dataset_id", "ruleset_id"],
        unique=False,
    )
    op.add_column("reconciliation_jobs", sa.Column("left_dataset_id", sa.Uuid(), nullable=True))
    op.add_column("reconciliation_jobs", sa.Column("right_dataset_id", sa.Uuid(), nullable=True))
    op.add_column("reconciliation_jobs", sa.Column("ruleset_version_id", sa.Uuid(), nullable=True))
    op.add_column(
        "reconciliation_jobs",
        sa.Column("cancel_requested", sa.Boolean(), server_default="false", nullable=False),
    )
    op.add_column(
        "reconciliation_jobs",
        sa.Column("summary", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    )
    op.add_column(
        "reconciliation_jobs",
        sa.Column(
            "phase_seconds",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
        ),
    )
    op.create_foreign_key(
        op.f("fk_reconciliation_jobs_left_dataset_id_datasets"),
        "reconciliation_jobs",
        "datasets",
        ["left_dataset_id"],
        ["id"],
        ondelete="RESTRICT",
    )
    op.create_foreign_key(
        op.f("fk_reconciliation_jobs_right_dataset_id_datasets"),
        "reconciliation_jobs",
        "datasets",
        ["right_dataset_id"],
        ["id"],
        ondelete="RESTRICT",
    )
    op.create_foreign_key(
        op.f("fk_reconciliation_jobs_ruleset_version_id_ruleset_versions"),
        "reconciliation_jobs",
        "ruleset_versions",
        ["ruleset_version_id"],
        ["id"],
        ondelete="RESTRICT",
    )
    op.add_column(
        "reconciliation_results", sa.Column("match_status", sa.String(length=20), nullable=True)
    )
    op.add_column(
        "reconciliation_results",
        sa.Column("amount", sa.Numeric(precision=20, scale=4), nullable=True),
    )
    op.add_column(
        "reconciliation_results",
        sa.Column(
            "left_records",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'[]'::jsonb"),
            nullable=False,
        ),
    )
    op.add_column(
        "reconciliation_results",
        sa.Column(
            "right_records",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'[]'::jsonb"),
            nullable=False,
        ),
    )
    op.add_column(
        "reconciliation_results",
        sa.Column("differences", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    )
    op.add_column(
        "reconciliation_results", sa.Column("reason", sa.String(length=50), nullable=True)
    )
    op.add_column(
        "reconciliation_results",
        sa.Column("reason_detail", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    )
    op.add_column(
        "reconciliation_results",
        sa.Column("search_text", sa.Text(), server_default="", nullable=False),
    )
    op.add_column("reconciliation_results", sa.Column("review_note", sa.Text(), nullable=True))
    op.create_index(
        "ix_reconciliation_results_job_amount",
        "reconciliation_results",
        ["job_id", "amount", "id"],
        unique=False,
    )
    op.create_index(
        "ix_reconciliation_results_job_score",
        "reconciliation_results",
        ["job_id", "score", "id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_reconciliation_results_job_score", table_name="reconciliation_results")
    op.drop_index("ix_reconciliation_results_job_amount", table_name="reconciliation_results")
    op.drop_column("reconciliation_results", "review_note")
    op.drop_column("reconciliation_results", "search_text")
    op.drop_column("reconciliation_results", "reason_detail")
    op.drop_column("reconciliation_results", "reason")
    op.drop_column("reconciliation_results", "differences")
    op.drop_column("reconciliation_results", "right_records")
    op.drop_column("reconciliation_results", "left_records")
    op.drop_column("reconciliation_results", "amount")
    op.drop_column("reconciliation_results", "match_status")
    op.drop_constraint(
        op.f("fk_reconciliation_jobs_ruleset_version_id_ruleset_versions"),
        "reconciliation_jobs",
        type_="foreignkey",
    )
    op.drop_constraint(
        op.f("fk_reconciliation_jobs_right_dataset_id_datasets"),
        "reconciliation_jobs",
        type_="foreignkey",
    )
    op.drop_constraint(
        op.f("fk_reconciliation_jobs_left_dataset_id_datasets"),
        "reconciliation_jobs",
        type_="foreignkey",
    )
    op.drop_column("reconciliation_jobs", "phase_seconds")
    op.drop_column("reconciliation_jobs", "summary")
    op.drop_column("reconciliation_jobs", "cancel_requested")
    op.drop_column("reconciliation_jobs", "ruleset_version_id")
    op.drop_column("reconciliation_jobs", "right_dataset_id")
    op.drop_column("reconciliation_jobs", "left_dataset_id")
    op.drop_index("ix_review_decisions_scope", table_name="review_decisions")
    op.drop_table("review_decisions")
    op.drop_table("ruleset_versions")
    op.drop_index(op.f("ix_rulesets_project_id"), table_name="rulesets")
    op.drop_table("rulesets")
    op.drop_index("ix_datasets_project_sha256", table_name="datasets")
    op.drop_index(op.f("ix_datasets_project_id"), table_name="datasets")
    op.drop_table("datasets")
