"""reminders: threads of a milestone's reminders

Revision ID: 0009
Revises: 0005

`delivery.thread_ts`: the ts of the post a reminder replies to (the first reminder of
the same milestone to the same target), fixed before the reply is posted so that a
look-up after a crash searches that thread (`conversations.replies`).

Two indexes on `role` for storage.responsible.

`slack_profile`: what users.info said about a Slack user (names, email, locale), to
offer "Ben jij …?" and to speak their language; `link_request`: a request to be linked
to a person, for coordinators to approve (storage.linking).
"""
from alembic import op
import sqlalchemy as sa


revision = "0009"
down_revision = "0005"
branch_labels = None
# The delivery table comes from 0002, on a branch of its own.
depends_on = ("0002",)


def upgrade() -> None:
    # storage.responsible looks a milestone's projectleider / programmamanager up per
    # milestone: by programme or project, and kind.
    with op.batch_alter_table("role", schema=None) as batch_op:
        batch_op.create_index("ix_role_programme_kind", ["programme_id", "kind"], unique=False)
        batch_op.create_index("ix_role_project_kind", ["project_id", "kind"], unique=False)
    with op.batch_alter_table("delivery", schema=None) as batch_op:
        batch_op.add_column(sa.Column("thread_ts", sa.String(length=32), nullable=True))
    op.create_table(
        "slack_profile",
        sa.Column("slack_user_id", sa.String(length=32), nullable=False),
        sa.Column("real_name", sa.String(length=200), nullable=True),
        sa.Column("display_name", sa.String(length=200), nullable=True),
        sa.Column("email", sa.String(length=320), nullable=True),
        sa.Column("locale", sa.String(length=16), nullable=True),
        sa.Column("fetched_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("offered_person_id", sa.Integer(), nullable=True),
        sa.Column("offer_answer", sa.String(length=8), nullable=True),
        sa.ForeignKeyConstraint(["offered_person_id"], ["person.id"],
                                name=op.f("fk_slack_profile_offered_person_id_person"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("slack_user_id", name=op.f("pk_slack_profile")),
    )
    op.create_table(
        "link_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slack_user_id", sa.String(length=32), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_by", sa.String(length=32), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"],
                                name=op.f("fk_link_request_person_id_person"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_link_request")),
    )
    with op.batch_alter_table("link_request", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_link_request_slack_user_id"), ["slack_user_id"],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table("role", schema=None) as batch_op:
        batch_op.drop_index("ix_role_project_kind")
        batch_op.drop_index("ix_role_programme_kind")
    op.drop_table("link_request")
    op.drop_table("slack_profile")
    with op.batch_alter_table("delivery", schema=None) as batch_op:
        batch_op.drop_column("thread_ts")
