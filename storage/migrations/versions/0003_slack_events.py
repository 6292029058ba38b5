"""slack events: ids of handled Events API deliveries, to answer a retry once

Revision ID: 0003
Revises: 0001
"""
from alembic import op
import sqlalchemy as sa


revision = "0003"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "slack_event",
        sa.Column("event_id", sa.String(length=64), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("event_id", name=op.f("pk_slack_event")),
    )
    with op.batch_alter_table("slack_event", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_slack_event_received_at"), ["received_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("slack_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_slack_event_received_at"))
    op.drop_table("slack_event")
