"""deliveries: the scheduler's posts (planned once, sent once) and its heartbeat

Revision ID: 0002
Revises: 0001
"""
from alembic import op
import sqlalchemy as sa


revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "delivery",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("target", sa.String(length=32), nullable=False),
        sa.Column("group_key", sa.String(length=120), nullable=False),
        sa.Column("stage", sa.String(length=16), nullable=True),
        sa.Column("subject_date", sa.Date(), nullable=True),
        sa.Column("milestone_id", sa.Integer(), nullable=True),
        sa.Column("meeting_id", sa.Integer(), nullable=True),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("planned_for", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("needs_lookup", sa.Boolean(), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("claimed_by", sa.String(length=120), nullable=True),
        sa.Column("slack_channel", sa.String(length=32), nullable=True),
        sa.Column("slack_ts", sa.String(length=32), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("content_hash", sa.String(length=64), nullable=True),
        sa.Column("content_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["milestone_id"], ["milestone.id"],
            name=op.f("fk_delivery_milestone_id_milestone"), ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meeting.id"],
            name=op.f("fk_delivery_meeting_id_meeting"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_delivery")),
        sa.UniqueConstraint("key", name=op.f("uq_delivery_key")),
    )
    with op.batch_alter_table("delivery", schema=None) as batch_op:
        batch_op.create_index(
            "ix_delivery_status_next_attempt", ["status", "next_attempt_at"], unique=False
        )
        batch_op.create_index("ix_delivery_group_status", ["group_key", "status"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_delivery_milestone_id"), ["milestone_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_delivery_meeting_id"), ["meeting_id"], unique=False)

    op.create_table(
        "scheduler_heartbeat",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("process", sa.String(length=200), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_tick", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scheduler_heartbeat")),
        sa.UniqueConstraint("process", name=op.f("uq_scheduler_heartbeat_process")),
    )
    with op.batch_alter_table("scheduler_heartbeat", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_scheduler_heartbeat_last_tick"), ["last_tick"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("scheduler_heartbeat", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_scheduler_heartbeat_last_tick"))
    op.drop_table("scheduler_heartbeat")
    with op.batch_alter_table("delivery", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_delivery_meeting_id"))
        batch_op.drop_index(batch_op.f("ix_delivery_milestone_id"))
        batch_op.drop_index("ix_delivery_group_status")
        batch_op.drop_index("ix_delivery_status_next_attempt")
    op.drop_table("delivery")
