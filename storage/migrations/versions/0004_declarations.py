"""declarations: providers, assignments and iJw message events (no personal data)

Revision ID: 0004
Revises: 0001
Written by hand: a branch of its own off 0001, so that the other areas' migrations
(0002, 0003) and this one upgrade together with `heads`.
"""
from alembic import op
import sqlalchemy as sa


revision = "0004"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "declaration_provider",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agb_code", sa.String(length=8), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_declaration_provider")),
        sa.UniqueConstraint("agb_code", name=op.f("uq_declaration_provider_agb_code")),
    )
    op.create_table(
        "declaration_assignment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("municipality_code", sa.String(length=4), nullable=False),
        sa.Column("toewijzing_nummer", sa.String(length=12), nullable=False),
        sa.Column("provider_agb", sa.String(length=8), nullable=False),
        sa.Column("product_category", sa.String(length=2), nullable=True),
        sa.Column("product_code", sa.String(length=5), nullable=True),
        sa.Column("reference", sa.String(length=36), nullable=True),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("assigned_on", sa.Date(), nullable=False),
        sa.Column("first_message_date", sa.Date(), nullable=False),
        sa.Column("retroactive", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_declaration_assignment")),
        sa.UniqueConstraint(
            "municipality_code",
            "toewijzing_nummer",
            name=op.f("uq_declaration_assignment_municipality_code_toewijzing_nummer"),
        ),
    )
    op.create_index(
        "ix_declaration_assignment_provider",
        "declaration_assignment",
        ["provider_agb", "start_date"],
    )
    op.create_table(
        "declaration_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("message_type", sa.String(length=3), nullable=False),
        sa.Column("sender", sa.String(length=8), nullable=False),
        sa.Column("receiver", sa.String(length=8), nullable=False),
        sa.Column("message_id", sa.String(length=12), nullable=False),
        sa.Column("message_date", sa.Date(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("municipality_code", sa.String(length=4), nullable=False),
        sa.Column("provider_agb", sa.String(length=8), nullable=False),
        sa.Column("receipt_date", sa.Date(), nullable=True),
        sa.Column("toewijzing_nummer", sa.String(length=12), nullable=True),
        sa.Column("reference", sa.String(length=36), nullable=True),
        sa.Column("product_category", sa.String(length=2), nullable=True),
        sa.Column("product_code", sa.String(length=5), nullable=True),
        sa.Column("care_date", sa.Date(), nullable=True),
        sa.Column("period_start", sa.Date(), nullable=True),
        sa.Column("period_end", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=1), nullable=True),
        sa.Column("declaration_number", sa.String(length=36), nullable=True),
        sa.Column("related_id", sa.String(length=12), nullable=True),
        sa.Column("related_date", sa.Date(), nullable=True),
        sa.Column("line_count", sa.Integer(), nullable=True),
        sa.Column("rejected_count", sa.Integer(), nullable=True),
        sa.Column("source", sa.String(length=8), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_declaration_event")),
        sa.UniqueConstraint(
            "message_type",
            "sender",
            "message_id",
            "message_date",
            "position",
            name="uq_declaration_event_message",
        ),
    )
    op.create_index(
        "ix_declaration_event_assignment",
        "declaration_event",
        ["municipality_code", "toewijzing_nummer"],
    )
    op.create_index(
        "ix_declaration_event_provider",
        "declaration_event",
        ["provider_agb", "message_type", "message_date"],
    )
    op.create_index(
        "ix_declaration_event_reference",
        "declaration_event",
        ["message_type", "provider_agb", "reference"],
    )
    op.create_index(
        "ix_declaration_event_declaration",
        "declaration_event",
        ["message_type", "related_id"],
    )


def downgrade() -> None:
    op.drop_index("ix_declaration_event_declaration", table_name="declaration_event")
    op.drop_index("ix_declaration_event_reference", table_name="declaration_event")
    op.drop_index("ix_declaration_event_provider", table_name="declaration_event")
    op.drop_index("ix_declaration_event_assignment", table_name="declaration_event")
    op.drop_table("declaration_event")
    op.drop_index("ix_declaration_assignment_provider", table_name="declaration_assignment")
    op.drop_table("declaration_assignment")
    op.drop_table("declaration_provider")
