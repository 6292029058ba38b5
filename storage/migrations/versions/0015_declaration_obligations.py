"""declarations: obligations kept in the store, versioned by the days they were known
(issue 15 #2), with the care spans and month counts REGIONAL_323 is derived from and
how far the derivation has come

Revision ID: 0015
Revises: 0007
Written by hand. The tables start empty: the first evaluation (or import) derives them
from the stored events (storage.declarations.obligations.refresh).
"""
from alembic import op
import sqlalchemy as sa


revision = "0015"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "declaration_obligation",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("group_key", sa.String(80), nullable=False),
        sa.Column("rule", sa.String(24), nullable=False),
        sa.Column("provider_agb", sa.String(8), nullable=False),
        sa.Column("municipality_code", sa.String(4), nullable=False),
        sa.Column("subject", sa.String(36), nullable=False),
        sa.Column("kind", sa.String(12), nullable=False),
        sa.Column("due", sa.Date(), nullable=False),
        sa.Column("done", sa.Date(), nullable=True),
        sa.Column("note", sa.String(40), nullable=False),
        sa.Column("lines", sa.Integer(), nullable=True),
        sa.Column("rejected", sa.Integer(), nullable=True),
        sa.Column("known_from", sa.Date(), nullable=False),
        sa.Column("known_until", sa.Date(), nullable=True),
    )
    op.create_index("ix_declaration_obligation_group", "declaration_obligation", ["group_key"])
    op.create_index("ix_declaration_obligation_provider", "declaration_obligation",
                    ["provider_agb", "known_from"])
    op.create_table(
        "declaration_care_span",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("group_key", sa.String(80), nullable=False),
        sa.Column("provider_agb", sa.String(8), nullable=False),
        sa.Column("municipality_code", sa.String(4), nullable=False),
        sa.Column("first_month", sa.Date(), nullable=False),
        sa.Column("last_month", sa.Date(), nullable=False),
        sa.Column("known_from", sa.Date(), nullable=False),
        sa.Column("known_until", sa.Date(), nullable=True),
    )
    op.create_index("ix_declaration_care_span_group", "declaration_care_span", ["group_key"])
    op.create_table(
        "declaration_care_month",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("provider_agb", sa.String(8), nullable=False),
        sa.Column("municipality_code", sa.String(4), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("delta", sa.Integer(), nullable=False),
        sa.UniqueConstraint("provider_agb", "municipality_code", "month", "day"),
    )
    op.create_table(
        "declaration_derivation",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("deadline_months", sa.Integer(), nullable=False),
        sa.Column("deadline_moved", sa.Boolean(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("declaration_derivation")
    op.drop_table("declaration_care_month")
    op.drop_index("ix_declaration_care_span_group", "declaration_care_span")
    op.drop_table("declaration_care_span")
    op.drop_index("ix_declaration_obligation_provider", "declaration_obligation")
    op.drop_index("ix_declaration_obligation_group", "declaration_obligation")
    op.drop_table("declaration_obligation")
