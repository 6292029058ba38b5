"""reminders: threads of a milestone's reminders

Revision ID: 0009
Revises: 0005

`delivery.thread_ts`: the ts of the post a reminder replies to (the first reminder of
the same milestone to the same target), fixed before the reply is posted so that a
look-up after a crash searches that thread (`conversations.replies`).
"""
from alembic import op
import sqlalchemy as sa


revision = "0009"
down_revision = "0005"
branch_labels = None
# The delivery table comes from 0002, on a branch of its own.
depends_on = ("0002",)


def upgrade() -> None:
    with op.batch_alter_table("delivery", schema=None) as batch_op:
        batch_op.add_column(sa.Column("thread_ts", sa.String(length=32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("delivery", schema=None) as batch_op:
        batch_op.drop_column("thread_ts")
